#!/bin/bash
# The replica: on its first start a base backup of the primary that follows it
# (pg_basebackup -R writes primary_conninfo and standby.signal), then PostgreSQL as a
# read-only hot standby.
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_basebackup -h db -U replicator -D "$PGDATA" -R -X stream --checkpoint=fast; do
    echo "replica: waiting for the primary" >&2
    rm -rf "${PGDATA:?}"/*
    sleep 2
  done
  chmod 700 "$PGDATA"
fi
exec postgres -c hot_standby=on -c hot_standby_feedback=on
