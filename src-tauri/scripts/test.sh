#!/usr/bin/env bash
# Runs every Kefu Desk test: format and lint checks, the unit and storage tests, the
# mock-runtime command tests and the end-to-end tests that drive the built app in a real
# WebKit window (each test starts its own Xvfb display and D-Bus session).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash src-tauri/scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PATH"
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
# The end-to-end tests launch this binary.
cargo build -p kefu-desk
cargo test --workspace
