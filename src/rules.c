/*
 * rules.c — the formulas of SPEC.md section 3 as pure functions on cents.
 * No SPI, no catalog access.  Overflow is an error (22003), never a wrap.
 */
#include "eacct.h"

/*
 * available_credit = own_cash + transfer_book + credit_limit - outstanding.
 * The balances are never negative, so the debt comes off first: then a
 * partial sum overflows only when the result does not fit either (adding
 * own_cash + transfer_book + credit_limit first refused a result that fits).
 */
int64
rule_available(int64 own_cash, int64 transfer_book, int64 credit_limit,
			   int64 outstanding)
{
	return eacct_add(eacct_add(eacct_sub(own_cash, outstanding), transfer_book),
					 credit_limit);
}

/* allocatable = max(0, credit_line - allocated - overdue) */
int64
rule_allocatable(int64 credit_line, int64 allocated, int64 overdue)
{
	int64		r = eacct_sub(eacct_sub(credit_line, allocated), overdue);

	return Max(r, 0);
}

/* transferable = max(0, min(available_credit, own_cash)) */
int64
rule_transferable(int64 available, int64 own_cash)
{
	int64		r = Min(available, own_cash);

	return Max(r, 0);
}

/* withdrawable = max(0, min(transfer_book, available_credit, net_transferred)) */
int64
rule_withdrawable(int64 transfer_book, int64 available, int64 net_transferred)
{
	int64		r = Min(Min(transfer_book, available), net_transferred);

	return Max(r, 0);
}

/*
 * A credit limit decrease must leave available credit strictly positive:
 * own_cash + transfer_book + new_limit - outstanding > 0.
 */
bool
rule_decrease_allowed(int64 own_cash, int64 transfer_book, int64 new_limit,
					  int64 outstanding)
{
	return rule_available(own_cash, transfer_book, new_limit, outstanding) > 0;
}
