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
 * The CHECK constraints' rules are in checks.c.
 */
#include "eacct.h"

#include "commands/trigger.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

PG_FUNCTION_INFO_V1(eacct_guard_balances);
PG_FUNCTION_INFO_V1(eacct_guard_history);

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
