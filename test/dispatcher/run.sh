#!/usr/bin/env bash
# test/dispatcher/run.sh — the reference dispatcher (scripts/dispatcher.sh)
# delivers every queued notification once and marks it sent, and goes on
# after its LISTEN connection is lost (a terminated backend, as a restart
# or a failover does): it connects again and delivers what was queued.
# Needs PGHOST/PGPORT/PGUSER of a running server with eacct installed.
# Prints "dispatcher: ok" or "dispatcher: FAILED" as its last line.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
DB=eacct_dispatcher
work=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	"$BINDIR/dropdb" --if-exists "$DB" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "dispatcher: $*"; echo "dispatcher: FAILED"; exit 1; }
psql() { "$BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
# wait_for N: until N notifications are delivered (log lines) and marked
# sent, for up to 30 s
wait_for() {
	local i
	for i in $(seq 1 60); do
		if [ "$(wc -l <"$work/log")" -ge "$1" ] &&
			[ "$(psql -c "SELECT count(*) FROM eacct.notification WHERE sent_at IS NOT NULL")" -ge "$1" ]; then
			return 0
		fi
		sleep 0.5
	done
	return 1
}

"$BINDIR/dropdb" --if-exists "$DB" 2>/dev/null
"$BINDIR/createdb" "$DB" || fail "cannot create $DB"
psql >/dev/null <<'SQL' || fail "setup failed"
CREATE EXTENSION eacct;
SELECT eacct.create_enterprise('Dispatch Co', 'dispatch-ma');
SELECT eacct.add_contact(1, 'email', 'ops' || g || '@dispatch.example') FROM generate_series(1, 3) g;
SELECT eacct.apply_credit_line(1, 100);   -- contract_pending, once per contact
SQL
: >"$work/log"
PSQL="$BINDIR/psql" POLL_SECONDS=2 "$here/../../scripts/dispatcher.sh" --log "$work/log" -d "$DB" \
	2>"$work/err" &
pid=$!
wait_for 3 || fail "the 3 queued notifications were not delivered: $(cat "$work/log" "$work/err")"
echo "dispatcher: 3 queued notifications delivered and marked sent"

# its LISTEN connection is lost
sleep 1
killed=$(psql -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                   WHERE datname = current_database() AND query = 'SELECT ''tick'';'")
[ "$killed" -ge 1 ] || fail "found no LISTEN connection to terminate"
psql -c "SELECT eacct.confirm_credit_contract(1)" -c "SELECT eacct.apply_credit_line(1, 200)" >/dev/null \
	|| fail "cannot queue more notifications"   # credit_limit_changed, once per contact
wait_for 6 || fail "after the LISTEN connection was lost: $(wc -l <"$work/log") of 6 delivered; $(cat "$work/err")"
kill -0 "$pid" 2>/dev/null || fail "the dispatcher exited: $(cat "$work/err")"
grep -q 'LISTEN connection lost; connecting again' "$work/err" ||
	fail "the dispatcher did not notice the lost connection: $(cat "$work/err")"
echo "dispatcher: after its LISTEN connection was lost it connected again and delivered 3 more"

# each notification delivered exactly once, with its channel and address
got=$(sed -n 's/^[^ ]* notification \([0-9]*\) via \([a-z]*\) to \([^:]*\):.*/\1 \2 \3/p' "$work/log" | sort -n)
want=$(psql -F ' ' -c "SELECT notification_id, channel, address FROM eacct.notification ORDER BY 1")
[ "$got" = "$want" ] || fail "delivered:
$got
queued:
$want"
[ "$(psql -c "SELECT count(*) FROM eacct.notification WHERE sent_at IS NULL")" = 0 ] ||
	fail "notifications left unsent"
echo "dispatcher: each of the 6 notifications delivered once and marked sent"
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=""

# a dispatcher whose deliveries cannot be written (stdout closed) ends, so
# that its supervisor sees it, instead of claiming rows it cannot deliver
psql -c "SELECT eacct.apply_credit_line(1, 300)" >/dev/null || fail "cannot queue more notifications"
# (it starts a second after its reader has gone: started together, it
# could write its first delivery before `true` had ended, into the pipe)
{ sleep 1; PSQL="$BINDIR/psql" POLL_SECONDS=1 exec timeout 20 "$here/../../scripts/dispatcher.sh" -d "$DB" 2>/dev/null; } | true
rc=${PIPESTATUS[0]}
[ "$rc" = 141 ] || fail "with its stdout closed the dispatcher ended with $rc, expected 141 (SIGPIPE)"
echo "dispatcher: with its stdout closed it ends (SIGPIPE) at its first delivery"
echo "dispatcher: ok"
