#!/usr/bin/env bash
# Installs what Kefu Desk needs on Debian/Ubuntu: the WebKitGTK build libraries, CJK fonts,
# and for tests a headless desktop (Xvfb, D-Bus, a notification daemon), tauri-driver and a
# PostgreSQL server for the team-database tests.
# Usage: setup.sh run|test. Installs only what is missing; safe to run again.
set -euo pipefail

mode="${1:-run}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

packages=(build-essential pkg-config curl wget file libssl-dev libxdo-dev
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev
  fonts-noto-cjk dbus dbus-x11 xvfb xauth)
if [ "$mode" = "test" ]; then
  packages+=(webkit2gtk-driver dunst libnotify-bin imagemagick sqlite3 postgresql xclip)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$mode" = "test" ] && ! command -v tauri-driver >/dev/null 2>&1; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --locked --quiet
fi
