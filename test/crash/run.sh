#!/usr/bin/env bash
# test/crash/run.sh — crash recovery.  On a cluster of its own, clients run
# random transfers, withdrawals, charges and top-ups (each with a request_id)
# while the server is stopped with `pg_ctl stop -m immediate` at a random
# point; after restart, every call a client saw commit must be there, none
# it saw rejected may be, verify() must be empty and money conserved.
# Three rounds with different stop points.  Last line: "crash: ok" or
# "crash: FAILED".
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/common.sh"
set +e
ROUNDS=${CRASH_ROUNDS:-3}
dir=$(mktemp -d /tmp/eacct-crash.XXXXXX)
logs=$(mktemp -d)
cleanup() { stop_cluster "$dir"; rm -rf "$dir" "$logs"; }
trap cleanup EXIT
fail() { echo "crash: $*"; echo "crash: FAILED"; exit 1; }
PSQL="$PG_BINDIR/psql -X -q -v ON_ERROR_STOP=1 -d eacct_crash"

EACCT_PORT=$((40000 + RANDOM % 9000)) start_cluster "$dir" >/dev/null || fail "cannot start a cluster"
"$PG_BINDIR/createdb" eacct_crash || fail "cannot create the database"
$PSQL -f "$here/setup.sql" >/dev/null || fail "setup failed"
chmod 777 "$logs"

# eacct.early_lock_release leaves alone a commit that must wait for a
# synchronous standby: with one named, synchronous_commit on stays on in a
# transaction that wrote, local is made asynchronous (it waits for none).
# Nothing commits while the standby is named (it never comes).
# set_standbys NAMES: set synchronous_standby_names and wait until new
# sessions see it
set_standbys() {
	$PSQL -c "ALTER SYSTEM SET synchronous_standby_names = '$1'" -c "SELECT pg_reload_conf()" >/dev/null
	for _ in $(seq 50); do
		[ "$($PSQL -At -c 'SHOW synchronous_standby_names')" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
set_standbys eacct_nobody || fail "synchronous_standby_names not reloaded"
elr=$($PSQL -At <<'EOF'
SET eacct.early_lock_release = on;
BEGIN;
SELECT eacct.top_up(1, 1) > 0;
SHOW synchronous_commit;
ROLLBACK;
BEGIN;
SET LOCAL synchronous_commit = local;
SELECT eacct.top_up(1, 1) > 0;
SHOW synchronous_commit;
ROLLBACK;
EOF
)
set_standbys "" || fail "synchronous_standby_names not reset"
[ "$(echo $elr)" = "t on t off" ] \
	|| fail "early lock release with a synchronous standby named: got '$(echo $elr)', want 't on t off'"

for round in $(seq 1 "$ROUNDS"); do
	log=$logs/round$round.log
	/usr/bin/python3 "$here/client.py" "r$round" 30 "$log" &
	client=$!
	sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.1f", 2 + (r % 40) / 10 }')"
	as_pg "$PG_BINDIR/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null \
		|| fail "immediate stop failed"
	wait "$client"
	[ -s "$log" ] || fail "round $round: the client logged nothing"
	start_cluster "$dir" >/dev/null || fail "round $round: restart failed"
	$PSQL -c "\\copy crash_log (outcome, request_id) FROM '$log' WITH (DELIMITER ' ')" \
		>/dev/null || fail "cannot load the client log"
	$PSQL -c "UPDATE crash_log SET round = $round WHERE round IS NULL" >/dev/null
	result=$($PSQL -v round="$round" -f "$here/check.sql") || fail "round $round: check failed"
	echo "$result" | grep -v '^crash_violations='
	[ "$(echo "$result" | sed -n 's/^crash_violations=//p')" = 0 ] \
		|| fail "round $round: invariants violated"
done
echo "crash: ok"
