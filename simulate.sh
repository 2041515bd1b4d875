#!/usr/bin/env bash
# Runs the whole MynaTerminal on simulated hardware: virtual card, virtual cameras, screens rendered as PNG,
# embedded MQTT broker on 127.0.0.1:1883, a simulated clinic answering eligibility, and scripted patients.
# When the face models and photos of ../shared are present, the real ONNX face engine runs on real photos
# (MYNATERM_SIM_ENGINE=simulated keeps the stand-in engine). Arguments go to `mynaterm simulate` (try --help).
set -euo pipefail
cd "$(dirname "$0")"
./scripts/install-deps.sh --runtime || echo "simulate.sh: could not install Debian packages (fonts, mosquitto-clients); going on." >&2
dotnet build src/MynaTerminal.Cli -c Release -v quiet -nologo >/dev/null
engine=()
if [ "${MYNATERM_SIM_ENGINE:-onnx}" = "onnx" ] && [ -f ../shared/models/MANIFEST.md ] && [ -d ../shared/faces ]; then
  echo "simulate.sh: real face engine with ../shared/models and the photos of ../shared/faces" >&2
  engine=(--models ../shared/models --faces ../shared/faces)
fi
exec dotnet src/MynaTerminal.Cli/bin/Release/net10.0/mynaterm.dll simulate "${engine[@]}" "$@"
