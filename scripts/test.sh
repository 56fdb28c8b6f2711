#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs every unit
# and integration test, and ends with the line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh || exit 1
scripts/build.sh || { echo "0 passed, 1 failed"; exit 1; }
meson test -C build --print-errorlogs --num-processes 2 "$@"
status=$?
# The unit tests again under valgrind: invalid reads and leaks fail them.
meson test -C build --print-errorlogs --num-processes 2 --suite unit --setup valgrind "$@" \
  || status=1
python3 - build/meson-logs/testlog.json build/meson-logs/testlog-valgrind.json <<'PY'
import json, sys
passed = failed = skipped = 0
for line in (l for path in sys.argv[1:] for l in open(path, encoding="utf-8")):
    result = json.loads(line)["result"]
    if result in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif result == "SKIP":
        skipped += 1
    else:
        failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $status
