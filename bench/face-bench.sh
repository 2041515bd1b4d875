#!/usr/bin/env bash
# The face pipeline's figures: median and p95 per stage and the same models' raw inference, in one run.
# Usage: bench/face-bench.sh [--json] [--frames N]   (models: $MYNATERM_MODELS or ../shared/models; photos: $MYNATERM_FACES or ../shared/faces)
set -euo pipefail
cd "$(dirname "$0")/.."
models="${MYNATERM_MODELS:-../shared/models}"
faces="${MYNATERM_FACES:-../shared/faces}"
dotnet build src/MynaTerminal.Cli -c Release -v quiet -nologo >/dev/null
exec dotnet src/MynaTerminal.Cli/bin/Release/net10.0/mynaterm.dll face bench --models "$models" --faces "$faces" "$@"
