/*
 * rows.c — inserting rows through the executor's row API.
 *
 * The ledger writes its journal entries with ExecSimpleRelationInsert(),
 * the routine logical replication's apply worker inserts with: BEFORE and
 * AFTER ROW triggers, CHECK and NOT NULL constraints and every index, as
 * an INSERT statement has them, without planning and starting a
 * ModifyTable node and a VALUES or unnest() scan for every call.  That
 * start-up was a fifth of a single transfer (callgrind).  Columns the
 * caller does not name are NULL (their defaults are not evaluated), and
 * statement-level triggers do not fire; eacct's tables have neither
 * (README, Performance).
 */
#include "eacct.h"

#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "parser/parse_relation.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

/*
 * Insert nrows rows into eacct.<table>: column names[c] of row i is
 * cols[c][i], NULL when nulls[c] && nulls[c][i].  Fails as an INSERT
 * would (23505, 23514, ...).  Returns how many rows were stored: fewer
 * when a BEFORE ROW trigger skipped some.
 */
int
eacct_insert_rows(const char *table, int ncols, const char *const *names,
				  Datum *const *cols, bool *const *nulls, int nrows)
{
	Oid			relid = get_relname_relid(table, get_namespace_oid("eacct", false));
	Relation	rel;
	TupleDesc	desc;
	EState	   *estate;
	RangeTblEntry *rte;
	ResultRelInfo *rri;
	TupleTableSlot *slot;
	int		   *att;
	int			stored = 0;

	if (!OidIsValid(relid))
		elog(ERROR, "relation eacct.%s does not exist", table);
	rel = table_open(relid, RowExclusiveLock);
	desc = RelationGetDescr(rel);

	/* the tuple slot index of each named column */
	att = palloc(sizeof(int) * ncols);
	for (int c = 0; c < ncols; c++)
	{
		att[c] = -1;
		for (int a = 0; a < desc->natts && att[c] < 0; a++)
			if (!TupleDescAttr(desc, a)->attisdropped &&
				strcmp(NameStr(TupleDescAttr(desc, a)->attname), names[c]) == 0)
				att[c] = a;
		if (att[c] < 0)
			elog(ERROR, "column eacct.%s.%s does not exist", table, names[c]);
	}

	/* an executor state with the table as its one result relation */
	estate = CreateExecutorState();
	rte = makeNode(RangeTblEntry);
	rte->rtekind = RTE_RELATION;
	rte->relid = relid;
	rte->relkind = rel->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
#if PG_VERSION_NUM >= 160000
	{
		List	   *perminfos = NIL;

		/* error reports read the inserted columns from it */
		addRTEPermissionInfo(&perminfos, rte);
		ExecInitRangeTable(estate, list_make1(rte), perminfos);
	}
#else
	ExecInitRangeTable(estate, list_make1(rte));
#endif
	rri = makeNode(ResultRelInfo);
	InitResultRelInfo(rri, rel, 1, NULL, 0);
	/* where ExecGetTriggerResultRel() finds it when AFTER triggers fire */
#if PG_VERSION_NUM >= 140000
	estate->es_opened_result_relations = list_make1(rri);
#else
	estate->es_result_relations = rri;
	estate->es_num_result_relations = 1;
	estate->es_result_relation_info = rri;
#endif
	estate->es_output_cid = GetCurrentCommandId(true);
	ExecOpenIndices(rri, false);
	slot = ExecInitExtraTupleSlot(estate, desc, &TTSOpsVirtual);

	AfterTriggerBeginQuery();
	for (int i = 0; i < nrows; i++)
	{
		ExecClearTuple(slot);
		memset(slot->tts_isnull, true, sizeof(bool) * desc->natts);
		for (int c = 0; c < ncols; c++)
		{
			slot->tts_values[att[c]] = cols[c][i];
			slot->tts_isnull[att[c]] = nulls && nulls[c] && nulls[c][i];
		}
		ExecStoreVirtualTuple(slot);
#if PG_VERSION_NUM >= 140000
		ExecSimpleRelationInsert(rri, estate, slot);
#else
		ExecSimpleRelationInsert(estate, slot);
#endif
		/* the insert sets the slot's TID; a skipped row leaves it invalid */
		if (ItemPointerIsValid(&slot->tts_tid))
			stored++;
		ResetPerTupleExprContext(estate);
	}
	AfterTriggerEndQuery(estate);

	/* its indexes, and any relation the triggers opened */
#if PG_VERSION_NUM >= 140000
	ExecCloseResultRelations(estate);
#else
	ExecCleanUpTriggerState(estate);
	ExecCloseIndices(rri);
#endif
	ExecResetTupleTable(estate->es_tupleTable, false);
	FreeExecutorState(estate);
	pfree(att);
	table_close(rel, NoLock);
	return stored;
}
