/*
 * rows.c — writing rows through the executor's row API.
 *
 * The ledger writes its journal entries and its accounts' new balances
 * with ExecSimpleRelationInsert() and ExecSimpleRelationUpdate(), the
 * routines logical replication's apply worker writes with: BEFORE and
 * AFTER ROW triggers, CHECK and NOT NULL constraints and every index, as
 * INSERT and UPDATE statements have them, without planning and starting
 * ModifyTable nodes and VALUES or unnest() scans for every call.  That
 * start-up was about a third of a single transfer (callgrind).  Columns an
 * insert does not name get their defaults.  Unlike in a statement, AFTER
 * ROW triggers fire when each table's rows of a call are written, and
 * statement-level triggers and transition tables are not supported on
 * eacct's tables (README, Decisions).
 */
#include "eacct.h"

#include "access/table.h"
#include "access/tableam.h"
#include "access/sysattr.h"
#include "access/xact.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_relation.h"
#include "rewrite/rewriteHandler.h"
#include "utils/array.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

/* a table opened for writes, as a one-relation executor state */
typedef struct RowTarget
{
	Relation	rel;
	EState	   *estate;
	ResultRelInfo *rri;
	EPQState	epq;
	TupleTableSlot *slot;		/* the new row, virtual */
	int		   *att;			/* slot index of each named column */
	int			ndefaults;		/* inserts: unnamed columns with defaults */
	bool		volatile_defaults;	/* one of which may read the table */
	int		   *defatt;
	ExprState **defexpr;
	MemoryContext caller;		/* the caller's context, restored at close */
	TriggerDesc *lean;			/* updates: the triggers of a row no
								 * referencing-side foreign key check needs,
								 * or NULL */
} RowTarget;

/*
 * Whether foreign-key trigger tg cannot act on an update of the columns in
 * cols (attribute numbers offset as in a range table entry): none of its
 * constraint's columns on that side is written.
 *  - referenced side (referencing = false, the key others point at):
 *    RI_FKey_pk_upd_check_required() then finds the key unchanged and
 *    queues nothing;
 *  - referencing side (the row's own key), for a row version this
 *    transaction did not create: RI_FKey_fk_upd_check_required() finds the
 *    old and new keys equal (a key all or partly NULL under MATCH SIMPLE
 *    needs no check either) and queues nothing.  MATCH FULL keeps the
 *    trigger: a partly NULL key there is checked.
 */
static bool
key_untouched(Trigger *tg, Bitmapset *cols, bool referencing)
{
	HeapTuple	tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(tg->tgconstraint));
	bool		isnull;
	Datum		keys;
	Datum	   *attnums;
	int			n;
	bool		untouched = false;

	if (!HeapTupleIsValid(tup))
		return false;
	keys = SysCacheGetAttr(CONSTROID, tup,
						   referencing ? Anum_pg_constraint_conkey : Anum_pg_constraint_confkey,
						   &isnull);
	if (!isnull && !(referencing &&
					 ((Form_pg_constraint) GETSTRUCT(tup))->confmatchtype == FKCONSTR_MATCH_FULL))
	{
		deconstruct_array(DatumGetArrayTypeP(keys), INT2OID, sizeof(int16), true,
						  TYPALIGN_SHORT, &attnums, NULL, &n);
		untouched = true;
		for (int i = 0; i < n && untouched; i++)
			untouched = !bms_is_member(DatumGetInt16(attnums[i]) -
									   FirstLowInvalidHeapAttributeNumber, cols);
	}
	ReleaseSysCache(tup);
	return untouched;
}

/* the update and delete row-level flags the executor reads, from td's triggers */
static void
set_row_flags(TriggerDesc *td)
{
	td->trig_update_before_row = td->trig_update_after_row = td->trig_update_instead_row = false;
	td->trig_delete_before_row = td->trig_delete_after_row = td->trig_delete_instead_row = false;
	for (int i = 0; i < td->numtriggers; i++)
	{
		int16		type = td->triggers[i].tgtype;

		if (!TRIGGER_FOR_ROW(type))
			continue;
		if (TRIGGER_FOR_UPDATE(type))
		{
			td->trig_update_before_row |= TRIGGER_FOR_BEFORE(type);
			td->trig_update_after_row |= TRIGGER_FOR_AFTER(type);
			td->trig_update_instead_row |= TRIGGER_FOR_INSTEAD(type);
		}
		if (TRIGGER_FOR_DELETE(type))
		{
			td->trig_delete_before_row |= TRIGGER_FOR_BEFORE(type);
			td->trig_delete_after_row |= TRIGGER_FOR_AFTER(type);
			td->trig_delete_instead_row |= TRIGGER_FOR_INSTEAD(type);
		}
	}
}

/*
 * The update triggers of rri (as trim_update_triggers() left them) for a
 * row version this transaction did not create: the referencing-side
 * foreign-key checks whose key the update does not write no longer fire
 * on UPDATE.  The same triggers in the same places (the executor keeps
 * each one's function by its place), only their UPDATE event cleared.
 * NULL when no trigger is left out, or unless keys_fixed (no other BEFORE
 * UPDATE trigger and no stored generated column could change a key).
 */
static TriggerDesc *
lean_update_triggers(ResultRelInfo *rri, Bitmapset *cols, bool keys_fixed)
{
	TriggerDesc *td = rri->ri_TrigDesc;
	TriggerDesc *lean = NULL;

	if (td == NULL || !td->trig_update_after_row || !keys_fixed)
		return NULL;
	for (int i = 0; i < td->numtriggers; i++)
	{
		Trigger    *tg = &td->triggers[i];

		if (!(TRIGGER_FOR_ROW(tg->tgtype) && TRIGGER_FOR_AFTER(tg->tgtype) &&
			  TRIGGER_FOR_UPDATE(tg->tgtype)) ||
			RI_FKey_trigger_type(tg->tgfoid) != RI_TRIGGER_FK ||
			!key_untouched(tg, cols, true))
			continue;
		if (lean == NULL)
		{
			lean = palloc(sizeof(TriggerDesc));
			*lean = *td;
			lean->triggers = palloc(sizeof(Trigger) * td->numtriggers);
			memcpy(lean->triggers, td->triggers, sizeof(Trigger) * td->numtriggers);
		}
		lean->triggers[i].tgtype &= ~TRIGGER_TYPE_UPDATE;
	}
	if (lean != NULL)
		set_row_flags(lean);
	return lean;
}

/* eacct's own guard_balances(), which lets the ledger's writes through */
static bool
own_guard(Trigger *tg)
{
	FmgrInfo	f;

	if (!eacct_ledger_writing)
		return false;
	fmgr_info(tg->tgfoid, &f);
	return f.fn_addr == eacct_guard_balances;
}

/*
 * Leave out of an update's triggers the ones that cannot do anything when
 * eacct itself writes the columns in cols: its own guard_balances(), and
 * the referenced-side foreign-key triggers (of tables that point at this
 * one) whose key the update does not write.  The second only when no
 * other BEFORE UPDATE trigger and no stored generated column could change
 * a key behind the update's back.  Referencing-side checks stay here:
 * PostgreSQL re-checks a row inserted earlier in the transaction on any
 * update, since the update hides it from its insert's pending check;
 * lean_update_triggers() leaves them out row by row, for row versions an
 * earlier transaction created.  Every other trigger, a DBA's included,
 * fires as before.  Firing the ones left out was a fifth of the cost of
 * writing an account's balances (callgrind).  Returns whether the keys
 * are fixed: nothing but eacct's guard fires BEFORE UPDATE and no stored
 * generated column could change a key.
 */
static bool
trim_update_triggers(ResultRelInfo *rri, Bitmapset *cols)
{
	TriggerDesc *td = rri->ri_TrigDesc;
	TupleConstr *constr = RelationGetDescr(rri->ri_RelationDesc)->constr;
	bool	   *guard;
	bool		keys_fixed;
	int			kept = 0;

	keys_fixed = !(constr && constr->has_generated_stored);
	if (td == NULL)
		return keys_fixed;
	/* which triggers are eacct's guard; can anything else change the row? */
	guard = palloc(sizeof(bool) * td->numtriggers);
	for (int i = 0; i < td->numtriggers; i++)
	{
		int16		type = td->triggers[i].tgtype;
		bool		before_update = TRIGGER_FOR_ROW(type) && TRIGGER_FOR_BEFORE(type) &&
			TRIGGER_FOR_UPDATE(type);

		guard[i] = before_update && own_guard(&td->triggers[i]);
		if (before_update && !guard[i])
			keys_fixed = false;
	}
	for (int i = 0; i < td->numtriggers; i++)
	{
		Trigger    *tg = &td->triggers[i];

		/* a trigger that does not fire on an update stays */
		if (TRIGGER_FOR_UPDATE(tg->tgtype) &&
			(guard[i] ||
			 (keys_fixed && RI_FKey_trigger_type(tg->tgfoid) == RI_TRIGGER_PK &&
			  key_untouched(tg, cols, false))))
			continue;
		if (kept != i)
			td->triggers[kept] = *tg;
		kept++;
	}
	td->numtriggers = kept;
	set_row_flags(td);
	return keys_fixed;
}

/*
 * Parsed CHECK constraints.  The first time a ResultRelInfo checks a row,
 * ExecRelCheck() parses the stored text (ccbin) of each of its table's
 * CHECK constraints with stringToNode(): for a transfer, which opens four
 * tables, an eighth of the call (callgrind).  A parse depends on the text
 * alone, so the backend keeps each tree by its text and fills
 * ri_ConstraintExprs from copies of them, planned and set up per call as
 * ExecRelCheck() does; a changed constraint is a different text.  PG18's
 * not-enforced constraints change that loop, so there the executor's own
 * runs.
 */
#if PG_VERSION_NUM < 180000
#define MAX_PARSED_CHECKS 64

typedef struct ParsedCheck
{
	char	   *ccbin;
	Node	   *tree;
} ParsedCheck;

static ParsedCheck parsed_checks[MAX_PARSED_CHECKS];
static int	nparsed_checks;

static Node *
parsed_check(const char *ccbin)
{
	MemoryContext caller;
	ParsedCheck *p;

	for (int i = 0; i < nparsed_checks; i++)
		if (strcmp(parsed_checks[i].ccbin, ccbin) == 0)
			return parsed_checks[i].tree;
	if (nparsed_checks == MAX_PARSED_CHECKS)
		return stringToNode(ccbin);
	caller = MemoryContextSwitchTo(CacheMemoryContext);
	p = &parsed_checks[nparsed_checks];
	p->tree = stringToNode(ccbin);
	p->ccbin = pstrdup(ccbin);
	nparsed_checks++;
	MemoryContextSwitchTo(caller);
	return p->tree;
}
#endif

/* ri_ConstraintExprs as ExecRelCheck() would build it, in estate's memory */
static void
prepare_checks(ResultRelInfo *rri, EState *estate)
{
#if PG_VERSION_NUM < 180000
	TupleConstr *constr = RelationGetDescr(rri->ri_RelationDesc)->constr;

	if (constr == NULL || constr->num_check == 0)
		return;
	rri->ri_ConstraintExprs = palloc(sizeof(ExprState *) * constr->num_check);
	for (int i = 0; i < constr->num_check; i++)
		rri->ri_ConstraintExprs[i] =
			ExecPrepareExpr((Expr *) copyObject(parsed_check(constr->check[i].ccbin)), estate);
#endif
}

static void
open_target(RowTarget *t, const char *table, int ncols, const char *const *names,
			bool update)
{
	Oid			relid = eacct_locked_relid(table, RowExclusiveLock);
	RangeTblEntry *rte;
	Bitmapset  *cols = NULL;

	t->rel = table_open(relid, NoLock);
	if (t->rel->rd_rel->relkind != RELKIND_RELATION)
		elog(ERROR, "eacct.%s is not an ordinary table", table);
	/* everything below lives in the executor state's memory */
	t->estate = CreateExecutorState();
	t->caller = MemoryContextSwitchTo(t->estate->es_query_cxt);

	t->att = palloc(sizeof(int) * ncols);
	for (int c = 0; c < ncols; c++)
	{
		t->att[c] = eacct_column(t->rel, names[c]) - 1;
		cols = bms_add_member(cols, t->att[c] + 1 - FirstLowInvalidHeapAttributeNumber);
	}

	/*
	 * The range table's entry says which columns are written: column lists
	 * of UPDATE OF triggers and error reports read them.
	 */
	rte = makeNode(RangeTblEntry);
	rte->rtekind = RTE_RELATION;
	rte->relid = relid;
	rte->relkind = t->rel->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
#if PG_VERSION_NUM >= 160000
	{
		List	   *perminfos = NIL;
		RTEPermissionInfo *perm = addRTEPermissionInfo(&perminfos, rte);

		if (update)
			perm->updatedCols = cols;
		else
			perm->insertedCols = cols;
#if PG_VERSION_NUM >= 180000
		ExecInitRangeTable(t->estate, list_make1(rte), perminfos, bms_make_singleton(1));
#else
		ExecInitRangeTable(t->estate, list_make1(rte), perminfos);
#endif
	}
#else
	if (update)
		rte->updatedCols = cols;
	else
		rte->insertedCols = cols;
	ExecInitRangeTable(t->estate, list_make1(rte));
#endif
	t->rri = makeNode(ResultRelInfo);
	InitResultRelInfo(t->rri, t->rel, 1, NULL, 0);
	/* the triggers as they will fire, which may be newer than the call */
	eacct_check_fired_triggers(t->rri);
	t->lean = NULL;
	if (update)
	{
		bool		keys_fixed = trim_update_triggers(t->rri, cols);

		t->lean = lean_update_triggers(t->rri, cols, keys_fixed);
	}
	prepare_checks(t->rri, t->estate);
	/* where ExecGetTriggerResultRel() finds it when AFTER triggers fire */
#if PG_VERSION_NUM >= 140000
	t->estate->es_opened_result_relations = list_make1(t->rri);
#else
	t->estate->es_result_relations = t->rri;
	t->estate->es_num_result_relations = 1;
	t->estate->es_result_relation_info = t->rri;
#endif
	t->estate->es_output_cid = GetCurrentCommandId(true);
	t->estate->es_snapshot = GetActiveSnapshot();
#if PG_VERSION_NUM >= 160000
	EvalPlanQualInit(&t->epq, t->estate, NULL, NIL, -1, NIL);
#else
	EvalPlanQualInit(&t->epq, t->estate, NULL, NIL, -1);
#endif
	ExecOpenIndices(t->rri, false);
	t->slot = ExecInitExtraTupleSlot(t->estate, RelationGetDescr(t->rel), &TTSOpsVirtual);

	/* an insert fills the columns it does not name with their defaults */
	t->ndefaults = 0;
	t->volatile_defaults = false;
	if (!update)
	{
		TupleDesc	desc = RelationGetDescr(t->rel);

		t->defatt = palloc(sizeof(int) * desc->natts);
		t->defexpr = palloc(sizeof(ExprState *) * desc->natts);
		for (int a = 0; a < desc->natts; a++)
		{
			Form_pg_attribute attr = TupleDescAttr(desc, a);
			Expr	   *def;

			if (attr->attisdropped || attr->attgenerated ||
				bms_is_member(a + 1 - FirstLowInvalidHeapAttributeNumber, cols))
				continue;
			def = (Expr *) build_column_default(t->rel, a + 1);
			if (def == NULL)
				continue;
			t->volatile_defaults |= contain_volatile_functions_not_nextval((Node *) def);
			t->defatt[t->ndefaults] = a;
			t->defexpr[t->ndefaults++] = ExecPrepareExpr(def, t->estate);
		}
	}
	AfterTriggerBeginQuery();
}

static void
close_target(RowTarget *t)
{
	AfterTriggerEndQuery(t->estate);
	EvalPlanQualEnd(&t->epq);
	/* its indexes, and any relation the triggers opened */
#if PG_VERSION_NUM >= 140000
	ExecCloseResultRelations(t->estate);
#else
	ExecCleanUpTriggerState(t->estate);
	ExecCloseIndices(t->rri);
#endif
	ExecResetTupleTable(t->estate->es_tupleTable, false);
	MemoryContextSwitchTo(t->caller);
	FreeExecutorState(t->estate);
	table_close(t->rel, NoLock);
}

/* row i's values of the named columns into the new row's slot */
static void
put_named(RowTarget *t, TupleTableSlot *slot, int ncols, Datum *const *cols,
		  bool *const *nulls, int i)
{
	for (int c = 0; c < ncols; c++)
	{
		slot->tts_values[t->att[c]] = cols[c][i];
		slot->tts_isnull[t->att[c]] = nulls && nulls[c] && nulls[c][i];
	}
}

/* n copies of one datum, as a column for eacct_insert_rows() */
Datum *
eacct_repeated(Datum d, int n)
{
	Datum	   *a = palloc(sizeof(Datum) * n);

	for (int i = 0; i < n; i++)
		a[i] = d;
	return a;
}

/*
 * Whether a target's rows can be stored with table_multi_insert(), as COPY
 * decides it: no BEFORE or INSTEAD OF row trigger (it may read the table,
 * or skip or change a row), no volatile default other than nextval()
 * (it may read the table too), no transition table, no stored generated
 * column, not a partition.
 */
static bool
multi_insert_ok(RowTarget *t)
{
	TriggerDesc *td = t->rri->ri_TrigDesc;
	TupleConstr *constr = RelationGetDescr(t->rel)->constr;

	return !(td && (td->trig_insert_before_row || td->trig_insert_instead_row ||
					td->trig_insert_new_table)) &&
		!t->volatile_defaults &&
		!(constr && constr->has_generated_stored) &&
		!t->rel->rd_rel->relispartition;
}

/*
 * Store n checked rows with one table_multi_insert() (one WAL record per
 * page, as COPY), then their index entries and AFTER ROW triggers row by
 * row, as CopyMultiInsertBufferFlush() does.
 */
static void
insert_many(RowTarget *t, TupleTableSlot **slots, int n)
{
	MemoryContext caller = MemoryContextSwitchTo(GetPerTupleMemoryContext(t->estate));

	table_multi_insert(t->rel, slots, n, GetCurrentCommandId(true), 0, NULL);
	MemoryContextSwitchTo(caller);
	for (int i = 0; i < n; i++)
	{
		List	   *recheck = NIL;

		if (t->rri->ri_NumIndices > 0)
#if PG_VERSION_NUM >= 160000
			recheck = ExecInsertIndexTuples(t->rri, slots[i], t->estate, false, false,
											NULL, NIL, false);
#elif PG_VERSION_NUM >= 140000
			recheck = ExecInsertIndexTuples(t->rri, slots[i], t->estate, false, false,
											NULL, NIL);
#else
			recheck = ExecInsertIndexTuples(slots[i], t->estate, false, NULL, NIL);
#endif
		ExecARInsertTriggers(t->estate, t->rri, slots[i], recheck, NULL);
		list_free(recheck);
	}
	ResetPerTupleExprContext(t->estate);
}

/* rows of one table_multi_insert() at most, as COPY buffers them */
#define MULTI_INSERT_ROWS 1000

/*
 * Insert nrows rows into eacct.<table>: column names[c] of row i is
 * cols[c][i], NULL when nulls[c] && nulls[c][i].  Fails as an INSERT
 * would (23505, 23514, ...).  Returns how many rows were stored: fewer
 * when a BEFORE ROW trigger skipped some.  Several rows go in together
 * (table_multi_insert) unless a trigger or column of the table needs
 * them one at a time.
 */
int
eacct_insert_rows(const char *table, int ncols, const char *const *names,
				  Datum *const *cols, bool *const *nulls, int nrows)
{
	RowTarget	t;
	TupleDesc	desc;
	TupleTableSlot **slots = NULL;
	int			nslots = 0;
	int			buffered = 0;
	int			stored = 0;

	if (nrows == 0)
		return 0;
	open_target(&t, table, ncols, names, false);
	desc = RelationGetDescr(t.rel);
	if (nrows > 1 && multi_insert_ok(&t))
	{
		/*
		 * Slots of an unpinned copy of the row type, in the executor
		 * state's memory: pinning the relation's descriptor for each cost
		 * as much as the multi-insert saved.  Constraints and defaults are
		 * read from the relation, not from the slots.
		 */
		TupleDesc	rowtype = CreateTupleDescCopy(desc);

		nslots = Min(nrows, MULTI_INSERT_ROWS);
		slots = palloc(sizeof(TupleTableSlot *) * nslots);
		for (int i = 0; i < nslots; i++)
			slots[i] = MakeTupleTableSlot(rowtype, &TTSOpsVirtual);
		CheckCmdReplicaIdentity(t.rel, CMD_INSERT);
	}
	for (int i = 0; i < nrows; i++)
	{
		TupleTableSlot *slot = slots ? slots[buffered] : t.slot;

		ExecClearTuple(slot);
		memset(slot->tts_isnull, true, sizeof(bool) * desc->natts);
		put_named(&t, slot, ncols, cols, nulls, i);
		for (int d = 0; d < t.ndefaults; d++)
			slot->tts_values[t.defatt[d]] =
				ExecEvalExpr(t.defexpr[d], GetPerTupleExprContext(t.estate),
							 &slot->tts_isnull[t.defatt[d]]);
		ExecStoreVirtualTuple(slot);
		slot->tts_tableOid = RelationGetRelid(t.rel);	/* for CHECKs on tableoid */
		if (slots)
		{
			/* checked now, stored with the rest of the buffer */
			if (desc->constr)
				ExecConstraints(t.rri, slot, t.estate);
			if (++buffered == nslots || i == nrows - 1)
			{
				insert_many(&t, slots, buffered);
				stored += buffered;
				buffered = 0;
			}
			continue;
		}
#if PG_VERSION_NUM >= 140000
		ExecSimpleRelationInsert(t.rri, t.estate, slot);
#else
		ExecSimpleRelationInsert(t.estate, slot);
#endif
		/* the insert sets the slot's TID; a skipped row leaves it invalid */
		if (ItemPointerIsValid(&slot->tts_tid))
			stored++;
		ResetPerTupleExprContext(t.estate);
	}
	close_target(&t);
	return stored;
}

/*
 * Update the row versions tids[0..nrows-1] of eacct.<table>, which this
 * transaction has locked: column names[c] of row i becomes cols[c][i]
 * (never NULL), the other columns keep their values.  A version whose
 * int8 column key_name does not hold keys[i] is left alone.
 * Fails as an UPDATE would.  Returns how many rows were updated: fewer
 * when a version was not found or a BEFORE ROW trigger skipped it.
 */
int
eacct_update_rows(const char *table, int ncols, const char *const *names,
				  Datum *const *cols, const ItemPointerData *tids,
				  HeapTuple const *olds,
				  const char *key_name, const int64 *keys, int nrows)
{
	RowTarget	t;
	TupleTableSlot *fetched;
	TupleTableSlot *kept = NULL;
	TriggerDesc *full;
	int			natts;
	int			key;
	int			updated = 0;

	if (nrows == 0)
		return 0;
	open_target(&t, table, ncols, names, true);
	full = t.rri->ri_TrigDesc;
	natts = RelationGetDescr(t.rel)->natts;
	key = eacct_column(t.rel, key_name) - 1;
	fetched = table_slot_create(t.rel, &t.estate->es_tupleTable);
	if (olds)
		kept = ExecInitExtraTupleSlot(t.estate, RelationGetDescr(t.rel), &TTSOpsHeapTuple);
	for (int i = 0; i < nrows; i++)
	{
		ItemPointerData tid = tids[i];
		TupleTableSlot *old;
		bool		isnull;

		/*
		 * The version the caller locked: its copy, or read again.  A row
		 * version never changes once written, so the copy is what the
		 * table holds at tid; an update of it since (by this transaction)
		 * fails below as it would have.
		 */
		if (olds && olds[i] && ItemPointerEquals(&olds[i]->t_self, &tid))
		{
			old = kept;
			ExecStoreHeapTuple(olds[i], old, false);
		}
		else
		{
			old = fetched;
			if (!table_tuple_fetch_row_version(t.rel, &tid, SnapshotAny, old))
				continue;
		}
		slot_getallattrs(old);
		if (old->tts_isnull[key] || DatumGetInt64(old->tts_values[key]) != keys[i])
		{
			ExecClearTuple(old);
			continue;
		}
		ExecClearTuple(t.slot);
		memcpy(t.slot->tts_values, old->tts_values, sizeof(Datum) * natts);
		memcpy(t.slot->tts_isnull, old->tts_isnull, sizeof(bool) * natts);
		put_named(&t, t.slot, ncols, cols, NULL, i);
		ExecStoreVirtualTuple(t.slot);
		t.slot->tts_tableOid = RelationGetRelid(t.rel);

		/*
		 * A version this transaction did not create: its foreign keys,
		 * unchanged, need no check (RI_FKey_fk_upd_check_required() would
		 * say so after fetching the version once more).
		 */
		if (t.lean &&
			!TransactionIdIsCurrentTransactionId(DatumGetTransactionId(
				slot_getsysattr(old, MinTransactionIdAttributeNumber, &isnull))))
			t.rri->ri_TrigDesc = t.lean;
#if PG_VERSION_NUM >= 140000
		ExecSimpleRelationUpdate(t.rri, t.estate, &t.epq, old, t.slot);
#else
		ExecSimpleRelationUpdate(t.estate, &t.epq, old, t.slot);
#endif
		/* (an error abandons the target with the call) */
		t.rri->ri_TrigDesc = full;
		/* the update sets the new row's TID; a skipped row leaves it invalid */
		if (ItemPointerIsValid(&t.slot->tts_tid))
			updated++;
		ExecClearTuple(old);
		ResetPerTupleExprContext(t.estate);
	}
	close_target(&t);
	return updated;
}
