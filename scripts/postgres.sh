#!/usr/bin/env bash
# A throw-away PostgreSQL 15 server for the test suite and benchmarks, installed from Debian's
# packages if missing (without their recommended packages): data in $FOREWARN_PG_DIR
# (/tmp/forewarn-pg-PORT, a place the postgres user can reach whatever the checkout's permissions),
# listening on 127.0.0.1 only, port $FOREWARN_PG_PORT (54329).
#
#   postgres.sh                 start it (a server already listening there is reused); print its URL
#   postgres.sh stop            stop the server of $FOREWARN_PG_DIR if one runs
#   postgres.sh run VAR CMD…    start it, run CMD with VAR set to its URL, then stop it again if this
#                               call started it (one that was already running is left running);
#                               exits with CMD's status
set -euo pipefail
port="${FOREWARN_PG_PORT:-54329}"
dir="${FOREWARN_PG_DIR:-/tmp/forewarn-pg-$port}"
data="$dir/data"
log="$dir/server.log"

find_bin() {
  local candidate
  for candidate in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/pg_ctl" ] && { echo "$candidate"; return 0; }
  done
  return 1
}

install_bin() {
  echo "postgres.sh: installing postgresql-15 from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql-15 >&2 \
    || apt-get install -y -qq --no-install-recommends postgresql >&2
  find_bin
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

listening() {
  [ -n "$bin" ] && "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"
}

start() {
  [ -n "$bin" ] || bin="$(install_bin)"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
  if listening; then
    echo "postgres.sh: reusing the server already listening on 127.0.0.1:$port" >&2
  else
    if [ ! -s "$data/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    as_pg "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off" start >/dev/null
  fi
  as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='forewarn_test'" | grep -q 1 \
    || as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres forewarn_test
  url="postgresql+psycopg://postgres@127.0.0.1:$port/forewarn_test"
}

stop() {
  if [ -n "$bin" ] && [ -s "$data/postmaster.pid" ]; then
    if as_pg "$bin/pg_ctl" -D "$data" -w -t 60 stop -m fast >/dev/null; then
      echo "postgres.sh: stopped the server on 127.0.0.1:$port (data kept in $data)" >&2
    else
      echo "postgres.sh: could not stop the server of $data; see $log" >&2
    fi
  fi
}

run() {
  local var="$1" started=1 status=0
  shift
  if listening; then started=0; fi
  start
  if [ "$started" = 1 ]; then trap stop EXIT; fi
  env "$var=$url" "$@" || status=$?
  if [ "$started" = 0 ]; then
    echo "postgres.sh: the server on 127.0.0.1:$port was running before; left running" >&2
  fi
  return "$status"
}

bin="$(find_bin || true)"
case "${1:-start}" in
  start) start; echo "$url" ;;
  stop) stop ;;
  run)
    [ $# -ge 3 ] || { echo "usage: postgres.sh run VAR COMMAND [ARG…]" >&2; exit 2; }
    shift; run "$@" ;;
  *) echo "usage: postgres.sh [start | stop | run VAR COMMAND [ARG…]]" >&2; exit 2 ;;
esac
