#!/usr/bin/env bash
# Installs (if missing) and starts PostgreSQL on 127.0.0.1:5432, creates the
# app's role and database, and prints the DATABASE_URL to use on stdout (all
# other output goes to stderr). Idempotent: safe to run again and again.
# Needs root (CI runs as root on a fresh Debian 12).
#
#   export TEST_DATABASE_URL="$(bash .ci/postgres.sh)"
#
# The role gets CREATEDB: the tests give each worker its own database, and
# `migrate dev` / `npm run db:migration` create throwaway shadow databases.
set -euo pipefail

PG_ROLE="${POSTGRES_USER:-brilliant}"
PG_PASSWORD="${POSTGRES_PASSWORD:-brilliant}"
PG_DATABASE="${POSTGRES_DB:-brilliant_test}"
PG_PORT=5432

log() { echo "postgres.sh: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root (it installs and starts the server)"
  exit 1
fi

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  log "installing postgresql from Debian"
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >&2
fi

PG_VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$PG_VERSION main"; then
  log "creating cluster $PG_VERSION/main"
  pg_createcluster "$PG_VERSION" main >&2
fi

# Loopback only, on the standard port (conf.d is included by Debian's
# postgresql.conf and read last, so this wins over the defaults).
conf_dir="/etc/postgresql/$PG_VERSION/main/conf.d"
mkdir -p "$conf_dir"
printf "listen_addresses = '127.0.0.1'\nport = %s\n" "$PG_PORT" >"$conf_dir/brilliant-sync.conf"

status="$(pg_lsclusters -h | awk -v v="$PG_VERSION" '$1 == v && $2 == "main" {print $4}')"
if [ "$status" != "online" ]; then
  log "starting cluster $PG_VERSION/main"
  pg_ctlcluster "$PG_VERSION" main start >&2
fi

for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p "$PG_PORT" >&2

# Run SQL as the postgres superuser over the local socket (peer auth).
as_postgres() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@"; }

as_postgres -v role="$PG_ROLE" -v password="$PG_PASSWORD" >&2 <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', :'role', :'password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB PASSWORD %L', :'role', :'password') \gexec
SQL

as_postgres -v role="$PG_ROLE" -v db="$PG_DATABASE" >&2 <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL

log "PostgreSQL $PG_VERSION ready on 127.0.0.1:$PG_PORT, database $PG_DATABASE"
echo "postgresql://${PG_ROLE}:${PG_PASSWORD}@127.0.0.1:${PG_PORT}/${PG_DATABASE}"
