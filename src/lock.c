/*
 * lock.c — reading and locking a call's accounts through the table access
 * method.
 *
 * What a query did before (SELECT ... ORDER BY enterprise_id, account_id
 * FOR NO KEY UPDATE), without planning or starting an executor: find each
 * account by account_account_id_idx with a new snapshot (as an SPI
 * statement would take), sort them into the global lock order (SPEC rule
 * 13; see ledger.c), lock each with table_tuple_lock() as ExecLockRows()
 * does, and read the locked version.  Under READ COMMITTED the lock
 * follows a concurrent update to the newest version; under REPEATABLE READ
 * and SERIALIZABLE a concurrent change is a serialization failure (40001),
 * as for SELECT FOR UPDATE (test/isolation/specs/lock_isolation_levels).
 * The enterprise's account_center_enabled is read with the same snapshot,
 * unlocked.  Unlocked reads (transferable(), withdrawable(), ...) take the
 * same path without the locks.
 *
 * Starting the executor for the lock query was about a sixth of a single
 * transfer (callgrind: 698,037 -> 603,274 instructions); this path costs a
 * few index probes.
 */
#include "eacct.h"

#include "access/genam.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "parser/parse_relation.h"
#include "executor/tuptable.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/inval.h"
#include "utils/snapmgr.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "tcop/utility.h"
#include "storage/sinval.h"
#include "utils/syscache.h"

/* columns of eacct.account the ledger reads, found by name */
enum
{
	C_ENTERPRISE,
	C_ACCOUNT,
	C_NAME,
	C_IS_MA,
	C_BAL,						/* NBAL balance columns, in ledger order */
	C_ALERT_THRESHOLD = C_BAL + NBAL,
	C_ALERT_ENABLED,
	C_ALERT_STATUS,
	NCOLS
};

static const char *const col_names[NCOLS] = {
	[C_ENTERPRISE] = "enterprise_id",
	[C_ACCOUNT] = "account_id",
	[C_NAME] = "name",
	[C_IS_MA] = "is_ma",
	[C_BAL + B_OWN_CASH] = "own_cash",
	[C_BAL + B_TRANSFER_BOOK] = "transfer_book",
	[C_BAL + B_CREDIT_LIMIT] = "credit_limit",
	[C_BAL + B_OUTSTANDING] = "outstanding",
	[C_BAL + B_OVERDUE] = "overdue",
	[C_ALERT_THRESHOLD] = "alert_threshold",
	[C_ALERT_ENABLED] = "alert_enabled",
	[C_ALERT_STATUS] = "alert_status"
};

/* one account to lock: where the snapshot found it, and its sort key */
typedef struct Target
{
	int64		enterprise_id;
	int64		account_id;
	ItemPointerData tid;
	LedgerAccount **row;		/* where its locked state goes */
} Target;

/*
 * Relation OIDs by name.  A transfer opens its tables a dozen times; the
 * backend remembers eacct.<name> -> OID until pg_class or pg_namespace
 * changes (a syscache invalidation of either forgets everything), which
 * is when the catalog caches the look-up went through would change too.
 */
#define RELID_MEMO 32

static struct
{
	char		name[NAMEDATALEN];
	Oid			relid;
}			relid_memo[RELID_MEMO];
static int	nrelid_memo;

static void
forget_relids(Datum arg, int cacheid, uint32 hashvalue)
{
	nrelid_memo = 0;
}

/*
 * A relcache invalidation of a remembered relation (or of all) forgets
 * them too: Citus announces a table it has just distributed with one,
 * without changing the table's pg_class row (see refuse_distributed).
 * Called from call.c's relcache callback.
 */
void
eacct_forget_relids_rel(Oid relid)
{
	for (int i = 0; i < nrelid_memo; i++)
		if (!OidIsValid(relid) || relid_memo[i].relid == relid)
		{
			nrelid_memo = 0;
			return;
		}
}

/*
 * Citus keeps the rows of a distributed table in its shard tables and
 * plans every SQL statement on the table to them; the table itself stays
 * as a shell, and the rows it held when create_distributed_table() copied
 * them out stay on its disk, hidden from queries.  The ledger reads and
 * writes eacct's tables through the table access method, not through SQL,
 * so on a distributed table a call would move money in rows no query sees
 * and answer as if it had succeeded.  A relation that Citus lists in
 * pg_catalog.pg_dist_partition (distributed, reference or Citus local
 * tables alike) is refused; docs/scaling.md says what would have to change
 * first.  Without Citus the check is one negative catalog cache look-up
 * per name the backend remembers; with it, a scan of Citus's small
 * catalog per table name (after any change to pg_class the names are
 * looked up again).
 */
static void
refuse_distributed(Oid relid, const char *name)
{
	Oid			dist_relid = get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE);
	Relation	dist;
	AttrNumber	attnum;
	ScanKeyData key;
	SysScanDesc scan;
	bool		listed;
	char		relkind;

	if (!OidIsValid(dist_relid))
		return;
	/* Citus lists tables, never their indexes or sequences */
	relkind = get_rel_relkind(relid);
	if (relkind == RELKIND_INDEX || relkind == RELKIND_SEQUENCE)
		return;
	dist = table_open(dist_relid, AccessShareLock);
	attnum = attnameAttNum(dist, "logicalrelid", false);
	/* a catalog of another shape cannot say no: refuse rather than guess */
	if (attnum <= 0 ||
		(TupleDescAttr(RelationGetDescr(dist), attnum - 1)->atttypid != REGCLASSOID &&
		 TupleDescAttr(RelationGetDescr(dist), attnum - 1)->atttypid != OIDOID))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot tell whether eacct.%s is a Citus table", name),
				 errdetail("pg_catalog.pg_dist_partition has no column logicalrelid of type regclass, "
						   "where Citus lists its tables."),
				 errhint("See docs/scaling.md.")));
	ScanKeyInit(&key, attnum, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(dist, InvalidOid, false, NULL, 1, &key);
	listed = HeapTupleIsValid(systable_getnext(scan));
	systable_endscan(scan);
	table_close(dist, AccessShareLock);
	if (listed)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("eacct.%s is a Citus table", name),
				 errdetail("pg_catalog.pg_dist_partition lists eacct.%s, so its rows are in Citus shards; "
						   "eacct reads and writes eacct.%s on this node through the table access method, "
						   "where a call would change rows that no query sees.", name, name),
				 errhint("See docs/scaling.md for what eacct needs before its tables can be distributed.")));
}

/* the OID of relation eacct.<name> */
Oid
eacct_relid(const char *name)
{
	static bool registered = false;
	Oid			relid;

	for (int i = 0; i < nrelid_memo; i++)
		if (strcmp(relid_memo[i].name, name) == 0)
			return relid_memo[i].relid;
	if (!registered)
	{
		CacheRegisterSyscacheCallback(RELNAMENSP, forget_relids, (Datum) 0);
		CacheRegisterSyscacheCallback(NAMESPACENAME, forget_relids, (Datum) 0);
		eacct_register_cache_callbacks();	/* the relcache's, with call.c's */
		registered = true;
	}
	relid = get_relname_relid(name, get_namespace_oid("eacct", false));
	if (!OidIsValid(relid))
		elog(ERROR, "relation eacct.%s does not exist", name);
	refuse_distributed(relid, name);
	if (nrelid_memo < RELID_MEMO)
	{
		strlcpy(relid_memo[nrelid_memo].name, name, NAMEDATALEN);
		relid_memo[nrelid_memo].relid = relid;
		nrelid_memo++;
	}
	return relid;
}

/*
 * The OID of relation eacct.<name>, locked in mode, as
 * RangeVarGetRelidExtended() does it: when invalidations arrived while the
 * lock was taken (a concurrent DROP and CREATE EXTENSION, say), the name
 * is looked up again, and a name that now means another relation starts
 * over.  Open it with NoLock.
 */
Oid
eacct_locked_relid(const char *name, LOCKMODE mode)
{
	for (;;)
	{
		uint64		inval_count = SharedInvalidMessageCounter;
		Oid			relid = eacct_relid(name);

		LockRelationOid(relid, mode);
		if (inval_count == SharedInvalidMessageCounter || eacct_relid(name) == relid)
			return relid;
		UnlockRelationOid(relid, mode);
	}
}

/*
 * Column numbers by name.  A transfer looks up some fifty columns by name
 * (the callers' names are constant strings); the backend remembers each
 * (relation, name string) -> attnum and checks the remembered column
 * against the descriptor on every use, so a look-up is one comparison
 * instead of a scan of the descriptor, and a changed table is scanned again.
 */
#define COLUMN_MEMO_BITS 9
#define COLUMN_MEMO (1 << COLUMN_MEMO_BITS) /* slots */
#define COLUMN_PROBES 8			/* slots tried from a key's own */

static struct
{
	Oid			relid;
	const char *name;
	AttrNumber	attnum;
	Oid			type;
}			column_memo[COLUMN_MEMO];

/*
 * The type of each column the C code reads or writes by name (in the tables
 * it opens: enterprise, account, journal_entry, transfer_record and
 * transfer_pair, where a name has one type).  The code puts Datums of these
 * types in those columns: after an ALTER COLUMN ... TYPE (allowed on a
 * column no view or constraint uses) an int8 in a numeric column would
 * crash the server, so a changed type is an error instead.
 */
static const struct
{
	const char *name;
	Oid			type;
}			column_types[] = {
	{"enterprise_id", INT8OID}, {"account_id", INT8OID}, {"entry_id", INT8OID},
	{"record_id", INT8OID}, {"name", TEXTOID}, {"is_ma", BOOLOID},
	{"own_cash", INT8OID}, {"transfer_book", INT8OID}, {"credit_limit", INT8OID},
	{"outstanding", INT8OID}, {"overdue", INT8OID},
	{"d_own_cash", INT8OID}, {"d_transfer_book", INT8OID}, {"d_credit_limit", INT8OID},
	{"d_outstanding", INT8OID}, {"d_overdue", INT8OID},
	{"alert_threshold", INT8OID}, {"alert_enabled", BOOLOID}, {"alert_status", TEXTOID},
	{"account_center_enabled", BOOLOID}, {"kind", TEXTOID}, {"amount", INT8OID},
	{"coupon_id", INT8OID}, {"coupon_used", INT8OID}, {"counterparty", INT8OID},
	{"ref_id", INT8OID}, {"memo", TEXTOID}, {"request_id", TEXTOID},
	{"created_by", TEXTOID}, {"created_at", TIMESTAMPTZOID},
	{"from_account", INT8OID}, {"to_account", INT8OID},
	{"source_account", INT8OID}, {"holder_account", INT8OID},
	{"transferred", INT8OID}, {"withdrawn", INT8OID}
};

static Oid
column_type(const char *name)
{
	for (int i = 0; i < (int) lengthof(column_types); i++)
		if (strcmp(column_types[i].name, name) == 0)
			return column_types[i].type;
	elog(ERROR, "eacct: no type known for column %s", name);
	return InvalidOid;			/* keep the compiler quiet */
}

/* the number (attnum) of column `name' of a relation, of the type eacct writes */
AttrNumber
eacct_column(Relation rel, const char *name)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Oid			relid = RelationGetRelid(rel);
	/*
	 * Fibonacci hashing of the whole key: the name strings lie next to
	 * each other, a few bytes apart, so a hash of their addresses' low bits
	 * put neighbours in neighbouring slots, and whether a transfer's keys
	 * then crowded each other depended on how the compiler laid out the
	 * strings: a build that only added strings elsewhere counted 2,400
	 * more instructions per transfer, most of them in this function.
	 */
	int			home = (int) ((((uint64) (uintptr_t) name ^ ((uint64) relid << 32)) *
							   UINT64CONST(0x9E3779B97F4A7C15)) >> (64 - COLUMN_MEMO_BITS));
	int			slot = -1;
	Form_pg_attribute found = NULL;
	Oid			want;

	/*
	 * Open addressing: a transfer uses some fifty (relation, name) keys, and
	 * with one slot per key two of them sharing it pushed each other out on
	 * every call.
	 */
	for (int p = 0; p < COLUMN_PROBES; p++)
	{
		int			s = (home + p) % COLUMN_MEMO;
		AttrNumber	memo = column_memo[s].attnum;

		if (column_memo[s].name == NULL)
		{
			slot = s;
			break;
		}
		if (column_memo[s].relid != relid || column_memo[s].name != name)
			continue;
		slot = s;
		if (memo > 0 && memo <= desc->natts &&
			!TupleDescAttr(desc, memo - 1)->attisdropped &&
			strcmp(NameStr(TupleDescAttr(desc, memo - 1)->attname), name) == 0)
		{
			found = TupleDescAttr(desc, memo - 1);
			if (found->atttypid == column_memo[s].type)
				return memo;
		}
		break;
	}
	if (slot < 0)
		slot = home;			/* every slot tried is another key's: take the first */
	for (int i = 0; i < desc->natts && found == NULL; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (!a->attisdropped && strcmp(NameStr(a->attname), name) == 0)
			found = a;
	}
	if (found == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column %s of eacct.%s does not exist", name, RelationGetRelationName(rel)),
				 errdetail("eacct's code writes and reads it; its table was altered."),
				 errhint("Undo the ALTER TABLE, or install eacct again.")));
	want = column_type(name);
	if (found->atttypid != want)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column %s of eacct.%s has type %s, not %s", name,
						RelationGetRelationName(rel), format_type_be(found->atttypid),
						format_type_be(want)),
				 errdetail("eacct's code writes and reads it as %s; its table was altered.",
						   format_type_be(want)),
				 errhint("Undo the ALTER TABLE, or install eacct again.")));
	column_memo[slot].relid = relid;
	column_memo[slot].name = name;
	column_memo[slot].attnum = found->attnum;
	column_memo[slot].type = found->atttypid;
	return found->attnum;
}

/* index_beginscan() takes an instrumentation pointer from PostgreSQL 18 */
#if PG_VERSION_NUM >= 180000
#define begin_index_scan(heap, index, snap, nkeys) \
	index_beginscan(heap, index, snap, NULL, nkeys, 0)
#else
#define begin_index_scan(heap, index, snap, nkeys) \
	index_beginscan(heap, index, snap, nkeys, 0)
#endif

/*
 * The first row of the scan's relation whose (one int8 column) index key
 * is `key'; the scan is reused for every probe.
 */
static bool
probe(IndexScanDesc scan, int64 key, TupleTableSlot *slot)
{
	ScanKeyData skey;

	ScanKeyInit(&skey, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(key));
	index_rescan(scan, &skey, 1, NULL, 0);
	return index_getnext_slot(scan, ForwardScanDirection, slot);
}

static int64
int8_att(TupleTableSlot *slot, AttrNumber att)
{
	bool		isnull;
	Datum		d = slot_getattr(slot, att, &isnull);

	return isnull ? 0 : DatumGetInt64(d);
}

static bool
bool_att(TupleTableSlot *slot, AttrNumber att)
{
	bool		isnull;
	Datum		d = slot_getattr(slot, att, &isnull);

	return !isnull && DatumGetBool(d);
}

static int
cmp_target(const void *a, const void *b)
{
	const Target *x = a;
	const Target *y = b;

	if (x->enterprise_id != y->enterprise_id)
		return x->enterprise_id < y->enterprise_id ? -1 : 1;
	if (x->account_id != y->account_id)
		return x->account_id < y->account_id ? -1 : 1;
	return 0;
}

/*
 * Lock FOR NO KEY UPDATE the row version *tid of `rel' that `snap' found,
 * as ExecLockRows() does; the version locked is left in `slot' and *tid.
 * False if the row is gone.  `what' and `id' name the row in errors.
 */
static bool
lock_version(Relation rel, Snapshot snap, ItemPointer tid, TupleTableSlot *slot,
			 const char *what, int64 id)
{
	TM_FailureData tmfd;
	TM_Result	res;

	/* the flags of ExecLockRows() */
	res = table_tuple_lock(rel, tid, snap, slot, GetCurrentCommandId(true),
						   LockTupleNoKeyExclusive, LockWaitBlock,
						   TUPLE_LOCK_FLAG_LOCK_UPDATE_IN_PROGRESS |
						   (IsolationUsesXactSnapshot() ? 0 : TUPLE_LOCK_FLAG_FIND_LAST_VERSION),
						   &tmfd);
	switch (res)
	{
		case TM_Ok:
			ItemPointerCopy(&slot->tts_tid, tid);
			return true;
		case TM_Updated:
		case TM_Deleted:
			/* READ COMMITTED follows updates: this is a snapshot mode */
			if (res == TM_Deleted && !IsolationUsesXactSnapshot())
				return false;
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to concurrent update"),
					 errdetail("The %s " INT64_FORMAT " changed after this transaction's snapshot.",
							   what, id)));
			break;
		case TM_Invisible:
			elog(ERROR, "attempted to lock invisible tuple");
			break;
		default:
			/* TM_SelfModified cannot happen: the command counter was advanced */
			elog(ERROR, "unexpected result %d locking %s " INT64_FORMAT, (int) res, what, id);
	}
	return false;
}

/* the enterprise rows a call reads its flag from, opened on first use */
typedef struct EnterpriseReader
{
	Snapshot	snap;
	Relation	rel;
	Relation	idx;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	AttrNumber	center_att;
	bool		have_last;
	int64		last;			/* enterprise read last */
	bool		last_center;
} EnterpriseReader;

/* account_center_enabled of an enterprise, as e->snap sees it */
static bool
center_enabled(EnterpriseReader *e, int64 enterprise_id)
{
	if (e->have_last && enterprise_id == e->last)
		return e->last_center;
	if (e->rel == NULL)
	{
		e->rel = table_open(eacct_locked_relid("enterprise", AccessShareLock), NoLock);
		e->idx = index_open(eacct_locked_relid("enterprise_pkey", AccessShareLock), NoLock);
		e->slot = table_slot_create(e->rel, NULL);
		e->scan = begin_index_scan(e->rel, e->idx, e->snap, 1);
		e->center_att = eacct_column(e->rel, "account_center_enabled");
	}
	e->have_last = true;
	e->last = enterprise_id;
	e->last_center = probe(e->scan, enterprise_id, e->slot) &&
		bool_att(e->slot, e->center_att);
	ExecClearTuple(e->slot);
	return e->last_center;
}

/*
 * A copy of the row version in slot, which the caller locked among n rows,
 * for the flush to update from; NULL (the flush reads it again) past
 * 65,536 rows: mark_overdue may lock millions of accounts.
 */
static HeapTuple
keep_locked(TupleTableSlot *slot, int n)
{
	return n <= 65536 ? ExecCopySlotHeapTuple(slot) : NULL;
}

/* an account row into *a */
static void
read_row(TupleTableSlot *slot, const AttrNumber *att, LedgerAccount *a)
{
	bool		isnull;

	/* one pass over the row's columns, instead of one call for each */
	slot_getsomeattrs(slot, att[NCOLS]);
	a->account_id = int8_att(slot, att[C_ACCOUNT]);
	a->enterprise_id = int8_att(slot, att[C_ENTERPRISE]);
	a->name = TextDatumGetCString(slot_getattr(slot, att[C_NAME], &isnull));
	a->is_ma = bool_att(slot, att[C_IS_MA]);
	for (int b = 0; b < NBAL; b++)
		a->bal[b] = a->orig[b] = int8_att(slot, att[C_BAL + b]);
	a->alert_threshold = int8_att(slot, att[C_ALERT_THRESHOLD]);
	a->alert_enabled = bool_att(slot, att[C_ALERT_ENABLED]);
	a->alert_triggered = strcmp(TextDatumGetCString(slot_getattr(slot, att[C_ALERT_STATUS], &isnull)),
								"triggered") == 0;
	ItemPointerCopy(&slot->tts_tid, &a->tid);
	a->update_slot = 0;
}

/*
 * Read accounts ids[0..n-1] into out[] (same order as ids; duplicated ids
 * share one row), when `lock' locking them FOR NO KEY UPDATE in the global
 * order.  With `admin_of', only the accounts of enterprises its caller
 * administers are locked; the others are read as the snapshot sees them,
 * for the caller's check to refuse.  An unknown id is P0002, or with
 * missing_ok gets account_id = 0 and makes the result false.  Allocates in
 * the current memory context.
 */
bool
ledger_read_accounts(int n, const int64 *ids, LedgerAccount *out, bool lock,
					 bool missing_ok, EacctCall *admin_of, Snapshot as_of)
{
	EnterpriseReader e = {0};
	Relation	rel;
	Relation	idx;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	AttrNumber	att[NCOLS + 1];		/* and the last of them */
	/* huge: mark_overdue passes every account with a bill falling due */
	int64	   *uniq = palloc_extended(sizeof(int64) * (Size) n, MCXT_ALLOC_HUGE);	/* distinct ids, ascending */
	LedgerAccount **byid = palloc_extended(sizeof(LedgerAccount *) * (Size) n,
										   MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);	/* per uniq[] */
	LedgerAccount *rows = palloc_extended(sizeof(LedgerAccount) * (Size) n,
										  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	Target	   *t = palloc_extended(sizeof(Target) * (Size) n, MCXT_ALLOC_HUGE);
	int			nu = 0;
	int			nt = 0;
	int64		missing = 0;
	bool		all = true;
	Snapshot	fresh = NULL;

	/* SELECT FOR NO KEY UPDATE is refused there (25006); heap_lock_tuple() would need an xid */
	if (lock)
		PreventCommandIfReadOnly("SELECT FOR NO KEY UPDATE");
	/* see what our own earlier statements wrote, as SPI would */
	CommandCounterIncrement();
	rel = table_open(eacct_locked_relid("account", lock ? RowShareLock : AccessShareLock), NoLock);
	idx = index_open(eacct_locked_relid("account_account_id_idx", AccessShareLock), NoLock);
	slot = table_slot_create(rel, NULL);
	att[NCOLS] = 0;
	for (int c = 0; c < NCOLS; c++)
	{
		att[c] = eacct_column(rel, col_names[c]);
		att[NCOLS] = Max(att[NCOLS], att[c]);
	}
	memcpy(uniq, ids, sizeof(int64) * n);
	qsort(uniq, n, sizeof(int64), eacct_cmp_int64);
	for (int i = 0; i < n; i++)
		if (nu == 0 || uniq[nu - 1] != uniq[i])
			uniq[nu++] = uniq[i];

	/* a reading call's own snapshot (never one to lock with), or a new one */
	Assert(as_of == NULL || !lock);
	PushActiveSnapshot(as_of ? as_of : GetTransactionSnapshot());
	e.snap = GetActiveSnapshot();

	/* each account as the snapshot sees it; unknown ids are skipped */
	scan = begin_index_scan(rel, idx, e.snap, 1);
	for (int u = 0; u < nu; u++)
	{
		CHECK_FOR_INTERRUPTS();
		if (!probe(scan, uniq[u], slot))
			continue;
		if (!lock ||
			(admin_of != NULL &&
			 !eacct_is_admin(admin_of, int8_att(slot, att[C_ENTERPRISE]))))
		{
			read_row(slot, att, &rows[u]);
			/* never written: its caller's check refuses it (stranger) */
			rows[u].stranger = lock;
			byid[u] = &rows[u];
		}
		else
		{
			t[nt].account_id = uniq[u];
			t[nt].enterprise_id = int8_att(slot, att[C_ENTERPRISE]);
			ItemPointerCopy(&slot->tts_tid, &t[nt].tid);
			t[nt].row = &byid[u];
			nt++;
		}
		ExecClearTuple(slot);
	}
	index_endscan(scan);

	/* lock in the global order, reading the versions locked */
	qsort(t, nt, sizeof(Target), cmp_target);
	for (int k = 0; k < nt; k++)
	{
		/* a version that is gone or is another account now is not found */
		if (lock_version(rel, e.snap, &t[k].tid, slot, "account", t[k].account_id) &&
			int8_att(slot, att[C_ACCOUNT]) == t[k].account_id &&
			int8_att(slot, att[C_ENTERPRISE]) == t[k].enterprise_id)
		{
			/* rows[] is indexed as uniq[], like the unlocked reads above */
			LedgerAccount *row = &rows[t[k].row - byid];

			read_row(slot, att, row);
			/* what the flush's update starts from, instead of reading it again */
			row->locked = keep_locked(slot, n);
			*t[k].row = row;
		}
		ExecClearTuple(slot);
	}

	/*
	 * The account center flags.  Under READ COMMITTED a lock may have
	 * waited for a transaction that changed an enterprise's flag as well
	 * as the account: read them with a snapshot taken after the last lock,
	 * so that they are as new as the balances.  (REPEATABLE READ and
	 * SERIALIZABLE keep the transaction's snapshot; a lock that waited
	 * failed with 40001 there.)
	 */
	if (lock && nt > 0 && !IsolationUsesXactSnapshot())
		e.snap = fresh = RegisterSnapshot(GetLatestSnapshot());
	for (int u = 0; u < nu; u++)
		if (byid[u] != NULL)
			byid[u]->center_enabled = center_enabled(&e, byid[u]->enterprise_id);

	for (int i = 0; i < n; i++)
	{
		int64	   *u = bsearch(&ids[i], uniq, nu, sizeof(int64), eacct_cmp_int64);
		LedgerAccount *row;

		Assert(u != NULL);
		row = byid[u - uniq];
		if (row != NULL)
			out[i] = *row;
		else
		{
			if (all)
				missing = ids[i];
			memset(&out[i], 0, sizeof(LedgerAccount));
			all = false;
		}
	}

	if (e.rel)
	{
		index_endscan(e.scan);
		ExecDropSingleTupleTableSlot(e.slot);
		index_close(e.idx, NoLock);
		table_close(e.rel, NoLock);
	}
	if (fresh)
		UnregisterSnapshot(fresh);
	PopActiveSnapshot();
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, NoLock);
	table_close(rel, NoLock);
	pfree(uniq);
	pfree(byid);
	pfree(rows);
	pfree(t);
	if (!all && !missing_ok)
		eacct_account_not_found(missing);
	return all;
}

/* transfer pairs opened for reading by the primary key */
typedef struct PairReader
{
	Relation	rel;
	Relation	idx;
	TupleTableSlot *slot;
	IndexScanDesc scan;
	AttrNumber	transferred;
	AttrNumber	withdrawn;
} PairReader;

static void
open_pairs(PairReader *r, Snapshot snap)
{
	r->rel = table_open(eacct_locked_relid("transfer_pair", AccessShareLock), NoLock);
	r->idx = index_open(eacct_locked_relid("transfer_pair_pkey", AccessShareLock), NoLock);
	r->slot = table_slot_create(r->rel, NULL);
	r->scan = begin_index_scan(r->rel, r->idx, snap, 3);
	r->transferred = eacct_column(r->rel, "transferred");
	r->withdrawn = eacct_column(r->rel, "withdrawn");
}

static void
close_pairs(PairReader *r)
{
	index_endscan(r->scan);
	ExecDropSingleTupleTableSlot(r->slot);
	index_close(r->idx, NoLock);
	table_close(r->rel, NoLock);
}

/*
 * The pair row (enterprise_id, source, holder): its version and its two
 * sums; false when there is none.
 */
static bool
pair_probe(PairReader *r, int64 enterprise_id, int64 source, int64 holder,
		   ItemPointer tid, int64 *transferred, int64 *withdrawn)
{
	ScanKeyData key[3];
	bool		found;

	ScanKeyInit(&key[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(enterprise_id));
	ScanKeyInit(&key[1], 2, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(source));
	ScanKeyInit(&key[2], 3, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(holder));
	index_rescan(r->scan, key, 3, NULL, 0);
	found = index_getnext_slot(r->scan, ForwardScanDirection, r->slot);
	if (found)
	{
		ItemPointerCopy(&r->slot->tts_tid, tid);
		*transferred = int8_att(r->slot, r->transferred);
		*withdrawn = int8_att(r->slot, r->withdrawn);
	}
	ExecClearTuple(r->slot);
	return found;
}

/*
 * The transfer_pair rows p[0..n-1] as `snap' sees them, found by the
 * primary key, and with `lock' locked FOR NO KEY UPDATE (the versions
 * locked): found, version and sums of each.
 */
static void
read_pairs(int n, LedgerPair *p, Snapshot snap, bool lock)
{
	PairReader	r;

	CommandCounterIncrement();
	PushActiveSnapshot(snap);
	open_pairs(&r, GetActiveSnapshot());
	for (int i = 0; i < n; i++)
	{
		p[i].locked = NULL;
		p[i].found = pair_probe(&r, p[i].enterprise_id, p[i].source, p[i].holder,
								&p[i].tid, &p[i].transferred, &p[i].withdrawn);
		if (lock && p[i].found)
		{
			p[i].found = lock_version(r.rel, GetActiveSnapshot(), &p[i].tid, r.slot,
									  "transfer pair of account", p[i].source);
			if (p[i].found)
			{
				p[i].transferred = int8_att(r.slot, r.transferred);
				p[i].withdrawn = int8_att(r.slot, r.withdrawn);
				p[i].locked = keep_locked(r.slot, n);
			}
			ExecClearTuple(r.slot);
		}
	}
	close_pairs(&r);
	PopActiveSnapshot();
}

/*
 * net_transferred(source -> holder): transferred minus withdrawn of its
 * eacct.transfer_pair row, read with `as_of' or else a new snapshot (as the
 * SELECT it replaces did), or -1 when the source never transferred to the
 * holder.
 */
int64
ledger_pair_net(int64 enterprise_id, int64 source, int64 holder, Snapshot as_of)
{
	LedgerPair	p = {.enterprise_id = enterprise_id, .source = source, .holder = holder};

	read_pairs(1, &p, as_of ? as_of : GetTransactionSnapshot(), false);
	/* the pair's CHECK keeps 0 <= withdrawn <= transferred */
	return p.found ? p.transferred - p.withdrawn : -1;
}

/*
 * The transfer_pair rows p[0..n-1] as last committed (or written by this
 * transaction), locked FOR NO KEY UPDATE for changing them: found, version
 * and sums of each.  The caller holds the locks of both accounts of every
 * pair, which eacct takes before it writes a pair, so no other call of
 * eacct can insert or change them until it commits; the row lock covers
 * any other writer (the updates that the pair's guard lets through).
 */
void
ledger_pair_rows(int n, LedgerPair *p)
{
	read_pairs(n, p, GetLatestSnapshot(), true);
}
