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
#include "access/xlogdefs.h"
#include "executor/spi.h"
#include "storage/itemptr.h"
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
/* longest idempotency key */
#define EACCT_MAX_REQUEST_ID 200
/*
 * most transfers in one transfer_batch call (54000 beyond): the call keeps
 * its elements, accounts and entries in memory (about 1 KB a transfer)
 * and holds every lock it takes until its transaction ends
 */
#define EACCT_MAX_BATCH 100000

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

/* ---- rules.c ---- */
extern int64 rule_available(int64 own_cash, int64 transfer_book,
							int64 credit_limit, int64 outstanding);
extern int64 rule_allocatable(int64 credit_line, int64 allocated, int64 overdue);
extern int64 rule_transferable(int64 available, int64 own_cash);
extern int64 rule_withdrawable(int64 transfer_book, int64 available,
							   int64 net_transferred);
extern bool rule_decrease_allowed(int64 own_cash, int64 transfer_book,
								  int64 new_limit, int64 outstanding);

/* ---- call.c ---- */

/*
 * State of one SQL-callable entry point.  eacct_enter() records the calling
 * role, switches to the owner of the called function (the extension owner)
 * with search_path pinned to pg_catalog, pg_temp, and connects SPI;
 * eacct_leave() undoes it.  An error needs no cleanup: transaction and
 * subtransaction abort restore the user id, the GUC nest level and SPI.
 */
/* the sequences eacct's C code draws ids from */
typedef enum EacctSeq
{
	SEQ_ENTRY,					/* entry_id_seq */
	SEQ_RECORD,					/* record_id_seq */
	SEQ_BILL,					/* bill_id_seq */
	SEQ_CHANGE,					/* change_id_seq */
	NSEQ
} EacctSeq;

typedef struct EacctCall
{
	Oid			caller;			/* role in effect when we were called */
	Oid			owner;			/* role our statements run as */
	Oid			save_userid;
	int			save_sec_context;
	int			guc_nest;
	const char *caller_name;	/* looked up on first use */
	MemoryContext outer;		/* the caller's memory context */
	struct LedgerBuffer *ledger;	/* journal entries not yet written */
	Oid			seq[NSEQ];		/* sequence OIDs, looked up on first use */
	XLogRecPtr	wal_mark;		/* XactLastRecEnd when we were called */
	bool		repeat;			/* answers from an earlier call's key */
	bool		counted;		/* the session's running call (not a row filter) */
	/* enterprises checked for the caller: > 0 administers, < 0 does not */
#define EACCT_ADMIN_MEMO 8
	int64		admin_of[EACCT_ADMIN_MEMO];
	int8		admin_known[EACCT_ADMIN_MEMO];
	int			admin_next;		/* the memo slot to fill next */
} EacctCall;

/* a statement prepared once per backend and kept (SPI_keepplan) */
#define EACCT_MAX_PARAMS 16
typedef struct EacctPlan
{
	const char *sql;
	int			nargs;
	Oid			argtypes[EACCT_MAX_PARAMS];
	SPIPlanPtr	plan;
	int			cursor_options;	/* 0: CURSOR_OPT_GENERIC_PLAN */
} EacctPlan;

/* per-query cache of a called function, kept in flinfo->fn_extra */
typedef struct EacctFnCache
{
	Oid			owner;			/* the function's owner */
	void	   *extra;			/* the function's own per-query state */
} EacctFnCache;

extern EacctFnCache *eacct_fn_cache(FunctionCallInfo fcinfo);
extern void eacct_enter(EacctCall *call, FunctionCallInfo fcinfo);
extern void eacct_enter_row_filter(EacctCall *call, FunctionCallInfo fcinfo);
extern void eacct_leave(EacctCall *call);
extern SPIPlanPtr eacct_prepare(EacctPlan *p);
extern int	eacct_exec(EacctPlan *p, Datum *values, const char *nulls,
					   bool read_only, long count);
extern int	eacct_exec_as_of(EacctPlan *p, Datum *values, const char *nulls,
							 Snapshot as_of);
extern int64 eacct_int8_result(int row, int col, bool *isnull);
extern int64 eacct_int8_col(HeapTuple tup, TupleDesc desc, int col);
extern Datum eacct_array(Datum *elems, bool *nulls, int n, Oid type);
extern int	eacct_distinct_ids(int64 *ids, int n);
extern int	eacct_cmp_int64(const void *x, const void *y);
extern bool eacct_bool_col(HeapTuple tup, TupleDesc desc, int col);

extern void eacct_require_arg(FunctionCallInfo fcinfo, int argno,
							  const char *what);
extern int64 eacct_id_arg(FunctionCallInfo fcinfo, int argno, const char *what);
extern struct ArrayType *eacct_array_arg(FunctionCallInfo fcinfo, int argno,
										 const char *what);
extern void eacct_no_null_elements(const bool *nulls, int n, const char *what);
extern char *eacct_name_arg(FunctionCallInfo fcinfo, int argno,
							const char *what);
extern void eacct_check_label(const char *s, int maxlen, const char *what);
extern char *eacct_request_id_arg(FunctionCallInfo fcinfo, int argno);
extern char *eacct_text_arg(FunctionCallInfo fcinfo, int argno, int maxlen,
							const char *what);
extern const char *eacct_caller_name(EacctCall *call);
extern void eacct_check_srf(FunctionCallInfo fcinfo);
extern void eacct_return_spi_rows(FunctionCallInfo fcinfo);
extern void eacct_enterprise_not_found(int64 enterprise_id);
extern void eacct_account_not_found(int64 account_id);

/* ---- access.c ---- */
extern bool eacct_is_admin(EacctCall *call, int64 enterprise_id);
extern void eacct_check_admin(EacctCall *call, int64 enterprise_id);
extern bool eacct_admin_names(void);

/* ---- ledger.c ---- */
enum
{
	B_OWN_CASH,
	B_TRANSFER_BOOK,
	B_CREDIT_LIMIT,
	B_OUTSTANDING,
	B_OVERDUE,
	NBAL
};

/* an account as the ledger core reads, checks and writes it */
typedef struct LedgerBuffer LedgerBuffer;

typedef struct LedgerAccount
{
	int64		enterprise_id;
	int64		account_id;
	char	   *name;
	bool		is_ma;
	int64		bal[NBAL];		/* balances now (cents) */
	int64		orig[NBAL];		/* balances as last written */
	int64		alert_threshold;
	bool		alert_enabled;
	bool		alert_triggered;
	/* of its enterprise, read with the account (not locked) */
	bool		center_enabled;
	/* the locked row version: the flush updates it by TID */
	ItemPointerData tid;
	HeapTuple	locked;			/* a copy of that version, or NULL */
	int			update_slot;	/* 1 + its slot in the call's updates, or 0 */
	/* read unlocked: its caller does not administer its enterprise */
	bool		stranger;
} LedgerAccount;

extern bool eacct_is_account_admin(EacctCall *call, const LedgerAccount *a);

/* whether UTF-8 text at u starts with U+FFFE or U+FFFF, which no XML document holds */
static inline bool
eacct_utf8_noncharacter(const unsigned char *u)
{
	return u[0] == 0xEF && u[1] == 0xBF && (u[2] == 0xBE || u[2] == 0xBF);
}
extern void eacct_check_account_admin(EacctCall *call, const LedgerAccount *a);

/* lock.c: read (and lock) accounts; the ledger's ledger_accounts*() call it */
extern bool ledger_read_accounts(int n, const int64 *ids, LedgerAccount *out,
								 bool lock, bool missing_ok, EacctCall *admin_of,
								 Snapshot as_of);
extern int64 ledger_pair_net(int64 enterprise_id, int64 source, int64 holder,
							 Snapshot as_of);
/* a transfer pair's row as ledger_pair_rows() finds it */
typedef struct LedgerPair
{
	int64		enterprise_id;
	int64		source;
	int64		holder;
	bool		found;
	ItemPointerData tid;
	HeapTuple	locked;			/* a copy of the version locked, or NULL */
	int64		transferred;
	int64		withdrawn;
} LedgerPair;
extern void ledger_pair_rows(int n, LedgerPair *p);
extern AttrNumber eacct_column(Relation rel, const char *name);
extern Oid	eacct_relid(const char *name);
extern void eacct_forget_relids_rel(Oid relid);
extern void eacct_register_cache_callbacks(void);
extern void eacct_require_own_table(Relation rel, const char *fn);
extern Oid	eacct_locked_relid(const char *name, LOCKMODE mode);

/* guard.c: the balance guard trigger, which rows.c recognises */
extern PGDLLEXPORT Datum eacct_guard_balances(PG_FUNCTION_ARGS);

/* rows.c: write rows through the executor's row API */
extern int	eacct_insert_rows(const char *table, int ncols, const char *const *names,
							  Datum *const *cols, bool *const *nulls, int nrows);
extern Datum *eacct_repeated(Datum d, int n);
extern int	eacct_update_rows(const char *table, int ncols, const char *const *names,
							  Datum *const *cols, const ItemPointerData *tids,
							  HeapTuple const *olds,
							  const char *key_name, const int64 *keys, int nrows);

/* what a journal entry refers to; zero / NULL fields are left empty */
typedef struct LedgerRef
{
	int64		entry_id;		/* preassigned journal entry id, or 0 */
	int64		counterparty;
	int64		ref_id;
	int64		coupon_id;
	int64		coupon_used;
	const char *memo;
	const char *request_id;
} LedgerRef;

/* the enterprise row, locked FOR NO KEY UPDATE by ledger_lock_enterprise */
typedef struct LedgerEnterprise
{
	int64		enterprise_id;
	int64		ma_account_id;
	int64		credit_line;
	int64		allocated;
	int64		overdue;
	char		credit_status[24];
	bool		center_enabled;
} LedgerEnterprise;

extern bool eacct_ledger_writing;

extern void ledger_accounts(EacctCall *call, int n, const int64 *ids,
							LedgerAccount *out, bool lock);
extern void ledger_admin_accounts(EacctCall *call, int n, const int64 *ids,
								  LedgerAccount *out);
extern bool ledger_accounts_missing_ok(EacctCall *call, int n, const int64 *ids,
									   LedgerAccount *out, bool lock);
extern void ledger_accounts_as_of(EacctCall *call, int n, const int64 *ids,
								  LedgerAccount *out, Snapshot as_of);
extern void ledger_lock_enterprise(EacctCall *call, int64 enterprise_id,
								   LedgerEnterprise *e);
extern void ledger_write_enterprise(EacctCall *call, LedgerEnterprise *e);
extern int64 ledger_available(const LedgerAccount *a);
extern int64 ledger_post(EacctCall *call, LedgerAccount *a, const char *kind,
						 int64 amount, const LedgerRef *ref);
extern bool ledger_request(EacctCall *call, int64 enterprise_id,
						   const char *request_id, const char *operation,
						   const char *args, int64 *result);
extern bool ledger_request_try(EacctCall *call, int64 enterprise_id,
							   const char *request_id, const char *operation,
							   const char *args, int64 *result, bool *mismatch);
extern bool ledger_request_on(EacctCall *call, const LedgerAccount *a,
							  const char *request_id, const char *operation,
							  const char *args, const char *legacy_args,
							  int64 *result);
extern int64 ledger_nextval(EacctCall *call, EacctSeq seq);

/*
 * Journal entries are buffered during a call and written by ledger_flush()
 * through the executor's row API (rows.c): every entry appended to
 * eacct.journal_entry, each account's row set to its balances after its
 * last entry.  transfer.c then writes its records and pair changes the
 * same way.
 */
extern void ledger_flush(EacctCall *call);
/* an SPI statement, or a row API update, that writes balance columns */
extern int	ledger_write(EacctPlan *p, Datum *values, const char *nulls);
extern int	ledger_update_rows(const char *table, int ncols, const char *const *names,
							   Datum *const *cols, const ItemPointerData *tids,
							   HeapTuple const *olds,
							   const char *key_name, const int64 *keys, int nrows);
extern void ledger_require_center(const LedgerAccount *a);
extern bool ledger_evaluate_alert(LedgerAccount *a);
extern void ledger_alert_notify(EacctCall *call, const LedgerAccount *a);
extern void ledger_same_enterprise(const LedgerAccount *a, const LedgerAccount *b);


/* ---- transfer.c ---- */
extern void eacct_rethrow_with_index(int index);
extern void eacct_throw_element(int index, ErrorData *edata);

/* ---- eacct.c ---- */
extern int	eacct_notification_lease;

/* ---- commit.c ---- */
extern bool eacct_early_lock_release;
extern void eacct_commit_init(void);

/* call.c: triggers a statement fires on eacct's tables */
extern void eacct_check_fired_triggers(ResultRelInfo *rri);
extern void eacct_call_init(void);
extern void eacct_commit_wrote(void);
extern void eacct_flush_before_answer(void);

/* ---- notify.c ---- */
extern void notify_queue(EacctCall *call, int64 enterprise_id, int64 account_id,
						 const char *event, const char *figures_json,
						 bool own_contacts_first);

#endif							/* EACCT_H */
