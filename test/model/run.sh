#!/usr/bin/env bash
# test/model/run.sh — differential test: random calls of every money-moving
# and money-reading function of SPEC sections 3-5, each also applied to a
# Python model of SPEC.md and the README's decisions (model.py); after every
# call the SQLSTATE or result, every account's balances and alert, the
# enterprise figures, transferable(), withdrawable(), credit_quota(), bills,
# transfer pairs, coupons, notifications and history row counts must agree.
# MODEL_SEEDS seeds (default 3) of MODEL_CALLS calls (default 1200), the
# last on eacct installed as 0.1.0 and updated.
# Needs PGHOST/PGPORT/PGUSER of a running server with eacct installed.
# Prints "model: ok" or "model: FAILED" as its last line.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
DB=eacct_model
SEEDS=${MODEL_SEEDS:-3}
CALLS=${MODEL_CALLS:-1200}
fail() { echo "model: $*"; echo "model: FAILED"; exit 1; }

"$BINDIR/dropdb" --if-exists "$DB" 2>/dev/null && "$BINDIR/createdb" "$DB" || fail "cannot create $DB"
# the last seed runs on an install of 0.1.0 updated to the current version:
# the update's objects must behave as a fresh install's
for seed in $(seq 1 "$SEEDS"); do
	from=""
	[ "$seed" = "$SEEDS" ] && from=0.1.0
	MODEL_INSTALL_FROM=$from /usr/bin/python3 "$here/model.py" "$DB" "$seed" "$CALLS" ||
		fail "seed $seed differs from the model (replay: MODEL_INSTALL_FROM=$from $here/model.py DB $seed $CALLS)"
	[ -z "$from" ] || echo "model: seed $seed ran on eacct installed as $from and updated"
done
"$BINDIR/dropdb" "$DB" || fail "cannot drop $DB"
echo "model: ok"
