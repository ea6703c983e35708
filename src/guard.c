/*
 * guard.c — triggers that keep balances and history honest.
 *
 * eacct.guard_balances(column, ...): BEFORE UPDATE OR DELETE row trigger
 *   and BEFORE TRUNCATE statement trigger on tables holding money.  Outside
 *   the ledger core's own writes, changing one of the named columns,
 *   deleting a row or truncating the table fails with UA010.
 * eacct.guard_history(): BEFORE UPDATE OR DELETE row trigger and BEFORE
 *   TRUNCATE statement trigger on append-only history: always UA011.
 * Both also serve as BEFORE INSERT statement triggers (0.5.0): rows come
 *   only from eacct's own operations (UA010 or UA011), except for a
 *   superuser's COPY FROM into the empty table, which is how pg_dump's
 *   restore loads them (one COPY per table).  An INSERT statement is
 *   refused even into an empty table.  The ledger's journal entries,
 *   transfer records and pairs are written through the executor's row API
 *   (rows.c), which fires no statement trigger; its SQL statements run
 *   with eacct_ledger_writing set.
 *
 * Both are ENABLE ALWAYS, so session_replication_role = replica does not
 * silence them; only a superuser who disables them can get past, and
 * eacct.verify() then reports the damage.
 *
 * The CHECK constraints' rules are in checks.c.
 */
#include "eacct.h"

#include "access/tableam.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "tcop/pquery.h"
#include "utils/portal.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

PG_FUNCTION_INFO_V1(eacct_guard_balances);
PG_FUNCTION_INFO_V1(eacct_guard_history);

static TriggerData *
trigger_data(FunctionCallInfo fcinfo, const char *name)
{
	TriggerData *td;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be called as a trigger", name)));
	td = (TriggerData *) fcinfo->context;
	eacct_require_own_table(td->tg_relation, name);
	/* a row trigger for UPDATE and DELETE (it reads the rows), else statement */
	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event) && !TRIGGER_FIRED_BY_TRUNCATE(td->tg_event) &&
		(!TRIGGER_FIRED_FOR_ROW(td->tg_event) || !TRIGGER_FIRED_BEFORE(td->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be a BEFORE row trigger for UPDATE or DELETE", name)));
	return td;
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

/* whether the statement's snapshot sees no row of `rel' */
static bool
table_is_empty(Relation rel)
{
	Snapshot	snap = GetActiveSnapshot();
	TableScanDesc scan = table_beginscan(rel, snap, 0, NULL);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	bool		empty = !table_scan_getnextslot(scan, ForwardScanDirection, slot);

	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	return empty;
}

/*
 * Whether the statement the client sent is COPY <rel> FROM, run by a
 * superuser: how pg_dump's restore loads a table (the extension owner, a
 * superuser, owns them).  A role that was only granted INSERT, or a COPY
 * of a query (COPY (INSERT ...) TO), does not count.
 */
static bool
restore_copy(Relation rel)
{
	PlannedStmt *stmt;
	CopyStmt   *copy;

	if (ActivePortal == NULL || ActivePortal->commandTag != CMDTAG_COPY ||
		list_length(ActivePortal->stmts) != 1 || !superuser())
		return false;
	stmt = linitial_node(PlannedStmt, ActivePortal->stmts);
	if (stmt->utilityStmt == NULL || !IsA(stmt->utilityStmt, CopyStmt))
		return false;
	copy = (CopyStmt *) stmt->utilityStmt;
	return copy->is_from && copy->relation != NULL &&
		RangeVarGetRelid(copy->relation, NoLock, true) == RelationGetRelid(rel);
}

/*
 * A BEFORE INSERT statement trigger: pass the ledger's own statements and
 * a COPY into an empty table (a restore); refuse anything else with
 * `code'.
 */
static Datum
guard_insert(TriggerData *td, int code, const char *what)
{
	const char *table = RelationGetRelationName(td->tg_relation);

	if (TRIGGER_FIRED_FOR_ROW(td->tg_event))
		elog(ERROR, "eacct's guards check INSERT once per statement, not per row");
	if (eacct_ledger_writing ||
		(restore_copy(td->tg_relation) && table_is_empty(td->tg_relation)))
		return PointerGetDatum(NULL);
	ereport(ERROR,
			(errcode(code),
			 errmsg("rows of eacct.%s come only from eacct's operations", table),
			 errdetail("eacct.%s holds %s; rows from outside the extension are refused"
					   " except a superuser's COPY into the empty table, as when a dump is restored.",
					   table, what)));
	return (Datum) 0;
}

Datum
eacct_guard_balances(PG_FUNCTION_ARGS)
{
	TriggerData *td = trigger_data(fcinfo, "guard_balances");
	Relation	rel = td->tg_relation;
	const char *table = RelationGetRelationName(rel);
	TupleDesc	desc = RelationGetDescr(rel);

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		return guard_insert(td, ERRCODE_EACCT_BALANCE_GUARD, "money");
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

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		return guard_insert(td, ERRCODE_EACCT_HISTORY_GUARD, "history");

	ereport(ERROR,
			(errcode(ERRCODE_EACCT_HISTORY_GUARD),
			 errmsg("eacct.%s is append-only history", table),
			 errdetail("%s of eacct.%s is not allowed; its rows are immutable.",
					   what, table)));
	PG_RETURN_NULL();
}
