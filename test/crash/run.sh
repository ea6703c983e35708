#!/usr/bin/env bash
# test/crash/run.sh — crash recovery.  On a cluster of its own, clients run
# random transfers, withdrawals, charges and top-ups (each with a request_id)
# while the server is stopped with `pg_ctl stop -m immediate` at a random
# point; after restart, every call a client saw commit must be there, with
# the id it answered and the accounts and amount it was given, none it saw
# rejected may be, verify() must be empty and money conserved.
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
# synchronous standby: with one named (it never comes), a top-up with
# synchronous_commit on waits for it in SyncRep, not made asynchronous,
# until terminated; with synchronous_commit = local it goes through,
# released early.  Nothing else commits meanwhile.
# await WANT SQL: run SQL until it answers WANT (5 s at most); prints the
# last answer, fails if it never came
await() {
	local got
	for _ in $(seq 50); do
		got=$($PSQL -At -c "$2")
		[ "$got" = "$1" ] && break
		sleep 0.1
	done
	echo "$got"
	[ "$got" = "$1" ]
}
# set_standbys NAMES: set synchronous_standby_names and wait until new
# sessions see it
set_standbys() {
	$PSQL -c "ALTER SYSTEM SET synchronous_standby_names = '$1'" -c "SELECT pg_reload_conf()" >/dev/null
	await "$1" "SHOW synchronous_standby_names" >/dev/null
}
# elr_top_up SYNC NAME: a top-up with early lock release and DEBUG1 on
elr_top_up() {
	PGAPPNAME=$2 PGOPTIONS="-c eacct.early_lock_release=on -c client_min_messages=debug1 -c synchronous_commit=$1" \
		timeout 30 $PSQL -At -c "SELECT eacct.top_up(1, 1) > 0" 2>&1
}
set_standbys eacct_nobody || fail "synchronous_standby_names not reloaded"
elr_top_up on elr_syncrep >"$logs/syncrep" &
waiting=$(await SyncRep "SELECT wait_event FROM pg_stat_activity WHERE application_name = 'elr_syncrep'")
$PSQL -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'elr_syncrep'" >/dev/null
wait $!
local_out=$(elr_top_up local elr_local)
set_standbys "" || fail "synchronous_standby_names not reset"
[ "$waiting" = SyncRep ] || fail "early lock release: the commit did not wait for the standby ($waiting)"
grep -q "releases its locks" "$logs/syncrep" \
	&& fail "early lock release: a commit that waits for a synchronous standby was released early"
echo "$local_out" | grep -q "commit flushed after its locks were released" \
	|| fail "early lock release: synchronous_commit = local was not released early: $local_out"

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
	$PSQL -c "\\copy crash_log (outcome, request_id, op, from_account, to_account, amount, result) FROM '$log' WITH (DELIMITER ' ')" \
		>/dev/null || fail "cannot load the client log"
	$PSQL -c "UPDATE crash_log SET round = $round WHERE round IS NULL" >/dev/null
	result=$($PSQL -v round="$round" -f "$here/check.sql") || fail "round $round: check failed"
	echo "$result" | grep -v '^crash_violations='
	[ "$(echo "$result" | sed -n 's/^crash_violations=//p')" = 0 ] \
		|| fail "round $round: invariants violated"
done
echo "crash: ok"
