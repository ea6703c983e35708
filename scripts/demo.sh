#!/usr/bin/env bash
# scripts/demo.sh — `make demo`: install what is missing, build, install,
# start a throwaway cluster, load a demo enterprise, show its assets.
# `make demo-stop` (scripts/demo.sh stop) stops it and removes it.
source "$(dirname "$0")/common.sh"

DEMO_DIR=${EACCT_DEMO_DIR:-/tmp/eacct-demo}

if [ "${1:-}" = stop ]; then
	stop_cluster "$DEMO_DIR"
	rm -rf "$DEMO_DIR"
	say "demo cluster stopped and removed"
	exit 0
fi

install_packages
build_install
stop_cluster "$DEMO_DIR"
rm -rf "$DEMO_DIR"
start_cluster "$DEMO_DIR"
say "loading the demo enterprise"
psql_out=$("$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -f "$EACCT_ROOT/scripts/demo.sql" 2>&1) || { echo "$psql_out"; exit 1; }
echo "$psql_out"

cat <<EOT

The demo cluster is running (socket directory $DEMO_DIR, port $PGPORT).
  connect:  psql -h $DEMO_DIR -p $PGPORT -U postgres eacct_demo
  stop:     make demo-stop
EOT
