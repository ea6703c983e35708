/*
 * guard.c — triggers that keep balances and history honest.
 *
 * eacct.guard_balances(column, ...): BEFORE UPDATE OR DELETE row trigger
 *   and BEFORE TRUNCATE statement trigger on tables holding money.  Outside
 *   the ledger core's own writes, changing one of the named columns,
 *   deleting a row or truncating the table fails with UA010.
 * eacct.guard_history(): BEFORE UPDATE OR DELETE row trigger and BEFORE
 *   TRUNCATE statement trigger on append-only history: always UA011.
 *
 * Both are ENABLE ALWAYS, so session_replication_role = replica does not
 * silence them; only a superuser who disables them can get past, and
 * eacct.verify() then reports the damage.
 *
 * eacct.account_balances_ok(...): the expression of the CHECK constraint
 *   account_balances_check (0.3.0).  Its rule must never change: existing
 *   rows were validated against it, so a new rule needs a new function
 *   and a new constraint added by an upgrade script.  PostgreSQL re-reads and plans the
 *   expression of every CHECK constraint of a table each time a statement
 *   writes to it; this one call is a fraction of the eight comparisons it
 *   replaces, which were a tenth of a single transfer's instructions.
 */
#include "eacct.h"

#include "commands/trigger.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

PG_FUNCTION_INFO_V1(eacct_guard_balances);
PG_FUNCTION_INFO_V1(eacct_guard_history);
PG_FUNCTION_INFO_V1(eacct_account_balances_ok);

static TriggerData *
trigger_data(FunctionCallInfo fcinfo, const char *name)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be called as a trigger", name)));
	return (TriggerData *) fcinfo->context;
}

static Datum
trigger_pass(TriggerData *td)
{
	if (!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		return PointerGetDatum(NULL);
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		return PointerGetDatum(td->tg_newtuple);
	return PointerGetDatum(td->tg_trigtuple);
}

Datum
eacct_guard_balances(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "guard_balances");
	Relation	rel = td->tg_relation;
	const char *table = RelationGetRelationName(rel);
	TupleDesc	desc = RelationGetDescr(rel);

	if (eacct_ledger_writing)
		return trigger_pass(td);

	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event) ||
		TRIGGER_FIRED_BY_DELETE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_EACCT_BALANCE_GUARD),
				 errmsg("rows of eacct.%s hold money and cannot be deleted", table),
				 errdetail("Only the extension's own operations change eacct.%s.",
						   table)));

	for (int i = 0; i < td->tg_trigger->tgnargs; i++)
	{
		const char *col = td->tg_trigger->tgargs[i];
		int			attnum = SPI_fnumber(desc, col);
		Form_pg_attribute att;
		bool		oldnull,
					newnull;
		Datum		oldval,
					newval;

		if (attnum <= 0)
			elog(ERROR, "guard_balances: column \"%s\" not in eacct.%s", col, table);
		att = TupleDescAttr(desc, attnum - 1);
		oldval = heap_getattr(td->tg_trigtuple, attnum, desc, &oldnull);
		newval = heap_getattr(td->tg_newtuple, attnum, desc, &newnull);
		if (oldnull != newnull ||
			(!oldnull && !datumIsEqual(oldval, newval, att->attbyval, att->attlen)))
			ereport(ERROR,
					(errcode(ERRCODE_EACCT_BALANCE_GUARD),
					 errmsg("column %s of eacct.%s can only be changed by eacct's operations",
							col, table),
					 errdetail("The UPDATE changes %s from %s to %s (stored units).", col,
							   oldnull ? "NULL" : SPI_getvalue(td->tg_trigtuple, desc, attnum),
							   newnull ? "NULL" : SPI_getvalue(td->tg_newtuple, desc, attnum))));
	}
	return trigger_pass(td);
}

Datum
eacct_guard_history(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "guard_history");
	const char *table = RelationGetRelationName(td->tg_relation);
	const char *what = TRIGGER_FIRED_BY_TRUNCATE(td->tg_event) ? "TRUNCATE" :
		TRIGGER_FIRED_BY_DELETE(td->tg_event) ? "DELETE" : "UPDATE";

	ereport(ERROR,
			(errcode(ERRCODE_EACCT_HISTORY_GUARD),
			 errmsg("eacct.%s is append-only history", table),
			 errdetail("%s of eacct.%s is not allowed; its rows are immutable.",
					   what, table)));
	PG_RETURN_NULL();
}

/*
 * eacct.account_balances_ok(own_cash, transfer_book, credit_limit,
 *   outstanding, overdue, alert_threshold bigint, alert_status text)
 * -> boolean: every balance and the threshold at least zero, overdue debt
 * part of the outstanding debt, a known alert status.  NULL when an
 * argument is NULL (the columns are NOT NULL).  Not declared STRICT, so
 * that a call with NULL constants is still checked for EXECUTE.
 */
Datum
eacct_account_balances_ok(PG_FUNCTION_ARGS)
{
	int64		outstanding;
	int64		overdue;
	text	   *status;
	const char *s;
	int			len;
	bool		ok;

	for (int i = 0; i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i))
			PG_RETURN_NULL();
	outstanding = PG_GETARG_INT64(3);
	overdue = PG_GETARG_INT64(4);
	status = PG_GETARG_TEXT_PP(6);
	s = VARDATA_ANY(status);
	len = VARSIZE_ANY_EXHDR(status);
	ok = PG_GETARG_INT64(0) >= 0 && PG_GETARG_INT64(1) >= 0 &&
		PG_GETARG_INT64(2) >= 0 && outstanding >= 0 && overdue >= 0 &&
		overdue <= outstanding && PG_GETARG_INT64(5) >= 0 &&
		((len == 2 && memcmp(s, "ok", 2) == 0) ||
		 (len == 9 && memcmp(s, "triggered", 9) == 0));
	PG_RETURN_BOOL(ok);
}
