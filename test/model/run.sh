#!/usr/bin/env bash
# test/model/run.sh — differential test: random calls of every money-moving
# and money-reading function of SPEC sections 3-5, each also applied to a
# Python model of SPEC.md and the README's decisions (model.py); after every
# call the SQLSTATE or result, every account's balances and alert, the
# enterprise figures, transferable(), withdrawable(), credit_quota(), bills,
# transfer pairs, coupons, notifications and history row counts must agree.
# MODEL_SEEDS seeds (default 3) of MODEL_CALLS calls (default 1200).
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
for seed in $(seq 1 "$SEEDS"); do
	/usr/bin/python3 "$here/model.py" "$DB" "$seed" "$CALLS" || fail "seed $seed differs from the model (replay: $here/model.py DB $seed $CALLS)"
done
"$BINDIR/dropdb" "$DB" || fail "cannot drop $DB"
echo "model: ok"
