#!/usr/bin/env bash
# The PostgreSQL tests need a server at 127.0.0.1:5432 (user postgres). Start the machine's
# cluster when it is installed but stopped; say clearly what is missing otherwise.
set -euo pipefail
host="${SSP_TEST_POSTGRES_HOST:-127.0.0.1}"
port="${SSP_TEST_POSTGRES_PORT:-5432}"
if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  echo "ensure-postgres: starting PostgreSQL $version cluster 'main'" >&2
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do
    if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then exit 0; fi
    sleep 1
  done
fi
echo "ensure-postgres: no PostgreSQL server at $host:$port; the postgres-marked tests will fail." >&2
echo "  install it (apt-get install postgresql) or point SSP_TEST_POSTGRES_HOST/PORT at one." >&2
exit 1
