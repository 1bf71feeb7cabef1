#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1 with a role that may create test databases.
# Idempotent; prints the URL for TEST_POSTGRES_URL on its last line.
set -euo pipefail

PGPORT="${TEST_PGPORT:-5432}"
ROLE="telecenter_test"
PASSWORD="telecenter_test"
URL="postgresql+psycopg://${ROLE}:${PASSWORD}@127.0.0.1:${PGPORT}/postgres"

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

if ! pg_isready -q -h 127.0.0.1 -p "$PGPORT"; then
  if command -v pg_ctlcluster >/dev/null; then
    version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
    if [ -z "$version" ]; then
      echo "no PostgreSQL cluster found: install the Debian package postgresql" >&2
      exit 1
    fi
    if [ "$(id -u)" = 0 ]; then pg_ctlcluster "$version" main start; else sudo pg_ctlcluster "$version" main start; fi
  else
    echo "PostgreSQL is not installed: apt-get install postgresql" >&2
    exit 1
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$PGPORT" && break; sleep 1; done
  if ! pg_isready -q -h 127.0.0.1 -p "$PGPORT"; then
    echo "PostgreSQL $version did not answer on 127.0.0.1:$PGPORT within 30 s" >&2
    exit 1
  fi
fi

as_postgres psql -q -p "$PGPORT" -v ON_ERROR_STOP=1 <<SQL >/dev/null
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${ROLE}') THEN
    CREATE ROLE ${ROLE} LOGIN CREATEDB PASSWORD '${PASSWORD}';
  END IF;
END \$\$;
SQL
echo "$URL"
