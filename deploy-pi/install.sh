#!/usr/bin/env bash
# Installs MynaTerminal on the device from a folder made by publish.sh. Run as root.
set -euo pipefail
cd "$(dirname "$0")"
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }

apt-get update -qq
apt-get install -y -qq --no-install-recommends pcscd libpcsclite1 fonts-noto-cjk libopenjp2-7 libturbojpeg0 libfontconfig1 >/dev/null
# Audio guidance: TTS that pre-renders the spoken prompts (open_jtalk: Japanese, espeak-ng: other languages) and aplay.
# Open JTalk's voice is in Debian's contrib section (enabled on Raspberry Pi OS); without it the terminal has no Japanese prompts.
apt-get install -y -qq --no-install-recommends open-jtalk open-jtalk-mecab-naist-jdic hts-voice-nitech-jp-atr503-m001 espeak-ng alsa-utils >/dev/null \
  || echo "install: audio guidance packages not installed (is 'contrib' in the apt sources?); the terminal runs without spoken prompts" >&2

id mynaterm >/dev/null 2>&1 || useradd --system --home /var/lib/mynaterm --shell /usr/sbin/nologin mynaterm
for group in video gpio spi input audio; do
  getent group "$group" >/dev/null && usermod -aG "$group" mynaterm
done

install -d -o root -g root /opt/mynaterm /etc/mynaterm
cp -a app/. /opt/mynaterm/
[ -f /etc/mynaterm/appsettings.json ] || install -m 0640 -g mynaterm app/appsettings.json /etc/mynaterm/appsettings.json
install -m 0644 mynaterm.service /etc/systemd/system/mynaterm.service
ln -sf /opt/mynaterm/mynaterm /usr/local/bin/mynaterm

# Face models: downloaded from their pinned upstream URLs and sha256-checked (never shipped in the image).
# Offline install: copy the files into /var/lib/mynaterm/models and check them with `mynaterm models verify`.
install -d -o mynaterm -g mynaterm /var/lib/mynaterm /var/lib/mynaterm/models
mynaterm models fetch --dir /var/lib/mynaterm/models || echo "install: face models not fetched (no network?); run 'mynaterm models fetch' later" >&2
chown -R mynaterm:mynaterm /var/lib/mynaterm/models

# Spoken prompts: one WAV per screen and language from the installed texts, plus manifest.json (up-to-date ones are kept).
install -d -m 0755 /var/lib/mynaterm/prompts
mynaterm audio render --out /var/lib/mynaterm/prompts \
  || echo "install: audio prompts incomplete (see above); fix it, then run 'mynaterm audio render --out /var/lib/mynaterm/prompts'" >&2

systemctl daemon-reload
systemctl enable --now mynaterm
systemctl --no-pager status mynaterm || true
