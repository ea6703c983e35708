#!/usr/bin/env bash
# test/stress/run.sh — 8 pgbench clients for STRESS_SECONDS (default 30) of
# random transfers, withdrawals, charges, top-ups, limit changes, batches
# and overdue runs across 4 enterprises (4 of them with
# eacct.early_lock_release on), then the invariants of check.sql.
# Needs PGHOST/PGPORT/PGUSER of a running server with eacct installed.
# Prints "stress: ok" or "stress: FAILED" as its last line.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
DB=eacct_stress
SECONDS_TO_RUN=${STRESS_SECONDS:-30}
fail() { echo "stress: $*"; echo "stress: FAILED"; exit 1; }

"$BINDIR/dropdb" --if-exists "$DB" 2>/dev/null && "$BINDIR/createdb" "$DB" || fail "cannot create $DB"
"$BINDIR/psql" -X -q -d "$DB" -f "$here/setup.sql" >/dev/null || fail "setup failed"

# two pgbench runs of 4 clients at once on the same accounts, the second
# with eacct.early_lock_release on: its commits release their locks
# before their flush while the others' do not
out=$(mktemp)
out_elr=$(mktemp)
"$BINDIR/pgbench" -n -c 4 -j 1 -T "$SECONDS_TO_RUN" -f "$here/workload.pgbench" "$DB" >"$out" 2>&1 &
plain=$!
PGOPTIONS="-c eacct.early_lock_release=on" \
	"$BINDIR/pgbench" -n -c 4 -j 1 -T "$SECONDS_TO_RUN" -f "$here/workload.pgbench" "$DB" >"$out_elr" 2>&1
rc_elr=$?
wait $plain
rc=$?
# judge LABEL EXIT_CODE OUTPUT: one pgbench run's figures; fail on an
# exit code, an aborted client, an error it reported or a failed
# transaction
judge() {
	local label=$1 rc=$2 f=$3 aborted failed_tx
	grep -E '^(number of (transactions|failed)|tps|latency average)' "$f" | sed "s/^/stress: $label /"
	aborted=$(grep -oE 'number of clients aborted: [0-9]+' "$f" | grep -oE '[0-9]+$' || true)
	if [ "$rc" -ne 0 ] || { [ -n "$aborted" ] && [ "$aborted" != 0 ]; }; then
		cat "$f"
		fail "$label failed (exit $rc, aborted clients: ${aborted:-?})"
	fi
	if grep -qiE 'deadlock|error' "$f"; then
		cat "$f"
		fail "$label reported errors"
	fi
	# pgbench 15 and later count a deadlock or serialization failure as
	# a failed transaction, without an error line unless --verbose-errors
	failed_tx=$(grep -oE 'number of failed transactions: [0-9]+' "$f" | grep -oE '[0-9]+$' || true)
	if [ -n "$failed_tx" ] && [ "$failed_tx" != 0 ]; then
		cat "$f"
		fail "$label had $failed_tx failed transactions (deadlock or serialization failure)"
	fi
}
judge pgbench "$rc" "$out"
judge "pgbench (early lock release)" "$rc_elr" "$out_elr"
rm -f "$out" "$out_elr"

result=$("$BINDIR/psql" -X -q -d "$DB" -f "$here/check.sql") || fail "check failed"
echo "$result" | grep -v '^stress_violations='
violations=$(echo "$result" | sed -n 's/^stress_violations=//p')
[ "$violations" = 0 ] || fail "$violations invariant violations"
echo "stress: ok"
