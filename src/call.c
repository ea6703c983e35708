/*
 * call.c — what every SQL-callable eacct function does on entry and exit.
 *
 * eacct's functions are not SECURITY DEFINER in the catalog, because they
 * need to know who called them (administrator checks, created_by columns).
 * Instead each one records GetUserId() as the caller and then switches to
 * the owner of the called function — the extension owner — with search_path
 * pinned to "pg_catalog, pg_temp", exactly as fmgr does for a SECURITY
 * DEFINER function with SET search_path.  Statements are prepared once per
 * backend and kept (SPI_keepplan).
 */
#include "eacct.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "funcapi.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/planner.h"
#include "tcop/utility.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

/*
 * Per-FmgrInfo cache of the called function: its owner, looked up once per
 * query, and room for the function's own per-query state.
 */
EacctFnCache *
eacct_fn_cache(FunctionCallInfo fcinfo)
{
	EacctFnCache *fc = (EacctFnCache *) fcinfo->flinfo->fn_extra;
	HeapTuple	tp;

	if (fc)
		return fc;

	fc = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(EacctFnCache));
	tp = SearchSysCache1(PROCOID, ObjectIdGetDatum(fcinfo->flinfo->fn_oid));
	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for function %u",
			 fcinfo->flinfo->fn_oid);
	fc->owner = ((Form_pg_proc) GETSTRUCT(tp))->proowner;
	ReleaseSysCache(tp);
	fcinfo->flinfo->fn_extra = fc;
	return fc;
}

/*
 * Triggers on eacct's tables run with the rights of whoever runs the
 * statement that fires them, and inside an eacct call that is the
 * extension owner, a superuser.  So a trigger whose function belongs to a
 * role that is not a superuser (one the DBA granted TRIGGER on a table,
 * say) would run its owner's code as a superuser, past the guards.
 * eacct refuses to run while such a trigger exists.  The check is a
 * catalog query, made again only after an invalidation that could change
 * its answer (a relation, function or role changed); the call first takes
 * in the invalidations other sessions have sent.
 *
 * That check is made when the call starts, and a trigger created after it
 * (while the call waits for a row lock, say) would still fire once the
 * call locks the table it writes.  So every statement that writes one of
 * eacct's tables as a superuser also checks the triggers it will fire, as
 * the executor has them: eacct_check_fired_triggers(), from the rows.c
 * writes and, for SQL statements, from an ExecutorStart hook.
 */
static bool triggers_checked = false;
static Oid	running_fn;				/* the eacct call running, if any (below) */

static void
forget_triggers_check(Datum arg, Oid relid)
{
	triggers_checked = false;
	eacct_forget_relids_rel(relid);	/* lock.c's memo of relation OIDs */
}

/*
 * Trigger functions known to be safe (owned by a superuser), and schema
 * eacct's OID: forgotten with the check above.
 */
#define SAFE_FUNCTIONS 32
static Oid	safe_functions[SAFE_FUNCTIONS];
static int	nsafe_functions = 0;
static Oid	eacct_nsp = InvalidOid;
static bool eacct_nsp_known = false;

static void
forget_triggers_check_syscache(Datum arg, int cacheid, uint32 hashvalue)
{
	triggers_checked = false;
	nsafe_functions = 0;
	eacct_nsp = InvalidOid;
	eacct_nsp_known = false;
}

/*
 * Schema eacct's OID, remembered until a schema changes; InvalidOid when
 * there is none (the ExecutorStart hook stays after DROP EXTENSION).
 */
static Oid
eacct_namespace(void)
{
	if (!eacct_nsp_known)
	{
		/*
		 * The schema of extension eacct, not any schema of that name: with
		 * the library preloaded, a database without the extension may have
		 * an unrelated schema "eacct".  (CREATE EXTENSION makes functions,
		 * whose invalidations forget this.)
		 */
		Oid			ext = get_extension_oid("eacct", true);

		eacct_register_cache_callbacks();	/* which forget it */
		/* not relocatable: its schema is the one named in eacct.control */
		eacct_nsp = OidIsValid(ext) ? get_namespace_oid("eacct", true) : InvalidOid;
		eacct_nsp_known = true;
	}
	return eacct_nsp;
}

/*
 * eacct's trigger functions are executable by PUBLIC (creating a trigger
 * needs EXECUTE), and they trust the table they fire on to be eacct's: its
 * columns' types, row or statement.  On any other table they refuse to run.
 */
void
eacct_require_own_table(Relation rel, const char *fn)
{
	Oid			nsp = eacct_namespace();

	if (!OidIsValid(nsp) || RelationGetNamespace(rel) != nsp)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("eacct.%s() fires only on eacct's own tables", fn),
				 errdetail("It fired on table \"%s\".", RelationGetRelationName(rel))));
}

/*
 * The backend has ten relcache callback slots for every library it loads;
 * eacct takes one, for the trigger check and lock.c's memo of relation OIDs.
 */
void
eacct_register_cache_callbacks(void)
{
	static bool registered = false;

	if (registered)
		return;
	CacheRegisterRelcacheCallback(forget_triggers_check, (Datum) 0);
	CacheRegisterSyscacheCallback(PROCOID, forget_triggers_check_syscache, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHOID, forget_triggers_check_syscache, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, forget_triggers_check_syscache, (Datum) 0);
	registered = true;
}

static EacctPlan unsafe_trigger = {
	"SELECT t.tgname::pg_catalog.text, c.relname::pg_catalog.text,"
	"       t.tgfoid::pg_catalog.regprocedure::pg_catalog.text, r.rolname::pg_catalog.text"
	"  FROM pg_catalog.pg_trigger t"
	"  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid"
	"  JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) t.tgfoid"
	"  JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) p.proowner"
	" WHERE c.relnamespace OPERATOR(pg_catalog.=) 'eacct'::pg_catalog.regnamespace"
	"   AND NOT t.tgisinternal AND NOT r.rolsuper"
	" ORDER BY 2, 1 LIMIT 1",
	0, {InvalidOid}
};

/*
 * Schema eacct must stay a superuser's (the install scripts check it too):
 * its owner could rename it and put objects of its own under eacct's name,
 * which eacct's statements would then run as the extension owner.
 */
static void
check_schema_owner(void)
{
	Oid			nsp = eacct_namespace();
	HeapTuple	tp = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
	Oid			owner;

	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for schema %u", nsp);
	owner = ((Form_pg_namespace) GETSTRUCT(tp))->nspowner;
	ReleaseSysCache(tp);
	if (!superuser_arg(owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("schema eacct is owned by role %s, which is not a superuser",
						GetUserNameFromId(owner, false)),
				 errdetail("Its owner could replace eacct's objects, and eacct runs them as the extension owner."),
				 errhint("Give the schema to a superuser and drop what other roles own in it.")));
}

static void
check_triggers(void)
{
	eacct_register_cache_callbacks();
	AcceptInvalidationMessages();
	if (triggers_checked)
		return;
	/* not read-only: a new snapshot sees a trigger committed since the statement began */
	if (eacct_exec(&unsafe_trigger, NULL, NULL, false, 0) > 0)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;

		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("trigger %s on eacct.%s would run with the rights of eacct's owner",
						SPI_getvalue(tup, desc, 1), SPI_getvalue(tup, desc, 2)),
				 errdetail("Its function %s belongs to role %s, which is not a superuser;"
						   " eacct's calls run as the extension owner, and so do the triggers they fire.",
						   SPI_getvalue(tup, desc, 3), SPI_getvalue(tup, desc, 4)),
				 errhint("Drop the trigger, or give its function to a superuser.")));
	}
	check_schema_owner();
	triggers_checked = true;
}

/*
 * The triggers a statement writing rri's table will fire: when the table
 * is one of eacct's and the statement runs as a superuser (an eacct call
 * runs as the extension owner), none may have a function that a role
 * other than a superuser owns outside schema eacct.  42501 otherwise.
 */
void
eacct_check_fired_triggers(ResultRelInfo *rri)
{
	TriggerDesc *td = rri->ri_TrigDesc;
	Oid			nsp;

	if (td == NULL || !superuser())
		return;
	eacct_register_cache_callbacks();
	nsp = RelationGetNamespace(rri->ri_RelationDesc);
	/*
	 * Inside an eacct call every table counts: a superuser's trigger on
	 * eacct's tables may write another table (an unqualified name resolves
	 * to the caller's pg_temp under the pinned search_path), whose triggers
	 * would then run as the extension owner too.
	 */
	if (nsp != eacct_namespace() && !OidIsValid(running_fn))
		return;
	for (int i = 0; i < td->numtriggers; i++)
	{
		Trigger    *tg = &td->triggers[i];
		HeapTuple	tp;
		Form_pg_proc proc;
		Oid			owner;
		bool		safe;
		bool		known = false;

		if (tg->tgisinternal)
			continue;
		for (int k = 0; k < nsafe_functions && !known; k++)
			known = safe_functions[k] == tg->tgfoid;
		if (known)
			continue;
		tp = SearchSysCache1(PROCOID, ObjectIdGetDatum(tg->tgfoid));
		if (!HeapTupleIsValid(tp))
			elog(ERROR, "cache lookup failed for function %u", tg->tgfoid);
		proc = (Form_pg_proc) GETSTRUCT(tp);
		owner = proc->proowner;
		safe = superuser_arg(owner);
		ReleaseSysCache(tp);
		if (safe && nsafe_functions < SAFE_FUNCTIONS)
			safe_functions[nsafe_functions++] = tg->tgfoid;
		if (!safe)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("trigger %s on %s.%s would run with a superuser's rights",
							tg->tgname, get_namespace_name(nsp),
							RelationGetRelationName(rri->ri_RelationDesc)),
					 errdetail("Its function %s belongs to role %s, which is not a superuser;"
							   " this statement runs as %s.",
							   format_procedure(tg->tgfoid), GetUserNameFromId(owner, false),
							   GetUserNameFromId(GetUserId(), false)),
					 errhint("Drop the trigger, or give its function to a superuser.")));
	}
}

static ExecutorStart_hook_type prev_executor_start = NULL;

/* whether this session has made its temporary schema (most never do) */
static bool
has_temp_namespace(void)
{
	Oid			temp_nsp;
	Oid			temp_toast_nsp;

	GetTempNamespaceState(&temp_nsp, &temp_toast_nsp);
	return OidIsValid(temp_nsp);
}

/*
 * Inside a call (as the extension owner) no statement may reach a
 * temporary relation that is not a superuser's: a name a superuser's
 * trigger left unqualified resolves to the caller's pg_temp, and that
 * relation's triggers, defaults, rules, partitions or view would run the
 * caller's functions with the owner's rights.  The planner already runs
 * some of them (it folds IMMUTABLE functions in defaults, views and rules,
 * and estimates with STABLE ones), so the check is made before planning,
 * again before the executor starts (a plan made earlier), and for
 * TRUNCATE and COPY FROM, which fire triggers and defaults without either.
 */
static bool
temp_guard_active(void)
{
	return OidIsValid(running_fn) && has_temp_namespace() && superuser();
}

static void
refuse_foreign_temp_relation(Oid relid)
{
	HeapTuple	tp;
	bool		bad;

	if (!OidIsValid(relid))
		return;
	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tp))
		return;
	bad = ((Form_pg_class) GETSTRUCT(tp))->relpersistence == RELPERSISTENCE_TEMP &&
		!superuser_arg(((Form_pg_class) GETSTRUCT(tp))->relowner);
	ReleaseSysCache(tp);
	if (bad)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("temporary relation %s is not a superuser's",
						get_rel_name(relid)),
				 errdetail("A statement inside eacct call %s reached it; it would run as the extension owner.",
						   format_procedure(running_fn)),
				 errhint("Qualify the names in triggers on eacct's tables.")));
}

/* every range table entry of a query and its subqueries (a view's: 16+ keeps relid on its subquery RTE) */
static bool
temp_rte_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, RangeTblEntry))
	{
		refuse_foreign_temp_relation(((RangeTblEntry *) node)->relid);
		return false;
	}
	if (IsA(node, CoerceToDomain))
	{
		/* types are looked up in pg_temp: a caller's domain's CHECK */
		Oid			typid = ((CoerceToDomain *) node)->resulttype;
		HeapTuple	tp = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));

		if (HeapTupleIsValid(tp))
		{
			Form_pg_type typ = (Form_pg_type) GETSTRUCT(tp);
			bool		bad = isTempNamespace(typ->typnamespace) && !superuser_arg(typ->typowner);

			ReleaseSysCache(tp);
			if (bad)
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("temporary type %s is not a superuser's", format_type_be(typid)),
						 errdetail("A statement inside eacct call %s reached it; its constraints would run as the extension owner.",
								   format_procedure(running_fn)),
						 errhint("Qualify the names in triggers on eacct's tables.")));
		}
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, temp_rte_walker, context,
								 QTW_EXAMINE_RTES_BEFORE);
	return expression_tree_walker(node, temp_rte_walker, context);
}

static planner_hook_type prev_planner = NULL;

static PlannedStmt *
check_temp_planner(Query *parse, const char *query_string, int cursorOptions,
				   ParamListInfo boundParams)
{
	if (temp_guard_active())
		(void) temp_rte_walker((Node *) parse, NULL);
	if (prev_planner)
		return prev_planner(parse, query_string, cursorOptions, boundParams);
	return standard_planner(parse, query_string, cursorOptions, boundParams);
}

static ProcessUtility_hook_type prev_process_utility = NULL;

#if PG_VERSION_NUM >= 140000
#define UTILITY_ARGS pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc
static void
check_temp_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
				   ProcessUtilityContext context, ParamListInfo params,
				   QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
#else
#define UTILITY_ARGS pstmt, queryString, context, params, queryEnv, dest, qc
static void
check_temp_utility(PlannedStmt *pstmt, const char *queryString,
				   ProcessUtilityContext context, ParamListInfo params,
				   QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
#endif
{
	Node	   *stmt = pstmt->utilityStmt;

	if (temp_guard_active())
	{
		if (IsA(stmt, TruncateStmt))
		{
			ListCell   *lc;

			foreach(lc, ((TruncateStmt *) stmt)->relations)
				refuse_foreign_temp_relation(RangeVarGetRelid((RangeVar *) lfirst(lc), NoLock, true));
		}
		else if (IsA(stmt, CopyStmt) && ((CopyStmt *) stmt)->relation)
			refuse_foreign_temp_relation(RangeVarGetRelid(((CopyStmt *) stmt)->relation, NoLock, true));
		else if (IsA(stmt, AlterTableStmt))
			/* a rewrite checks the table's CHECK constraints and domains again */
			refuse_foreign_temp_relation(RangeVarGetRelid(((AlterTableStmt *) stmt)->relation, NoLock, true));
	}
	if (prev_process_utility)
		prev_process_utility(UTILITY_ARGS);
	else
		standard_ProcessUtility(UTILITY_ARGS);
}

/* the tables a statement writes, once the executor has opened them */
static void
check_statement_triggers(QueryDesc *queryDesc, int eflags)
{
	EState	   *estate;

	/* before the executor starts: its start-up prunes partitions with STABLE functions */
	if (!(eflags & EXEC_FLAG_EXPLAIN_ONLY) && temp_guard_active())
	{
		ListCell   *lc;

		foreach(lc, queryDesc->plannedstmt->rtable)
			refuse_foreign_temp_relation(((RangeTblEntry *) lfirst(lc))->relid);
	}
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;
	estate = queryDesc->estate;
#if PG_VERSION_NUM >= 140000
	{
		ListCell   *lc;

		foreach(lc, estate->es_opened_result_relations)
			eacct_check_fired_triggers((ResultRelInfo *) lfirst(lc));
	}
#else
	for (int i = 0; i < estate->es_num_result_relations; i++)
		eacct_check_fired_triggers(&estate->es_result_relations[i]);
#endif
}

/*
 * One eacct call at a time per backend.  A trigger on one of eacct's
 * tables fires inside the call that writes the table; an eacct call made
 * from it would read and write rows the outer call has read and is about
 * to write (the outer call then writes its own figures over the inner
 * call's: an enterprise's allocated total, say).  So a call made while
 * another is running is refused (0A000).  The running call is forgotten
 * when it returns, and when the (sub)transaction it started in aborts.
 */
static void enter(EacctCall *call, FunctionCallInfo fcinfo);
static Oid	running_fn = InvalidOid;
static SubTransactionId running_subid = InvalidSubTransactionId;

static void
forget_running_call(XactEvent event, void *arg)
{
	running_fn = InvalidOid;
}

static void
forget_running_call_sub(SubXactEvent event, SubTransactionId mySubid,
						SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB && OidIsValid(running_fn) &&
		running_subid >= mySubid)
		running_fn = InvalidOid;
}

static void
begin_call(FunctionCallInfo fcinfo)
{
	if (OidIsValid(running_fn))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s cannot be called while %s is running",
						format_procedure(fcinfo->flinfo->fn_oid),
						format_procedure(running_fn)),
				 errdetail("A trigger on one of eacct's tables fires inside the eacct call that writes the table."),
				 errhint("Make the call after that statement, not from a trigger on eacct's tables.")));
	running_fn = fcinfo->flinfo->fn_oid;
	running_subid = GetCurrentSubTransactionId();
}

void
eacct_call_init(void)
{
	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = check_statement_triggers;
	prev_planner = planner_hook;
	planner_hook = check_temp_planner;
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = check_temp_utility;
	RegisterXactCallback(forget_running_call, NULL);
	RegisterSubXactCallback(forget_running_call_sub, NULL);
}

void
eacct_enter(EacctCall *call, FunctionCallInfo fcinfo)
{
	begin_call(fcinfo);
	call->counted = true;
	enter(call, fcinfo);
}

/*
 * eacct_enter() for the views' row filter (eacct.may_view), which reads
 * only the administrators: it may run inside a call (a trigger reading a
 * view through a function of a role that is not a superuser), so it is
 * neither refused there nor counted as the running call.
 */
void
eacct_enter_row_filter(EacctCall *call, FunctionCallInfo fcinfo)
{
	call->counted = false;
	enter(call, fcinfo);
}

static void
enter(EacctCall *call, FunctionCallInfo fcinfo)
{
	call->caller = GetUserId();
	call->caller_name = NULL;
	call->outer = CurrentMemoryContext;
	call->ledger = NULL;
	memset(call->seq, 0, sizeof(call->seq));
	call->owner = eacct_fn_cache(fcinfo)->owner;
	call->wal_mark = XactLastRecEnd;
	call->repeat = false;
	memset(call->admin_known, 0, sizeof(call->admin_known));
	call->admin_next = 0;

	GetUserIdAndSecContext(&call->save_userid, &call->save_sec_context);
	SetUserIdAndSecContext(call->owner,
						   call->save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	call->guc_nest = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	check_triggers();
}

void
eacct_leave(EacctCall *call)
{
	ledger_flush(call);
	SPI_finish();
	AtEOXact_GUC(true, call->guc_nest);
	SetUserIdAndSecContext(call->save_userid, call->save_sec_context);
	if (call->repeat)
		eacct_flush_before_answer();
	/* this call wrote: the transaction's locks may go before its flush */
	if (XactLastRecEnd != call->wal_mark &&
		TransactionIdIsValid(GetTopTransactionIdIfAny()))
		eacct_commit_wrote();
	if (call->counted)
		running_fn = InvalidOid;
}

/* a statement's kept generic plan, prepared on first use */
SPIPlanPtr
eacct_prepare(EacctPlan *p)
{
	if (p->plan == NULL)
	{
		/*
		 * Generic plans: every statement looks rows up by key, so a plan
		 * made once is as good as one made for each call's values, and
		 * replanning was a third of a transfer's cost.
		 */
		SPIPlanPtr	plan = SPI_prepare_cursor(p->sql, p->nargs, p->argtypes,
											  p->cursor_options ? p->cursor_options :
											  CURSOR_OPT_GENERIC_PLAN);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 p->sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		p->plan = plan;
	}
	return p->plan;
}

/* run a kept generic plan, preparing it on first use; returns SPI_processed */
int
eacct_exec(EacctPlan *p, Datum *values, const char *nulls, bool read_only,
		   long count)
{
	int			rc;

	rc = SPI_execute_plan(eacct_prepare(p), values, nulls, read_only, count);
	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed for \"%s\": %s",
			 p->sql, SPI_result_code_string(rc));
	return (int) SPI_processed;
}

/* a kept plan run read-only as the snapshot `as_of' sees the tables */
int
eacct_exec_as_of(EacctPlan *p, Datum *values, const char *nulls, Snapshot as_of)
{
	int			rc;

	rc = SPI_execute_snapshot(eacct_prepare(p), values, nulls, as_of,
							  InvalidSnapshot, true, false, 0);
	if (rc < 0)
		elog(ERROR, "SPI_execute_snapshot failed for \"%s\": %s",
			 p->sql, SPI_result_code_string(rc));
	return (int) SPI_processed;
}

/*
 * A column of a statement's result read as `type': the statements read
 * eacct's tables, whose column types a superuser's ALTER TABLE could change
 * (a numeric read as an int8 is a pointer); an error instead.
 */
static inline void
result_type(TupleDesc desc, int col, Oid type)
{
	Oid			found = SPI_gettypeid(desc, col);

	if (unlikely(found != type))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("eacct read a column of type %s where it expects %s",
						format_type_be(found), format_type_be(type)),
				 errdetail("Column %s of a statement's result; one of eacct's tables was altered.",
						   SPI_fname(desc, col)),
				 errhint("Undo the ALTER TABLE, or install eacct again.")));
}

/* column `col' (1-based) of a tuple as int8 / bool; NULL reads as 0 / false */
int64
eacct_int8_col(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d;

	result_type(desc, col, INT8OID);
	d = SPI_getbinval(tup, desc, col, &isnull);
	return isnull ? 0 : DatumGetInt64(d);
}

bool
eacct_bool_col(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d;

	result_type(desc, col, BOOLOID);
	d = SPI_getbinval(tup, desc, col, &isnull);
	return !isnull && DatumGetBool(d);
}

/*
 * A one-dimensional array of n elements of type int8, oid, text or tid, with
 * NULLs where nulls[i] (nulls may be NULL): the parameters eacct passes to
 * its statements.
 */
Datum
eacct_array(Datum *elems, bool *nulls, int n, Oid type)
{
	int			dims[1] = {n};
	int			lbs[1] = {1};

	switch (type)
	{
		case INT8OID:
			return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, INT8OID,
													  sizeof(int64), FLOAT8PASSBYVAL,
													  TYPALIGN_DOUBLE));
		case OIDOID:
			return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, OIDOID,
													  sizeof(Oid), true, TYPALIGN_INT));
		case TEXTOID:
			return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, TEXTOID,
													  -1, false, TYPALIGN_INT));
		case TIDOID:
			return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, TIDOID,
													  sizeof(ItemPointerData), false,
													  TYPALIGN_SHORT));
	}
	elog(ERROR, "eacct_array: unsupported element type %u", type);
	return (Datum) 0;
}

/* qsort()/bsearch() order of int64 values */
int
eacct_cmp_int64(const void *x, const void *y)
{
	int64		a = *(const int64 *) x;
	int64		b = *(const int64 *) y;

	return (a > b) - (a < b);
}

/* sort ids[0..n-1] ascending and drop repeats; returns how many remain */
int
eacct_distinct_ids(int64 *ids, int n)
{
	int			k = 0;

	qsort(ids, n, sizeof(int64), eacct_cmp_int64);
	for (int i = 0; i < n; i++)
		if (k == 0 || ids[k - 1] != ids[i])
			ids[k++] = ids[i];
	return k;
}

/* column `col' (1-based) of result row `row' as int8 */
int64
eacct_int8_result(int row, int col, bool *isnull)
{
	bool		null;
	Datum		d;

	result_type(SPI_tuptable->tupdesc, col, INT8OID);
	d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &null);

	if (isnull)
		*isnull = null;
	return null ? 0 : DatumGetInt64(d);
}

void
eacct_require_arg(FunctionCallInfo fcinfo, int argno, const char *what)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be null", what),
				 errdetail("Argument %d of %s is NULL.", argno + 1,
						   get_func_name(fcinfo->flinfo->fn_oid))));
}

/*
 * An array argument: not NULL and one-dimensional (22023 otherwise), so
 * that a matrix is never read as the list of its elements.
 */
ArrayType *
eacct_array_arg(FunctionCallInfo fcinfo, int argno, const char *what)
{
	ArrayType  *arr;

	eacct_require_arg(fcinfo, argno, what);
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a one-dimensional array", what),
				 errdetail("Argument %d of %s has %d dimensions.", argno + 1,
						   get_func_name(fcinfo->flinfo->fn_oid), ARR_NDIM(arr))));
	return arr;
}

/* 22023 at the first NULL element of an array argument of n elements */
void
eacct_no_null_elements(const bool *nulls, int n, const char *what)
{
	for (int i = 0; nulls && i < n; i++)
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must not contain NULL", what),
					 errdetail("Element %d is NULL.", i + 1)));
}

int64
eacct_id_arg(FunctionCallInfo fcinfo, int argno, const char *what)
{
	eacct_require_arg(fcinfo, argno, what);
	return PG_GETARG_INT64(argno);
}

/*
 * Code points beyond ASCII that show nothing: Unicode's White_Space (but
 * the controls, which labels cannot hold, and the ASCII space, tested on
 * its own) and Default_Ignorable_Code_Point, such as zero-width and
 * bidirectional marks and variation selectors.
 */
static const pg_wchar invisible[][2] = {
	{0x00A0, 0x00A0}, {0x00AD, 0x00AD},
	{0x034F, 0x034F}, {0x061C, 0x061C}, {0x115F, 0x1160}, {0x1680, 0x1680},
	{0x17B4, 0x17B5}, {0x180B, 0x180F}, {0x2000, 0x200F}, {0x2028, 0x202F},
	{0x205F, 0x206F}, {0x3000, 0x3000}, {0x3164, 0x3164}, {0xFE00, 0xFE0F},
	{0xFEFF, 0xFEFF}, {0xFFA0, 0xFFA0}, {0xFFF0, 0xFFF8}, {0x1BCA0, 0x1BCA3},
	{0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF}
};

/*
 * The length of the character at u when it shows nothing (an ASCII space,
 * or in UTF-8 an invisible code point), or 0.
 */
static int
invisible_length(const unsigned char *u, bool utf8)
{
	int			len;
	pg_wchar	cp;

	if (u[0] == ' ')
		return 1;
	if (!utf8 || u[0] < 0x80)
		return 0;
	len = pg_utf_mblen(u);
	cp = utf8_to_unicode(u);
	for (int i = 0; i < (int) lengthof(invisible); i++)
		if (cp >= invisible[i][0] && cp <= invisible[i][1])
			return len;
	return 0;
}

/*
 * A label (name, address, request_id): at most maxlen characters, not
 * blank, no control characters; 22023 otherwise.
 */
void
eacct_check_label(const char *s, int maxlen, const char *what)
{
	int			len = pg_mbstrlen(s);
	int			encoding = GetDatabaseEncoding();
	bool		unicode = encoding != PG_SQL_ASCII;
	const char *t = s;
	int			pos = 0;
	bool		blank = true;

	if (len > maxlen)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is too long", what),
				 errdetail("It has %d characters; the limit is %d.", len, maxlen)));

	/*
	 * Controls and noncharacters are checked on the text as Unicode, whatever
	 * the database encoding: in LATIN1, byte 0x85 is U+0085, a C1 control.
	 * (SQL_ASCII stores bytes of no known encoding: C0 controls only.)
	 */
	if (unicode && encoding != PG_UTF8)
		t = pg_server_to_any(s, strlen(s), PG_UTF8);
	for (const char *c = t; *c; c += unicode ? pg_utf_mblen((const unsigned char *) c) : 1)
	{
		const unsigned char *u = (const unsigned char *) c;

		pos++;
		if (*u < 0x20 || *u == 0x7f)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s contains a control character", what),
					 errdetail("Character %d is 0x%02x.", pos, (unsigned char) *c)));
		/* C1 controls (U+0080-U+009F) and U+FFFE, U+FFFF, which no document holds */
		if (unicode &&
			((u[0] == 0xC2 && u[1] >= 0x80 && u[1] <= 0x9F) || eacct_utf8_noncharacter(u)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg(u[0] == 0xC2 ? "%s contains a control character" :
							"%s contains a Unicode noncharacter", what),
					 errdetail("Character %d is U+%04X.", pos, utf8_to_unicode(u))));
	}
	/* blank: nothing but spaces and invisible characters (of the Unicode text) */
	for (const unsigned char *u = (const unsigned char *) t; *u && blank;)
	{
		int			n = invisible_length(u, unicode);

		if (n == 0)
			blank = false;
		u += n;
	}
	if (blank)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", what),
				 errdetail("The %s \"%s\" has no visible character.", what, s)));
}

/* a name argument: not NULL, and a label of at most EACCT_MAX_NAME characters */
char *
eacct_name_arg(FunctionCallInfo fcinfo, int argno, const char *what)
{
	char	   *s;

	eacct_require_arg(fcinfo, argno, what);
	s = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	eacct_check_label(s, EACCT_MAX_NAME, what);
	return s;
}

/* an optional request_id argument: NULL, or a label of EACCT_MAX_REQUEST_ID */
char *
eacct_request_id_arg(FunctionCallInfo fcinfo, int argno)
{
	char	   *s;

	if (PG_ARGISNULL(argno))
		return NULL;
	s = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	eacct_check_label(s, EACCT_MAX_REQUEST_ID, "request_id");
	return s;
}

void
eacct_enterprise_not_found(int64 enterprise_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_NO_DATA_FOUND),
			 errmsg("enterprise " INT64_FORMAT " does not exist", enterprise_id),
			 errdetail("No enterprise has id " INT64_FORMAT ".", enterprise_id)));
}

void
eacct_account_not_found(int64 account_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_NO_DATA_FOUND),
			 errmsg("account " INT64_FORMAT " does not exist", account_id),
			 errdetail("No account has id " INT64_FORMAT ".", account_id)));
}

/*
 * An optional free text (memo, request_id): NULL stays NULL; otherwise at
 * most maxlen characters, not empty.
 */
char *
eacct_text_arg(FunctionCallInfo fcinfo, int argno, int maxlen, const char *what)
{
	char	   *s;
	int			len;

	if (PG_ARGISNULL(argno))
		return NULL;
	s = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	len = pg_mbstrlen(s);
	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", what),
				 errdetail("Pass NULL to omit the %s.", what)));
	if (len > maxlen)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is too long", what),
				 errdetail("It has %d characters; the limit is %d.", len, maxlen)));
	return s;
}

/* name of the calling role, for created_by / changed_by columns */
const char *
eacct_caller_name(EacctCall *call)
{
	if (call->caller_name == NULL)
		call->caller_name = GetUserNameFromId(call->caller, false);
	return call->caller_name;
}

/* error unless called where a materialized set is accepted */
void
eacct_check_srf(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
}

/*
 * Return the rows of the last SPI statement as the function's result set
 * (materialize mode).  The SPI result's columns must match the function's
 * declared result columns.
 */
void
eacct_return_spi_rows(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	TupleDesc	desc;
	Tuplestorestate *store;
	int			ncols;
	Datum	   *row;
	bool	   *nulls;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "function returning a set must return a composite type");
	desc = CreateTupleDescCopy(desc);
	ncols = desc->natts;
	if (SPI_tuptable->tupdesc->natts != ncols)
		elog(ERROR, "result has %d columns, function returns %d",
			 SPI_tuptable->tupdesc->natts, ncols);
	store = tuplestore_begin_heap(true, false, work_mem);
	row = palloc(sizeof(Datum) * ncols);
	nulls = palloc(sizeof(bool) * ncols);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		for (int c = 0; c < ncols; c++)
			row[c] = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
								   c + 1, &nulls[c]);
		tuplestore_putvalues(store, desc, row, nulls);
	}
	MemoryContextSwitchTo(old);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = desc;
}
