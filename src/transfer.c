/*
 * transfer.c — money between accounts of one enterprise (SPEC rules 3-5):
 * transfer, withdraw, transferable, withdrawable, transfer_batch.
 *
 * A transfer a -> b draws on a's own cash only and lands in b's transfer
 * book, which can only be spent or pulled back by a (withdraw b -> a, up
 * to withdrawable(b -> a)).  eacct.transfer_pair keeps, per (source,
 * holder), how much was transferred and withdrawn.
 */
#include "eacct.h"

#include "access/xact.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/timestamp.h"
#include "utils/array.h"
#include "utils/snapmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(eacct_transfer);
PG_FUNCTION_INFO_V1(eacct_withdraw);
PG_FUNCTION_INFO_V1(eacct_transferable);
PG_FUNCTION_INFO_V1(eacct_withdrawable);
PG_FUNCTION_INFO_V1(eacct_transfer_batch);


/*
 * Transfer records of a call are buffered and written after the call's
 * journal entries and balances (ledger_flush), through the executor's row
 * API (rows.c), with the matching changes of eacct.transfer_pair:
 * transfer_batch() sums its transfers per pair first.  A pair row is
 * changed only under the locks of both its accounts, which the call holds,
 * so it is read, then updated or inserted, without ON CONFLICT.
 */
static const char *const record_names[] = {
	"enterprise_id", "record_id", "kind", "from_account", "to_account", "amount",
	"request_id", "created_by", "created_at"
};
#define RECORD_COLS ((int) lengthof(record_names))

static const char *const pair_names[] = {
	"enterprise_id", "source_account", "holder_account", "transferred", "withdrawn"
};
#define PAIR_COLS ((int) lengthof(pair_names))
#define PAIR_SUMS 3				/* transferred, withdrawn: pair_names[3..4] */

typedef struct RecordBuffer
{
	int			n;
	int			cap;
	bool		withdraw;		/* its records are withdrawals (else transfers) */
	Datum	   *ent,
			   *id,
			   *from,
			   *to,
			   *amount,
			   *request_id;
	bool	   *request_null;
} RecordBuffer;

static RecordBuffer *
record_buffer(int cap)
{
	RecordBuffer *b = palloc0(sizeof(RecordBuffer));

	b->cap = Max(cap, 1);
	b->ent = palloc(sizeof(Datum) * b->cap);
	b->id = palloc(sizeof(Datum) * b->cap);
	b->from = palloc(sizeof(Datum) * b->cap);
	b->to = palloc(sizeof(Datum) * b->cap);
	b->amount = palloc(sizeof(Datum) * b->cap);
	b->request_id = palloc(sizeof(Datum) * b->cap);
	b->request_null = palloc(sizeof(bool) * b->cap);
	return b;
}

/* the buffered transfer records */
static void
write_records(EacctCall *call, RecordBuffer *b)
{
	Datum	   *cols[RECORD_COLS] = {
		b->ent, b->id,
		eacct_repeated(CStringGetTextDatum(b->withdraw ? "withdraw" : "transfer"), b->n),
		b->from, b->to, b->amount, b->request_id,
		eacct_repeated(CStringGetTextDatum(eacct_caller_name(call)), b->n),
		eacct_repeated(TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()), b->n)
	};
	bool	   *nulls[RECORD_COLS] = {[6] = b->request_null};
	int			stored;

	stored = eacct_insert_rows("transfer_record", RECORD_COLS, record_names, cols, nulls, b->n);
	if (stored != b->n)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("eacct lost transfer records"),
				 errdetail("The call made %d transfer records; the table stored %d of them.",
						   b->n, stored)));
}

/* one pair's change: (enterprise, source, holder) and the sum moved */
typedef struct PairChange
{
	int64		ent;
	int64		source;
	int64		holder;
	int64		sum;
} PairChange;

static int
cmp_pair(const void *a, const void *b)
{
	const PairChange *x = a;
	const PairChange *y = b;

	if (x->ent != y->ent)
		return x->ent < y->ent ? -1 : 1;
	if (x->source != y->source)
		return x->source < y->source ? -1 : 1;
	if (x->holder != y->holder)
		return x->holder < y->holder ? -1 : 1;
	return 0;
}

/*
 * The pairs' new sums: transfers add to `transferred' of (from -> to),
 * withdrawals to `withdrawn' of (to -> from); existing rows are updated,
 * a transfer's new pair inserted.
 */
static void
write_pairs(RecordBuffer *b)
{
	PairChange *c = palloc(sizeof(PairChange) * b->n);
	LedgerPair *p;
	int			nc = 0;
	int			sum = b->withdraw ? 1 : 0;	/* which of the two sums moves */
	Datum	   *upd[2];
	Datum	   *ins[PAIR_COLS];
	ItemPointerData *tids = palloc(sizeof(ItemPointerData) * b->n);
	HeapTuple  *olds = palloc(sizeof(HeapTuple) * b->n);
	int64	   *holders = palloc(sizeof(int64) * b->n);
	int			nu = 0;
	int			ni = 0;
	int			done;

	for (int i = 0; i < b->n; i++)
	{
		c[i].ent = DatumGetInt64(b->ent[i]);
		c[i].source = DatumGetInt64(b->withdraw ? b->to[i] : b->from[i]);
		c[i].holder = DatumGetInt64(b->withdraw ? b->from[i] : b->to[i]);
		c[i].sum = DatumGetInt64(b->amount[i]);
	}
	qsort(c, b->n, sizeof(PairChange), cmp_pair);
	for (int i = 0; i < b->n; i++)
	{
		if (nc > 0 && cmp_pair(&c[nc - 1], &c[i]) == 0)
			c[nc - 1].sum = eacct_add(c[nc - 1].sum, c[i].sum);
		else
			c[nc++] = c[i];
	}

	p = palloc(sizeof(LedgerPair) * nc);
	for (int i = 0; i < nc; i++)
	{
		p[i].enterprise_id = c[i].ent;
		p[i].source = c[i].source;
		p[i].holder = c[i].holder;
	}
	ledger_pair_rows(nc, p);

	for (int k = 0; k < 2; k++)
		upd[k] = palloc(sizeof(Datum) * nc);
	for (int k = 0; k < PAIR_COLS; k++)
		ins[k] = palloc(sizeof(Datum) * nc);
	for (int i = 0; i < nc; i++)
	{
		int64		sums[2] = {p[i].transferred, p[i].withdrawn};

		if (p[i].found)
		{
			tids[nu] = p[i].tid;
			olds[nu] = p[i].locked;
			sums[sum] = eacct_add(sums[sum], c[i].sum);
			upd[0][nu] = Int64GetDatum(sums[0]);
			upd[1][nu] = Int64GetDatum(sums[1]);
			holders[nu++] = c[i].holder;
		}
		else if (b->withdraw)
			elog(ERROR, "transfer pair of account " INT64_FORMAT " to " INT64_FORMAT " is gone",
				 c[i].source, c[i].holder);
		else
		{
			ins[0][ni] = Int64GetDatum(c[i].ent);
			ins[1][ni] = Int64GetDatum(c[i].source);
			ins[2][ni] = Int64GetDatum(c[i].holder);
			ins[3][ni] = Int64GetDatum(c[i].sum);
			ins[4][ni] = Int64GetDatum(0);
			ni++;
		}
	}

	/* the pair's guard lets only the ledger change its sums */
	done = ledger_update_rows("transfer_pair", 2, &pair_names[PAIR_SUMS], upd, tids, olds,
							  "holder_account", holders, nu);
	done += eacct_insert_rows("transfer_pair", PAIR_COLS, pair_names, ins, NULL, ni);
	if (done != nu + ni)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("eacct lost transfer pair changes"),
				 errdetail("The call changed %d transfer pairs; %d were written.",
						   nu + ni, done)));
}

/* write the call's journal entries and balances, then its records and pairs */
static void
flush_records(EacctCall *call, RecordBuffer *b)
{
	if (b->n == 0)
		return;
	ledger_flush(call);
	write_records(call, b);
	write_pairs(b);
	b->n = 0;
}

/*
 * Re-raise the error being handled with "Element i: " in front of its
 * detail, keeping SQLSTATE and message (transfer_batch).
 */
void
eacct_rethrow_with_index(int index)
{
	ErrorData  *edata;

	/* we are in ErrorContext; the copy must live elsewhere until rethrown */
	MemoryContextSwitchTo(TopTransactionContext);
	edata = CopyErrorData();
	FlushErrorState();
	eacct_throw_element(index, edata);
}

/* raise a copied error again with "Element i: " in front of its detail */
void
eacct_throw_element(int index, ErrorData *edata)
{
	edata->detail = edata->detail ?
		psprintf("Element %d: %s", index, edata->detail) :
		psprintf("Element %d failed.", index);
	ReThrowError(edata);
}

/*
 * The caller must administer the enterprise of each side (42501) before
 * anything else is said about the pair: a call that touches another
 * enterprise is refused as such, not answered with UA009.
 */
static void
check_admin_of_pair(EacctCall *call, const LedgerAccount *from, const LedgerAccount *to)
{
	eacct_check_account_admin(call, from);
	if (to->enterprise_id != from->enterprise_id)
		eacct_check_account_admin(call, to);
}

/* check_admin_of_pair() as a predicate (transfer_batch) */
static bool
is_admin_of_pair(EacctCall *call, const LedgerAccount *from, const LedgerAccount *to)
{
	return eacct_is_account_admin(call, from) &&
		(to->enterprise_id == from->enterprise_id || eacct_is_account_admin(call, to));
}

/*
 * What the arguments alone rule out: the same account on both sides
 * (22023), two enterprises (UA009).  A call with a request_id that was
 * answered before passed these; the account center (UA008) is checked
 * after the key, so that a repeat answers even when the center was
 * switched off since (rule 11).
 */
static bool
pair_ok(const LedgerAccount *from, const LedgerAccount *to)
{
	return from->account_id != to->account_id &&
		from->enterprise_id == to->enterprise_id;
}

static void
check_pair(const LedgerAccount *from, const LedgerAccount *to)
{
	if (from->account_id == to->account_id)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from_account and to_account must differ"),
				 errdetail("Both are account " INT64_FORMAT ".", from->account_id)));
	ledger_same_enterprise(from, to);
}

/*
 * net_transferred(source -> holder) as `as_of' (or a new snapshot) sees
 * it, or -1 when source never transferred
 */
static int64
net_transferred(const LedgerAccount *source, const LedgerAccount *holder, Snapshot as_of)
{
	return ledger_pair_net(source->enterprise_id, source->account_id, holder->account_id,
						   as_of);
}

static void
add_record(RecordBuffer *b, const char *kind, const LedgerAccount *from,
		   const LedgerAccount *to, int64 amount, int64 record_id,
		   const char *request_id)
{
	Assert(b->n < b->cap);
	b->ent[b->n] = Int64GetDatum(from->enterprise_id);
	b->id[b->n] = Int64GetDatum(record_id);
	b->withdraw = (strcmp(kind, "withdraw") == 0);
	b->from[b->n] = Int64GetDatum(from->account_id);
	b->to[b->n] = Int64GetDatum(to->account_id);
	b->amount[b->n] = Int64GetDatum(amount);
	b->request_id[b->n] = request_id ? CStringGetTextDatum(request_id) : (Datum) 0;
	b->request_null[b->n] = (request_id == NULL);
	b->n++;
}

/* a movement's record kind and the kinds of its two journal entries */
typedef struct MovementKind
{
	const char *record;
	const char *out;
	const char *in;
} MovementKind;

static const MovementKind TRANSFER_KIND = {"transfer", "transfer_out", "transfer_in"};
static const MovementKind WITHDRAW_KIND = {"withdraw", "withdraw_out", "withdraw_in"};

/*
 * The record of a movement of `kind' from -> to and the journal entries of
 * both sides (constants, not formatted for every transfer).
 */
static void
record_movement(EacctCall *call, RecordBuffer *rb, const MovementKind *kind,
				LedgerAccount *from, LedgerAccount *to, int64 amount,
				int64 record_id, const char *request_id)
{
	LedgerRef	ref = {0};

	add_record(rb, kind->record, from, to, amount, record_id, request_id);
	ref.ref_id = record_id;
	ref.request_id = request_id;
	ref.counterparty = to->account_id;
	ledger_post(call, from, kind->out, amount, &ref);
	ref.counterparty = from->account_id;
	ledger_post(call, to, kind->in, amount, &ref);
}

/* transfer a -> b on locked accounts: rule 3, then the effect */
static void
apply_transfer(EacctCall *call, RecordBuffer *rb, LedgerAccount *a, LedgerAccount *b,
			   int64 amount, int64 record_id, const char *request_id)
{
	int64		transferable = rule_transferable(ledger_available(a), a->bal[B_OWN_CASH]);

	if (amount > transferable)
		ereport(ERROR,
				(errcode(ERRCODE_EACCT_TRANSFERABLE),
				 errmsg("transfer amount exceeds the transferable amount of account " INT64_FORMAT,
						a->account_id),
				 errdetail("Transferable amount is %s; the transfer is %s.",
						   eacct_cents_to_cstring(transferable),
						   eacct_cents_to_cstring(amount))));

	a->bal[B_OWN_CASH] = eacct_sub(a->bal[B_OWN_CASH], amount);
	b->bal[B_TRANSFER_BOOK] = eacct_add(b->bal[B_TRANSFER_BOOK], amount);

	record_movement(call, rb, &TRANSFER_KIND, a, b, amount, record_id, request_id);
}

/* withdraw holder b -> source a on locked accounts: rule 5, then the effect */
static void
apply_withdraw(EacctCall *call, RecordBuffer *rb, LedgerAccount *b, LedgerAccount *a,
			   int64 amount, int64 record_id, const char *request_id)
{
	int64		net = net_transferred(a, b, NULL);
	int64		withdrawable;

	if (net < 0)
		ereport(ERROR,
				(errcode(ERRCODE_EACCT_NEVER_TRANSFERRED),
				 errmsg("account " INT64_FORMAT " never transferred to account " INT64_FORMAT,
						a->account_id, b->account_id),
				 errdetail("Only the account that sent funds can withdraw them.")));
	withdrawable = rule_withdrawable(b->bal[B_TRANSFER_BOOK], ledger_available(b), net);
	if (amount > withdrawable)
		ereport(ERROR,
				(errcode(ERRCODE_EACCT_WITHDRAWABLE),
				 errmsg("withdraw amount exceeds the withdrawable amount"),
				 errdetail("Withdrawable amount from account " INT64_FORMAT " to account "
						   INT64_FORMAT " is %s; the withdrawal is %s.",
						   b->account_id, a->account_id,
						   eacct_cents_to_cstring(withdrawable),
						   eacct_cents_to_cstring(amount))));

	b->bal[B_TRANSFER_BOOK] = eacct_sub(b->bal[B_TRANSFER_BOOK], amount);
	a->bal[B_OWN_CASH] = eacct_add(a->bal[B_OWN_CASH], amount);

	record_movement(call, rb, &WITHDRAW_KIND, b, a, amount, record_id, request_id);
}

static char *
pair_args(int64 from, int64 to, int64 amount)
{
	return psprintf(INT64_FORMAT "," INT64_FORMAT ",%s", from, to,
					eacct_cents_to_cstring(amount));
}

/* transfer() and withdraw(): one movement between two accounts */
static Datum
move_one(FunctionCallInfo fcinfo, bool is_withdraw)
{
	EacctCall	call;
	LedgerAccount acc[2];
	int64		ids[2];
	int64		amount;
	char	   *request_id;
	int64		record_id;
	const char *op = is_withdraw ? "withdraw" : "transfer";
	RecordBuffer *rb;

	ids[0] = eacct_id_arg(fcinfo, 0, "from_account");
	ids[1] = eacct_id_arg(fcinfo, 1, "to_account");
	amount = eacct_amount_arg(fcinfo, 2, "amount", AMOUNT_POSITIVE);
	request_id = eacct_request_id_arg(fcinfo, 3);

	rb = record_buffer(1);
	eacct_enter(&call, fcinfo);
	/*
	 * Lock first (a failed check below releases the locks with the error),
	 * but only accounts whose enterprise the caller administers.
	 */
	ledger_admin_accounts(&call, 2, ids, acc);
	check_admin_of_pair(&call, &acc[0], &acc[1]);
	check_pair(&acc[0], &acc[1]);

	record_id = ledger_nextval(&call, SEQ_RECORD);
	if (!ledger_request(&call, acc[0].enterprise_id, request_id, op,
						request_id ? pair_args(ids[0], ids[1], amount) : NULL, &record_id))
	{
		ledger_require_center(&acc[0]);
		if (is_withdraw)
			apply_withdraw(&call, rb, &acc[0], &acc[1], amount, record_id, request_id);
		else
			apply_transfer(&call, rb, &acc[0], &acc[1], amount, record_id, request_id);
		flush_records(&call, rb);
	}
	eacct_leave(&call);
	PG_RETURN_INT64(record_id);
}

/* transfer(from_account, to_account, amount, request_id) -> record id */
Datum
eacct_transfer(PG_FUNCTION_ARGS)
{
	return move_one(fcinfo, false);
}

/* withdraw(from_account = holder, to_account = source, amount, request_id) */
Datum
eacct_withdraw(PG_FUNCTION_ARGS)
{
	return move_one(fcinfo, true);
}

/* transferable(account_id) -> numeric */
Datum
eacct_transferable(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	LedgerAccount a;
	int64		id = eacct_id_arg(fcinfo, 0, "account_id");
	int64		result;

	eacct_enter(&call, fcinfo);
	ledger_accounts(&call, 1, &id, &a, false);
	eacct_check_account_admin(&call, &a);
	result = rule_transferable(ledger_available(&a), a.bal[B_OWN_CASH]);
	eacct_leave(&call);
	PG_RETURN_DATUM(eacct_cents_to_numeric(result));
}

/*
 * withdrawable(from_account = holder b, to_account = source a) -> numeric;
 * 0 when a never transferred to b.
 */
Datum
eacct_withdrawable(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	LedgerAccount acc[2];
	int64		ids[2];
	int64		net;
	int64		result;
	Snapshot	as_of;

	ids[0] = eacct_id_arg(fcinfo, 0, "from_account");
	ids[1] = eacct_id_arg(fcinfo, 1, "to_account");
	eacct_enter(&call, fcinfo);
	/* the accounts and their pair as of one moment */
	as_of = RegisterSnapshot(GetTransactionSnapshot());
	ledger_accounts_as_of(&call, 2, ids, acc, as_of);
	check_admin_of_pair(&call, &acc[0], &acc[1]);
	if (ids[0] == ids[1])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from_account and to_account must differ"),
				 errdetail("Both are account " INT64_FORMAT ".", ids[0])));
	ledger_same_enterprise(&acc[0], &acc[1]);
	net = net_transferred(&acc[1], &acc[0], as_of);
	UnregisterSnapshot(as_of);
	result = rule_withdrawable(acc[0].bal[B_TRANSFER_BOOK], ledger_available(&acc[0]),
							   Max(net, 0));
	eacct_leave(&call);
	PG_RETURN_DATUM(eacct_cents_to_numeric(result));
}

/* ---- transfer_batch ---- */

/* why the first failing element of a batch failed before its rule */
typedef enum BatchFailure
{
	FAILED_NONE,
	FAILED_ARGUMENTS,			/* NULL, amount or request_id */
	FAILED_CHECKS,				/* account, administrator or pair */
	FAILED_KEY					/* request_id used with other arguments */
} BatchFailure;

typedef struct BatchItem
{
	int			index;			/* 1-based position in the arrays */
	int64		from;
	int64		to;
	int64		amount;
	char	   *request_id;
	LedgerAccount *a;
	LedgerAccount *b;
	int64		record_id;
	bool		done_before;	/* request_id already answered */
} BatchItem;

static int
cmp_request(const void *x, const void *y)
{
	const BatchItem *a = *(BatchItem *const *) x;
	const BatchItem *b = *(BatchItem *const *) y;
	int			c;

	/* a key belongs to an enterprise: one order over both */
	if (a->a->enterprise_id != b->a->enterprise_id)
		return a->a->enterprise_id < b->a->enterprise_id ? -1 : 1;
	c = strcmp(a->request_id, b->request_id);
	return c ? c : a->index - b->index;
}

static void
deconstruct(ArrayType *arr, Oid type, Datum **values, bool **nulls, int *n)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;

	get_typlenbyvalalign(type, &typlen, &typbyval, &typalign);
	deconstruct_array(arr, type, typlen, typbyval, typalign, values, nulls, n);
}

/*
 * The account read for id: ids[0..n-1] are the distinct ids, ascending,
 * that accs[] was read for (accs[k] is ids[k], zeroed when missing).
 */
static LedgerAccount *
find_account(const int64 *ids, LedgerAccount *accs, int n, int64 id)
{
	const int64 *k = bsearch(&id, ids, n, sizeof(int64), eacct_cmp_int64);

	if (k == NULL || accs[k - ids].enterprise_id == 0)
		return NULL;
	return &accs[k - ids];
}

/*
 * transfer_batch(from_accounts bigint[], to_accounts bigint[],
 *                amounts numeric[], request_ids text[]) -> bigint[]
 *
 * All or nothing.  Element i is checked against the balances left by the
 * elements before it; the first failure aborts the batch with its own
 * SQLSTATE and "Element i: ..." in front of its detail.
 */
Datum
eacct_transfer_batch(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	Datum	   *fromv,
			   *tov,
			   *amtv,
			   *reqv = NULL;
	bool	   *fromn,
			   *ton,
			   *amtn,
			   *reqn = NULL;
	int			n,
				n2,
				n3,
				n4 = 0,
				nids = 0,
				nreq = 0;
	BatchItem  *items;
	BatchItem **byreq;
	int64	   *ids;
	LedgerAccount *accs;
	RecordBuffer *rb;
	Datum	   *result;
	volatile int current = 0;
	volatile int first;			/* the first failing element, or n + 1 */
	volatile BatchFailure first_failed = FAILED_NONE;
	ErrorData  *volatile argument_error = NULL;
	MemoryContext oldcxt = CurrentMemoryContext;

	deconstruct(eacct_array_arg(fcinfo, 0, "from_accounts"), INT8OID, &fromv, &fromn, &n);
	deconstruct(eacct_array_arg(fcinfo, 1, "to_accounts"), INT8OID, &tov, &ton, &n2);
	deconstruct(eacct_array_arg(fcinfo, 2, "amounts"), NUMERICOID, &amtv, &amtn, &n3);
	if (!PG_ARGISNULL(3))
		deconstruct(eacct_array_arg(fcinfo, 3, "request_ids"), TEXTOID, &reqv, &reqn, &n4);
	if (n2 != n || n3 != n || (reqv && n4 != n))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("transfer_batch arrays must have the same length"),
				 errdetail("from_accounts has %d elements, to_accounts %d, amounts %d%s.",
						   n, n2, n3,
						   reqv ? psprintf(", request_ids %d", n4) : "")));

	if (n > EACCT_MAX_BATCH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("transfer_batch takes at most %d transfers", EACCT_MAX_BATCH),
				 errdetail("The arrays have %d elements.", n)));
	items = palloc0(sizeof(BatchItem) * Max(n, 1));
	ids = palloc(sizeof(int64) * Max(2 * n, 1));
	first = n + 1;
	PG_TRY();
	{
		for (int i = 0; i < n; i++)
		{
			BatchItem  *it = &items[i];

			current = i + 1;
			it->index = i + 1;
			if (fromn[i] || ton[i] || amtn[i])
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("transfer_batch elements must not be null"),
						 errdetail("%s is NULL.", fromn[i] ? "from_account" :
								   ton[i] ? "to_account" : "amount")));
			it->from = DatumGetInt64(fromv[i]);
			it->to = DatumGetInt64(tov[i]);
			it->amount = eacct_amount_from_numeric(DatumGetNumeric(amtv[i]), "amount",
												   AMOUNT_POSITIVE);
			if (reqv && !reqn[i])
			{
				it->request_id = TextDatumGetCString(reqv[i]);
				eacct_check_label(it->request_id, EACCT_MAX_REQUEST_ID, "request_id");
			}
			ids[nids++] = it->from;
			ids[nids++] = it->to;
		}
		current = 0;
	}
	PG_CATCH();
	{
		/*
		 * Keep the first bad element's error for later (its check is
		 * pure: nothing to clean up) unless an element before it fails.
		 */
		MemoryContextSwitchTo(oldcxt);
		argument_error = CopyErrorData();
		FlushErrorState();
		if (argument_error->sqlerrcode != ERRCODE_INVALID_PARAMETER_VALUE &&
			argument_error->sqlerrcode != ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE)
			eacct_throw_element(current, argument_error);
		first = current;
		first_failed = FAILED_ARGUMENTS;
	}
	PG_END_TRY();

	/*
	 * The batch fails with the error of its first failing element (SPEC
	 * section 5), which may be an element's arguments, accounts or key as
	 * well as its balance rule.  So the checks below find the first
	 * element that fails one of them (`first'), the elements before it
	 * are applied in order (each may still fail its rule, and then that is
	 * the first failure), and only then is the first element's own error
	 * raised.  Nothing past it needs its accounts or its key.
	 */
	nids = eacct_distinct_ids(ids, 2 * (first - 1));
	accs = palloc0(sizeof(LedgerAccount) * Max(nids, 1));

	rb = record_buffer(n);
	eacct_enter(&call, fcinfo);
	(void) ledger_accounts_missing_ok(&call, nids, ids, accs, true);
	/* an error below names the element it belongs to, or none */
	current = 0;
	PG_TRY();
	{
		for (int i = 0; i < first - 1; i++)
		{
			BatchItem  *it = &items[i];

			CHECK_FOR_INTERRUPTS();
			it->a = find_account(ids, accs, nids, it->from);
			it->b = find_account(ids, accs, nids, it->to);
			if (it->a == NULL || it->b == NULL ||
				!is_admin_of_pair(&call, it->a, it->b) || !pair_ok(it->a, it->b))
			{
				first = it->index;
				first_failed = FAILED_CHECKS;
				break;
			}
		}

		/* reserve idempotency keys in (enterprise, request_id) order (no deadlocks) */
		byreq = palloc(sizeof(BatchItem *) * Max(first - 1, 1));
		nreq = 0;
		for (int i = 0; i < first - 1; i++)
		{
			items[i].record_id = ledger_nextval(&call, SEQ_RECORD);
			if (items[i].request_id)
				byreq[nreq++] = &items[i];
		}
		qsort(byreq, nreq, sizeof(BatchItem *), cmp_request);
		for (int r = 0; r < nreq; r++)
		{
			BatchItem  *it = byreq[r];
			bool		mismatch;

			/* past an element whose key failed: never applied, so not reserved */
			if (it->index >= first)
				continue;
			/* a failure to reserve the key (40001, 40P01) is this element's */
			current = it->index;
			it->done_before = ledger_request_try(&call, it->a->enterprise_id,
												 it->request_id, "transfer",
												 pair_args(it->from, it->to, it->amount),
												 &it->record_id, &mismatch);
			if (mismatch && it->index < first)
			{
				first = it->index;
				first_failed = FAILED_KEY;
			}
		}
		current = 0;

		for (int i = 0; i < first - 1; i++)
		{
			BatchItem  *it = &items[i];

			CHECK_FOR_INTERRUPTS();
			current = it->index;
			if (!it->done_before)
			{
				ledger_require_center(it->a);
				apply_transfer(&call, rb, it->a, it->b, it->amount, it->record_id,
							   it->request_id);
			}
		}

		/* the first failing element's own error */
		current = first;
		if (first_failed == FAILED_ARGUMENTS)
		{
			current = 0;
			eacct_throw_element(first, argument_error);
		}
		else if (first_failed == FAILED_CHECKS)
		{
			BatchItem  *it = &items[first - 1];

			if (it->a == NULL)
				eacct_account_not_found(it->from);
			if (it->b == NULL)
				eacct_account_not_found(it->to);
			check_admin_of_pair(&call, it->a, it->b);
			check_pair(it->a, it->b);
			elog(ERROR, "transfer_batch element %d passed its checks the second time", first);
		}
		else if (first_failed == FAILED_KEY)
		{
			BatchItem  *it = &items[first - 1];

			(void) ledger_request(&call, it->a->enterprise_id, it->request_id, "transfer",
								  pair_args(it->from, it->to, it->amount), &it->record_id);
			elog(ERROR, "transfer_batch element %d matched its key the second time", first);
		}
		current = 0;
		flush_records(&call, rb);
	}
	PG_CATCH();
	{
		/* a cancel or statement timeout is not the element's failure */
		if (current > 0 && geterrcode() != ERRCODE_QUERY_CANCELED)
			eacct_rethrow_with_index(current);
		PG_RE_THROW();
	}
	PG_END_TRY();
	eacct_leave(&call);

	result = palloc(sizeof(Datum) * Max(n, 1));
	for (int i = 0; i < n; i++)
		result[i] = Int64GetDatum(items[i].record_id);
	PG_RETURN_DATUM(eacct_array(result, NULL, n, INT8OID));
}
