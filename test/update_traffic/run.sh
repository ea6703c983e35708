#!/usr/bin/env bash
# test/update_traffic/run.sh — ALTER EXTENSION eacct UPDATE from 0.4.0 to
# 0.5.0 while 8 pgbench clients run transfers, withdrawals, charges,
# top-ups and limit changes.  The update must succeed, no call may fail
# (no 40P01: the update locks eacct's tables all at once before it changes
# any), and verify() must be empty afterwards.  Three rounds, each on a
# fresh copy of the same data.  Without the update's lock step every round
# failed with "deadlock detected".
# Needs PGHOST/PGPORT/PGUSER of a running server with eacct installed.
# Prints "update_traffic: ok" or "update_traffic: FAILED" as its last line.
set -uo pipefail
BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
bench=$(cd "$(dirname "$0")/../bench" && pwd)
DB=eacct_update_traffic
ROUNDS=${UPDATE_TRAFFIC_ROUNDS:-3}
work=$(mktemp -d)
pgbench_pid=""
cleanup() {
	[ -n "$pgbench_pid" ] && kill "$pgbench_pid" 2>/dev/null && wait "$pgbench_pid" 2>/dev/null
	"$BINDIR/dropdb" --if-exists "$DB" 2>/dev/null
	"$BINDIR/dropdb" --if-exists "${DB}_template" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "update_traffic: $*"; echo "update_traffic: FAILED"; exit 1; }
psql() { "$BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# the benchmark's data (10 enterprises x 1,000 accounts with cash and
# credit) and its workloads, on 0.4.0
"$BINDIR/dropdb" --if-exists "${DB}_template" 2>/dev/null
"$BINDIR/createdb" "${DB}_template" || fail "cannot create ${DB}_template"
psql -d "${DB}_template" -c "CREATE EXTENSION eacct VERSION '0.4.0'" || fail "cannot install 0.4.0"
psql -d "${DB}_template" -f "$bench/setup.sql" >/dev/null || fail "setup failed"

for round in $(seq 1 "$ROUNDS"); do
	"$BINDIR/dropdb" --if-exists "$DB" 2>/dev/null
	"$BINDIR/createdb" -T "${DB}_template" "$DB" || fail "cannot copy the data"
	"$BINDIR/pgbench" -n -M prepared -c 8 -j 8 -T 6 \
		-f "$bench/transfer.pgbench@40" -f "$bench/withdraw.pgbench@15" \
		-f "$bench/charge.pgbench@15" -f "$bench/topup.pgbench@15" \
		-f "$bench/credit_limit.pgbench@15" -D first=1 -D n=10000 \
		"$DB" >"$work/pgbench.$round" 2>&1 &
	pgbench_pid=$!
	sleep 2
	start=$(date +%s%N)
	psql -d "$DB" -c "ALTER EXTENSION eacct UPDATE TO '0.5.0'" >"$work/update.$round" 2>&1
	update_rc=$?
	took=$(( ($(date +%s%N) - start) / 1000000 ))
	kill -0 "$pgbench_pid" 2>/dev/null
	overlapped=$?
	wait "$pgbench_pid"
	pgbench_rc=$?
	pgbench_pid=""
	calls=$(grep -o 'actually processed: [0-9]*' "$work/pgbench.$round" | grep -o '[0-9]*$')
	echo "round $round: update in ${took} ms under ${calls:-?} calls of 6 s"
	[ "$update_rc" = 0 ] || { cat "$work/update.$round"; fail "round $round: the update failed"; }
	[ "$overlapped" = 0 ] || fail "round $round: the traffic had ended before the update did"
	if [ "$pgbench_rc" != 0 ] || grep -q 'aborted\|ERROR' "$work/pgbench.$round"; then
		grep 'aborted\|ERROR' "$work/pgbench.$round" | head -5
		fail "round $round: calls failed while the update ran"
	fi
	[ "$(psql -d "$DB" -c "SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'eacct'")" = 0.5.0 ] ||
		fail "round $round: not at 0.5.0 after the update"
	problems=$(psql -d "$DB" -c "SELECT count(*) FROM eacct.verify()") || fail "round $round: verify() failed"
	[ "$problems" = 0 ] || fail "round $round: verify() found $problems problems"
done
echo "update_traffic: ok"
