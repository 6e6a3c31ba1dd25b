# Sourced by test.sh: exports TEST_DATABASE_URL for a reachable PostgreSQL server,
# starting a throwaway cluster in a temporary directory when none is running.
if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
  export TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/postgres"
  return 0 2>/dev/null || exit 0
fi
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bindir" ]; then
  echo "PostgreSQL is not installed; PostgreSQL tests will fail under CI=true" >&2
  return 0 2>/dev/null || exit 0
fi
pgdir=$(mktemp -d /tmp/survey-pg.XXXXXX)
port=55432
runas=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$pgdir"
  runas=(runuser -u postgres --)
fi
"${runas[@]}" "$bindir/initdb" -D "$pgdir/data" -A trust -U postgres >/dev/null
"${runas[@]}" "$bindir/pg_ctl" -D "$pgdir/data" -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off" -l "$pgdir/log" -w start >/dev/null
# on_exit (test.sh) runs every cleanup that the sourced scripts registered.
cleanups+=('"${runas[@]}" "$bindir/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1; rm -rf "$pgdir"')
export TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres"
