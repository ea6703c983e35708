#!/usr/bin/env bash
# test/bench/instructions.sh — CPU instructions per transfer, counted by
# callgrind: a figure that does not move with the machine's load, fsync
# latency or a noisy neighbour, unlike the pgbench tables.  It loads
# 2 enterprises x 1,000 accounts into a throwaway cluster, stops it, and
# runs a single-user backend under callgrind twice per workload (a short
# and a long script); the difference divided by the extra transfers is the
# cost of one transfer, start-up excluded:
#   single    one eacct.transfer() per statement
#   batch100  eacct.transfer_batch() of 100 transfers per statement
# and, per call, charge(), top_up() and withdraw().
# Single-user mode has no client protocol and no fsync, so this measures
# eacct's own work (statements, executor, index and heap access, WAL).
# Writes its table to test/bench/results/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../scripts/common.sh
source "$here/../../scripts/common.sh"
out=${BENCH_OUT:-$here/results/instructions-$(date +%Y%m%d-%H%M%S).txt}
command -v valgrind >/dev/null || { echo "instructions: valgrind is not installed" >&2; exit 1; }

work=$(mktemp -d /tmp/eacct-instr.XXXXXX)
chmod 755 "$work"
cleanup() { stop_cluster "$work"; rm -rf "$work"; }
trap cleanup EXIT
EACCT_PORT=$((50000 + RANDOM % 10000)) start_cluster "$work"
"$PG_BINDIR/createdb" eacct_instr
sed -e 's/FOR e IN 1\.\.10 LOOP/FOR e IN 1..2 LOOP/' \
	-e '/max(account_id) FROM eacct.account) = 10000/d' "$here/setup.sql" \
	| "$PG_BINDIR/psql" -X -q -d eacct_instr >/dev/null
# the sed above shapes setup.sql; fail rather than count another data set
accounts=$("$PG_BINDIR/psql" -X -At -d eacct_instr -c "SELECT count(*) FROM eacct.account")
[ "$accounts" = 2000 ] || { echo "instructions: expected 2000 accounts, setup made $accounts" >&2; exit 1; }
stop_cluster "$work"

# scripts: N single transfers / N/100 batches, between accounts 1..1000
singles() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) {
		a = (i * 7919) % 1000 + 1; b = (i * 104729) % 999 + 1
		printf "SELECT eacct.transfer(%d, %d, 0.01);\n", a, (a + b - 1) % 1000 + 1 } }'
}
batches() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n / 100; i++)
		printf "SELECT eacct.transfer_batch(array_agg(f), array_agg(t), array_agg(0.01)) FROM (SELECT 1 + (g * 10 + %d) %% 1000 AS f, 1 + (g * 10 + %d + 1 + g %% 8) %% 1000 AS t FROM generate_series(0, 99) g) p;\n", i, i }'
}
# N calls of one other operation, on accounts 1..999 (withdraw: from the
# holder a + 1 back to a, which setup.sql funded)
calls() {
	awk -v n="$1" -v op="$2" 'BEGIN { for (i = 0; i < n; i++) {
		a = (i * 7919) % 999 + 1
		if (op == "withdraw") printf "SELECT eacct.withdraw(%d, %d, 0.01);\n", a + 1, a
		else printf "SELECT eacct.%s(%d, 0.02);\n", op, a } }'
}
singles 50 >"$work/s1.sql"; singles 250 >"$work/s2.sql"
batches 100 >"$work/b1.sql"; batches 500 >"$work/b2.sql"
for op in charge top_up withdraw; do
	calls 50 "$op" >"$work/$op-1.sql"; calls 250 "$op" >"$work/$op-2.sql"
done
chmod 644 "$work"/*.sql

# instructions of a single-user backend running FILE on a copy of the data
count() {
	rm -rf "$work/run"
	as_pg cp -a "$work/data" "$work/run"
	as_pg valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
		"$PG_BINDIR/postgres" --single -D "$work/run" -c fsync=off eacct_instr \
		<"$1" >"$work/single.log" 2>&1 || true
	[ -s "$work/cg.out" ] || { tail -20 "$work/single.log" >&2; echo "instructions: no callgrind output for $1" >&2; exit 1; }
	if grep -q 'ERROR' "$work/single.log"; then
		grep -m3 'ERROR' "$work/single.log" >&2
		echo "instructions: $1 failed" >&2
		exit 1
	fi
	awk '/^(summary|totals):/ { print $2; exit }' "$work/cg.out"
}
s1=$(count "$work/s1.sql"); s2=$(count "$work/s2.sql")
b1=$(count "$work/b1.sql"); b2=$(count "$work/b2.sql")
single=$(((s2 - s1) / 200))
batch=$(((b2 - b1) / 400))
declare -A per_call
for op in charge top_up withdraw; do
	c1=$(count "$work/$op-1.sql"); c2=$(count "$work/$op-2.sql")
	per_call[$op]=$(((c2 - c1) / 200))
done

{
	echo "eacct instructions per transfer (callgrind, single-user backend, PostgreSQL $("$PG_BINDIR/postgres" -V | awk '{print $3}'))"
	printf '%-10s %14s\n' workload instructions
	printf '%-10s %14d\n' single "$single"
	printf '%-10s %14d\n' batch100 "$batch"
	awk -v s="$single" -v b="$batch" 'BEGIN { printf "a transfer in a batch of 100 costs %.2f of a single call\n", b / s }'
	echo "other calls, instructions per call:"
	for op in charge top_up withdraw; do
		printf '%-10s %14d\n' "$op" "${per_call[$op]}"
	done
} | tee "$out"
