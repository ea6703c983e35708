#!/usr/bin/env bash
# scripts/bench.sh — `make bench`: the same set-up as `make test`, then every
# benchmark under test/bench/ (each reports ratios to pgbench's tpcb-like
# measured in the same run and writes its table to test/bench/results/).
source "$(dirname "$0")/common.sh"
cd "$EACCT_ROOT"

install_packages
build_install
BENCH_DIR=$(mktemp -d /tmp/eacct-bench.XXXXXX)
cleanup() { stop_cluster "$BENCH_DIR"; rm -rf "$BENCH_DIR"; }
trap cleanup EXIT
EACCT_PORT=${EACCT_PORT:-$((50000 + RANDOM % 10000))} start_cluster "$BENCH_DIR"
for b in test/bench/*.sh; do
	say "benchmark $b"
	"$b"
done
