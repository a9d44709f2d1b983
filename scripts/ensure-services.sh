#!/usr/bin/env bash
# Makes sure PostgreSQL (with pg_cron) and Redis are installed and running on their default
# local ports. Idempotent: a second run changes nothing and restarts nothing.
# Needs root for apt-get and the cluster config; as another user it only checks.
set -euo pipefail

PG_PORT=5432
REDIS_PORT=6379
CRON_DATABASE=${CRON_DATABASE:-rolerabbit}

log() { printf '[services] %s\n' "$*"; }
trap 'log "failed at line $LINENO"' ERR

is_root() { [ "$(id -u)" = 0 ]; }

apt_install() {
  if ! is_root; then
    log "not root: cannot install $*"
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

# --- PostgreSQL -------------------------------------------------------------------------
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  log 'installing PostgreSQL'
  apt_install postgresql
fi
PG_VERSION=$(ls /etc/postgresql | sort -V | tail -n 1)
CLUSTER=main
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$PG_VERSION $CLUSTER"; then
  log "creating cluster $PG_VERSION/$CLUSTER"
  pg_createcluster "$PG_VERSION" "$CLUSTER" -p "$PG_PORT" >/dev/null
fi

pg_up() { pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; }
start_postgres() {
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$CLUSTER" start
  for _ in $(seq 1 50); do pg_up && return 0; sleep 0.2; done
  log 'PostgreSQL did not come up'
  return 1
}
if ! pg_up; then
  log 'starting PostgreSQL'
  start_postgres
fi

psql_admin() { PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

# --- pg_cron ------------------------------------------------------------------------------
if ! dpkg -s "postgresql-$PG_VERSION-cron" >/dev/null 2>&1; then
  log "installing postgresql-$PG_VERSION-cron"
  apt_install "postgresql-$PG_VERSION-cron"
fi
# pg_cron's launcher connects to this database at server start, so it must exist first.
if [ "$(psql_admin -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$CRON_DATABASE'")" != 1 ]; then
  psql_admin -d postgres -c "CREATE DATABASE \"$CRON_DATABASE\""
fi
preload=$(psql_admin -d postgres -c 'SHOW shared_preload_libraries')
cron_db=$(psql_admin -d postgres -c "SELECT current_setting('cron.database_name', true)")
if [[ ",${preload// /}," != *",pg_cron,"* || "$cron_db" != "$CRON_DATABASE" ]]; then
  if ! is_root; then
    log 'pg_cron is not configured and configuring it needs root'
    exit 1
  fi
  libraries=$(printf '%s' "${preload// /}" | tr ',' '\n' | { grep -v -e '^$' -e '^pg_cron$' || true; } | paste -sd, -)
  libraries=${libraries:+$libraries,}pg_cron
  # cron.host: connect over the Unix socket (peer auth), not TCP, which may require a password.
  cat >"/etc/postgresql/$PG_VERSION/$CLUSTER/conf.d/50-pg-cron.conf" <<CONF
shared_preload_libraries = '$libraries'
cron.database_name = '$CRON_DATABASE'
cron.host = '/var/run/postgresql'
CONF
  log 'enabling pg_cron (restarting PostgreSQL)'
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$CLUSTER" restart
  for _ in $(seq 1 50); do pg_up && break; sleep 0.2; done
fi
psql_admin -d "$CRON_DATABASE" -c 'CREATE EXTENSION IF NOT EXISTS pg_cron'
log "PostgreSQL $PG_VERSION up on $PG_PORT with pg_cron $(psql_admin -d "$CRON_DATABASE" -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'") in $CRON_DATABASE"

# --- Redis --------------------------------------------------------------------------------
redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }
if ! command -v redis-server >/dev/null 2>&1; then
  log 'installing Redis'
  apt_install redis-server
fi
# BullMQ keeps every waiting and delayed job only in Redis: without persistence a restart
# drops them, and an eviction policy other than noeviction deletes queue keys under memory
# pressure. So: an append-only file synced every second, and noeviction (R-SEC-3).
if ! redis_up; then
  log 'starting Redis'
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save '' \
    --appendonly yes --appendfsync everysec --maxmemory-policy noeviction \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 50); do redis_up && break; sleep 0.1; done
  redis_up || { log 'Redis did not come up'; exit 1; }
fi
redis_config() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" config get "$1" | sed -n 2p; }
for setting in appendonly:yes appendfsync:everysec maxmemory-policy:noeviction; do
  name=${setting%%:*} wanted=${setting#*:}
  if [ "$(redis_config "$name")" != "$wanted" ]; then
    log "setting Redis $name to $wanted (was $(redis_config "$name"))"
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" config set "$name" "$wanted" >/dev/null
  fi
done
log "Redis up on $REDIS_PORT (appendonly $(redis_config appendonly), maxmemory-policy $(redis_config maxmemory-policy))"
