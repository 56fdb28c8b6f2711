#!/usr/bin/env bash
# Configures (once) and builds sabaq into build/. Warnings are errors.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  meson setup build -Dwerror=true >&2
fi
ninja -C build >&2
