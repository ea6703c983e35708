#!/usr/bin/env bash
# test/export/run.sh — export_accounts_xlsx read back by an independent
# reader (openpyxl) and compared cell by cell with eacct.account_assets;
# then a 50,000-account enterprise exported, with its size and time
# printed (a figure for the benchmark notes, not an assertion).
# Needs PGHOST/PGPORT/PGUSER of a running server with eacct installed.
# Prints "export: ok" or "export: FAILED" as its last line.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
DB=eacct_export
BIG=${EXPORT_BIG_ACCOUNTS:-50000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "export: $*"; echo "export: FAILED"; exit 1; }
psql() { "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
# in_new_database ENCODING CLIENT_ENCODING OUTPUT: the SQL on stdin, run
# in a database of that encoding made for it (and dropped after)
in_new_database() {
	local db=${DB}_$(echo "$1" | tr '[:upper:]' '[:lower:]')
	"$BINDIR/dropdb" --if-exists "$db" 2>/dev/null
	"$BINDIR/createdb" -E "$1" -T template0 --locale=C "$db" || fail "cannot create $db"
	PGCLIENTENCODING=$2 "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -At -d "$db" >"$3" || return 1
	"$BINDIR/dropdb" "$db"
}
# names_are WORKBOOK_B64 WHAT PYTHON_LIST: the account names of a base64
# workbook (column C under the header) must be PYTHON_LIST
names_are() {
	base64 -d <"$1" >"$1.xlsx" || fail "$2 export is not base64"
	/usr/bin/python3 -c "
import openpyxl, sys
ws = openpyxl.load_workbook(sys.argv[1], read_only=True)['Accounts']
names = [r[2] for r in list(ws.iter_rows(values_only=True))[1:]]
want = $3
sys.exit(0 if names == want else '$2 names read back as %s, expected %s' % (ascii(names), ascii(want)))
" "$1.xlsx" || fail "the $2 workbook is wrong"
}
COLUMNS="enterprise_id, account_id, account_name, is_ma, available_credit, alert_enabled,
 alert_threshold, alert_status, cash_balance, transfer_book_balance, valid_coupons,
 credit_limit, outstanding, overdue, own_cash"

"$BINDIR/dropdb" --if-exists "$DB" 2>/dev/null
"$BINDIR/createdb" "$DB" || fail "cannot create $DB"
psql -f "$here/setup.sql" >/dev/null || fail "setup failed"

# the small enterprise, exported by its administrator
start=$(psql -At -c "SELECT now() AT TIME ZONE 'UTC'")
psql -At -c "SET ROLE eacct_export_admin" \
	-c "SELECT encode(eacct.export_accounts_xlsx(enterprise_id), 'base64')
	      FROM eacct.enterprise_credit WHERE name = 'Export Ltd'" | base64 -d >"$work/small.xlsx" \
	|| fail "export as admin failed"
end=$(psql -At -c "SELECT now() AT TIME ZONE 'UTC'")
psql -c "\\copy (SELECT $COLUMNS FROM eacct.account_assets WHERE enterprise_id = (SELECT enterprise_id FROM eacct.enterprise WHERE name = 'Export Ltd') ORDER BY account_id) TO '$work/small.csv' CSV HEADER" \
	|| fail "csv failed"
/usr/bin/python3 "$here/compare.py" "$work/small.xlsx" "$work/small.csv" "$start" "$end" \
	|| fail "workbook differs from account_assets"
# a coupon whose validity ends at the export's now() is not valid any more
# (SPEC: valid_from <= now() < valid_until): the workbook counts an
# account's valid coupons as account_assets does in the same transaction
psql -At >/dev/null <<SQL || fail "the coupon at the end of its validity could not be exported"
BEGIN;
SELECT account_id AS acc FROM eacct.account_assets
 WHERE enterprise_id = (SELECT enterprise_id FROM eacct.enterprise WHERE name = 'Export Ltd') AND NOT is_ma
 ORDER BY account_id LIMIT 1 \gset
SELECT eacct.grant_coupon(:acc, 1, now(), now() - interval '1 day') IS NOT NULL AS granted \gset
\o $work/edge.want
SELECT :acc, valid_coupons FROM eacct.account_assets WHERE account_id = :acc;
\o $work/edge.b64
SELECT encode(eacct.export_accounts_xlsx(enterprise_id), 'base64') FROM eacct.enterprise WHERE name = 'Export Ltd';
\o
ROLLBACK;
SQL
base64 -d <"$work/edge.b64" >"$work/edge.xlsx" || fail "the coupon edge export is not base64"
IFS='|' read -r edge_acc edge_want <"$work/edge.want" || fail "no account for the coupon edge"
/usr/bin/python3 -c "
import openpyxl, sys
ws = openpyxl.load_workbook(sys.argv[1], read_only=True)['Accounts']
got = [r[10] for r in ws.iter_rows(values_only=True) if r[1] == int(sys.argv[2])]
sys.exit(0 if got == [int(sys.argv[3])] else 'valid_coupons of account %s is %s in the workbook, %s in account_assets' % (sys.argv[2], got, sys.argv[3]))
" "$work/edge.xlsx" "$edge_acc" "$edge_want" || fail "a coupon ending at the export's now() is counted as valid"
# scripts/export.sh: its CSV shows a name that starts like a formula as
# text, behind a ' that it also puts before a name that starts with one
ent=$(psql -At -c "SELECT enterprise_id FROM eacct.enterprise WHERE name = 'Export Ltd'")
PG_BINDIR=$BINDIR PGDATABASE=$DB "$here/../../scripts/export.sh" "$ent" "$work" >/dev/null || fail "scripts/export.sh failed"
grep -q "^$ent,[0-9]*,'=SUM(A1),f," "$work/accounts.csv" || fail "scripts/export.sh wrote =SUM(A1) as a formula"
grep -q "^$ent,[0-9]*,plain,f," "$work/accounts.csv" || fail "scripts/export.sh changed a plain name"
grep -q "^$ent,[0-9]*,''quoted,f," "$work/accounts.csv" || fail "scripts/export.sh did not mark a name that starts with '"

# a SQL_ASCII database stores any bytes: those that are not UTF-8 become
# U+FFFD, and the workbook stays readable
in_new_database SQL_ASCII SQL_ASCII "$work/ascii.b64" <<'SQL' || fail "export in SQL_ASCII failed"
CREATE EXTENSION eacct;
SELECT eacct.create_enterprise('Bytes', E'ma\xc3') AS e \gset
SELECT eacct.create_account(:e, E'caf\xe9') IS NOT NULL AS latin1 \gset
SELECT eacct.create_account(:e, E'caf\xc3\xa9') IS NOT NULL AS utf8 \gset
SELECT eacct.create_account(:e, E'\xff\xfe_x0041_') IS NOT NULL AS bad \gset
SELECT encode(eacct.export_accounts_xlsx(:e), 'base64');
SQL
names_are "$work/ascii.b64" SQL_ASCII "['ma\\uFFFD', 'caf\\uFFFD', 'caf\\u00E9', '\\uFFFD\\uFFFD_x005F_x0041_']"

# a LATIN1 database: the name checks see its text as Unicode, so byte 0x85
# (U+0085) and 0x9B (U+009B, a terminal's escape) are C1 controls there as
# in UTF-8, and a no-break space with a soft hyphen (0xA0 0xAD) is blank,
# refused before anything is written; e-acute (0xE9) is a letter and reads
# back as U+00E9
in_new_database LATIN1 LATIN1 "$work/latin1.out" <<'SQL' || fail "LATIN1 checks failed"
CREATE EXTENSION eacct;
SELECT eacct.create_enterprise(E'Lettres \xe9', 'ma') AS e \gset
CREATE FUNCTION pg_temp.refused(call text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE call;
    RETURN 'accepted: ' || call;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM || ' / ' || (SELECT count(*) FROM eacct.account);
END $$;
SELECT pg_temp.refused(format($$SELECT eacct.create_account(%s, E'next\x85line')$$, :e));
SELECT pg_temp.refused(format($$SELECT eacct.create_account(%s, E'\x9b[31mred')$$, :e));
SELECT pg_temp.refused($$SELECT eacct.create_enterprise(E'bad\x85name', 'ma2')$$);
SELECT pg_temp.refused($$SELECT eacct.create_enterprise(E'\xa0\xad', 'ma3')$$);
SELECT count(*) FROM eacct.enterprise;
SELECT eacct.create_account(:e, E'caf\xe9') IS NOT NULL AS ok \gset
SELECT encode(eacct.export_accounts_xlsx(:e), 'base64');
SQL
want="22023 account name contains a control character / 1
22023 account name contains a control character / 1
22023 enterprise name contains a control character / 1
22023 enterprise name must not be empty / 1
1"
[ "$(head -5 "$work/latin1.out")" = "$want" ] || fail "LATIN1 C1 controls and blanks: $(head -5 "$work/latin1.out")"
tail -n +6 "$work/latin1.out" >"$work/latin1.b64"
names_are "$work/latin1.b64" LATIN1 "['ma', 'caf\\u00E9']"

# an EUC_JP database: eacct installs there (its scripts are ASCII, which
# every server encoding reads alike), and a Japanese name reads back from
# the workbook as written
in_new_database EUC_JP UTF8 "$work/euc.b64" <<'SQL' || fail "eacct in EUC_JP failed"
CREATE EXTENSION eacct;
SELECT eacct.create_enterprise('会社', '経理') AS e \gset
SELECT encode(eacct.export_accounts_xlsx(:e), 'base64');
SQL
names_are "$work/euc.b64" EUC_JP "['\\u7d4c\\u7406']"

# a large enterprise: bounded memory (constant-memory writer, cursor)
psql >/dev/null <<SQL || fail "cannot create $BIG accounts"
SELECT eacct.create_enterprise('Big Corp', 'big-ma') AS e \gset
SELECT count(eacct.create_account(:e, 'acct-' || g)) FROM generate_series(2, $BIG) g;
SQL
# the rows come through the cursor only: the account query runs once, also
# in a new session (where it once ran in full first, to make its plan, and
# held every row in memory)
# (auto_explain counts the runs; a source build without contrib lacks it)
if [ -f "$("$BINDIR/pg_config" --pkglibdir)/auto_explain.so" ]; then
	runs=$(psql -At -c "LOAD 'auto_explain'" -c "SET auto_explain.log_min_duration = 0" \
		-c "SET auto_explain.log_nested_statements = on" -c "SET client_min_messages = log" \
		-c "SELECT length(eacct.export_accounts_xlsx(enterprise_id)) > 0 FROM eacct.enterprise WHERE name = 'Big Corp'" 2>&1 |
		grep -c 'Query Text: SELECT a.enterprise_id, a.account_id, a.name')
	[ "$runs" = 1 ] || fail "the export ran its account query $runs times in a new session, expected once"
	echo "export: the account query runs once, through the cursor, on a session's first export"
else
	echo "export: auto_explain is not installed: the count of the account query's runs is skipped"
fi
t0=$(date +%s.%N)
psql -At -c "SELECT encode(eacct.export_accounts_xlsx(enterprise_id), 'base64')
               FROM eacct.enterprise WHERE name = 'Big Corp'" | base64 -d >"$work/big.xlsx" \
	|| fail "export of $BIG accounts failed"
t1=$(date +%s.%N)
rows=$(/usr/bin/python3 -c "
import openpyxl, sys
ws = openpyxl.load_workbook(sys.argv[1], read_only=True)['Accounts']
print(sum(1 for _ in ws.iter_rows(values_only=True)) - 1)" "$work/big.xlsx")
[ "$rows" = "$BIG" ] || fail "large workbook has $rows data rows, expected $BIG"
awk -v n="$BIG" -v s="$(stat -c %s "$work/big.xlsx")" -v t0="$t0" -v t1="$t1" \
	'BEGIN { printf "export: %d accounts -> %.1f MB in %.2f s\n", n, s / 1048576, t1 - t0 }'
# the worksheet's row file, which libxlsxwriter writes with stdio, counts
# against temp_file_limit as PostgreSQL's own temporary files do (the
# account query's sort kept in memory, where the limit does not count it)
limited=$(psql -At -v VERBOSITY=verbose -c "SET temp_file_limit = '256kB'" -c "SET work_mem = '256MB'" \
	-c "SELECT length(eacct.export_accounts_xlsx(enterprise_id)) FROM eacct.enterprise WHERE name = 'Big Corp'" 2>&1 | head -1)
case $limited in
*"53400: temporary file size exceeds temp_file_limit (256kB)"*) ;;
*) fail "an export past temp_file_limit: $limited" ;;
esac
echo "export: an export past temp_file_limit is refused (53400)"
# a cancelled export closes its worksheet's row file: libxlsxwriter's
# lxw_workbook_free() leaves constant-memory mode's temporary file open,
# which kept a file descriptor, and the rows written so far on disk, until
# the backend ended.  Its open files that are deleted (the row files) are
# counted, from outside, before and after three exports cancelled
# half-way: the same.  (Not all its descriptors: those of relation files
# close and open again whenever an autovacuum's VACUUM or ANALYZE
# invalidates a relation the session has open.)
cancelled=$(EACCT_FD_DIR=$work psql -At <<'SQL'
CREATE FUNCTION pg_temp.cancelled_export() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM eacct.export_accounts_xlsx(enterprise_id) FROM eacct.enterprise WHERE name = 'Big Corp';
    RETURN 'finished';
EXCEPTION WHEN query_canceled THEN
    RETURN 'cancelled';
END $$;
SELECT pg_backend_pid() AS pid \gset
\setenv EACCT_BACKEND :pid
SELECT length(eacct.export_accounts_xlsx(enterprise_id)) > 0 AS warm FROM eacct.enterprise WHERE name = 'Big Corp' \gset
\! ls -l /proc/$EACCT_BACKEND/fd | awk '/ \(deleted\)$/ { d++ } /->/ { n++ } END { print d + 0, n + 0 }' >$EACCT_FD_DIR/fd.before
SET statement_timeout = '300ms';
SELECT pg_temp.cancelled_export();
SELECT pg_temp.cancelled_export();
SELECT pg_temp.cancelled_export();
RESET statement_timeout;
\! ls -l /proc/$EACCT_BACKEND/fd | awk '/ \(deleted\)$/ { d++ } /->/ { n++ } END { print d + 0, n + 0 }' >$EACCT_FD_DIR/fd.after
SQL
) || fail "cancelled exports failed"
read -r before before_all <"$work/fd.before" || fail "the backend's files were not listed"
read -r after after_all <"$work/fd.after" || fail "the backend's files were not listed"
[ "$before_all" -gt 0 ] && [ "$after_all" -gt 0 ] || fail "the backend's files could not be listed"
[ "$(echo $cancelled)" = "cancelled cancelled cancelled" ] \
	|| echo "export: not every export was cancelled ($(echo $cancelled)): a faster machine"
[ "$before" = "$after" ] || fail "cancelled exports left $((after - before)) deleted files open"
echo "export: three cancelled exports left no file open"
"$BINDIR/dropdb" "$DB"
echo "export: ok"
