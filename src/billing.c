/*
 * billing.c — money in and out of the enterprise (SPEC rules 6-8): charge,
 * top_up, mark_overdue, set_payment_term, grant_coupon.  Operator functions.
 *
 * A charge consumes a named coupon, then the transfer book, then own cash,
 * then credit; the credit part becomes a bill due after the enterprise's
 * payment term.  A top-up pays overdue bills (oldest first), then the other
 * bills (oldest first), then adds to own cash.
 */
#include "eacct.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(eacct_charge);
PG_FUNCTION_INFO_V1(eacct_top_up);
PG_FUNCTION_INFO_V1(eacct_mark_overdue);
PG_FUNCTION_INFO_V1(eacct_set_payment_term);
PG_FUNCTION_INFO_V1(eacct_grant_coupon);

#define MAX_MEMO 1000

static EacctPlan read_coupon = {
	"SELECT c.account_id, c.face_value, c.used_at IS NOT NULL,"
	" c.valid_from OPERATOR(pg_catalog.<=) pg_catalog.now()"
	"   AND pg_catalog.now() OPERATOR(pg_catalog.<) c.valid_until"
	" FROM eacct.coupon c WHERE c.enterprise_id OPERATOR(pg_catalog.=) $1"
	"   AND c.coupon_id OPERATOR(pg_catalog.=) $2",
	2, {INT8OID, INT8OID}
};

static EacctPlan use_coupon = {
	"UPDATE eacct.coupon SET used_at = pg_catalog.now()"
	" WHERE enterprise_id OPERATOR(pg_catalog.=) $1 AND coupon_id OPERATOR(pg_catalog.=) $2",
	2, {INT8OID, INT8OID}
};

static EacctPlan insert_bill = {
	"INSERT INTO eacct.bill (enterprise_id, bill_id, account_id, amount, remaining,"
	" entry_id, due_at)"
	/* the term counts in UTC, whatever the caller's TimeZone (days across DST, month ends) */
	" SELECT $1, $2, $3, $4, $4, $5, pg_catalog.timezone('UTC',"
	"     pg_catalog.timezone('UTC', pg_catalog.now()) OPERATOR(pg_catalog.+) e.payment_term)"
	" FROM eacct.enterprise e WHERE e.enterprise_id OPERATOR(pg_catalog.=) $1",
	5, {INT8OID, INT8OID, INT8OID, INT8OID, INT8OID}
};

/*
 * An account's open bills in the order top_up() pays them, read through a
 * cursor in that order (bill_open_idx, 0.5.0) as far as the amount goes:
 * a cent reads one bill, not all of them.
 */
static EacctPlan open_bills = {
	"SELECT b.bill_id, b.remaining, b.overdue FROM eacct.bill b"
	" WHERE b.enterprise_id OPERATOR(pg_catalog.=) $1"
	"   AND b.account_id OPERATOR(pg_catalog.=) $2 AND b.remaining OPERATOR(pg_catalog.>) 0"
	" ORDER BY b.overdue DESC, b.due_at, b.bill_id",
	2, {INT8OID, INT8OID}, NULL, CURSOR_OPT_GENERIC_PLAN | CURSOR_OPT_FAST_PLAN
};

#define BILLS_PER_FETCH 32

static EacctPlan pay_bill = {
	"UPDATE eacct.bill SET remaining = remaining OPERATOR(pg_catalog.-) $3"
	" WHERE enterprise_id OPERATOR(pg_catalog.=) $1 AND bill_id OPERATOR(pg_catalog.=) $2",
	3, {INT8OID, INT8OID, INT8OID}
};

static EacctPlan due_accounts = {
	"SELECT DISTINCT b.enterprise_id, b.account_id FROM eacct.bill b"
	" WHERE b.remaining OPERATOR(pg_catalog.>) 0 AND NOT b.overdue"
	"   AND b.due_at OPERATOR(pg_catalog.<) $1"
	" ORDER BY 1, 2",
	1, {TIMESTAMPTZOID}
};

/*
 * The bills of accounts $2 of enterprise $1 that fall due before $3: the
 * overflow check and the update below must read the same ones.
 */
#define BILLS_FALLING_DUE \
	" b.enterprise_id OPERATOR(pg_catalog.=) $1" \
	"   AND b.account_id OPERATOR(pg_catalog.=) ANY ($2)" \
	"   AND b.remaining OPERATOR(pg_catalog.>) 0 AND NOT b.overdue" \
	"   AND b.due_at OPERATOR(pg_catalog.<) $3"

static EacctPlan make_overdue = {
	"UPDATE eacct.bill b SET overdue = true WHERE" BILLS_FALLING_DUE
	" RETURNING b.account_id, b.remaining",
	3, {INT8OID, INT8ARRAYOID, TIMESTAMPTZOID}
};

/* whether those bills would take the enterprise's overdue total past $4 */
static EacctPlan due_too_large = {
	"SELECT COALESCE(pg_catalog.sum(b.remaining), 0) OPERATOR(pg_catalog.>) $4"
	" FROM eacct.bill b WHERE" BILLS_FALLING_DUE,
	4, {INT8OID, INT8ARRAYOID, TIMESTAMPTZOID, NUMERICOID}
};

static EacctPlan update_term = {
	"UPDATE eacct.enterprise SET payment_term = $2"
	" WHERE enterprise_id OPERATOR(pg_catalog.=) $1",
	2, {INT8OID, INTERVALOID}
};

static EacctPlan insert_coupon = {
	"INSERT INTO eacct.coupon (enterprise_id, account_id, face_value, valid_from, valid_until)"
	" VALUES ($1, $2, $3, $4, $5) RETURNING coupon_id",
	5, {INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID}
};

/* the part of a charge a coupon covers; checks the coupon (P0002, 22023) */
static int64
coupon_part(EacctCall *call, const LedgerAccount *a, int64 coupon_id, int64 amount)
{
	Datum		values[2];
	bool		isnull;
	int64		face;

	values[0] = Int64GetDatum(a->enterprise_id);
	values[1] = Int64GetDatum(coupon_id);
	if (eacct_exec(&read_coupon, values, NULL, false, 0) != 1 ||
		eacct_int8_result(0, 1, NULL) != a->account_id)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("coupon " INT64_FORMAT " does not exist for account " INT64_FORMAT,
						coupon_id, a->account_id),
				 errdetail("Account " INT64_FORMAT " holds no coupon with id " INT64_FORMAT ".",
						   a->account_id, coupon_id)));
	face = eacct_int8_result(0, 2, NULL);
	if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("coupon " INT64_FORMAT " has already been used", coupon_id),
				 errdetail("Coupons are single-use.")));
	if (!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("coupon " INT64_FORMAT " is not valid now", coupon_id),
				 errdetail("It has expired or is not valid yet.")));
	ledger_write(&use_coupon, values, NULL);
	return Min(face, amount);
}

/*
 * charge(account_id, amount, memo, coupon_id, request_id) -> journal entry id
 */
Datum
eacct_charge(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	LedgerAccount a;
	LedgerRef	ref = {0};
	int64		account = eacct_id_arg(fcinfo, 0, "account_id");
	int64		amount = eacct_amount_arg(fcinfo, 1, "amount", AMOUNT_POSITIVE);
	char	   *memo = eacct_text_arg(fcinfo, 2, MAX_MEMO, "memo");
	int64		coupon_id = PG_ARGISNULL(3) ? 0 : PG_GETARG_INT64(3);
	char	   *request_id = eacct_request_id_arg(fcinfo, 4);
	int64		entry_id;
	int64		rest;
	int64		part;
	bool		repeat = false;

	eacct_enter(&call, fcinfo);
	ledger_accounts(&call, 1, &account, &a, true);
	entry_id = ledger_nextval(&call, SEQ_ENTRY);
	/* no coupon is an empty field (coupon 0 is another argument) */
	if (request_id)
		repeat = ledger_request_on(&call, &a, request_id, "charge",
								   psprintf("%s,%s,%s", eacct_cents_to_cstring(amount),
											memo ? memo : "",
											PG_ARGISNULL(3) ? "" : psprintf(INT64_FORMAT, coupon_id)),
								   psprintf("%s,%s," INT64_FORMAT, eacct_cents_to_cstring(amount),
											memo ? memo : "", coupon_id),
								   &entry_id);
	if (!repeat)
	{
		int64		available = ledger_available(&a);

		ref.coupon_used = PG_ARGISNULL(3) ? 0 : coupon_part(&call, &a, coupon_id, amount);
		rest = eacct_sub(amount, ref.coupon_used);
		if (rest > available)
			ereport(ERROR,
					(errcode(ERRCODE_EACCT_AVAILABLE),
					 errmsg("charge exceeds the available credit of account " INT64_FORMAT,
							account),
					 errdetail("Available credit is %s%s; the charge is %s.",
							   eacct_cents_to_cstring(available),
							   ref.coupon_used ? psprintf(" plus a coupon of %s",
														  eacct_cents_to_cstring(ref.coupon_used)) : "",
							   eacct_cents_to_cstring(amount))));

		part = Min(rest, a.bal[B_TRANSFER_BOOK]);
		a.bal[B_TRANSFER_BOOK] -= part;
		rest -= part;
		part = Min(rest, a.bal[B_OWN_CASH]);
		a.bal[B_OWN_CASH] -= part;
		rest -= part;
		if (rest > 0)
		{
			Datum		values[5];

			a.bal[B_OUTSTANDING] = eacct_add(a.bal[B_OUTSTANDING], rest);
			ref.ref_id = ledger_nextval(&call, SEQ_BILL);
			values[0] = Int64GetDatum(a.enterprise_id);
			values[1] = Int64GetDatum(ref.ref_id);
			values[2] = Int64GetDatum(account);
			values[3] = Int64GetDatum(rest);
			values[4] = Int64GetDatum(entry_id);
			ledger_write(&insert_bill, values, NULL);
		}
		ref.entry_id = entry_id;
		ref.coupon_id = PG_ARGISNULL(3) ? 0 : coupon_id;
		ref.memo = memo;
		ref.request_id = request_id;
		ledger_post(&call, &a, "charge", amount, &ref);
	}
	eacct_leave(&call);
	PG_RETURN_INT64(entry_id);
}

/* top_up(account_id, amount, request_id) -> journal entry id */
Datum
eacct_top_up(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	LedgerAccount a;
	LedgerRef	ref = {0};
	int64		account = eacct_id_arg(fcinfo, 0, "account_id");
	int64		amount = eacct_amount_arg(fcinfo, 1, "amount", AMOUNT_POSITIVE);
	char	   *request_id = eacct_request_id_arg(fcinfo, 2);
	int64		entry_id;
	bool		repeat = false;

	eacct_enter(&call, fcinfo);
	ledger_accounts(&call, 1, &account, &a, true);
	entry_id = ledger_nextval(&call, SEQ_ENTRY);
	if (request_id)
	{
		char	   *args = eacct_cents_to_cstring(amount);

		/* the arguments read the same before 0.5.0 */
		repeat = ledger_request_on(&call, &a, request_id, "top_up", args, args, &entry_id);
	}
	if (!repeat)
	{
		int64		pay = amount;
		int64		paid_overdue = 0;

		if (a.bal[B_OUTSTANDING] > 0)
		{
			Datum		values[3];
			int64		bill_ids[BILLS_PER_FETCH];
			int64		remaining[BILLS_PER_FETCH];
			bool		overdue[BILLS_PER_FETCH];
			Portal		portal;

			values[0] = Int64GetDatum(a.enterprise_id);
			values[1] = Int64GetDatum(account);
			portal = SPI_cursor_open(NULL, eacct_prepare(&open_bills), values, NULL, false);
			while (pay > 0)
			{
				int			nbills;

				SPI_cursor_fetch(portal, true, BILLS_PER_FETCH);
				nbills = (int) SPI_processed;
				if (nbills == 0)
					break;
				/* out of SPI_tuptable, which the payments' updates replace */
				for (int i = 0; i < nbills; i++)
				{
					bill_ids[i] = eacct_int8_result(i, 1, NULL);
					remaining[i] = eacct_int8_result(i, 2, NULL);
					overdue[i] = eacct_bool_col(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3);
				}
				SPI_freetuptable(SPI_tuptable);
				for (int i = 0; i < nbills && pay > 0; i++)
				{
					int64		x = Min(pay, remaining[i]);

					values[1] = Int64GetDatum(bill_ids[i]);
					values[2] = Int64GetDatum(x);
					ledger_write(&pay_bill, values, NULL);
					pay -= x;
					a.bal[B_OUTSTANDING] -= x;
					if (overdue[i])
					{
						paid_overdue += x;
						a.bal[B_OVERDUE] -= x;
					}
				}
				CHECK_FOR_INTERRUPTS();
			}
			SPI_cursor_close(portal);
		}
		if (paid_overdue > 0)
		{
			LedgerEnterprise e;

			ledger_lock_enterprise(&call, a.enterprise_id, &e);
			e.overdue = eacct_sub(e.overdue, paid_overdue);
			ledger_write_enterprise(&call, &e);
		}
		a.bal[B_OWN_CASH] = eacct_add(a.bal[B_OWN_CASH], pay);
		ref.entry_id = entry_id;
		ref.request_id = request_id;
		ledger_post(&call, &a, "top_up", amount, &ref);
	}
	eacct_leave(&call);
	PG_RETURN_INT64(entry_id);
}

/*
 * mark_overdue(as_of timestamptz) -> integer
 *
 * Bills due before as_of become overdue: lock the accounts concerned, all
 * of them first (ascending (enterprise_id, account_id)), then, enterprise
 * by enterprise, the enterprise row; move its bills and add to its overdue
 * total.  Holding one enterprise's row while waiting for another's
 * accounts would break the global lock order (ledger.c), so the accounts
 * of later enterprises are not left for later.  Returns the number of
 * bills moved.  An enterprise
 * whose overdue total the bills would take past the largest amount is
 * left as it is, with a WARNING: one enterprise's figures must not stop
 * the scheduled run for all the others (SPEC section 9).
 */
Datum
eacct_mark_overdue(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	Datum		as_of;
	int			n;
	int64	   *ents;
	int64	   *accts;
	LedgerAccount *all;
	int			moved = 0;

	eacct_require_arg(fcinfo, 0, "as_of");
	as_of = PG_GETARG_DATUM(0);

	eacct_enter(&call, fcinfo);
	{
		Datum		values[1] = {as_of};

		n = eacct_exec(&due_accounts, values, NULL, false, 0);
	}
	/* huge: millions of accounts may have bills falling due at once */
	ents = palloc_extended(sizeof(int64) * (Size) Max(n, 1), MCXT_ALLOC_HUGE);
	accts = palloc_extended(sizeof(int64) * (Size) Max(n, 1), MCXT_ALLOC_HUGE);
	for (int i = 0; i < n; i++)
	{
		ents[i] = eacct_int8_result(i, 1, NULL);
		accts[i] = eacct_int8_result(i, 2, NULL);
	}
	all = palloc_extended(sizeof(LedgerAccount) * (Size) Max(n, 1),
						  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	ledger_accounts(&call, n, accts, all, true);

	for (int start = 0; start < n;)
	{
		int			end = start;
		int			k;
		LedgerAccount *accs;
		LedgerEnterprise e;
		Datum	   *elems;
		Datum		values[3];
		int64		total = 0;
		int64	   *sums;
		int			rows;

		while (end < n && ents[end] == ents[start])
			end++;
		k = end - start;
		accs = &all[start];
		sums = palloc0(sizeof(int64) * k);

		elems = palloc(sizeof(Datum) * k);
		for (int i = 0; i < k; i++)
			elems[i] = Int64GetDatum(accts[start + i]);
		values[0] = Int64GetDatum(ents[start]);
		values[1] = eacct_array(elems, NULL, k, INT8OID);
		values[2] = as_of;
		/* the enterprise after its accounts (lock order), before any write */
		ledger_lock_enterprise(&call, ents[start], &e);
		{
			Datum		check[4] = {values[0], values[1], values[2],
				DirectFunctionCall1(int8_numeric, Int64GetDatum(PG_INT64_MAX - e.overdue))};
			bool		isnull;

			if (eacct_exec(&due_too_large, check, NULL, false, 0) == 1 &&
				DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
			{
				ereport(WARNING,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("mark_overdue left enterprise " INT64_FORMAT " as it was",
								ents[start]),
						 errdetail("Its overdue debt is %s; the bills due would take it past the largest amount, %s.",
								   eacct_cents_to_cstring(e.overdue),
								   eacct_cents_to_cstring(PG_INT64_MAX))));
				start = end;
				continue;
			}
		}
		rows = ledger_write(&make_overdue, values, NULL);
		moved += rows;
		for (int r = 0; r < rows; r++)
		{
			int64		acct = eacct_int8_result(r, 1, NULL);
			int64		rem = eacct_int8_result(r, 2, NULL);

			/* accts[start..end) ascend (due_accounts' ORDER BY), as accs[] */
			const int64 *hit = bsearch(&acct, &accts[start], k, sizeof(int64),
									   eacct_cmp_int64);

			CHECK_FOR_INTERRUPTS();
			if (hit == NULL)
				elog(ERROR, "mark_overdue: bill of account " INT64_FORMAT " that it did not lock",
					 acct);
			sums[hit - &accts[start]] = eacct_add(sums[hit - &accts[start]], rem);
			total = eacct_add(total, rem);
		}
		for (int i = 0; i < k; i++)
		{
			if (sums[i] == 0)
				continue;
			accs[i].bal[B_OVERDUE] = eacct_add(accs[i].bal[B_OVERDUE], sums[i]);
			ledger_post(&call, &accs[i], "overdue", sums[i], NULL);
		}
		if (total > 0)
		{
			e.overdue = eacct_add(e.overdue, total);
			ledger_write_enterprise(&call, &e);
		}
		start = end;
	}
	eacct_leave(&call);
	PG_RETURN_INT32(moved);
}

/*
 * set_payment_term(enterprise_id, term interval) -> void
 *
 * The term must be positive and at most 100 years, so that every bill's
 * due date (now() + term) is a real timestamp, and none of its months,
 * days and time may be negative: '1 mon -29 days' compares as positive
 * (a month counts as 30 days) but comes before now() from late January.
 */
Datum
eacct_set_payment_term(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	int64		ent = eacct_id_arg(fcinfo, 0, "enterprise_id");
	Interval   *term;
	Interval	zero = {0};
	Interval	longest = {.month = 100 * MONTHS_PER_YEAR};
	Datum		values[2];

	eacct_require_arg(fcinfo, 1, "term");
	term = PG_GETARG_INTERVAL_P(1);
	if (DatumGetBool(DirectFunctionCall2(interval_le, IntervalPGetDatum(term),
										 IntervalPGetDatum(&zero))) ||
		DatumGetBool(DirectFunctionCall2(interval_gt, IntervalPGetDatum(term),
										 IntervalPGetDatum(&longest))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("payment term must be positive and at most 100 years"),
				 errdetail("The term given is %s.",
						   DatumGetCString(DirectFunctionCall1(interval_out,
															   IntervalPGetDatum(term))))));
	if (term->month < 0 || term->day < 0 || term->time < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("payment term must not have a negative part"),
				 errdetail("The term given is %s; a bill could fall due before it was made.",
						   DatumGetCString(DirectFunctionCall1(interval_out,
															   IntervalPGetDatum(term))))));
	values[0] = Int64GetDatum(ent);
	values[1] = IntervalPGetDatum(term);
	eacct_enter(&call, fcinfo);
	if (eacct_exec(&update_term, values, NULL, false, 0) != 1)
		eacct_enterprise_not_found(ent);
	eacct_leave(&call);
	PG_RETURN_VOID();
}

/*
 * grant_coupon(account_id, face_value, valid_until, valid_from) -> coupon_id
 */
Datum
eacct_grant_coupon(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	LedgerAccount a;
	int64		account = eacct_id_arg(fcinfo, 0, "account_id");
	int64		face = eacct_amount_arg(fcinfo, 1, "face value", AMOUNT_POSITIVE);
	Datum		values[5];
	int64		id;

	eacct_require_arg(fcinfo, 2, "valid_until");
	eacct_require_arg(fcinfo, 3, "valid_from");
	if (PG_GETARG_TIMESTAMPTZ(2) <= PG_GETARG_TIMESTAMPTZ(3))
	{
		/* timestamptz_to_str() returns a static buffer: copy each */
		char	   *until = pstrdup(timestamptz_to_str(PG_GETARG_TIMESTAMPTZ(2)));
		char	   *from = pstrdup(timestamptz_to_str(PG_GETARG_TIMESTAMPTZ(3)));

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("coupon validity must end after it starts"),
				 errdetail("valid_until %s is not after valid_from %s.", until, from)));
	}

	eacct_enter(&call, fcinfo);
	ledger_accounts(&call, 1, &account, &a, false);
	values[0] = Int64GetDatum(a.enterprise_id);
	values[1] = Int64GetDatum(account);
	values[2] = Int64GetDatum(face);
	values[3] = PG_GETARG_DATUM(3);
	values[4] = PG_GETARG_DATUM(2);
	ledger_write(&insert_coupon, values, NULL);
	id = eacct_int8_result(0, 1, NULL);
	eacct_leave(&call);
	PG_RETURN_INT64(id);
}
