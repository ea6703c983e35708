#!/usr/bin/env bash
# test/pg_upgrade/run.sh — pg_upgrade of a cluster holding eacct data, the
# way a DBA moves to a new major version.  A cluster of its own gets the
# dump check's database (test/dump/setup.sql: every kind of eacct data,
# administrator roles, a DBA's grants) and is stopped; a new cluster is
# initialised; `pg_upgrade --check`, then `pg_upgrade`, moves it (binary-
# upgrade mode: pg_dump recreates the extension's objects with their OIDs
# and the tables' files are copied; of eacct, only its library is loaded,
# to check that the new server has it).
# The upgraded database must equal the original row for row, as the
# superuser and the two roles of the dump check see it, with the same
# triggers, constraints, grants and sequences
# (test/dump/fingerprint.sql), and must work (test/dump/after.sql:
# sequences continue, money functions, rules, guards, verify() empty).
# Old and new server are this installation's by default (pg_upgrade to the
# same major version); EACCT_UPGRADE_FROM=/usr/lib/postgresql/15/bin with
# PG_CONFIG of a newer installation upgrades across major versions (the old
# one needs eacct installed too).
# Last line: "pg_upgrade: ok" or "pg_upgrade: FAILED".
here=$(cd "$(dirname "$0")" && pwd)
dump=$here/../dump
source "$here/../../scripts/common.sh"
set +e
fail() { echo "pg_upgrade: $*"; echo "pg_upgrade: FAILED"; exit 1; }
NEW_BINDIR=$PG_BINDIR
OLD_BINDIR=${EACCT_UPGRADE_FROM:-$PG_BINDIR}
DB=eacct_upgrade
dir=$(mktemp -d /tmp/eacct-upgrade.XXXXXX) || fail "mktemp failed"
old_port=$((40000 + RANDOM % 9000))
new_port=$((old_port + 1))
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
cleanup() {
	PG_BINDIR=$OLD_BINDIR stop_cluster "$dir/old"
	PG_BINDIR=$NEW_BINDIR stop_cluster "$dir/new"
	[ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
psql_q() { "$NEW_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
scratch=$dir
source "$dump/judge.sh"
old_version=$("$OLD_BINDIR/postgres" -V | awk '{print $3}')
new_version=$("$NEW_BINDIR/postgres" -V | awk '{print $3}')

# the old cluster, filled
PG_BINDIR=$OLD_BINDIR EACCT_PORT=$old_port start_cluster "$dir/old" \
	|| fail "cannot start the old cluster"
fill "$NEW_BINDIR" "$DB" "$dir/fp.old"
PG_BINDIR=$OLD_BINDIR stop_cluster "$dir/old"

# a new cluster, initialised as start_cluster does it, with the caller's
# EACCT_INITDB_OPTS and the old cluster's data checksum setting (from
# PostgreSQL 18 initdb turns them on by default), then stopped
checksums=$(LC_ALL=C LANGUAGE= "$OLD_BINDIR/pg_controldata" "$dir/old/data" \
	| sed -n 's/^Data page checksum version: *//p')
case $checksums in
	'') fail "cannot read the old cluster's data checksum version" ;;
	0) case $("$NEW_BINDIR/initdb" --help) in *--no-data-checksums*) opts=--no-data-checksums ;; *) opts= ;; esac ;;
	*) opts=--data-checksums ;;
esac
PG_BINDIR=$NEW_BINDIR EACCT_PORT=$new_port EACCT_INITDB_OPTS="${EACCT_INITDB_OPTS:-} $opts" \
	start_cluster "$dir/new" \
	|| fail "cannot initialise the new cluster"
PG_BINDIR=$NEW_BINDIR stop_cluster "$dir/new"

# pg_upgrade runs as the clusters' owner, in a directory it may write
# (--no-sync from PostgreSQL 15 on)
case $("$NEW_BINDIR/pg_upgrade" --help) in *--no-sync*) nosync=--no-sync ;; *) nosync= ;; esac
for mode in --check ""; do
	(cd "$dir" && as_pg "$NEW_BINDIR/pg_upgrade" $mode -U postgres $nosync \
		-b "$OLD_BINDIR" -B "$NEW_BINDIR" -d "$dir/old/data" -D "$dir/new/data" \
		-p "$old_port" -P "$new_port" -s "$dir") >"$dir/upgrade.log" 2>&1 \
		|| { cat "$dir/upgrade.log"; find "$dir" -name '*.log' -path '*pg_upgrade*' -exec tail -n 20 {} +; \
		     fail "pg_upgrade $mode failed"; }
done
echo "pg_upgrade: $old_version -> $new_version done"

PG_BINDIR=$NEW_BINDIR EACCT_PORT=$new_port start_cluster "$dir/new" \
	|| fail "cannot start the upgraded cluster"
fingerprint "$DB" "$dir/fp.new"
# across major versions, what the new server's catalogs add by themselves
# is left out: the MAINTAIN privilege (m) in the owner's ACLs from 17
# (16's betas had it too), NOT
# NULL constraints listed in pg_constraint from 18
major() { sed 's/^\([0-9]*\).*/\1/' <<<"$1"; }
if [ "$(major "$old_version")" -lt 17 ]; then
	sed -i -E '/^relation acl\|/ s/=([A-Za-z*]*)m\*?/=\1/g' "$dir/fp.old" "$dir/fp.new"
fi
if [ "$(major "$old_version")" -lt 18 ]; then
	sed -i -E '/^constraint\|[^|]*\|[^|]*\|NOT NULL /d' "$dir/fp.new"
fi
if ! diff -u "$dir/fp.old" "$dir/fp.new" >"$dir/diff"; then
	cat "$dir/diff"
	fail "$DB differs after pg_upgrade (lines: - before, + after)"
fi
echo "pg_upgrade: $DB equals the original ($(compared "$dir/fp.old") tables, views and sequences compared)"
works "$DB"
echo "pg_upgrade: $DB works (sequences continue, money functions, rules, guards, verify)"
echo "pg_upgrade: ok"
