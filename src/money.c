/*
 * money.c — amounts: numeric <-> int64 minor units (cents) and checked
 * arithmetic.  Every amount that enters eacct goes through
 * eacct_amount_from_numeric(), which enforces SPEC.md section 1.
 */
#include "eacct.h"

#include "common/int.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(eacct_amount_cents);

static Datum
numeric_from_int64(int64 v)
{
	return DirectFunctionCall1(int8_numeric, Int64GetDatum(v));
}

/* int64 range expressed as numeric, built once per backend */
static Datum
cents_bound(bool upper)
{
	static Datum bounds[2];
	static bool done = false;

	if (!done)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		/* as amounts: -92233720368547758.08 and 92233720368547758.07 */
		bounds[0] = eacct_cents_to_numeric(PG_INT64_MIN);
		bounds[1] = eacct_cents_to_numeric(PG_INT64_MAX);
		MemoryContextSwitchTo(old);
		done = true;
	}
	return bounds[upper ? 1 : 0];
}

/*
 * Convert an amount to cents.  NaN and more than two significant fractional
 * digits are 22023, a value whose cents do not fit in int64 is 22003, and
 * the sign must follow `rule' (22023).  `what' names the amount in messages.
 */
int64
eacct_amount_from_numeric(Numeric num, const char *what, AmountRule rule)
{
	Datum		cents;
	int64		result;

	if (numeric_is_nan(num))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a number", what),
				 errdetail("NaN is not an amount.")));
#if PG_VERSION_NUM >= 140000
	if (numeric_is_inf(num))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s is out of range", what),
				 errdetail("%s is not an amount.",
						   DatumGetCString(DirectFunctionCall1(numeric_out,
															   NumericGetDatum(num))))));
#endif

	/*
	 * Digits and range are checked on the amount itself: multiplying a
	 * numeric near the type's limit by 100 would fail inside numeric_mul.
	 */
	if (!DatumGetBool(DirectFunctionCall2(numeric_eq, NumericGetDatum(num),
										  DirectFunctionCall2(numeric_trunc, NumericGetDatum(num),
															  Int32GetDatum(2)))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s has more than 2 fractional digits", what),
				 errdetail("Amount %s is not a whole number of cents.",
						   DatumGetCString(DirectFunctionCall1(numeric_out,
															   NumericGetDatum(num))))));

	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(num), cents_bound(true))) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s is out of range", what),
				 errdetail("Amount %s does not fit in the largest amount, %s.",
						   DatumGetCString(DirectFunctionCall1(numeric_out,
															   NumericGetDatum(num))),
						   eacct_cents_to_cstring(PG_INT64_MAX))));
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(num), cents_bound(false))) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s is out of range", what),
				 errdetail("Amount %s is below the smallest amount, %s.",
						   DatumGetCString(DirectFunctionCall1(numeric_out,
															   NumericGetDatum(num))),
						   eacct_cents_to_cstring(PG_INT64_MIN))));

	cents = DirectFunctionCall2(numeric_mul, NumericGetDatum(num),
								numeric_from_int64(100));
	result = DatumGetInt64(DirectFunctionCall1(numeric_int8, cents));

	if (rule == AMOUNT_POSITIVE && result <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be greater than zero", what),
				 errdetail("Amount %s is not positive.",
						   eacct_cents_to_cstring(result))));
	if (rule == AMOUNT_NONNEGATIVE && result < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", what),
				 errdetail("Amount %s is negative.",
						   eacct_cents_to_cstring(result))));
	return result;
}

/* argument `argno' of the current call as cents; NULL is 22023 */
int64
eacct_amount_arg(FunctionCallInfo fcinfo, int argno, const char *what,
				 AmountRule rule)
{
	eacct_require_arg(fcinfo, argno, what);
	return eacct_amount_from_numeric(PG_GETARG_NUMERIC(argno), what, rule);
}

/* cents as text with exactly two fractional digits, e.g. -12.05 */
char *
eacct_cents_to_cstring(int64 cents)
{
	uint64		mag = cents < 0 ? (uint64) 0 - (uint64) cents : (uint64) cents;

	return psprintf("%s" UINT64_FORMAT ".%02d", cents < 0 ? "-" : "",
					mag / 100, (int) (mag % 100));
}

/* cents as numeric with scale 2 */
Datum
eacct_cents_to_numeric(int64 cents)
{
	return DirectFunctionCall3(numeric_in,
							   CStringGetDatum(eacct_cents_to_cstring(cents)),
							   ObjectIdGetDatum(InvalidOid),
							   Int32GetDatum(-1));
}

int64
eacct_add(int64 a, int64 b)
{
	int64		r;

	if (pg_add_s64_overflow(a, b, &r))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("amount out of range"),
				 errdetail("%s + %s does not fit in an amount.",
						   eacct_cents_to_cstring(a), eacct_cents_to_cstring(b))));
	return r;
}

int64
eacct_sub(int64 a, int64 b)
{
	int64		r;

	if (pg_sub_s64_overflow(a, b, &r))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("amount out of range"),
				 errdetail("%s - %s does not fit in an amount.",
						   eacct_cents_to_cstring(a), eacct_cents_to_cstring(b))));
	return r;
}

/*
 * eacct.amount_cents(amount numeric) -> bigint
 *
 * The minor units eacct stores for a money-moving amount, or the error any
 * money-moving function raises for it.  Lets applications validate input.
 */
Datum
eacct_amount_cents(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(eacct_amount_arg(fcinfo, 0, "amount", AMOUNT_POSITIVE));
}
