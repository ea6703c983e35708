/*
 * checks.c — the rules of eacct's CHECK constraints, as C functions.
 *
 * PostgreSQL re-reads and plans the expression of every CHECK constraint
 * of a table each time a statement writes to it, at a cost that grows with
 * the length of the stored expression: a list of eight kinds or a chain of
 * comparisons costs far more to read than to evaluate.  One call of a C
 * function is a short expression.  Before 0.4.0 the constraints of the
 * journal, the transfer history, the transfer pairs and the bills were
 * 14% of a single transfer's instructions (callgrind).
 *
 * Each function is pure (IMMUTABLE), returns NULL when an argument is NULL
 * (the columns are NOT NULL), and is executable by PUBLIC: whoever writes
 * the table runs its CHECK.  A rule here must never change: rows in the
 * tables were validated against it, so a new rule is a new function and a
 * new constraint in an upgrade script.
 *
 *   account_balances_ok   account_balances_check (0.3.0)
 *   journal_kind_ok       journal_entry_kind_check (0.4.0)
 *   transfer_kind_ok      transfer_record_kind_check (0.4.0)
 *   transfer_pair_ok      transfer_pair_check (0.4.0)
 *   bill_amounts_ok       bill_amount_check (0.4.0)
 */
#include "eacct.h"

PG_FUNCTION_INFO_V1(eacct_account_balances_ok);
PG_FUNCTION_INFO_V1(eacct_journal_kind_ok);
PG_FUNCTION_INFO_V1(eacct_transfer_kind_ok);
PG_FUNCTION_INFO_V1(eacct_transfer_pair_ok);
PG_FUNCTION_INFO_V1(eacct_bill_amounts_ok);

static const char *const alert_statuses[] = {"ok", "triggered", NULL};
static const char *const journal_kinds[] = {
	"top_up", "charge", "transfer_out", "transfer_in", "withdraw_out",
	"withdraw_in", "credit_limit", "overdue", NULL
};
static const char *const transfer_kinds[] = {"transfer", "withdraw", NULL};

/* is the text argument one of the words of list (NULL-terminated)? */
static bool
text_is_one_of(text *t, const char *const *list)
{
	const char *s = VARDATA_ANY(t);
	size_t		len = VARSIZE_ANY_EXHDR(t);

	for (; *list; list++)
		if (strlen(*list) == len && memcmp(s, *list, len) == 0)
			return true;
	return false;
}

/* true when any argument is NULL: the caller then returns NULL */
static bool
any_arg_null(FunctionCallInfo fcinfo)
{
	for (int i = 0; i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i))
			return true;
	return false;
}

/*
 * eacct.account_balances_ok(own_cash, transfer_book, credit_limit,
 *   outstanding, overdue, alert_threshold bigint, alert_status text)
 * -> boolean: every balance and the threshold at least zero, overdue debt
 * part of the outstanding debt, a known alert status.
 */
Datum
eacct_account_balances_ok(PG_FUNCTION_ARGS)
{
	int64		outstanding;
	int64		overdue;

	if (any_arg_null(fcinfo))
		PG_RETURN_NULL();
	outstanding = PG_GETARG_INT64(3);
	overdue = PG_GETARG_INT64(4);
	PG_RETURN_BOOL(PG_GETARG_INT64(0) >= 0 && PG_GETARG_INT64(1) >= 0 &&
				   PG_GETARG_INT64(2) >= 0 && outstanding >= 0 && overdue >= 0 &&
				   overdue <= outstanding && PG_GETARG_INT64(5) >= 0 &&
				   text_is_one_of(PG_GETARG_TEXT_PP(6), alert_statuses));
}

/* eacct.journal_kind_ok(kind text) -> boolean: a known journal entry kind */
Datum
eacct_journal_kind_ok(PG_FUNCTION_ARGS)
{
	if (any_arg_null(fcinfo))
		PG_RETURN_NULL();
	PG_RETURN_BOOL(text_is_one_of(PG_GETARG_TEXT_PP(0), journal_kinds));
}

/* eacct.transfer_kind_ok(kind text) -> boolean: 'transfer' or 'withdraw' */
Datum
eacct_transfer_kind_ok(PG_FUNCTION_ARGS)
{
	if (any_arg_null(fcinfo))
		PG_RETURN_NULL();
	PG_RETURN_BOOL(text_is_one_of(PG_GETARG_TEXT_PP(0), transfer_kinds));
}

/*
 * eacct.transfer_pair_ok(transferred, withdrawn bigint) -> boolean: a
 * holder never gives back more than its source put in, nor a negative sum
 */
Datum
eacct_transfer_pair_ok(PG_FUNCTION_ARGS)
{
	int64		withdrawn;

	if (any_arg_null(fcinfo))
		PG_RETURN_NULL();
	withdrawn = PG_GETARG_INT64(1);
	PG_RETURN_BOOL(withdrawn >= 0 && withdrawn <= PG_GETARG_INT64(0));
}

/*
 * eacct.bill_amounts_ok(amount, remaining bigint) -> boolean: a bill is for
 * a positive amount, and what remains to pay is between zero and it
 */
Datum
eacct_bill_amounts_ok(PG_FUNCTION_ARGS)
{
	int64		amount;
	int64		remaining;

	if (any_arg_null(fcinfo))
		PG_RETURN_NULL();
	amount = PG_GETARG_INT64(0);
	remaining = PG_GETARG_INT64(1);
	PG_RETURN_BOOL(amount > 0 && remaining >= 0 && remaining <= amount);
}
