#!/usr/bin/env bash
# Installs the Debian 12 packages sabaq builds and tests with, when any is
# missing. Safe to run again: it does nothing when all are there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # build
  meson ninja-build pkg-config gcc clang-format
  libglib2.0-dev libjson-glib-dev libsqlite3-dev libxml2-dev
  libavformat-dev libavcodec-dev libavfilter-dev libavutil-dev libswscale-dev libswresample-dev
  libbitstream-dev libsoup-3.0-dev libsodium-dev
  # playout: GStreamer 1.22 (appsrc/appsink, qtdemux, parsers, mpegtsmux, splitmuxsink,
  # udpsink, srtsink; x264enc and avdec_h264 for bench/playout's reference)
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly
  gstreamer1.0-libav gstreamer1.0-tools
  # bench/web: wrk on loopback, nginx in front of the HLS outputs
  wrk nginx-light
  # tests: media generation and independent checkers
  ffmpeg libxml2-utils python3 sqlite3 valgrind fonts-dejavu-core
  xmltv-util dvbpsi-utils chromium
)
# Node.js and npm for the pages' packages (hls.js) and the browser tests
# (playwright-core): Debian's, unless a Node.js with npm is there already.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "sabaq: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >&2
fi

# The front-end packages, locked by package-lock.json, from the npm registry.
if [ ! -d node_modules/hls.js ] || [ ! -d node_modules/playwright-core ]; then
  echo "sabaq: installing npm packages (hls.js, playwright-core)" >&2
  npm ci --no-audit --no-fund >&2
fi
