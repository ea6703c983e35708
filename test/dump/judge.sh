# test/dump/judge.sh — how the dump and pg_upgrade checks fill their source
# database (setup.sql) and judge a copy of it.  Sourced by test/dump/run.sh and
# test/pg_upgrade/run.sh; the caller defines psql_q, fail and $scratch (a
# directory for temporary files).
judge_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# fill BINDIR DB FILE: the roles of roles.sql, then DB created with BINDIR's
# createdb and filled by setup.sql (which must end with "t"); its
# fingerprint goes into FILE, and no table of the extension may be empty
fill() {
	local complete
	psql_q -d postgres -f "$judge_dir/roles.sql" || fail "cannot create the roles"
	"$1/createdb" "$2" || fail "cannot create $2"
	complete=$(psql_q -d "$2" -f "$judge_dir/setup.sql" 2>&1 | tail -n 1)
	[ "$complete" = t ] || fail "setup failed or incomplete: $complete"
	fingerprint "$2" "$3"
	if grep -E '^table [^|]*\|0\|' "$3"; then fail "setup left a table empty"; fi
}

# fingerprint DB FILE: fingerprint.sql of DB into FILE, with nothing on stderr
fingerprint() {
	psql_q -d "$1" -f "$judge_dir/fingerprint.sql" >"$2" 2>"$scratch/err" && [ ! -s "$scratch/err" ] \
		|| { cat "$scratch/err"; fail "fingerprint of $1 failed"; }
}

# compared FILE: how many tables, views and sequences a fingerprint compares
compared() { grep -cE '^(table|view|sequence|as .*: view) ' "$1"; }

# works DB: after.sql passes in DB (exit 0, nothing on stderr, last line
# "after: ok"): sequences continue, money functions, rules, guards, verify
works() {
	local rc
	psql_q -d "$1" -f "$judge_dir/after.sql" >"$scratch/out" 2>"$scratch/err"
	rc=$?
	if [ $rc -ne 0 ] || [ -s "$scratch/err" ] || [ "$(grep -v '^$' "$scratch/out" | tail -n 1)" != "after: ok" ]; then
		cat "$scratch/out" "$scratch/err"
		fail "$1 does not work"
	fi
}
