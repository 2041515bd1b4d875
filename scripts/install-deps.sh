#!/usr/bin/env bash
# Installs the Debian packages the terminal's simulation and tests use, only those that are missing.
#   mosquitto, mosquitto-clients  real MQTT broker for integration tests; mosquitto_sub to watch the terminal
#   pcscd, libpcsclite1, vsmartcard-vpcd  real PC/SC stack with a virtual reader for card tests
#   fonts-noto-cjk, fonts-ipafont-gothic  Japanese fonts for the rendered screens
#   libopenjp2-7  JPEG 2000 decoder for the chip photo
#   libturbojpeg0  JPEG decoder/encoder for camera frames (MJPEG) and image files
#   libfontconfig1  SkiaSharp font lookup
#   open-jtalk, open-jtalk-mecab-naist-jdic, espeak-ng, alsa-utils  audio guidance: TTS that pre-renders the spoken prompts
#     (Japanese / other languages) and aplay; Open JTalk's voice hts-voice-nitech-jp-atr503-m001 is in Debian's contrib
#     section and is added only where apt offers it (Raspberry Pi OS does)
set -euo pipefail

# --runtime: only what the simulator itself needs (fonts, decoder, a client to watch MQTT).
if [ "${1:-}" = "--runtime" ]; then
  packages=(mosquitto-clients fonts-noto-cjk fonts-ipafont-gothic libopenjp2-7 libturbojpeg0 libfontconfig1)
else
  packages=(mosquitto mosquitto-clients pcscd libpcsclite1 vsmartcard-vpcd fonts-noto-cjk fonts-ipafont-gothic libopenjp2-7 libturbojpeg0 libfontconfig1
            open-jtalk open-jtalk-mecab-naist-jdic espeak-ng alsa-utils)
  # chromium: headless browser of the web mirror's browser test (Playwright drives /usr/bin/chromium; no browser download)
  packages+=(chromium)
  if [[ "$(apt-cache policy hts-voice-nitech-jp-atr503-m001 2>/dev/null)" == *"Candidate: "[0-9]* ]]; then
    packages+=(hts-voice-nitech-jp-atr503-m001)
  fi
fi
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian packages start the daemons as services; tests start their own private instances.
for svc in mosquitto pcscd.socket pcscd; do
  "${sudo_cmd[@]}" systemctl stop "$svc" >/dev/null 2>&1 || true
done
echo "install-deps: done"
