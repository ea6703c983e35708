#!/usr/bin/env bash
# scripts/export.sh ENTERPRISE_ID [DIR] — write accounts.xlsx and accounts.csv
# of one enterprise from the demo cluster (make demo), or from the server
# in PGHOST/PGPORT/PGDATABASE when they are set.
set -euo pipefail
ent=${1:?usage: scripts/export.sh ENTERPRISE_ID [DIR]}
dir=${2:-.}
export PGHOST=${PGHOST:-/tmp/eacct-demo} PGPORT=${PGPORT:-5499} \
	PGUSER=${PGUSER:-postgres} PGDATABASE=${PGDATABASE:-eacct_demo}
psql -X -q -v ON_ERROR_STOP=1 -At \
	-c "SELECT encode(eacct.export_accounts_xlsx($ent), 'base64')" | base64 -d >"$dir/accounts.xlsx"
psql -X -q -v ON_ERROR_STOP=1 \
	-c "\\copy (SELECT * FROM eacct.account_assets WHERE enterprise_id = $ent ORDER BY account_id) TO '$dir/accounts.csv' CSV HEADER"
echo "wrote $dir/accounts.xlsx and $dir/accounts.csv"
