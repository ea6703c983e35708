/*
 * ledger.c — the ledger core: the one door every balance change goes
 * through.
 *
 * Lock order (SPEC rule 13).  A call locks first all its accounts, in
 * ascending (enterprise_id, account_id), then reserves its idempotency
 * keys, in (enterprise_id, request_id) order, then locks the enterprise
 * rows it writes, in ascending enterprise_id.  Accounts come before the
 * enterprise because a top-up only learns that it pays overdue debt — and
 * so must update the enterprise's overdue total — after it has read the
 * locked account and reserved its key; mark_overdue locks every account
 * whose bills fall due, then the enterprises.  A call that spans
 * enterprises (transfer_batch, mark_overdue) keeps the same three steps:
 * it holds no key or enterprise row while it waits for an account, and no
 * enterprise row while it waits for a key (isolation spec
 * overdue_batch_topup).
 *
 * This file is the only writer of balance columns: eacct_ledger_writing is
 * true exactly while it writes them (its UPDATE statements, and the row
 * API updates of ledger_update_rows, with the row triggers they fire),
 * and the guard triggers (guard.c) reject every other change of a balance
 * column with UA010.
 */
#include "eacct.h"

#include "access/xact.h"
#include "commands/sequence.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

bool		eacct_ledger_writing = false;

static EacctPlan lock_enterprise = {
	"SELECT e.ma_account_id, e.credit_line, e.allocated, e.overdue,"
	" e.credit_status, e.account_center_enabled"
	" FROM eacct.enterprise e WHERE e.enterprise_id OPERATOR(pg_catalog.=) $1"
	" FOR NO KEY UPDATE",
	1, {INT8OID}
};

static EacctPlan write_enterprise = {
	"UPDATE eacct.enterprise SET credit_line = $2, allocated = $3, overdue = $4,"
	" credit_status = $5 WHERE enterprise_id OPERATOR(pg_catalog.=) $1",
	5, {INT8OID, INT8OID, INT8OID, INT8OID, TEXTOID}
};

#define FLUSH_COLS 21
/* journal columns that may be NULL */
static const bool flush_nullable[FLUSH_COLS] = {
	[15] = true, [17] = true, [18] = true, [19] = true, [20] = true
};
/* the journal's columns, in the order of the buffer's, then the two added */
static const char *const journal_names[FLUSH_COLS + 2] = {
	"enterprise_id", "entry_id", "account_id", "kind", "amount", "d_own_cash",
	"d_transfer_book", "d_credit_limit", "d_outstanding", "d_overdue", "own_cash",
	"transfer_book", "credit_limit", "outstanding", "overdue", "coupon_id", "coupon_used",
	"counterparty", "ref_id", "memo", "request_id", "created_by", "created_at"
};

/* the account columns the flush writes: the balances in ledger order, then */
static const char *const account_names[NBAL + 1] = {
	"own_cash", "transfer_book", "credit_limit", "outstanding", "overdue", "alert_status"
};

/* the last state of an account changed by this call */
typedef struct LedgerUpdate
{
	int64		account_id;
	ItemPointerData tid;
	HeapTuple	old;			/* a copy of that version, or NULL */
	int64		bal[NBAL];
	bool		triggered;
} LedgerUpdate;

struct LedgerBuffer
{
	int			n;				/* journal entries */
	int			cap;
	Datum	   *cols[FLUSH_COLS];
	bool	   *nulls[FLUSH_COLS];
	int			nupd;			/* changed accounts */
	int			updcap;
	LedgerUpdate *upd;
	bool		flushed;		/* row versions in upd[] are gone */
};

static EacctPlan reserve_request = {
	"INSERT INTO eacct.request (enterprise_id, request_id, operation, args, result)"
	" VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
	5, {INT8OID, TEXTOID, TEXTOID, TEXTOID, INT8OID}
};

static EacctPlan find_request = {
	"SELECT r.operation, r.args, r.result FROM eacct.request r"
	" WHERE r.enterprise_id OPERATOR(pg_catalog.=) $1"
	"   AND r.request_id OPERATOR(pg_catalog.=) $2",
	2, {INT8OID, TEXTOID}
};

/*
 * Read accounts ids[0..n-1] into out[] (same order as ids), locking them
 * FOR NO KEY UPDATE in ascending (enterprise_id, account_id) order when
 * `lock' (src/lock.c).  Duplicated ids are allowed and read once.  An
 * unknown id is P0002.  Memory is allocated in the current context.
 */
void
ledger_accounts(EacctCall *call, int n, const int64 *ids, LedgerAccount *out,
				bool lock)
{
	if (n > 0)
		(void) ledger_read_accounts(n, ids, out, lock, false, NULL, NULL);
}

/*
 * ledger_accounts(..., lock = false) as the snapshot `as_of' sees them: a
 * reading call that reads more than the accounts reads it all as of one
 * moment, so that its figures were true together.
 */
void
ledger_accounts_as_of(EacctCall *call, int n, const int64 *ids, LedgerAccount *out,
					  Snapshot as_of)
{
	if (n > 0)
		(void) ledger_read_accounts(n, ids, out, false, false, NULL, as_of);
}

/*
 * ledger_accounts(..., lock = true) for a call that then checks that its
 * caller administers the accounts' enterprises: an account of an
 * enterprise the caller does not administer is read without its lock, so
 * that the check refuses the call (42501) without the caller ever having
 * waited for, held or failed on (40001) another enterprise's rows.
 */
void
ledger_admin_accounts(EacctCall *call, int n, const int64 *ids, LedgerAccount *out)
{
	if (n > 0)
		(void) ledger_read_accounts(n, ids, out, true, false, call, NULL);
}

/*
 * ledger_admin_accounts() marking unknown ids with account_id = 0 instead
 * of raising P0002; returns true when all were found.
 */
bool
ledger_accounts_missing_ok(EacctCall *call, int n, const int64 *ids,
						   LedgerAccount *out, bool lock)
{
	return n == 0 || ledger_read_accounts(n, ids, out, lock, true, call, NULL);
}

void
ledger_lock_enterprise(EacctCall *call, int64 enterprise_id, LedgerEnterprise *e)
{
	Datum		values[1] = {Int64GetDatum(enterprise_id)};
	HeapTuple	tup;
	TupleDesc	desc;
	char	   *status;

	if (eacct_exec(&lock_enterprise, values, NULL, false, 0) != 1)
		eacct_enterprise_not_found(enterprise_id);
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	e->enterprise_id = enterprise_id;
	e->ma_account_id = eacct_int8_col(tup, desc, 1);
	e->credit_line = eacct_int8_col(tup, desc, 2);
	e->allocated = eacct_int8_col(tup, desc, 3);
	e->overdue = eacct_int8_col(tup, desc, 4);
	status = SPI_getvalue(tup, desc, 5);
	strlcpy(e->credit_status, status, sizeof(e->credit_status));
	e->center_enabled = eacct_bool_col(tup, desc, 6);
}

void
ledger_write_enterprise(EacctCall *call, LedgerEnterprise *e)
{
	Datum		values[5];

	values[0] = Int64GetDatum(e->enterprise_id);
	values[1] = Int64GetDatum(e->credit_line);
	values[2] = Int64GetDatum(e->allocated);
	values[3] = Int64GetDatum(e->overdue);
	values[4] = CStringGetTextDatum(e->credit_status);
	ledger_write(&write_enterprise, values, NULL);
}

int64
ledger_available(const LedgerAccount *a)
{
	return rule_available(a->bal[B_OWN_CASH], a->bal[B_TRANSFER_BOOK],
						  a->bal[B_CREDIT_LIMIT], a->bal[B_OUTSTANDING]);
}

/*
 * run a statement that writes balance columns or adds rows to a guarded
 * table, past the guard triggers (guard.c)
 */
int
ledger_write(EacctPlan *p, Datum *values, const char *nulls)
{
	bool		save = eacct_ledger_writing;
	int			n = 0;

	eacct_ledger_writing = true;
	PG_TRY();
	{
		n = eacct_exec(p, values, nulls, false, 0);
	}
	PG_FINALLY();
	{
		eacct_ledger_writing = save;
	}
	PG_END_TRY();
	return n;
}

/* eacct_update_rows() (rows.c) of balance columns, past the guard triggers */
int
ledger_update_rows(const char *table, int ncols, const char *const *names,
				   Datum *const *cols, const ItemPointerData *tids,
				   HeapTuple const *olds,
				   const char *key_name, const int64 *keys, int nrows)
{
	bool		save = eacct_ledger_writing;
	int			n = 0;

	eacct_ledger_writing = true;
	PG_TRY();
	{
		n = eacct_update_rows(table, ncols, names, cols, tids, olds, key_name, keys, nrows);
	}
	PG_FINALLY();
	{
		eacct_ledger_writing = save;
	}
	PG_END_TRY();
	return n;
}

/*
 * nextval() of one of eacct's sequences, without SPI; the OID is looked up
 * once per call (a call cannot see DDL in its middle).
 */
int64
ledger_nextval(EacctCall *call, EacctSeq which)
{
	static const char *const names[NSEQ] = {
		[SEQ_ENTRY] = "entry_id_seq",
		[SEQ_RECORD] = "record_id_seq",
		[SEQ_BILL] = "bill_id_seq",
		[SEQ_CHANGE] = "change_id_seq"
	};

	bool		first = !OidIsValid(call->seq[which]);

	/*
	 * The caller's right to the sequence (USAGE or UPDATE, as the role
	 * its statements run as) is checked on its first nextval of the call;
	 * a call does not change roles or grants between two of its ids.
	 */
	if (first)
		call->seq[which] = eacct_locked_relid(names[which], RowExclusiveLock);
	return nextval_internal(call->seq[which], first);
}

static int
cmp_update(const void *a, const void *b)
{
	int64		x = ((const LedgerUpdate *) a)->account_id;
	int64		y = ((const LedgerUpdate *) b)->account_id;

	return (x > y) - (x < y);
}

/*
 * Sort the changed accounts by id; two LedgerAccount copies of one account
 * posted in one call would each hold only part of its changes: that is a
 * bug in the caller, so it fails the call rather than write either.
 */
static void
sort_updates(LedgerBuffer *buf)
{
	qsort(buf->upd, buf->nupd, sizeof(LedgerUpdate), cmp_update);
	for (int i = 0; i + 1 < buf->nupd; i++)
		if (buf->upd[i + 1].account_id == buf->upd[i].account_id)
			elog(ERROR, "account " INT64_FORMAT " was changed through two copies in one call",
				 buf->upd[i].account_id);
}

/*
 * The buffered journal entries, through the executor's row API (rows.c),
 * with the caller's name and the transaction's start time (created_at's
 * default, now()).  An entry that a trigger kept out of the journal fails
 * the call: balances must never move without their entries.
 */
static void
insert_journal(EacctCall *call, const LedgerBuffer *buf)
{
	Datum	   *cols[FLUSH_COLS + 2];
	bool	   *nulls[FLUSH_COLS + 2];
	Datum		caller = CStringGetTextDatum(eacct_caller_name(call));
	Datum		now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	int			stored;

	for (int c = 0; c < FLUSH_COLS; c++)
	{
		cols[c] = buf->cols[c];
		nulls[c] = flush_nullable[c] ? buf->nulls[c] : NULL;
	}
	cols[FLUSH_COLS] = eacct_repeated(caller, buf->n);
	cols[FLUSH_COLS + 1] = eacct_repeated(now, buf->n);
	nulls[FLUSH_COLS] = nulls[FLUSH_COLS + 1] = NULL;
	stored = eacct_insert_rows("journal_entry", FLUSH_COLS + 2, journal_names,
							   cols, nulls, buf->n);
	if (stored != buf->n)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("eacct ledger lost journal entries"),
				 errdetail("The call posted %d journal entries; the journal stored %d of them.",
						   buf->n, stored)));
}

/*
 * Each changed account's row set to its balances after its last entry,
 * through the executor's row API, by the row version its lock returned.
 * Each row was locked by this call, so only this transaction can have
 * moved it (a DBA's trigger that changed the account meanwhile); then, or
 * when a trigger skipped the row, the update fails and so does the call,
 * which keeps money intact.
 */
static void
update_accounts(const LedgerBuffer *buf)
{
	Datum	   *cols[NBAL + 1];
	ItemPointerData *tids = palloc(sizeof(ItemPointerData) * buf->nupd);
	HeapTuple  *olds = palloc(sizeof(HeapTuple) * buf->nupd);
	int64	   *ids = palloc(sizeof(int64) * buf->nupd);
	int			updated;

	for (int c = 0; c <= NBAL; c++)
		cols[c] = palloc(sizeof(Datum) * buf->nupd);
	for (int i = 0; i < buf->nupd; i++)
	{
		const LedgerUpdate *u = &buf->upd[i];

		tids[i] = u->tid;
		olds[i] = u->old;
		ids[i] = u->account_id;
		for (int b = 0; b < NBAL; b++)
			cols[b][i] = Int64GetDatum(u->bal[b]);
		cols[NBAL][i] = CStringGetTextDatum(u->triggered ? "triggered" : "ok");
	}
	updated = ledger_update_rows("account", NBAL + 1, account_names, cols, tids, olds,
								 "account_id", ids, buf->nupd);
	if (updated != buf->nupd)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("eacct ledger lost track of locked account rows"),
				 errdetail("The call changed %d accounts; its UPDATE reached %d of their rows.",
						   buf->nupd, updated)));
}

/*
 * Write the buffered journal entries and account states of this call,
 * through the executor's row API (rows.c).
 */
void
ledger_flush(EacctCall *call)
{
	LedgerBuffer *buf = call->ledger;

	if (buf == NULL || buf->n == 0)
		return;
	sort_updates(buf);
	insert_journal(call, buf);
	update_accounts(buf);
	buf->n = 0;
	buf->nupd = 0;
	buf->flushed = true;
}

/* remember the state of account `a' after this change, for the flush */
static void
buffer_update(EacctCall *call, LedgerBuffer *buf, LedgerAccount *a)
{
	LedgerUpdate *u;

	/* an account read without its lock is never written */
	if (a->stranger)
		elog(ERROR, "eacct would write account " INT64_FORMAT " without its lock",
			 a->account_id);
	if (a->update_slot == 0 || a->update_slot > buf->nupd ||
		buf->upd[a->update_slot - 1].account_id != a->account_id)
	{
		if (buf->nupd == buf->updcap)
		{
			buf->updcap = Max(8, buf->updcap * 2);
			/* huge: mark_overdue may change millions of accounts in one call */
			buf->upd = buf->upd ?
				repalloc_huge(buf->upd, sizeof(LedgerUpdate) * (Size) buf->updcap) :
				MemoryContextAllocHuge(call->outer, sizeof(LedgerUpdate) * (Size) buf->updcap);
		}
		a->update_slot = ++buf->nupd;
		buf->upd[a->update_slot - 1].account_id = a->account_id;
		ItemPointerCopy(&a->tid, &buf->upd[a->update_slot - 1].tid);
		buf->upd[a->update_slot - 1].old = a->locked;
	}
	u = &buf->upd[a->update_slot - 1];
	memcpy(u->bal, a->bal, sizeof(a->bal));
	u->triggered = a->alert_triggered;
}

static void
buffer_put(LedgerBuffer *buf, int col, Datum value, bool isnull)
{
	buf->cols[col][buf->n] = value;
	if (flush_nullable[col])
		buf->nulls[col][buf->n] = isnull;
}

/*
 * Record a change of account `a' (its balances as changed by the caller):
 * evaluate its low balance alert (SPEC rule 9: edge-triggered, one
 * notification per crossing) and buffer the journal entry; ledger_flush()
 * (called by eacct_leave) writes entries and balances.  Returns the
 * journal entry id.
 */
int64
ledger_post(EacctCall *call, LedgerAccount *a, const char *kind, int64 amount,
			const LedgerRef *ref)
{
	LedgerBuffer *buf = call->ledger;
	int64		entry_id;
	bool		fire;

	if (buf == NULL)
		buf = call->ledger = MemoryContextAllocZero(call->outer, sizeof(LedgerBuffer));
	/* a call writes once, at its end: the TIDs it locked are then stale */
	if (buf->flushed)
		elog(ERROR, "ledger entry posted after the call's flush");
	entry_id = (ref && ref->entry_id) ? ref->entry_id : ledger_nextval(call, SEQ_ENTRY);
	fire = ledger_evaluate_alert(a);
	if (buf->n == buf->cap)
	{
		int			cap = Max(8, buf->cap * 2);

		for (int c = 0; c < FLUSH_COLS; c++)
		{
			buf->cols[c] = buf->cap ? repalloc(buf->cols[c], sizeof(Datum) * cap) :
				MemoryContextAlloc(call->outer, sizeof(Datum) * cap);
			if (flush_nullable[c])
				buf->nulls[c] = buf->cap ? repalloc(buf->nulls[c], sizeof(bool) * cap) :
					MemoryContextAlloc(call->outer, sizeof(bool) * cap);
		}
		buf->cap = cap;
	}

	buffer_put(buf, 0, Int64GetDatum(a->enterprise_id), false);
	buffer_put(buf, 1, Int64GetDatum(entry_id), false);
	buffer_put(buf, 2, Int64GetDatum(a->account_id), false);
	buffer_put(buf, 3, PointerGetDatum(cstring_to_text(kind)), false);
	buffer_put(buf, 4, Int64GetDatum(amount), false);
	for (int b = 0; b < NBAL; b++)
	{
		buffer_put(buf, 5 + b, Int64GetDatum(eacct_sub(a->bal[b], a->orig[b])), false);
		buffer_put(buf, 10 + b, Int64GetDatum(a->bal[b]), false);
	}
	buffer_put(buf, 15, Int64GetDatum(ref ? ref->coupon_id : 0), !(ref && ref->coupon_id));
	buffer_put(buf, 16, Int64GetDatum(ref ? ref->coupon_used : 0), false);
	buffer_put(buf, 17, Int64GetDatum(ref ? ref->counterparty : 0), !(ref && ref->counterparty));
	buffer_put(buf, 18, Int64GetDatum(ref ? ref->ref_id : 0), !(ref && ref->ref_id));
	buffer_put(buf, 19, (ref && ref->memo) ? PointerGetDatum(cstring_to_text(ref->memo)) : (Datum) 0,
			   !(ref && ref->memo));
	buffer_put(buf, 20, (ref && ref->request_id) ? PointerGetDatum(cstring_to_text(ref->request_id)) : (Datum) 0,
			   !(ref && ref->request_id));
	buf->n++;
	memcpy(a->orig, a->bal, sizeof(a->bal));
	buffer_update(call, buf, a);

	if (fire)
		ledger_alert_notify(call, a);
	return entry_id;
}

/*
 * Low balance alert (SPEC rule 9), edge-triggered: an enabled alert whose
 * status is ok turns triggered when available credit falls below the
 * threshold (returns true: one notification is due); a triggered alert
 * returns to ok, silently, when available credit is at or above it again.
 * A disabled alert is always ok.
 */
bool
ledger_evaluate_alert(LedgerAccount *a)
{
	int64		available = ledger_available(a);

	if (!a->alert_enabled)
	{
		a->alert_triggered = false;
		return false;
	}
	if (!a->alert_triggered && available < a->alert_threshold)
	{
		a->alert_triggered = true;
		return true;
	}
	if (a->alert_triggered && available >= a->alert_threshold)
		a->alert_triggered = false;
	return false;
}

/* queue the low_balance notification of an alert that just triggered */
void
ledger_alert_notify(EacctCall *call, const LedgerAccount *a)
{
	char	   *figures = psprintf("{\"available_credit\": %s, \"threshold\": %s}",
								   eacct_cents_to_cstring(ledger_available(a)),
								   eacct_cents_to_cstring(a->alert_threshold));

	notify_queue(call, a->enterprise_id, a->account_id, "low_balance",
				 figures, true);
}

static EacctPlan entry_of_account = {
	"SELECT 1 FROM eacct.journal_entry j"
	" WHERE j.enterprise_id OPERATOR(pg_catalog.=) $1"
	"   AND j.account_id OPERATOR(pg_catalog.=) $2"
	"   AND j.entry_id OPERATOR(pg_catalog.=) $3",
	3, {INT8OID, INT8OID, INT8OID}
};

/*
 * Idempotency (SPEC rule 11).  Reserve request_id for this call with
 * `result' as its answer and return false, or, when an earlier committed
 * call holds it, set *result to that call's answer and return true.  A
 * concurrent holder makes us wait for its commit or abort (unique index).
 * The same key with another operation or other arguments is UA012.
 *
 * `legacy_args', when not NULL, is how libraries before 0.5.0 wrote the
 * arguments of a call on one account (`account'): without the account.
 * A key stored that way answers only a call on the account of the
 * journal entry it holds.
 *
 * With `mismatch', UA012 is not raised: *mismatch is set and false returned.
 */
static bool
request(EacctCall *call, int64 enterprise_id, const char *request_id,
		const char *operation, const char *args, const char *legacy_args,
		int64 account, int64 *result, bool *mismatch)
{
	Datum		values[5];
	HeapTuple	tup;
	TupleDesc	desc;
	char	   *op;
	char	   *old_args;
	int64		old_result;
	bool		same;

	if (request_id == NULL)
		return false;
	values[0] = Int64GetDatum(enterprise_id);
	values[1] = CStringGetTextDatum(request_id);
	values[2] = CStringGetTextDatum(operation);
	values[3] = CStringGetTextDatum(args);
	values[4] = Int64GetDatum(*result);
	if (ledger_write(&reserve_request, values, NULL) == 1)
		return false;

	if (eacct_exec(&find_request, values, NULL, false, 0) != 1)
		elog(ERROR, "request \"%s\" vanished", request_id);
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	op = SPI_getvalue(tup, desc, 1);
	old_args = SPI_getvalue(tup, desc, 2);
	old_result = eacct_int8_col(tup, desc, 3);
	same = strcmp(op, operation) == 0 && strcmp(old_args, args) == 0;
	if (!same && legacy_args != NULL &&
		strcmp(op, operation) == 0 && strcmp(old_args, legacy_args) == 0)
	{
		Datum		entry[3] = {Int64GetDatum(enterprise_id), Int64GetDatum(account),
		Int64GetDatum(old_result)};

		same = eacct_exec(&entry_of_account, entry, NULL, false, 0) == 1;
	}
	if (!same && mismatch != NULL)
	{
		*mismatch = true;
		return false;
	}
	if (!same)
	{
		/* a refusal that names the earlier call: that call is durable first */
		eacct_flush_before_answer();
		ereport(ERROR,
				(errcode(ERRCODE_EACCT_REQUEST_REUSED),
				 errmsg("request_id \"%s\" was already used with different arguments",
						request_id),
				 errdetail("It was used for %s(%s); this call is %s(%s).",
						   op, old_args, operation, args)));
	}
	/* a repeat: eacct_leave() answers only once the first call is durable */
	call->repeat = true;
	*result = old_result;
	return true;
}

/* request() for a call whose arguments name their accounts */
bool
ledger_request(EacctCall *call, int64 enterprise_id, const char *request_id,
			   const char *operation, const char *args, int64 *result)
{
	return request(call, enterprise_id, request_id, operation, args, NULL, 0, result, NULL);
}

/* ledger_request() that reports UA012 in *mismatch instead of raising it */
bool
ledger_request_try(EacctCall *call, int64 enterprise_id, const char *request_id,
				   const char *operation, const char *args, int64 *result,
				   bool *mismatch)
{
	*mismatch = false;
	return request(call, enterprise_id, request_id, operation, args, NULL, 0, result,
				   mismatch);
}

/*
 * request() for a call on one account whose other arguments are `args':
 * the key stands for "account,args", so the same key on another account
 * is UA012.  `legacy_args' are the same arguments as libraries before
 * 0.5.0 wrote them.
 */
bool
ledger_request_on(EacctCall *call, const LedgerAccount *a, const char *request_id,
				  const char *operation, const char *args, const char *legacy_args,
				  int64 *result)
{
	if (request_id == NULL)
		return false;
	return request(call, a->enterprise_id, request_id, operation,
				   psprintf(INT64_FORMAT ",%s", a->account_id, args), legacy_args,
				   a->account_id, result, NULL);
}

/* UA008 unless the account's enterprise has the account center enabled */
void
ledger_require_center(const LedgerAccount *a)
{
	if (!a->center_enabled)
		ereport(ERROR,
				(errcode(ERRCODE_EACCT_CENTER_DISABLED),
				 errmsg("account center is not enabled for enterprise " INT64_FORMAT,
						a->enterprise_id),
				 errdetail("Account " INT64_FORMAT " belongs to enterprise " INT64_FORMAT
						   ", whose account center is disabled.",
						   a->account_id, a->enterprise_id)));
}

/* UA009 unless both accounts belong to one enterprise */
void
ledger_same_enterprise(const LedgerAccount *a, const LedgerAccount *b)
{
	if (a->enterprise_id != b->enterprise_id)
		ereport(ERROR,
				(errcode(ERRCODE_EACCT_OTHER_ENTERPRISE),
				 errmsg("accounts belong to different enterprises"),
				 errdetail("Account " INT64_FORMAT " belongs to enterprise " INT64_FORMAT
						   ", account " INT64_FORMAT " to enterprise " INT64_FORMAT ".",
						   a->account_id, a->enterprise_id,
						   b->account_id, b->enterprise_id)));
}
