#!/usr/bin/env bash
# test/bench/credit_limit.sh — set_credit_limit must cost the same with
# 1,000 or 100,000 accounts in the enterprise (allocated/overdue totals are
# maintained, never summed).  Runs pgbench's tpcb-like as the baseline in
# the same invocation and reports every figure as a ratio to it.
# Needs PGHOST/PGPORT/PGUSER of a running server with eacct installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
DB=eacct_bench_credit
T=${BENCH_SECONDS:-10}
CLIENTS=${BENCH_CLIENTS:-4}
out=${BENCH_OUT:-$here/results/credit_limit-$(date +%Y%m%d-%H%M%S).txt}

"$BINDIR/dropdb" --if-exists "$DB" 2>/dev/null
"$BINDIR/createdb" "$DB"
"$BINDIR/pgbench" -q -i -s 10 "$DB" >/dev/null 2>&1
psql() { "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
psql -c "CREATE EXTENSION eacct"

# enterprise_of N: an enterprise with N accounts, line large enough for all
make_enterprise() {
	psql -At <<SQL
SELECT eacct.create_enterprise('bench-$1', 'bench-$1-ma') AS e \gset
SELECT eacct.enable_account_center(:e) \gset
SELECT eacct.apply_credit_line(:e, 100000000) \gset
SELECT eacct.confirm_credit_contract(:e) \gset
SELECT count(eacct.create_account(:e, 'a' || g)) FROM generate_series(2, $1) g \gset
SELECT min(account_id), count(*) FROM eacct.account WHERE enterprise_id = :e;
SQL
}

tps() {	# tps ARGS...: run pgbench, print its tps; show its output if it failed
	local log
	log=$("$BINDIR/pgbench" -n -M prepared -c "$CLIENTS" -j 2 -T "$T" "$@" "$DB" 2>&1) \
		|| { echo "$log" >&2; echo "bench: pgbench failed" >&2; return 1; }
	echo "$log" | sed -n 's/^tps = \([0-9.]*\).*/\1/p'
}

IFS='|' read -r first_small n_small <<<"$(make_enterprise 1000 | tail -1)"
IFS='|' read -r first_large n_large <<<"$(make_enterprise 100000 | tail -1)"
psql -c "VACUUM ANALYZE"

base=$(tps -b tpcb-like)
small=$(tps -f "$here/credit_limit.pgbench" -D first="$first_small" -D n="$n_small")
large=$(tps -f "$here/credit_limit.pgbench" -D first="$first_large" -D n="$n_large")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
{
	echo "set_credit_limit cost vs enterprise size ($CLIENTS clients, ${T}s each, $(nproc) cores)"
	printf '%-40s %10s %8s\n' "workload" "tps" "ratio"
	printf '%-40s %10.0f %8s\n' "tpcb-like (baseline)" "$base" "1.00"
	printf '%-40s %10.0f %8s\n' "set_credit_limit, $n_small accounts" "$small" "$(ratio "$small" "$base")"
	printf '%-40s %10.0f %8s\n' "set_credit_limit, $n_large accounts" "$large" "$(ratio "$large" "$base")"
	printf 'large/small ratio: %s (1.00 = flat)\n' "$(ratio "$large" "$small")"
} | tee "$out"
"$BINDIR/dropdb" "$DB"
