#!/usr/bin/env bash
# test/bench/transfer.sh — eacct's money path against pgbench's TPC-B on
# the same cluster, in one invocation: tpcb-like (scale 10, the baseline),
# single transfers, a 10-account hot spot, transfer_batch of 100, and a
# mixed workload; each at BENCH_CLIENTS (8) clients for BENCH_SECONDS (30),
# with synchronous_commit on and off; with it on, single transfers and the
# hot spot once more with eacct.early_lock_release on (rows *-elr), and
# the rows of a single transfer, of a hot-spot transfer and of a batch of
# 100 written by one plain SQL statement with no rule checked (rows
# bare-*, bare-setup.sql): what PostgreSQL's row work alone allows.
# Prints TPS, transfers/s, p50/p99 latency and every figure's ratio to
# tpcb-like with the same setting, and writes the table to
# test/bench/results/.  Each run starts right after a CHECKPOINT.
# Needs PGHOST/PGPORT/PGUSER of a running server with eacct installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
DB=eacct_bench
T=${BENCH_SECONDS:-30}
C=${BENCH_CLIENTS:-8}
out=${BENCH_OUT:-$here/results/transfer-$(date +%Y%m%d-%H%M%S).txt}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

"$BINDIR/dropdb" --if-exists "$DB" 2>/dev/null
"$BINDIR/createdb" "$DB"
"$BINDIR/pgbench" -q -i -s 10 "$DB" >/dev/null 2>&1
"$BINDIR/psql" -X -q -d "$DB" -f "$here/setup.sql" >/dev/null
"$BINDIR/psql" -X -q -d "$DB" -f "$here/bare-setup.sql" >/dev/null
# the bare workloads: each call's transfers, then the rows they write
for w in bare-transfer bare-batch; do
	cat "$here/$w.head" "$here/bare-rows.sql" >"$logs/$w.pgbench"
done

# run NAME SYNC TRANSFERS_PER_TX PGBENCH_ARGS...: prints
# "NAME SYNC tps transfers/s p50_ms p99_ms"
run() {
	local name=$1 sync=$2 per=$3 tps p50 p99 opts="-c synchronous_commit=$2"
	shift 3
	# NAME-elr: the same with eacct.early_lock_release on
	case $name in *-elr) opts="$opts -c eacct.early_lock_release=on" ;; esac
	rm -f "$logs"/pgbench_log.*
	# every run starts right after a checkpoint, so that none pays for
	# one the WAL of the run before it (a batch run writes the most) set off
	"$BINDIR/psql" -X -q -d "$DB" -c CHECKPOINT
	tps=$(cd "$logs" && PGOPTIONS="$opts" \
		"$BINDIR/pgbench" -n -M prepared -c "$C" -j 2 -T "$T" -l "$@" "$DB" 2>&1 \
		| tee "$logs/out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
	if grep -qE 'aborted|error' "$logs/out"; then
		cat "$logs/out" >&2
		echo "bench: $name failed" >&2
		exit 1
	fi
	# per-transaction logs: field 3 is the latency in microseconds
	read -r p50 p99 < <(cat "$logs"/pgbench_log.* | awk '{print $3}' | sort -n | awk '
		{ v[NR] = $1 } END { printf "%.2f %.2f\n", v[int(NR * 0.5) + 1] / 1000, v[int(NR * 0.99) + 1] / 1000 }')
	echo "$name $sync $tps $(awk -v t="$tps" -v p="$per" 'BEGIN { printf "%.0f", t * p }') $p50 $p99"
}

results=$logs/results
: >"$results"
# the baseline runs before and after eacct's workloads, and the ratios use
# the mean of the two, so that a machine whose speed drifts during the
# run biases them less
for sync in on off; do
	run tpcb-like "$sync" 0 -b tpcb-like >>"$results"
	run transfer "$sync" 1 -f "$here/transfer.pgbench" >>"$results"
	run hotspot "$sync" 1 -f "$here/hotspot.pgbench" >>"$results"
	if [ "$sync" = on ]; then
		run transfer-elr on 1 -f "$here/transfer.pgbench" >>"$results"
		run hotspot-elr on 1 -f "$here/hotspot.pgbench" >>"$results"
	fi
	run batch100 "$sync" 100 -f "$here/batch.pgbench" >>"$results"
	if [ "$sync" = on ]; then
		run bare-single on 1 -f "$logs/bare-transfer.pgbench" \
			-D enterprises=10 -D accounts=1000 >>"$results"
		run bare-hotspot on 1 -f "$logs/bare-transfer.pgbench" \
			-D enterprises=1 -D accounts=10 >>"$results"
		run bare-batch on 100 -f "$logs/bare-batch.pgbench" >>"$results"
	fi
	run mixed "$sync" 0.5 -f "$here/transfer.pgbench@50" -f "$here/charge.pgbench@20" \
		-f "$here/topup.pgbench@20" -f "$here/withdraw.pgbench@10" >>"$results"
	run tpcb-again "$sync" 0 -b tpcb-like >>"$results"
done
"$BINDIR/psql" -X -q -At -d "$DB" -c "SELECT count(*) FROM eacct.verify()" | grep -qx 0 \
	|| { echo "bench: verify() found problems" >&2; exit 1; }
deadlocks=$("$BINDIR/psql" -X -q -At -d "$DB" -c "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")

{
	echo "eacct benchmark: $C clients, ${T}s per run, $(nproc) cores, PostgreSQL $("$BINDIR/postgres" -V | awk '{print $3}')"
	echo "ratios are to tpcb-like with the same synchronous_commit, measured in this run"
	echo "(the mean of its runs before and after eacct's workloads)"
	printf '%-12s %-5s %10s %12s %8s %8s %9s %9s\n' workload sync tps transfers/s p50_ms p99_ms tps_ratio xfer_ratio
	awk '
		$1 ~ /^tpcb-/ { base[$2] += $3 / 2 }
		{ row[NR] = $0 }
		END {
			for (i = 1; i <= NR; i++) {
				split(row[i], f, " ")
				printf "%-12s %-5s %10.0f %12.0f %8.2f %8.2f %9.2f %9s\n", f[1], f[2], f[3], f[4], f[5], f[6],
					f[3] / base[f[2]], (f[1] ~ /^tpcb-/ ? "-" : sprintf("%.2f", f[4] / base[f[2]]))
			}
		}' "$results"
	awk '
		$2 == "on" { x[$1] = $4 }
		END {
			printf "batch multiple (transfers/s of a batch of 100 over single calls, sync on): eacct %.1fx, bare row work %.1fx\n",
				x["batch100"] / x["transfer"], x["bare-batch"] / x["bare-single"]
			printf "hot spot over spread-out single transfers (sync on): eacct %.2f, bare row work %.2f\n",
				x["hotspot"] / x["transfer"], x["bare-hotspot"] / x["bare-single"]
			printf "eacct over the bare row work (sync on): single transfers %.2f, batch of 100 %.2f\n",
				x["transfer"] / x["bare-single"], x["batch100"] / x["bare-batch"]
		}' "$results"
	echo "deadlocks: $deadlocks; verify(): empty"
} | tee "$out"
"$BINDIR/dropdb" "$DB"
