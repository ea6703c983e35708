#!/usr/bin/env bash
# test/dump/run.sh — pg_dump / pg_restore round trip.  A database with every
# kind of eacct data (setup.sql) and an application table referring to
# eacct.account is dumped in custom format and restored with pg_restore,
# and dumped in plain format and restored with psql -v ON_ERROR_STOP=1;
# no step may fail or print anything on stderr.  A parallel restore
# (-j 4) is done the way it works with eacct: a plain `pg_restore -j`
# loads the data of eacct's tables in parallel, ignoring the foreign keys
# between them (they exist before the data, as the extension creates
# them), so eacct's data is restored serially, in dependency order, and
# everything else in parallel.  Each restored database must equal the original, row for row,
# in every table, view and sequence of schema eacct (and as seen by the
# administrator roles), with the same triggers, constraints, indexes and
# grants (fingerprint.sql); verify() must be empty and the restored
# database must work: new ids above the restored ones, money functions,
# rules, idempotency keys and guards (after.sql).
# Needs PGHOST/PGPORT/PGUSER of a running server with eacct installed.
# Prints "dump: ok" or "dump: FAILED" as its last line.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
SRC=eacct_dump_src
RESTORED="eacct_dump_fc eacct_dump_fj eacct_dump_fp"
OLD="eacct_dump_v040 eacct_dump_v040_restored eacct_dump_dt"
ROLES='eacct_dump_alice, eacct_dump_admins, "Eacct Dump Ops", eacct_dump_v040_admin, eacct_dump_v040_gone'
work=$(mktemp -d)

psql_q() { "$BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
	local db
	for db in $SRC $RESTORED $OLD; do "$BINDIR/dropdb" --if-exists "$db" 2>/dev/null; done
	psql_q -d postgres -c "DROP ROLE IF EXISTS $ROLES" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "dump: $*"; echo "dump: FAILED"; exit 1; }
# quiet CMD...: run CMD; fail with its output unless it exits 0 with an empty stderr
quiet() {
	local what=$1
	shift
	"$@" >"$work/out" 2>"$work/err"
	local rc=$?
	if [ $rc -ne 0 ] || [ -s "$work/err" ]; then
		cat "$work/out" "$work/err"
		fail "$what: exit code $rc$([ -s "$work/err" ] && echo ', output on stderr')"
	fi
}
source "$here/judge.sh"
# same DB: the fingerprints of $SRC and DB, taken one right after the other
# (account_assets.valid_coupons depends on now()), must be equal
same() {
	local db=$1
	fingerprint "$SRC" "$work/fp.src"
	fingerprint "$db" "$work/fp.$db"
	if ! diff -u "$work/fp.src" "$work/fp.$db" >"$work/diff"; then
		cat "$work/diff"
		fail "$db differs from $SRC (lines: - original, + restored)"
	fi
	echo "dump: $db equals $SRC ($(compared "$work/fp.src") tables, views and sequences compared)"
}

cleanup
work=$(mktemp -d)
scratch=$work
# the data is all there: no table of the extension is empty
fill "$BINDIR" "$SRC" "$work/fp.src"

# custom format, restored by pg_restore, serially and in parallel
quiet "pg_dump -Fc" "$BINDIR/pg_dump" -Fc -f "$work/src.dump" "$SRC"
"$BINDIR/createdb" eacct_dump_fc || fail "cannot create eacct_dump_fc"
quiet "pg_restore" "$BINDIR/pg_restore" -d eacct_dump_fc "$work/src.dump"
"$BINDIR/createdb" eacct_dump_fj || fail "cannot create eacct_dump_fj"
quiet "pg_restore --section=pre-data" "$BINDIR/pg_restore" --section=pre-data -d eacct_dump_fj "$work/src.dump"
quiet "pg_restore --section=data -n eacct" "$BINDIR/pg_restore" --section=data -n eacct -d eacct_dump_fj "$work/src.dump"
quiet "pg_restore -j 4 --section=data -N eacct" "$BINDIR/pg_restore" -j 4 --section=data -N eacct -d eacct_dump_fj "$work/src.dump"
quiet "pg_restore -j 4 --section=post-data" "$BINDIR/pg_restore" -j 4 --section=post-data -d eacct_dump_fj "$work/src.dump"
# plain format, restored by psql
quiet "pg_dump -Fp" "$BINDIR/pg_dump" -Fp -f "$work/src.sql" "$SRC"
"$BINDIR/createdb" eacct_dump_fp || fail "cannot create eacct_dump_fp"
quiet "psql restore of the plain dump" psql_q -d eacct_dump_fp -f "$work/src.sql"

for db in $RESTORED; do same "$db"; done
for db in $RESTORED; do
	works "$db"
	echo "dump: $db works (sequences continue, money functions, rules, guards, verify)"
done
# the calls above changed the restored databases, never the original
fingerprint "$SRC" "$work/fp.again"
diff -q "$work/fp.src" "$work/fp.again" >/dev/null || fail "$SRC changed during the test"

# A data-only restore with --disable-triggers (not needed, but pg_dump's
# advice for data-only dumps) ends with ENABLE TRIGGER ALL, which leaves
# eacct's guards ENABLE instead of ENABLE ALWAYS: verify() must list every
# one of them, and the README's statement must put them all back.
"$BINDIR/createdb" eacct_dump_dt || fail "cannot create eacct_dump_dt"
quiet "CREATE EXTENSION for a data-only restore" psql_q -d eacct_dump_dt -c "CREATE EXTENSION eacct"
quiet "pg_restore --data-only --disable-triggers -n eacct" \
	"$BINDIR/pg_restore" --data-only --disable-triggers -n eacct -d eacct_dump_dt "$work/src.dump"
guards=$(psql_q -d eacct_dump_dt -c "SELECT count(*) FROM pg_trigger t JOIN pg_depend d
	ON d.classid = 'pg_proc'::regclass AND d.objid = t.tgfoid AND d.deptype = 'e'
	AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'eacct')
	WHERE t.tgrelid::regclass::text LIKE 'eacct.%'")
reported=$(psql_q -d eacct_dump_dt -c "SELECT count(*) FROM eacct.verify()
	WHERE problem LIKE 'trigger % is ENABLE, not ENABLE ALWAYS, so sessions in replica mode pass it: ALTER TABLE eacct.% ENABLE ALWAYS TRIGGER %'")
others=$(psql_q -d eacct_dump_dt -c "SELECT count(*) FROM eacct.verify() WHERE problem NOT LIKE 'trigger %'")
[ "$guards" -ge 20 ] && [ "$reported" = "$guards" ] && [ "$others" = 0 ] ||
	fail "after a data-only restore with --disable-triggers verify() reported $reported of $guards guard triggers and $others other problems"
awk '/for all of$/ { f = 1 } f && /```sql/ { p = 1; next } p && /```/ { exit } p' "$here/../../README.md" >"$work/enable.sql"
[ -s "$work/enable.sql" ] || fail "the README's statement that puts the guards back is not where it was"
quiet "the README's statement that puts the guards back" psql_q -d eacct_dump_dt -f "$work/enable.sql"
got=$(psql_q -d eacct_dump_dt -c "SELECT count(*) FROM eacct.verify()" \
	-c "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'eacct.account'::regclass AND tgname = 'account_guard' AND tgenabled = 'A'" | tr '\n' ' ')
[ "$got" = "0 1 " ] || fail "after the README's statement: verify() problems, account_guard ALWAYS: $got"
echo "dump: a data-only restore with --disable-triggers: verify() names all $guards guards, the README's statement puts them back"

# A dump made before 0.5.0 (no enterprise_admin.admin_name) restored where
# pg_restore's CREATE EXTENSION installs 0.5.0: each administrator row gets
# its role's name (eacct.admin_name_default), none is lost; the row of a
# role dropped before the dump (written as its OID) is left out (with a
# WARNING that pg_restore 15 and later show only with --verbose), as the
# update to 0.5.0 removes it.
"$BINDIR/createdb" eacct_dump_v040 || fail "cannot create eacct_dump_v040"
quiet "a 0.4.0 database" psql_q -d eacct_dump_v040 -c "CREATE EXTENSION eacct VERSION '0.4.0'" \
	-c "CREATE ROLE eacct_dump_v040_admin" \
	-c "SELECT eacct.create_enterprise('Old Dump Co', 'old-ma')" \
	-c "SELECT eacct.add_admin(1, 'eacct_dump_v040_admin')" \
	-c "CREATE ROLE eacct_dump_v040_gone" \
	-c "SELECT eacct.add_admin(1, 'eacct_dump_v040_gone')" \
	-c "DROP ROLE eacct_dump_v040_gone" \
	-c "SELECT eacct.top_up(1, 10)"
quiet "pg_dump -Fc of 0.4.0" "$BINDIR/pg_dump" -Fc -f "$work/v040.dump" eacct_dump_v040
"$BINDIR/createdb" eacct_dump_v040_restored || fail "cannot create eacct_dump_v040_restored"
# (pg_restore before 15 prints that WARNING: nothing else may be there)
"$BINDIR/pg_restore" -d eacct_dump_v040_restored "$work/v040.dump" >"$work/out" 2>"$work/err" ||
	{ cat "$work/out" "$work/err"; fail "pg_restore of the 0.4.0 dump failed"; }
if grep -vE '(WARNING:  leaving out an administrator row whose role does not exist|DETAIL:  The row names role OID [0-9]+\.)$' "$work/err" | grep -q .; then
	cat "$work/err"
	fail "pg_restore of the 0.4.0 dump: output on stderr"
fi
got=$(psql_q -d eacct_dump_v040_restored \
	-c "SELECT extversion FROM pg_extension WHERE extname = 'eacct'" \
	-c "SELECT enterprise_id, admin_role, admin_name FROM eacct.enterprise_admin" \
	-c "SELECT count(*) FROM eacct.verify()" | tr '\n' ' ')
[ "$got" = "0.5.0 1|eacct_dump_v040_admin|eacct_dump_v040_admin 0 " ] ||
	fail "the 0.4.0 dump restored into 0.5.0 as: $got (expected: 0.5.0, the administrator with its name, verify() empty)"
echo "dump: a 0.4.0 dump restores into 0.5.0 with its administrators named"

cleanup
trap - EXIT
echo "dump: ok"
