#!/usr/bin/env bash
# Regenerates the screen contact sheets in docs/screens/ (one PNG per language, thumbnails of every patient screen
# at 480x800 and 800x480). Runs the screenshot test with MYNATERM_SCREENSHOTS pointing at a scratch folder, then
# copies only the contact sheets; the full-size screenshots stay in that folder (printed at the end).
#   ./scripts/screenshots.sh            # scratch folder: /tmp/mynaterm-screenshots
#   ./scripts/screenshots.sh DIR        # keep the full-size screenshots in DIR
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(realpath -m "${1:-/tmp/mynaterm-screenshots}")"
mkdir -p "$out" "$root/docs/screens"
MYNATERM_SCREENSHOTS="$out" dotnet test "$root/tests/MynaTerminal.Display.Tests" \
  --filter "FullyQualifiedName~ScreenshotTests.Every_screen_in_every_language_is_rendered_with_a_contact_sheet" --nologo
rm -f "$root"/docs/screens/contact-*.png
cp "$out"/contact-*.png "$root/docs/screens/"
echo "screenshots: contact sheets in docs/screens/, full-size screens in $out/<language>/<size>/"
