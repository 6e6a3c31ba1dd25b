# Sourced by test.sh: exports TEST_REDIS_URL for a Redis server on 127.0.0.1:6379, starting one
# (no persistence, stopped when the script exits) when none answers there.
if command -v redis-cli >/dev/null 2>&1 && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  export TEST_REDIS_URL="redis://127.0.0.1:6379"
  return 0 2>/dev/null || exit 0
fi
if ! command -v redis-server >/dev/null 2>&1; then
  echo "Redis is not installed; the several-app-servers tests will fail under CI=true" >&2
  return 0 2>/dev/null || exit 0
fi
redisdir=$(mktemp -d /tmp/survey-redis.XXXXXX)
redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no --dir "$redisdir" \
  --daemonize yes --pidfile "$redisdir/redis.pid" --logfile "$redisdir/log" >/dev/null
for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
cleanups+=('kill "$(cat "$redisdir/redis.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$redisdir"')
export TEST_REDIS_URL="redis://127.0.0.1:6379"
