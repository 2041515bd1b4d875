#!/usr/bin/env bash
# Runs every test of MynaTerminal: installs the Debian packages the tests talk to (when missing),
# builds the solution once and runs all test assemblies. Prints a one-line summary and fails on any failure.
set -euo pipefail
cd "$(dirname "$0")"

./scripts/install-deps.sh

results="artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

set +e
dotnet test MynaTerminal.sln -c Release --logger "trx" --results-directory "$results" "$@"
status=$?
set -e

python3 - "$results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
total = passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    c = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    if c is None:
        continue
    total += int(c.get("total", 0)); passed += int(c.get("passed", 0))
    failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    skipped += int(c.get("notExecuted", 0))
# xunit v3 reports skipped tests as neither passed nor failed (not always as notExecuted): count what is left.
skipped = max(skipped, total - passed - failed)
print(f"Tests: {passed} passed, {failed} failed, {skipped} skipped, {total} total")
PY

exit $status
