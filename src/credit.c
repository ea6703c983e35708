/*
 * credit.c — the enterprise credit line and its allocation to accounts
 * (SPEC rules 1 and 2): apply_credit_line, confirm_credit_contract,
 * set_credit_limit, credit_quota.
 *
 * The enterprise row keeps allocated (sum of credit limits) and overdue
 * (sum of overdue debt) up to date, so allocatable() costs the same for 10
 * or 1,000,000 accounts; every change of them holds the enterprise row lock.
 */
#include "eacct.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"

PG_FUNCTION_INFO_V1(eacct_apply_credit_line);
PG_FUNCTION_INFO_V1(eacct_confirm_credit_contract);
PG_FUNCTION_INFO_V1(eacct_set_credit_limit);
PG_FUNCTION_INFO_V1(eacct_credit_quota);

static EacctPlan insert_change = {
	"INSERT INTO eacct.credit_change (enterprise_id, change_id, account_id, kind,"
	" old_limit, new_limit, changed_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
	7, {INT8OID, INT8OID, INT8OID, TEXTOID, INT8OID, INT8OID, TEXTOID}
};

static EacctPlan read_enterprise = {
	"SELECT e.credit_line, e.allocated, e.overdue FROM eacct.enterprise e"
	" WHERE e.enterprise_id OPERATOR(pg_catalog.=) $1",
	1, {INT8OID}
};

static int64
record_change(EacctCall *call, int64 enterprise_id, int64 account_id,
			  const char *kind, int64 old_limit, int64 new_limit)
{
	Datum		values[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};
	int64		change_id = ledger_nextval(call, SEQ_CHANGE);

	values[0] = Int64GetDatum(enterprise_id);
	values[1] = Int64GetDatum(change_id);
	values[2] = Int64GetDatum(account_id);
	nulls[2] = account_id ? ' ' : 'n';
	values[3] = CStringGetTextDatum(kind);
	values[4] = Int64GetDatum(old_limit);
	values[5] = Int64GetDatum(new_limit);
	values[6] = CStringGetTextDatum(eacct_caller_name(call));
	ledger_write(&insert_change, values, nulls);
	return change_id;
}

static char *
limit_figures(const char *what, int64 old_limit, int64 new_limit)
{
	return psprintf("{\"limit\": \"%s\", \"old_limit\": %s, \"new_limit\": %s}",
					what, eacct_cents_to_cstring(old_limit),
					eacct_cents_to_cstring(new_limit));
}

/*
 * apply_credit_line(enterprise_id bigint, amount numeric) -> text
 *
 * The first line (and any change before confirmation) waits for the
 * contract: pending_confirmation, contract_pending notification.  Once
 * active, a change takes effect at once and notifies credit_limit_changed;
 * it may not go below the allocated credit (UA001).
 */
Datum
eacct_apply_credit_line(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	LedgerEnterprise e;
	int64		ent = eacct_id_arg(fcinfo, 0, "enterprise_id");
	int64		amount = eacct_amount_arg(fcinfo, 1, "credit line", AMOUNT_NONNEGATIVE);
	int64		old_line;
	text	   *result;

	eacct_enter(&call, fcinfo);
	ledger_lock_enterprise(&call, ent, &e);
	old_line = e.credit_line;

	if (strcmp(e.credit_status, "active") == 0)
	{
		if (amount < e.allocated)
			ereport(ERROR,
					(errcode(ERRCODE_EACCT_ALLOCATABLE),
					 errmsg("credit line would be below the allocated credit"),
					 errdetail("Enterprise " INT64_FORMAT " has allocated %s; the new credit line is %s.",
							   ent, eacct_cents_to_cstring(e.allocated),
							   eacct_cents_to_cstring(amount))));
		e.credit_line = amount;
		ledger_write_enterprise(&call, &e);
		record_change(&call, ent, 0, "apply", old_line, amount);
		if (amount != old_line)
			notify_queue(&call, ent, 0, "credit_limit_changed",
						 limit_figures("credit_line", old_line, amount), false);
	}
	else
	{
		e.credit_line = amount;
		strlcpy(e.credit_status, "pending_confirmation", sizeof(e.credit_status));
		ledger_write_enterprise(&call, &e);
		record_change(&call, ent, 0, "apply", old_line, amount);
		notify_queue(&call, ent, 0, "contract_pending",
					 psprintf("{\"credit_line\": %s}", eacct_cents_to_cstring(amount)),
					 false);
	}
	eacct_leave(&call);
	/* after SPI_finish: the result must live in the caller's context */
	result = cstring_to_text(e.credit_status);
	PG_RETURN_TEXT_P(result);
}

/*
 * confirm_credit_contract(enterprise_id bigint) -> void
 *
 * Administrators of the enterprise activate a pending credit line.  With no
 * credit line it is UA007; confirming an active line again is a no-op.
 */
Datum
eacct_confirm_credit_contract(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	LedgerEnterprise e;
	int64		ent = eacct_id_arg(fcinfo, 0, "enterprise_id");

	eacct_enter(&call, fcinfo);
	{
		Datum		values[1] = {Int64GetDatum(ent)};

		if (eacct_exec(&read_enterprise, values, NULL, true, 0) != 1)
			eacct_enterprise_not_found(ent);
	}
	eacct_check_admin(&call, ent);
	ledger_lock_enterprise(&call, ent, &e);
	if (strcmp(e.credit_status, "none") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_EACCT_CREDIT_INACTIVE),
				 errmsg("enterprise " INT64_FORMAT " has no credit line to confirm", ent),
				 errdetail("Apply for a credit line with eacct.apply_credit_line first.")));
	if (strcmp(e.credit_status, "pending_confirmation") == 0)
	{
		strlcpy(e.credit_status, "active", sizeof(e.credit_status));
		ledger_write_enterprise(&call, &e);
		record_change(&call, ent, 0, "confirm", e.credit_line, e.credit_line);
	}
	eacct_leave(&call);
	PG_RETURN_VOID();
}

/*
 * set_credit_limit(account_id bigint, new_limit numeric) -> bigint
 *
 * Increase: new - current <= allocatable(enterprise), else UA001.
 * Decrease: own_cash + transfer_book + new - outstanding > 0, else UA002.
 * Needs the account center (UA008) and an active credit line (UA007).
 * Returns the credit_change id.
 */
Datum
eacct_set_credit_limit(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	LedgerAccount a;
	LedgerEnterprise e;
	int64		account = eacct_id_arg(fcinfo, 0, "account_id");
	int64		new_limit = eacct_amount_arg(fcinfo, 1, "credit limit", AMOUNT_NONNEGATIVE);
	int64		old_limit;
	int64		change_id;

	eacct_enter(&call, fcinfo);
	ledger_admin_accounts(&call, 1, &account, &a);
	eacct_check_account_admin(&call, &a);
	ledger_lock_enterprise(&call, a.enterprise_id, &e);
	/* the flag as the locked enterprise row has it: it may have changed while we waited */
	a.center_enabled = e.center_enabled;
	ledger_require_center(&a);
	if (strcmp(e.credit_status, "active") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_EACCT_CREDIT_INACTIVE),
				 errmsg("enterprise " INT64_FORMAT " has no active credit line",
						a.enterprise_id),
				 errdetail("Its credit status is %s.", e.credit_status)));

	old_limit = a.bal[B_CREDIT_LIMIT];
	if (new_limit > old_limit)
	{
		int64		allocatable = rule_allocatable(e.credit_line, e.allocated, e.overdue);
		int64		increase = eacct_sub(new_limit, old_limit);

		if (increase > allocatable)
			ereport(ERROR,
					(errcode(ERRCODE_EACCT_ALLOCATABLE),
					 errmsg("credit limit increase exceeds the allocatable credit"),
					 errdetail("Allocatable credit is %s; the increase is %s.",
							   eacct_cents_to_cstring(allocatable),
							   eacct_cents_to_cstring(increase))));
	}
	else if (new_limit < old_limit &&
			 !rule_decrease_allowed(a.bal[B_OWN_CASH], a.bal[B_TRANSFER_BOOK],
									new_limit, a.bal[B_OUTSTANDING]))
		ereport(ERROR,
				(errcode(ERRCODE_EACCT_DECREASE),
				 errmsg("credit limit decrease would leave no available credit"),
				 errdetail("Available credit would be %s; it must stay above 0.",
						   eacct_cents_to_cstring(rule_available(a.bal[B_OWN_CASH],
																 a.bal[B_TRANSFER_BOOK],
																 new_limit,
																 a.bal[B_OUTSTANDING])))));

	change_id = record_change(&call, a.enterprise_id, account, "allocate",
							  old_limit, new_limit);
	if (new_limit != old_limit)
	{
		LedgerRef	ref = {0};

		e.allocated = eacct_add(eacct_sub(e.allocated, old_limit), new_limit);
		ledger_write_enterprise(&call, &e);
		a.bal[B_CREDIT_LIMIT] = new_limit;
		ref.ref_id = change_id;
		ledger_post(&call, &a, "credit_limit", eacct_sub(new_limit, old_limit) < 0 ?
					eacct_sub(old_limit, new_limit) : eacct_sub(new_limit, old_limit),
					&ref);
		notify_queue(&call, a.enterprise_id, account, "credit_limit_changed",
					 limit_figures("credit_limit", old_limit, new_limit), false);
	}
	eacct_leave(&call);
	PG_RETURN_INT64(change_id);
}

/*
 * credit_quota(account_id bigint) -> table(allocation_account text,
 *     max_quota_allocable numeric, current_credit_limit numeric,
 *     available_quota numeric)
 *
 * The console's allocation panel: allocatable credit of the enterprise,
 * the account's limit and its available credit.
 */
Datum
eacct_credit_quota(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	LedgerAccount a;
	int64		account = eacct_id_arg(fcinfo, 0, "account_id");
	int64		allocatable;
	TupleDesc	desc;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};
	HeapTuple	tup;
	char	   *name;
	Snapshot	as_of;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "credit_quota must return a composite type");
	desc = BlessTupleDesc(desc);

	eacct_enter(&call, fcinfo);
	/*
	 * The account and its enterprise as of one moment: a limit set in
	 * between would show next to an allocatable amount from before it.
	 */
	as_of = RegisterSnapshot(GetTransactionSnapshot());
	ledger_accounts_as_of(&call, 1, &account, &a, as_of);
	eacct_check_account_admin(&call, &a);
	{
		Datum		v[1] = {Int64GetDatum(a.enterprise_id)};

		if (eacct_exec_as_of(&read_enterprise, v, NULL, as_of) != 1)
			eacct_enterprise_not_found(a.enterprise_id);
		allocatable = rule_allocatable(eacct_int8_result(0, 1, NULL),
									   eacct_int8_result(0, 2, NULL),
									   eacct_int8_result(0, 3, NULL));
	}
	UnregisterSnapshot(as_of);
	name = MemoryContextStrdup(call.outer, a.name);
	eacct_leave(&call);

	values[0] = CStringGetTextDatum(name);
	values[1] = eacct_cents_to_numeric(allocatable);
	values[2] = eacct_cents_to_numeric(a.bal[B_CREDIT_LIMIT]);
	values[3] = eacct_cents_to_numeric(ledger_available(&a));
	tup = heap_form_tuple(desc, values, nulls);
	PG_RETURN_DATUM(HeapTupleGetDatum(tup));
}
