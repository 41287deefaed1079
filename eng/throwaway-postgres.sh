#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on a free loopback port from the locally installed server binaries and
# prints "PID URL". As root, the server runs as the postgres user (PostgreSQL refuses root).
#   eng/throwaway-postgres.sh start DIR      -> prints "<postmaster pid> postgres://postgres:<pw>@127.0.0.1:<port>/streambot"
#   eng/throwaway-postgres.sh stop DIR       -> stops it (pg_ctl, then the pid) and removes DIR
set -euo pipefail
command="$1"; dir="$2"

bin=""
if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
  bin="$(dirname "$(command -v initdb)")"
else
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "No PostgreSQL server binaries (initdb, pg_ctl) found. Install them, or set DATABASE_URL to a server of yours." >&2
  exit 1
fi

as_owner=()
if [ "$(id -u)" = 0 ]; then as_owner=(runuser -u postgres --); fi

case "$command" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    password="sample-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
    printf '%s' "$password" > "$dir/pw"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir/pw"
    "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --pwfile="$dir/pw" -E UTF8 --no-locale >"$dir/initdb.log" 2>&1
    rm -f "$dir/pw"
    for attempt in $(seq 1 20); do
      port=$(( 20000 + RANDOM % 40000 ))
      if "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
           -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null 2>&1; then
        "${as_owner[@]}" psql -X -q -h "$dir" -p "$port" -U postgres -c "CREATE DATABASE streambot" >/dev/null
        echo "$(head -n 1 "$dir/data/postmaster.pid") postgres://postgres:$password@127.0.0.1:$port/streambot"
        exit 0
      fi
    done
    echo "Could not start PostgreSQL; see $dir/server.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      pid="$(head -n 1 "$dir/data/postmaster.pid")"
      "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
    ;;
esac
