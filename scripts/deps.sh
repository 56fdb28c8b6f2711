#!/usr/bin/env bash
# Installs the Debian 12 packages sabaq builds and tests with, when any is
# missing. Safe to run again: it does nothing when all are there.
set -euo pipefail

packages=(
  # build
  meson ninja-build pkg-config gcc clang-format
  libglib2.0-dev libjson-glib-dev libsqlite3-dev libxml2-dev
  libavformat-dev libavcodec-dev libavfilter-dev libavutil-dev libswscale-dev libswresample-dev
  libbitstream-dev
  # playout: GStreamer 1.22 (appsrc/appsink, qtdemux, parsers, mpegtsmux, splitmuxsink,
  # udpsink, srtsink; x264enc and avdec_h264 for bench/playout's reference)
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly
  gstreamer1.0-libav gstreamer1.0-tools
  # tests: media generation and independent checkers
  ffmpeg libxml2-utils python3 sqlite3 valgrind fonts-dejavu-core
  xmltv-util dvbpsi-utils
)

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
