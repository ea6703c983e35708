/*
 * alerts.c — low balance alerts (SPEC rule 9) and the notification outbox
 * a dispatcher drains (SPEC section 6): set_low_balance_alert (single and
 * batch), claim_notifications, mark_sent.
 */
#include "eacct.h"

#include "utils/array.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(eacct_set_low_balance_alert);
PG_FUNCTION_INFO_V1(eacct_set_low_balance_alert_batch);
PG_FUNCTION_INFO_V1(eacct_claim_notifications);
PG_FUNCTION_INFO_V1(eacct_mark_sent);

static EacctPlan write_alert = {
	"UPDATE eacct.account SET alert_threshold = $3, alert_enabled = $4, alert_status = $5"
	" WHERE enterprise_id OPERATOR(pg_catalog.=) $1 AND account_id OPERATOR(pg_catalog.=) $2",
	5, {INT8OID, INT8OID, INT8OID, BOOLOID, TEXTOID}
};

static EacctPlan claim = {
	"WITH c AS ("
	"  SELECT n.enterprise_id, n.notification_id FROM eacct.notification n"
	"   WHERE n.sent_at IS NULL"
	"     AND (n.claimed_at IS NULL OR n.claimed_at OPERATOR(pg_catalog.<)"
	"          (pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-)"
	"           pg_catalog.make_interval(secs => $2)))"
	"   ORDER BY n.notification_id LIMIT $1 FOR UPDATE SKIP LOCKED),"
	" u AS ("
	"  UPDATE eacct.notification n SET claimed_at = pg_catalog.clock_timestamp() FROM c"
	"   WHERE n.enterprise_id OPERATOR(pg_catalog.=) c.enterprise_id"
	"     AND n.notification_id OPERATOR(pg_catalog.=) c.notification_id"
	"  RETURNING n.notification_id, n.enterprise_id, n.account_id, n.event, n.channel,"
	"    n.address, n.payload, n.created_at)"
	/* in the order they were queued, so that a dispatcher delivers them so */
	" SELECT * FROM u ORDER BY u.notification_id",
	/* planned per call: a generic plan guesses LIMIT $1 at a tenth of the table and hashes all of it */
	2, {INT4OID, FLOAT8OID}, NULL, CURSOR_OPT_CUSTOM_PLAN
};

static EacctPlan mark = {
	"UPDATE eacct.notification SET sent_at = pg_catalog.clock_timestamp()"
	" WHERE notification_id OPERATOR(pg_catalog.=) ANY ($1) AND sent_at IS NULL",
	1, {INT8ARRAYOID}
};

/*
 * Set the alert of the locked accounts accs[0..n-1] and evaluate it at
 * once (an alert that turns triggered queues its notification).
 */
static void
set_alerts(EacctCall *call, int n, LedgerAccount *accs, int64 threshold, bool enabled)
{
	for (int i = 0; i < n; i++)
	{
		LedgerAccount *a = &accs[i];
		Datum		values[5];
		bool		fire;

		a->alert_threshold = threshold;
		a->alert_enabled = enabled;
		fire = ledger_evaluate_alert(a);
		values[0] = Int64GetDatum(a->enterprise_id);
		values[1] = Int64GetDatum(a->account_id);
		values[2] = Int64GetDatum(threshold);
		values[3] = BoolGetDatum(enabled);
		values[4] = CStringGetTextDatum(a->alert_triggered ? "triggered" : "ok");
		ledger_write(&write_alert, values, NULL);
		if (fire)
			ledger_alert_notify(call, a);
	}
}

/* the accounts ids[0..n-1] (distinct), locked, then checked */
static void
lock_for_alert(EacctCall *call, int n, const int64 *ids, LedgerAccount *accs)
{
	ledger_admin_accounts(call, n, ids, accs);
	for (int i = 0; i < n; i++)
	{
		if (i == 0 || accs[i].enterprise_id != accs[i - 1].enterprise_id)
			eacct_check_account_admin(call, &accs[i]);
		ledger_require_center(&accs[i]);
	}
}

/* set_low_balance_alert(account_id, threshold, enabled) -> void */
Datum
eacct_set_low_balance_alert(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	LedgerAccount a;
	int64		id = eacct_id_arg(fcinfo, 0, "account_id");
	int64		threshold = eacct_amount_arg(fcinfo, 1, "threshold", AMOUNT_NONNEGATIVE);
	bool		enabled;

	eacct_require_arg(fcinfo, 2, "enabled");
	enabled = PG_GETARG_BOOL(2);
	eacct_enter(&call, fcinfo);
	lock_for_alert(&call, 1, &id, &a);
	set_alerts(&call, 1, &a, threshold, enabled);
	eacct_leave(&call);
	PG_RETURN_VOID();
}


/*
 * set_low_balance_alert(account_ids bigint[], threshold, enabled) -> integer
 *
 * All or nothing; a duplicated id counts once; returns the number of
 * accounts set.
 */
Datum
eacct_set_low_balance_alert_batch(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			k;
	int64	   *ids;
	LedgerAccount *accs;
	int64		threshold;
	bool		enabled;

	arr = eacct_array_arg(fcinfo, 0, "account_ids");
	threshold = eacct_amount_arg(fcinfo, 1, "threshold", AMOUNT_NONNEGATIVE);
	eacct_require_arg(fcinfo, 2, "enabled");
	enabled = PG_GETARG_BOOL(2);
	deconstruct_array(arr, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &n);
	eacct_no_null_elements(nulls, n, "account_ids");
	if (n > EACCT_MAX_BATCH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("set_low_balance_alert takes at most %d accounts", EACCT_MAX_BATCH),
				 errdetail("account_ids has %d elements.", n)));
	ids = palloc(sizeof(int64) * Max(n, 1));
	for (int i = 0; i < n; i++)
		ids[i] = DatumGetInt64(elems[i]);
	k = eacct_distinct_ids(ids, n);
	if (k == 0)
		PG_RETURN_INT32(0);

	accs = palloc0(sizeof(LedgerAccount) * k);
	eacct_enter(&call, fcinfo);
	lock_for_alert(&call, k, ids, accs);
	set_alerts(&call, k, accs, threshold, enabled);
	eacct_leave(&call);
	PG_RETURN_INT32(k);
}

/*
 * claim_notifications(max_rows integer) -> table(...)
 *
 * Reserve up to max_rows unsent notifications for the calling dispatcher
 * (FOR UPDATE SKIP LOCKED: concurrent dispatchers never get the same row).
 * A claim lasts eacct.notification_lease seconds from the moment it is made
 * (clock time, not transaction start); rows not marked sent by then can be
 * claimed again.
 */
Datum
eacct_claim_notifications(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	Datum		values[2];
	int32		max_rows;

	eacct_check_srf(fcinfo);
	eacct_require_arg(fcinfo, 0, "max_rows");
	max_rows = PG_GETARG_INT32(0);
	if (max_rows <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_rows must be greater than zero"),
				 errdetail("max_rows is %d.", max_rows)));
	values[0] = Int32GetDatum(max_rows);
	values[1] = Float8GetDatum((double) eacct_notification_lease);
	eacct_enter(&call, fcinfo);
	eacct_exec(&claim, values, NULL, false, 0);
	eacct_return_spi_rows(fcinfo);
	eacct_leave(&call);
	return (Datum) 0;
}

/* mark_sent(notification_ids bigint[]) -> integer (rows newly marked sent) */
Datum
eacct_mark_sent(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	Datum		values[1];
	int			n;

	ArrayType  *arr = eacct_array_arg(fcinfo, 0, "notification_ids");

	/* a NULL id is a caller's bug, refused as in every other id array */
	if (array_contains_nulls(arr))
	{
		Datum	   *elems;
		bool	   *nulls;

		deconstruct_array(arr, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
						  &elems, &nulls, &n);
		eacct_no_null_elements(nulls, n, "notification_ids");
	}
	values[0] = PointerGetDatum(arr);
	eacct_enter(&call, fcinfo);
	n = eacct_exec(&mark, values, NULL, false, 0);
	eacct_leave(&call);
	PG_RETURN_INT32(n);
}
