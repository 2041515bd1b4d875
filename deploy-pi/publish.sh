#!/usr/bin/env bash
# Publishes the worker and the CLI for the device (linux-arm64, self-contained, ReadyToRun).
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/deploy-pi
rm -rf "$out"
for project in src/MynaTerminal.Worker src/MynaTerminal.Cli; do
  dotnet publish "$project" -c Release -r linux-arm64 --self-contained -p:PublishReadyToRun=true -o "$out/app"
done
cp deploy-pi/mynaterm.service deploy-pi/install.sh "$out/"
echo "published to $out"
