#!/usr/bin/env bash
# Builds and opens Kefu Desk on its embedded SQLite database (kefu.db in the app-data
# folder). On an empty database the window offers the demo shop (press Enter).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash src-tauri/scripts/setup.sh run
cargo build --release -p kefu-desk --features custom-protocol
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display found; starting the app on a virtual display (xvfb-run)"
  exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- target/release/kefu-desk "$@"
fi
exec target/release/kefu-desk "$@"
