#!/usr/bin/env bash
# scripts/export.sh ENTERPRISE_ID [DIR] — write accounts.xlsx and accounts.csv
# of one enterprise from the demo cluster (make demo), or from the server
# in PGHOST/PGPORT/PGDATABASE when they are set.  Runs the psql of
# PG_BINDIR when set (the tests set it), else Debian's PostgreSQL 15.
set -euo pipefail
psql() { "${PG_BINDIR:-/usr/lib/postgresql/15/bin}/psql" "$@"; }
ent=${1:?usage: scripts/export.sh ENTERPRISE_ID [DIR]}
dir=${2:-.}
export PGHOST=${PGHOST:-/tmp/eacct-demo} PGPORT=${PGPORT:-5499} \
	PGUSER=${PGUSER:-postgres} PGDATABASE=${PGDATABASE:-eacct_demo}
psql -X -q -v ON_ERROR_STOP=1 -At \
	-c "SELECT encode(eacct.export_accounts_xlsx($ent), 'base64')" | base64 -d >"$dir/accounts.xlsx"
# a name that starts like a formula (= + - @, tab, carriage return) gets a
# leading ' so that a spreadsheet opening the CSV shows it as text; so
# does a name that starts with ' itself, so that a reader takes exactly
# one leading ' off any name that has one
psql -X -q -v ON_ERROR_STOP=1 \
	-c "\\copy (SELECT enterprise_id, account_id,
	          CASE WHEN account_name ~ E'^[-=+@\\\\t\\\\r'']' THEN '''' || account_name ELSE account_name END AS account_name,
	          is_ma, available_credit, alert_enabled, alert_threshold, alert_status, cash_balance,
	          transfer_book_balance, valid_coupons, credit_limit, outstanding, overdue, own_cash
	     FROM eacct.account_assets WHERE enterprise_id = $ent ORDER BY account_id) TO '$dir/accounts.csv' CSV HEADER"
echo "wrote $dir/accounts.xlsx and $dir/accounts.csv"
