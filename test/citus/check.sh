#!/usr/bin/env bash
# test/citus/check.sh — checks what docs/scaling.md says about Citus against a
# real Citus cluster: a coordinator and two workers, each a throwaway
# cluster of this PostgreSQL on a private socket.  Not part of `make test`
# (scripts/test.sh runs only test/*/run.sh):
# Citus is not in Debian's archive, so it needs a PostgreSQL where Citus is
# installed (docs/scaling.md, "Checked on Citus", says how it was built).
# Without citus.so it says so and exits 2.
#
# It installs eacct 0.4.0 on the coordinator and updates it, loads the demo
# enterprise, distributes the tables with the SQL block of docs/scaling.md
# (read from the page itself, so the page is what runs), and then checks
# what the page says Citus does with eacct: what it refuses, what it
# copies to the shards, what it leaves alone, and which calls fail and how.
# A check that fails means the page no longer says what Citus does.
# Last line: "N passed, N failed".
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/common.sh"
set +e
if [ ! -f "$("$PG_CONFIG" --pkglibdir)/citus.so" ]; then
	echo "citus: no citus.so in $("$PG_CONFIG" --pkglibdir); install Citus for this PostgreSQL first" >&2
	exit 2
fi
if [ -z "${EACCT_NO_INSTALL:-}" ]; then install_packages; build_install; fi

dir=$(mktemp -d ${TMPDIR:-/tmp}/eacct-citus.XXXXXX) || exit 1
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; chmod 755 "$dir"; fi
base=${CITUS_BASE_PORT:-$((42000 + RANDOM % 9000))}
ports="$base $((base + 1)) $((base + 2))"
coord=$base
cleanup() {
	local p
	for p in $ports; do stop_cluster "$dir/n$p"; done
	[ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT

for p in $ports; do
	mkdir -p "$dir/n$p"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$dir/n$p"
	as_pg "$PG_BINDIR/initdb" -D "$dir/n$p/data" -U postgres -A trust -E UTF8 \
		--locale=C.UTF-8 --no-sync >"$dir/n$p/initdb.log" 2>&1 || { cat "$dir/n$p/initdb.log"; exit 1; }
	# Citus prepares a transaction on every worker connection it writes
	# through (up to one per shard), so more than start_cluster's 10
	as_pg "$PG_BINDIR/pg_ctl" -D "$dir/n$p/data" -l "$dir/n$p/server.log" -w -t 60 \
		-o "-p $p -k $dir/n$p -c listen_addresses= -c shared_preload_libraries=citus \
		    -c max_prepared_transactions=100 -c fsync=off" \
		start >/dev/null || { cat "$dir/n$p/server.log"; exit 1; }
done

# q PORT SQL...: run as the superuser in database $QDB (postgres unless
# set), terse errors
q() {
	local port=$1
	shift
	"$PG_BINDIR/psql" -X -q -At -h "$dir/n$port" -p "$port" -U postgres -d "${QDB:-postgres}" \
		-v VERBOSITY=terse "$@" 2>&1
}
passed=0 failed=0
# check DESCRIPTION EXPECTED ACTUAL: ACTUAL must contain EXPECTED
check() {
	case $3 in
		*"$2"*) passed=$((passed + 1)); echo "ok - $1" ;;
		*) failed=$((failed + 1)); echo "not ok - $1"; echo "#   expected: $2"; echo "#   got: $3" ;;
	esac
}
# check_eq DESCRIPTION EXPECTED ACTUAL: ACTUAL must be EXPECTED exactly
check_eq() {
	if [ "$3" = "$2" ]; then passed=$((passed + 1)); echo "ok - $1"
	else failed=$((failed + 1)); echo "not ok - $1"; echo "#   expected: $2"; echo "#   got: $3"; fi
}
# until_distributed TABLE: a statement that waits (up to 2 minutes) until
# Citus lists TABLE, for a session that must call eacct again only then
until_distributed() {
	printf '%s' "DO \$\$BEGIN FOR i IN 1..1200 LOOP
	  EXIT WHEN EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = '$1'::regclass);
	  PERFORM pg_sleep(0.1);
	END LOOP; END\$\$"
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

for p in $ports; do q "$p" -c "CREATE EXTENSION citus" >/dev/null || { echo "citus: CREATE EXTENSION citus failed on $p"; exit 1; }; done
echo "# $(q "$coord" -c "SELECT citus_version()")"
q "$coord" -c "SELECT citus_set_coordinator_host('$dir/n$coord', $coord)" >/dev/null
for p in $ports; do
	[ "$p" = "$coord" ] || q "$coord" -c "SELECT citus_add_node('$dir/n$p', $p)" >/dev/null
done
check_eq "two workers joined" 2 "$(q "$coord" -c "SELECT count(*) FROM citus_get_active_worker_nodes()")"

# a second database where only eacct.journal_entry is distributed, while a
# session that has used eacct waits: distributing one table changes no
# pg_class row on the coordinator, so only the relcache invalidation that
# Citus sends tells that session (the layout below also drops an index,
# which would tell it anyway)
for p in $ports; do q "$p" -c "CREATE DATABASE warm" >/dev/null
	QDB=warm q "$p" -c "CREATE EXTENSION citus" >/dev/null; done
qw() { QDB=warm q "$coord" "$@"; }
qw -c "SELECT citus_set_coordinator_host('$dir/n$coord', $coord)" >/dev/null
for p in $ports; do [ "$p" = "$coord" ] || qw -c "SELECT citus_add_node('$dir/n$p', $p)" >/dev/null; done
qw -c "CREATE EXTENSION eacct" -c "SELECT eacct.create_enterprise('W', 'w-ma')" -c "SELECT eacct.top_up(1, 10)" >/dev/null
qw -c "SELECT eacct.top_up(1, 1)" -c "$(until_distributed eacct.journal_entry)" \
	-c "SELECT eacct.top_up(1, 1)" >"$dir/warm.out" &
warm=$!
sleep 1
qw -c "SET citus.enable_unsafe_triggers = on" -c "SELECT create_distributed_table('eacct.journal_entry', 'enterprise_id')" >/dev/null
wait "$warm"
check "a session that used eacct before only eacct.journal_entry was distributed is refused after" \
	"eacct.journal_entry is a Citus table" "$(cat "$dir/warm.out")"
check_eq "and the refused top-up changed nothing: the balance is what the journal shows" "1100|2|1100" \
	"$(qw -c "SELECT own_cash FROM eacct.account WHERE account_id = 1" \
		-c "SELECT count(*) || '|' || sum(d_own_cash) FROM eacct.journal_entry WHERE kind = 'top_up'" | paste -sd'|')"

# CREATE EXTENSION and ALTER EXTENSION ... UPDATE reach the workers
q "$coord" -c "CREATE EXTENSION eacct VERSION '0.4.0'" >/dev/null
check "CREATE EXTENSION eacct reaches the workers" "0.4.0|0.4.0" \
	"$(for p in $ports; do [ "$p" = "$coord" ] || q "$p" -c "SELECT extversion FROM pg_extension WHERE extname = 'eacct'"; done | paste -sd'|')"
q "$coord" -c "ALTER EXTENSION eacct UPDATE" >/dev/null
check "ALTER EXTENSION eacct UPDATE reaches the workers" "0.5.0|0.5.0|0.5.0" \
	"$(for p in $ports; do q "$p" -c "SELECT extversion FROM pg_extension WHERE extname = 'eacct'"; done | paste -sd'|')"

# the demo enterprise, on the coordinator before the tables are distributed
sed -e '/^CREATE DATABASE/d' -e '/^\\c /d' -e '/^CREATE EXTENSION/d' -e '/^\\echo/,$d' \
	"$EACCT_ROOT/scripts/demo.sql" >"$dir/demo.sql"
q "$coord" -v ON_ERROR_STOP=1 -f "$dir/demo.sql" >"$dir/demo.out" || { cat "$dir/demo.out"; exit 1; }
assets="SELECT string_agg(account_id || ':' || cash_balance || ':' || transfer_book_balance || ':' || credit_limit, ' ' ORDER BY account_id) FROM eacct.account_assets"
before=$(q "$coord" -c "$assets")
check "the demo enterprise is loaded" "1:2300.00:0.00:0.00" "$before"

# a session that calls eacct before the tables are distributed, and again after
q "$coord" -c "SELECT eacct.transferable(1)" -c "$(until_distributed eacct.account)" \
	-c "SELECT eacct.transfer(1, 2, 1)" >"$dir/early.out" &
early=$!

# distributing: refused for the triggers, then for the unique name
check "create_distributed_table refuses eacct's tables without citus.enable_unsafe_triggers" \
	'cannot distribute relation "enterprise" because it has triggers' \
	"$(q "$coord" -c "SELECT create_distributed_table('eacct.enterprise', 'enterprise_id')")"
check "and refuses enterprise_name_key, which lacks enterprise_id" \
	'cannot create constraint on "enterprise"' \
	"$(q "$coord" -c "SET citus.enable_unsafe_triggers = on" \
		-c "SELECT create_distributed_table('eacct.enterprise', 'enterprise_id')")"
# the layout block of the page, run as it stands
sed -n '/^## The layout/,/^## /p' "$EACCT_ROOT/docs/scaling.md" | sed -n '/^```sql$/,/^```$/p' | sed '/^```/d' >"$dir/layout.sql"
check "docs/scaling.md has a layout block" "create_distributed_table" "$(cat "$dir/layout.sql")"
q "$coord" -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -f "$dir/layout.sql" >"$dir/layout.out" 2>&1
check_eq "the layout block distributes all twelve tables in one colocation group" "12|1" \
	"$(q "$coord" -c "SELECT count(*), count(DISTINCT colocationid) FROM pg_dist_partition WHERE logicalrelid::text LIKE 'eacct.%'" | tr -d ' ')"
check "the distributed tables hold the demo's rows" "$before" "$(q "$coord" -c "$assets")"
check "the coordinator's eacct.account keeps its rows on disk, hidden" "1" \
	"$(q "$coord" -c "SELECT (pg_relation_size('eacct.account') > 0)::int")"

# what the shards carry (on the first worker)
w=$((base + 1))
shards="SET citus.show_shards_for_app_name_prefixes = '*';"
check_eq "account shards carry the CHECK constraint and the foreign key" "1|1" \
	"$(q "$w" -c "$shards" -c "SELECT min(n_check) || '|' || min(n_fk) FROM (SELECT c.oid,
	     count(*) FILTER (WHERE k.contype = 'c') AS n_check, count(*) FILTER (WHERE k.contype = 'f') AS n_fk
	     FROM pg_class c JOIN pg_constraint k ON k.conrelid = c.oid
	    WHERE c.relnamespace = 'eacct'::regnamespace AND c.relname ~ '^account_[0-9]+$' GROUP BY c.oid) s" | tail -n 1)"
check_eq "shard triggers are ENABLE ALWAYS, as eacct's are" "A" \
	"$(q "$w" -c "$shards" -c "SELECT string_agg(DISTINCT tgenabled::text, ',') FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
	    WHERE NOT t.tgisinternal AND c.relnamespace = 'eacct'::regnamespace AND c.relname ~ '_[0-9]+$'" | tail -n 1)"
check_eq "eacct's sequences get no per-node range: a worker's account_id_seq starts at 1 too" "1" \
	"$(q "$w" -c "SELECT seqstart FROM pg_sequence WHERE seqrelid = 'eacct.account_id_seq'::regclass")"

# the ledger refuses distributed tables; nothing moves
check "transfer() is refused on the coordinator" "eacct.account is a Citus table" \
	"$(q "$coord" -c "SELECT eacct.transfer(1, 2, 10)")"
check "so is top_up()" "is a Citus table" "$(q "$coord" -c "SELECT eacct.top_up(1, 10)")"
check "and on a worker" "is a Citus table" "$(q "$w" -c "SELECT eacct.charge(2, 1)")"
wait "$early"
check "a session that called eacct before the tables were distributed is refused after" \
	"eacct.account is a Citus table" "$(cat "$dir/early.out")"
check "no money moved" "$before" "$(q "$coord" -c "$assets")"

# what fails in Citus's planner (the SQL paths; docs/scaling.md items 2, 5 and 6)
check "create_enterprise(): its statement cannot be planned by Citus" "could not create distributed plan" \
	"$(q "$coord" -c "SELECT eacct.create_enterprise('Other', 'other-ma')")"
check "claim_notifications(): Citus refuses its multi-shard FOR UPDATE" \
	"could not run distributed query with FOR UPDATE/SHARE commands" \
	"$(q "$coord" -c "SELECT eacct.claim_notifications(10)")"
# item 2's delegation: an extension's function can be distributed by its
# enterprise_id, and a call of it then runs on the enterprise's worker
check "create_distributed_function() takes eacct.verify(bigint) by its enterprise_id" "1" \
	"$(q "$coord" -c "SELECT create_distributed_function('eacct.verify(bigint)', 'enterprise_id',
	      colocate_with := 'eacct.enterprise')" \
	   -c "SELECT count(*) FROM pg_dist_object WHERE objid = 'eacct.verify(bigint)'::regprocedure
	        AND distribution_argument_index = 0" | tail -n 1)"
delegated=$(q "$coord" -c "SET citus.log_remote_commands = on" -c "SELECT count(*) FROM eacct.verify(1)")
check "and sends a call to the enterprise's worker" "issuing SELECT" "$delegated"
check "where eacct refuses the Citus table as well" "is a Citus table" "$delegated"
check "an administrator's view query reaches the shards with the administrator's rights" \
	"permission denied for table account_" \
	"$(q "$coord" -c "SET ROLE acme_admin" -c "SELECT count(*) FROM eacct.account_assets")"
# and there is no way back
check "undistribute_table() refuses eacct's tables: the layout cannot be undone" \
	"because an extension depends on it" \
	"$(q "$coord" -c "SELECT undistribute_table('eacct.notification', cascade_via_foreign_keys => true)")"
finish
