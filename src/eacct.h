/*
 * eacct.h — declarations shared by the eacct modules.
 *
 * money.c   numeric <-> int64 minor units, checked arithmetic
 * call.c    entry/exit of every SQL-callable function: caller identity,
 *           privilege switch to the extension owner, pinned search_path,
 *           saved SPI plans and argument checks
 * access.c  who may see and do what: administrators, view visibility
 * setup.c   enterprises, accounts, admins, contacts
 */
#ifndef EACCT_H
#define EACCT_H

#include "postgres.h"
#include "fmgr.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/numeric.h"

/* SQLSTATEs of SPEC.md section 8 */
#define ERRCODE_EACCT_ALLOCATABLE		MAKE_SQLSTATE('U','A','0','0','1')
#define ERRCODE_EACCT_DECREASE			MAKE_SQLSTATE('U','A','0','0','2')
#define ERRCODE_EACCT_TRANSFERABLE		MAKE_SQLSTATE('U','A','0','0','3')
#define ERRCODE_EACCT_WITHDRAWABLE		MAKE_SQLSTATE('U','A','0','0','4')
#define ERRCODE_EACCT_NEVER_TRANSFERRED	MAKE_SQLSTATE('U','A','0','0','5')
#define ERRCODE_EACCT_AVAILABLE			MAKE_SQLSTATE('U','A','0','0','6')
#define ERRCODE_EACCT_CREDIT_INACTIVE	MAKE_SQLSTATE('U','A','0','0','7')
#define ERRCODE_EACCT_CENTER_DISABLED	MAKE_SQLSTATE('U','A','0','0','8')
#define ERRCODE_EACCT_OTHER_ENTERPRISE	MAKE_SQLSTATE('U','A','0','0','9')
#define ERRCODE_EACCT_BALANCE_GUARD		MAKE_SQLSTATE('U','A','0','1','0')
#define ERRCODE_EACCT_HISTORY_GUARD		MAKE_SQLSTATE('U','A','0','1','1')
#define ERRCODE_EACCT_REQUEST_REUSED	MAKE_SQLSTATE('U','A','0','1','2')

/* longest enterprise, account or contact address text we accept */
#define EACCT_MAX_NAME	200

/* ---- money.c ---- */
typedef enum AmountRule
{
	AMOUNT_POSITIVE,			/* money-moving amounts: > 0 */
	AMOUNT_NONNEGATIVE			/* thresholds and limits: >= 0 */
} AmountRule;

extern int64 eacct_amount_from_numeric(Numeric num, const char *what,
									   AmountRule rule);
extern int64 eacct_amount_arg(FunctionCallInfo fcinfo, int argno,
							  const char *what, AmountRule rule);
extern Datum eacct_cents_to_numeric(int64 cents);
extern char *eacct_cents_to_cstring(int64 cents);
extern int64 eacct_add(int64 a, int64 b);
extern int64 eacct_sub(int64 a, int64 b);

/* ---- call.c ---- */

/*
 * State of one SQL-callable entry point.  eacct_enter() records the calling
 * role, switches to the owner of the called function (the extension owner)
 * with search_path pinned to pg_catalog, pg_temp, and connects SPI;
 * eacct_leave() undoes it.  An error needs no cleanup: transaction and
 * subtransaction abort restore the user id, the GUC nest level and SPI.
 */
typedef struct EacctCall
{
	Oid			caller;			/* role in effect when we were called */
	Oid			owner;			/* role our statements run as */
	Oid			save_userid;
	int			save_sec_context;
	int			guc_nest;
} EacctCall;

/* a statement prepared once per backend and kept (SPI_keepplan) */
typedef struct EacctPlan
{
	const char *sql;
	int			nargs;
	Oid			argtypes[8];
	SPIPlanPtr	plan;
} EacctPlan;

/* per-query cache of a called function, kept in flinfo->fn_extra */
typedef struct EacctFnCache
{
	Oid			owner;			/* the function's owner */
	void	   *extra;			/* the function's own per-query state */
} EacctFnCache;

extern EacctFnCache *eacct_fn_cache(FunctionCallInfo fcinfo);
extern void eacct_enter(EacctCall *call, FunctionCallInfo fcinfo);
extern void eacct_leave(EacctCall *call);
extern int	eacct_exec(EacctPlan *p, Datum *values, const char *nulls,
					   bool read_only, long count);
extern int64 eacct_int8_result(int row, int col, bool *isnull);

extern void eacct_require_arg(FunctionCallInfo fcinfo, int argno,
							  const char *what);
extern int64 eacct_id_arg(FunctionCallInfo fcinfo, int argno, const char *what);
extern char *eacct_name_arg(FunctionCallInfo fcinfo, int argno,
							const char *what);
extern void eacct_enterprise_not_found(int64 enterprise_id);
extern void eacct_account_not_found(int64 account_id);

/* ---- access.c ---- */
extern void eacct_check_admin(EacctCall *call, int64 enterprise_id);

#endif							/* EACCT_H */
