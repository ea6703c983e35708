#!/usr/bin/env bash
# scripts/test.sh — `make test`: the same set-up as `make demo`, then every
# suite against a throwaway cluster: pg_regress scenarios (sql/, expected/),
# pgTAP suites through pg_regress (test/pgtap/), isolation specs
# (test/isolation/) and the script checks (test/*/run.sh).  Stops and removes
# the cluster, shows the diffs of what failed, and ends with the line
# "N passed, N failed".
source "$(dirname "$0")/common.sh"
cd "$EACCT_ROOT"

install_packages
build_install

TEST_DIR=$(mktemp -d /tmp/eacct-test.XXXXXX)
cleanup() { stop_cluster "$TEST_DIR"; rm -rf "$TEST_DIR"; }
trap cleanup EXIT
EACCT_PORT=${EACCT_PORT:-$((50000 + RANDOM % 10000))} start_cluster "$TEST_DIR"
say "test cluster: socket $TEST_DIR, port $PGPORT"

PGXS_DIR=$(dirname "$("$PG_CONFIG" --pgxs)")/../..
PG_REGRESS=$PGXS_DIR/src/test/regress/pg_regress
PG_ISOLATION_REGRESS=$PGXS_DIR/src/test/isolation/pg_isolation_regress
rm -rf results
mkdir -p results

passed=0
failed=0
failed_suites=""

# count_results SUITE LOGFILE: add the per-test results pg_regress printed
# (PostgreSQL 15: "test x ... ok"; 16 and later: TAP "ok 1 - x")
count_results() {
	local suite=$1 log=$2 ok bad
	ok=$(grep -cE '(\.\.\. ok|^ok [0-9]+ )' "$log" || true)
	bad=$(grep -cE '(\.\.\. FAILED|\.\.\. failed|^not ok [0-9]+ )' "$log" || true)
	passed=$((passed + ok))
	failed=$((failed + bad))
	if [ "$bad" -gt 0 ] || [ "$ok" -eq 0 ]; then
		failed_suites="$failed_suites $suite"
		[ "$ok" -eq 0 ] && [ "$bad" -eq 0 ] && failed=$((failed + 1))
	fi
	return 0
}

# run_suite NAME RUNNER INPUTDIR DBNAME EXTRA_OPTS TESTS...
run_suite() {
	local name=$1 runner=$2 inputdir=$3 db=$4 opts=$5
	shift 5
	say "suite $name: $*"
	# shellcheck disable=SC2086
	"$runner" --bindir="$PG_BINDIR" --inputdir="$inputdir" \
		--outputdir="results/$name" --dbname="$db" $opts "$@" \
		2>&1 | tee "results/$name.log" || true
	count_results "$name" "results/$name.log"
}

tests_in() {	# tests_in DIR EXT: basenames of DIR/*.EXT, eacct--*.sql excluded
	local f
	for f in "$1"/*."$2"; do
		[ -e "$f" ] || continue
		f=$(basename "$f" ."$2")
		case $f in eacct--*) continue ;; esac
		printf '%s ' "$f"
	done
}

run_suite regress "$PG_REGRESS" . eacct_regress "" $(tests_in sql sql)
run_suite pgtap "$PG_REGRESS" test/pgtap eacct_pgtap \
	"--load-extension=pgtap --load-extension=eacct" $(tests_in test/pgtap/sql sql)
run_suite isolation "$PG_ISOLATION_REGRESS" test/isolation eacct_isolation "" \
	$(tests_in test/isolation/specs spec)
# the same specs, same expected outputs, with every commit releasing its
# locks before its flush: early lock release changes no interleaving.
# Their outputs are the same with the setting off, so the sessions log
# eacct's DEBUG1 lines, and the suite fails unless commits were released
# early.
log_mark=$(as_pg wc -l "$TEST_DIR/server.log" | awk '{ print $1 }')
PGOPTIONS="-c eacct.early_lock_release=on -c log_min_messages=debug1" \
	run_suite isolation-elr "$PG_ISOLATION_REGRESS" test/isolation eacct_isolation "" \
	$(tests_in test/isolation/specs spec)
released=$(as_pg tail -n +"$((log_mark + 1))" "$TEST_DIR/server.log" |
	grep -c 'eacct: this commit releases its locks before its flush' || true)
say "isolation-elr: $released commits released their locks before their flush"
if [ "$released" -eq 0 ]; then
	failed=$((failed + 1)); failed_suites="$failed_suites isolation-elr(setting-not-on)"
fi

# script suites: test/<name>/run.sh, each ending with "<name>: ok" (or FAILED)
for script in test/*/run.sh; do
	[ -x "$script" ] || continue
	name=$(basename "$(dirname "$script")")
	say "$name check"
	"$script" 2>&1 | tee "results/$name.log" || true
	if [ "$(tail -n 1 "results/$name.log")" = "$name: ok" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1)); failed_suites="$failed_suites $name"
	fi
done

for d in results/*/regression.diffs; do
	[ -s "$d" ] || continue
	echo "---- $d"
	cat "$d"
done
if [ -n "$failed_suites" ]; then
	say "the test cluster's server log ends:"
	tail -n 30 "$TEST_DIR/server.log" || true
	# a CI keeps only the end of the output: what failed comes last
	for name in $failed_suites; do
		name=${name%%(*}
		[ -f "results/$name.log" ] || continue
		say "the end of $name's output (all of it: results/$name.log):"
		grep -E '(FAILED|failed|not ok|FAIL|Error)' "results/$name.log" | tail -n 10 || true
		tail -n 15 "results/$name.log"
	done
	say "failed suites:$failed_suites"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
