/*
 * notify.c — the notification outbox (SPEC section 6).  Each queued row is
 * also sent with pg_notify('eacct', payload), which PostgreSQL delivers at
 * commit and drops on rollback.
 */
#include "eacct.h"

#include "utils/builtins.h"

/*
 * One row per contact of the target account: the MA account, or with
 * own_contacts_first the account itself when it has contacts.  $4 is a
 * JSON object of the event's figures; the payload adds the identifiers.
 */
static EacctPlan queue = {
	"WITH target AS ("
	"  SELECT CASE WHEN $5 AND EXISTS (SELECT 1 FROM eacct.contact o"
	"                 WHERE o.enterprise_id OPERATOR(pg_catalog.=) $1"
	"                   AND o.account_id OPERATOR(pg_catalog.=) $2)"
	"              THEN $2 ELSE e.ma_account_id END AS account_id"
	"    FROM eacct.enterprise e WHERE e.enterprise_id OPERATOR(pg_catalog.=) $1),"
	" rows AS ("
	"  SELECT pg_catalog.nextval('eacct.notification_id_seq') AS id, c.channel, c.address"
	"    FROM eacct.contact c JOIN target t"
	"      ON c.account_id OPERATOR(pg_catalog.=) t.account_id"
	"   WHERE c.enterprise_id OPERATOR(pg_catalog.=) $1"
	"   ORDER BY c.contact_id),"
	" ins AS ("
	"  INSERT INTO eacct.notification (enterprise_id, notification_id, account_id,"
	"     event, channel, address, payload)"
	"  SELECT $1, r.id, $2, $3, r.channel, r.address,"
	"     $4::pg_catalog.jsonb OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object("
	"       'event', $3, 'enterprise_id', $1, 'account_id', $2,"
	"       'notification_id', r.id, 'channel', r.channel, 'address', r.address)"
	"    FROM rows r"
	"  RETURNING payload)"
	" SELECT pg_catalog.pg_notify('eacct', ins.payload::pg_catalog.text) FROM ins",
	5, {INT8OID, INT8OID, TEXTOID, TEXTOID, BOOLOID}
};

void
notify_queue(EacctCall *call, int64 enterprise_id, int64 account_id,
			 const char *event, const char *figures_json, bool own_contacts_first)
{
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};

	values[0] = Int64GetDatum(enterprise_id);
	values[1] = Int64GetDatum(account_id);
	nulls[1] = account_id ? ' ' : 'n';
	values[2] = CStringGetTextDatum(event);
	values[3] = CStringGetTextDatum(figures_json);
	values[4] = BoolGetDatum(own_contacts_first);
	eacct_exec(&queue, values, nulls, false, 0);
}
