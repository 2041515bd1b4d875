#!/usr/bin/env bash
# Runs the whole MynaTerminal on simulated hardware: virtual card, virtual cameras, screens rendered as PNG,
# embedded MQTT broker on 127.0.0.1:1883, a simulated clinic answering eligibility, and scripted patients.
# Arguments go to `mynaterm simulate` (try --help).
set -euo pipefail
cd "$(dirname "$0")"
./scripts/install-deps.sh --runtime || echo "simulate.sh: could not install Debian packages (fonts, mosquitto-clients); going on." >&2
dotnet build src/MynaTerminal.Cli -c Release -v quiet -nologo >/dev/null
exec dotnet src/MynaTerminal.Cli/bin/Release/net10.0/mynaterm.dll simulate "$@"
