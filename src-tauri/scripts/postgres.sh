#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the team-mode tests: Debian's server binaries, a data
# folder under /tmp, trust authentication on 127.0.0.1 only.
# Usage: postgres.sh start|pause|resume|stop DIR
# `start` makes a new cluster and prints its address, on the first free port from 55432;
# `pause` stops the server and keeps its data, `resume` starts it again on the same port
# (the outage test); `stop` stops it and removes everything.
set -euo pipefail

action="$1"
dir="$2"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
# The server refuses to run as root; the Debian package made a `postgres` user for it.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then as_owner=(runuser -u postgres --); fi

case "$action" in
  start)
    port=55432
    while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
    "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C >"$dir/initdb.log"
    echo "$port" >"$dir/port"
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c max_connections=300" start >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  pause)
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  resume)
    port="$(cat "$dir/port")"
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c max_connections=300" start >/dev/null
    ;;
  stop)
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: postgres.sh start|pause|resume|stop DIR" >&2
    exit 2
    ;;
esac
