# scripts/common.sh — set-up shared by demo.sh, test.sh and bench scripts.
# Sourced, not run.  Installs what is missing, builds and installs eacct,
# and starts or stops a throwaway cluster owned by the postgres OS user
# (PostgreSQL refuses to run as root), listening only on a Unix socket in
# a private directory.

set -euo pipefail

EACCT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_MAJOR=${PG_MAJOR:-15}
# Debian's PostgreSQL by default; PG_CONFIG=/path/to/pg_config picks another
# installation (a source build, say), whose server and pg_regress then run
if [ -n "${PG_CONFIG:-}" ]; then
	PG_BINDIR=$("$PG_CONFIG" --bindir)
else
	PG_BINDIR=/usr/lib/postgresql/$PG_MAJOR/bin
fi
# absolute: the scripts change directory before they call it
PG_CONFIG=$PG_BINDIR/pg_config
export PG_CONFIG PG_BINDIR

APT_PACKAGES="build-essential postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR \
postgresql-$PG_MAJOR-pgtap libtap-parser-sourcehandler-pgtap-perl libxlsxwriter-dev cppcheck python3-psycopg2 \
python3-openpyxl valgrind"

say() { printf '==> %s\n' "$*"; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# run a command as the cluster owner
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_packages() {
	local missing="" p
	for p in $APT_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' \
			|| missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		say "installing:$missing"
		as_root apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null 2>&1 \
		|| as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y $missing
	fi
}

build_install() {
	say "building and installing eacct"
	make -C "$EACCT_ROOT" -s PG_CONFIG="$PG_CONFIG" >/dev/null
	as_root make -C "$EACCT_ROOT" -s PG_CONFIG="$PG_CONFIG" install >/dev/null
}

# start_cluster DIR: initdb (with EACCT_INITDB_OPTS) + start in DIR;
# exports PGHOST/PGPORT/PGUSER
start_cluster() {
	local dir=$1
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; chmod 755 "$dir"; fi
	export PGHOST=$dir PGPORT=${EACCT_PORT:-5499} PGUSER=postgres PGDATABASE=postgres
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_pg "$PG_BINDIR/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
			--locale=C.UTF-8 --no-sync ${EACCT_INITDB_OPTS:-} >"$dir/initdb.log" 2>&1 \
			|| { cat "$dir/initdb.log"; return 1; }
	fi
	as_pg "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-p $PGPORT -k $dir -c listen_addresses= -c max_connections=50 \
		    -c shared_buffers=256MB -c fsync=${EACCT_FSYNC:-on} \
		    -c max_prepared_transactions=10" \
		start >/dev/null || { cat "$dir/server.log"; return 1; }
}

stop_cluster() {
	local dir=$1
	[ -f "$dir/data/postmaster.pid" ] || return 0
	as_pg "$PG_BINDIR/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}
