#!/usr/bin/env bash
# Install (from Debian's packages, if missing) and start a throw-away PostgreSQL 15 server for
# the test suite and benchmarks: data in $FOREWARN_PG_DIR (/tmp/forewarn-pg-PORT, a place the
# postgres user can reach whatever the checkout's permissions), listening on 127.0.0.1 only, port
# $FOREWARN_PG_PORT (54329). Idempotent: a server already listening there is reused.
# Prints the URL the tests should use.
set -euo pipefail
port="${FOREWARN_PG_PORT:-54329}"
dir="${FOREWARN_PG_DIR:-/tmp/forewarn-pg-$port}"
data="$dir/data"
log="$dir/server.log"

find_bin() {
  for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  return 1
}

bin="$(find_bin || true)"
if [ -z "$bin" ]; then
  echo "postgres.sh: installing postgresql-15 from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql-15 >&2 || apt-get install -y -qq postgresql >&2
  bin="$(find_bin)"
fi

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

mkdir -p "$dir"
if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
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
echo "postgresql+psycopg://postgres@127.0.0.1:$port/forewarn_test"
