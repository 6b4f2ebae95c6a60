#!/usr/bin/env bash
# Runs every Kefu Desk test: format and lint checks, the unit and storage tests, the
# mock-runtime command tests and the end-to-end tests that drive the built app in a real
# WebKit window (each test starts its own Xvfb display and D-Bus session), then the storage
# and team tests once more on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash src-tauri/scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PATH"
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
# The end-to-end tests launch this binary.
cargo build -p kefu-desk
cargo test --workspace
# The same storage and team stories again on a team database: a throwaway PostgreSQL
# cluster from Debian's packages.
pg_dir="$(mktemp -d /tmp/kefu-pg.XXXXXX)"
trap 'bash src-tauri/scripts/postgres.sh stop "$pg_dir"' EXIT
pg_url="$(bash src-tauri/scripts/postgres.sh start "$pg_dir")"
export KEFU_TEST_BACKEND=postgres KEFU_TEST_POSTGRES="$pg_url"
cargo test -p kefu-db
cargo test -p kefu-tests --test team --test e2e_team --test e2e_outage --test e2e_schedule
