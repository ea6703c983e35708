#!/usr/bin/env bash
# scripts/dispatcher.sh — reference notification dispatcher for eacct.
#
#   scripts/dispatcher.sh [--once] [--log FILE] [psql connection options...]
#
# LISTENs on channel "eacct", and whenever a notification arrives (and
# every POLL_SECONDS anyway, for rows whose claim lapsed) claims pending
# rows with eacct.claim_notifications(), "delivers" each one by writing a
# line to stdout (or --log FILE), then marks them sent with eacct.mark_sent().
# Several dispatchers can run at once: claims use FOR UPDATE SKIP LOCKED.
# --once drains what is pending and exits.
#
# To deliver for real, replace deliver() with calls to your SMS and email
# gateways (channel is "sms" or "email", address the number or mailbox,
# payload the JSON of the event).  A row is marked sent only after
# deliver() succeeded; if the dispatcher dies first, the claim lapses after
# eacct.notification_lease seconds and another dispatcher retries it, so
# delivery is at least once: gateways should deduplicate on notification_id.
set -uo pipefail

once=false
log=""
while [ $# -gt 0 ]; do
	case $1 in
		--once) once=true; shift ;;
		--log) log=$2; shift 2 ;;
		*) break ;;
	esac
done
# deliveries go to fd 3: the log file, or our own stdout
if [ -n "$log" ]; then exec 3>>"$log"; else exec 3>&1; fi
PSQL=${PSQL:-psql}
POLL_SECONDS=${POLL_SECONDS:-10}
BATCH=${BATCH:-100}

deliver() {	# deliver ID CHANNEL ADDRESS PAYLOAD
	printf '%s notification %s via %s to %s: %s\n' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "$2" "$3" "$4" >&3
}

# drain: claim, deliver and mark sent until nothing is pending
drain() {
	local rows ids id channel address payload
	while :; do
		rows=$("$PSQL" -X -q -At -F $'\t' -v ON_ERROR_STOP=1 "$@" -c \
			"SELECT notification_id, channel, address, payload FROM eacct.claim_notifications($BATCH)") \
			|| return 1
		[ -n "$rows" ] || return 0
		ids=""
		# deliver() gets no stdin: a gateway command that reads it (curl -d @-,
		# ssh) must not swallow the rows still to be delivered
		while IFS=$'\t' read -r id channel address payload; do
			deliver "$id" "$channel" "$address" "$payload" </dev/null && ids="$ids${ids:+,}$id"
		done <<<"$rows"
		[ -n "$ids" ] && "$PSQL" -X -q -At -v ON_ERROR_STOP=1 "$@" \
			-c "SELECT eacct.mark_sent('{$ids}'::bigint[])" >/dev/null
	done
}

if $once; then
	drain "$@"
	exit
fi

# A psql coprocess keeps the LISTEN; psql prints pending notifications after
# each command it runs, so a cheap query every second surfaces them.  When
# its connection is lost (a restart, a failover, a terminated backend) the
# coprocess exits: it is started again, and what was queued meanwhile is
# drained.
# to_listener LINE: write LINE to the listener; a listener that just died
# makes it fail instead of killing us (only here: a delivery to a closed
# stdout still ends the dispatcher, so that its supervisor sees it)
to_listener() {
	local rc=1
	trap '' PIPE
	[ -n "${LISTENER_PID:-}" ] && kill -0 "$LISTENER_PID" 2>/dev/null &&
		echo "$1" 2>/dev/null >&"${LISTENER[1]:-}" && rc=0
	trap - PIPE
	return $rc
}
listen() {
	coproc LISTENER { "$PSQL" -X -q -At "$@" 2>&1; }
	to_listener "LISTEN eacct;"
}
listening() { to_listener "SELECT 'tick';"; }
trap 'kill "${LISTENER_PID:-}" 2>/dev/null' EXIT
listen "$@"
drain "$@"
idle=0
while :; do
	if ! listening; then
		echo "dispatcher: LISTEN connection lost; connecting again" >&2
		sleep 1
		listen "$@" 2>/dev/null
		drain "$@"
		idle=0
		continue
	fi
	woke=false
	while IFS= read -r -t 2 line <&"${LISTENER[0]:-}"; do
		case $line in
			tick) break ;;
			Asynchronous\ notification*) woke=true ;;
		esac
	done 2>/dev/null
	idle=$((idle + 1))
	if $woke || [ "$idle" -ge "$POLL_SECONDS" ]; then
		drain "$@"
		idle=0
	fi
	sleep 1
done
