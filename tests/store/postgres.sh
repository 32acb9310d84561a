#!/usr/bin/env bash
# A throw-away PostgreSQL server on loopback for the archive tests.
#   postgres.sh start STATE_DIR   initdb in a fresh temporary directory, start
#                                 the server on a free port of 127.0.0.1 and
#                                 write its URI to STATE_DIR/uri
#   postgres.sh stop STATE_DIR    stop it and remove its data
# As root the server runs as the postgres user (it refuses to run as root).
# It runs with fsync off (throw-away data) unless PACTUM_PG_FSYNC=on.
set -euo pipefail
cmd=$1 state=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "postgres.sh: PostgreSQL is not installed (scripts/packages.txt has it)" >&2; exit 1; }
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $cmd in
start)
  mkdir -p "$state"
  [ -f "$state/data_dir" ] && "$0" stop "$state" || true
  data=$(mktemp -d /tmp/pactum-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres: "$data"
  echo "$data" > "$state/data_dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_owner "$bin/initdb" -D "$data/db" -U pactum --auth=trust -E UTF8 --locale=C.UTF-8 >"$data/initdb.log" 2>&1 ||
    { cat "$data/initdb.log" >&2; exit 1; }
  as_owner "$bin/pg_ctl" -D "$data/db" -l "$data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=${PACTUM_PG_FSYNC:-off}" start >/dev/null ||
    { cat "$data/server.log" >&2; exit 1; }
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U pactum pactum_test
  echo "postgresql://pactum@127.0.0.1:$port/pactum_test" > "$state/uri"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($data)"
  ;;
stop)
  [ -f "$state/data_dir" ] || exit 0
  data=$(cat "$state/data_dir")
  if [ -d "$data/db" ]; then
    as_owner "$bin/pg_ctl" -D "$data/db" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$data" "$state/data_dir" "$state/uri"
  ;;
*)
  echo "usage: postgres.sh start|stop STATE_DIR" >&2
  exit 2
  ;;
esac
