/*
 * access.c — who may see and do what.
 *
 * An administrator of an enterprise is any role that is a member (directly
 * or through other roles) of a role added with eacct.add_admin for it.
 * Superusers pass every check.  The views additionally show everything to
 * the extension owner.  A role renamed after it was added administers
 * nothing until it is added again.
 */
#include "eacct.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_auth_members.h"
#include "catalog/pg_authid.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

/*
 * A role administers an enterprise when it is a member of a role added with
 * add_admin, through any chain of grants (INHERIT or not: it could SET ROLE
 * to the admin role and act as it).  From PostgreSQL 16 a grant can deny SET
 * ROLE, and the grant of a role to the CREATEROLE role that created it does
 * (SET FALSE, INHERIT FALSE): such a member cannot act as the admin role, so
 * it does not count.  On 13-15 every membership allows SET ROLE.
 */
static inline bool
admin_member(Oid member, Oid admin_role)
{
#if PG_VERSION_NUM >= 160000
	return member_can_set_role(member, admin_role);
#else
	return is_member_of_role(member, admin_role);
#endif
}

PG_FUNCTION_INFO_V1(eacct_may_view);
PG_FUNCTION_INFO_V1(eacct_admin_name_default);

/*
 * eacct.admin_name_default(): BEFORE INSERT row trigger on
 * eacct.enterprise_admin.  A row without admin_name gets the name its role
 * has now, as ALTER EXTENSION UPDATE to 0.5.0 named the rows it found.
 * add_admin always gives the name; rows without one come from a dump made
 * before 0.5.0, restored into a database where CREATE EXTENSION installed
 * 0.5.0 (pg_dump's COPY names the columns it had).  A row whose role does
 * not exist is left out with a WARNING, as the update removes such rows.
 * (A dump writes a dropped role as its OID, which in another cluster may
 * name another role: README, Restoring a dump.)
 */
Datum
eacct_admin_name_default(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	int			name_att;
	int			role_att;
	bool		isnull;
	Datum		role;
	char	   *rolname;
	NameData	name;
	Datum		value;
	bool		null = false;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event) || !TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("admin_name_default() must be a BEFORE INSERT row trigger")));
	eacct_require_own_table(td->tg_relation, "admin_name_default");
	desc = RelationGetDescr(td->tg_relation);
	name_att = SPI_fnumber(desc, "admin_name");
	role_att = SPI_fnumber(desc, "admin_role");
	if (name_att <= 0 || role_att <= 0 ||
		SPI_gettypeid(desc, name_att) != NAMEOID ||
		SPI_gettypeid(desc, role_att) != REGROLEOID)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("admin_name_default() needs columns admin_name (name) and admin_role (regrole)"),
				 errdetail("Table eacct.%s does not have both.",
						   RelationGetRelationName(td->tg_relation))));
	(void) heap_getattr(td->tg_trigtuple, name_att, desc, &isnull);
	if (!isnull)
		return PointerGetDatum(td->tg_trigtuple);
	role = heap_getattr(td->tg_trigtuple, role_att, desc, &isnull);
	rolname = isnull ? NULL : GetUserNameFromId(DatumGetObjectId(role), true);
	if (rolname == NULL)
	{
		ereport(WARNING,
				(errmsg("leaving out an administrator row whose role does not exist"),
				 errdetail("The row names role OID %u.",
						   isnull ? InvalidOid : DatumGetObjectId(role))));
		return PointerGetDatum(NULL);
	}
	namestrcpy(&name, rolname);
	value = NameGetDatum(&name);
	return PointerGetDatum(heap_modify_tuple_by_cols(td->tg_trigtuple, desc, 1, &name_att,
													 &value, &null));
}

/*
 * From 0.5.0 an enterprise_admin row keeps the name its role had when it
 * was added (admin_name) and counts only while the role with that OID still
 * has that name: the OID of a dropped role can come back as another role's
 * (after OID wrap-around, or in a cluster the rows were restored into).
 * Until ALTER EXTENSION UPDATE the library may run on an older schema
 * without the column; it then goes by the OID alone, as those versions did.
 */
#define ADMINS_SELECT(name_column) \
	"SELECT ea.enterprise_id, ea.admin_role::pg_catalog.oid, " name_column \
	" FROM eacct.enterprise_admin ea"

static EacctPlan admins_of_enterprise = {
	ADMINS_SELECT("ea.admin_name")
	" WHERE ea.enterprise_id OPERATOR(pg_catalog.=) $1",
	1, {INT8OID}
};

static EacctPlan admins_of_enterprise_unnamed = {
	ADMINS_SELECT("NULL::pg_catalog.name")
	" WHERE ea.enterprise_id OPERATOR(pg_catalog.=) $1",
	1, {INT8OID}
};

/* through enterprise_admin_role_idx (0.5.0; before, the whole table) */
#define OF_ROLES \
	" WHERE ea.admin_role::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ($1)" \
	" ORDER BY ea.enterprise_id"

static EacctPlan admins_of_roles = {
	ADMINS_SELECT("ea.admin_name") OF_ROLES,
	1, {OIDARRAYOID}
};

static EacctPlan admins_of_roles_unnamed = {
	ADMINS_SELECT("NULL::pg_catalog.name") OF_ROLES,
	1, {OIDARRAYOID}
};

/* whether eacct.enterprise_admin has admin_name (0.5.0 and later) */
bool
eacct_admin_names(void)
{
	return get_attnum(eacct_relid("enterprise_admin"), "admin_name") != InvalidAttrNumber;
}

/* an enterprise's administrator rows, (enterprise_id, role, name) */
static int
read_admins(int64 enterprise_id)
{
	Datum		values[1];

	values[0] = Int64GetDatum(enterprise_id);
	return eacct_exec(eacct_admin_names() ? &admins_of_enterprise : &admins_of_enterprise_unnamed,
					  values, NULL, true, 0);
}

/*
 * The roles whose administrator rows can count for role: role itself and
 * every role it belongs to through any chain of grants (pg_auth_members),
 * and pg_database_owner with the roles that one belongs to (from 14 the
 * database's owner is its member).  That is a superset of the roles
 * admin_member() accepts (from 16 a grant may deny SET ROLE), which
 * still decides each row.
 */
static Datum
member_roles(Oid role)
{
	HASHCTL		ctl = {0};
	HTAB	   *seen;
	Datum	   *roles;
	int			n = 0,
				cap = 16;
	Oid			start[2];
	int			nstart = 0;
	bool		found;

	ctl.keysize = ctl.entrysize = sizeof(Oid);
	ctl.hcxt = CurrentMemoryContext;
	seen = hash_create("eacct member roles", 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	roles = palloc(sizeof(Datum) * cap);
	start[nstart++] = role;
#if PG_VERSION_NUM >= 140000
	start[nstart++] = ROLE_PG_DATABASE_OWNER;
#endif
	for (int i = 0; i < nstart; i++)
	{
		(void) hash_search(seen, &start[i], HASH_ENTER, &found);
		if (!found)
			roles[n++] = ObjectIdGetDatum(start[i]);
	}
	/* breadth first; roles[] grows as the grants of each are read */
	for (int i = 0; i < n; i++)
	{
		CatCList   *grants = SearchSysCacheList1(AUTHMEMMEMROLE, roles[i]);

		for (int g = 0; g < grants->n_members; g++)
		{
			Oid			granted = ((Form_pg_auth_members)
								   GETSTRUCT(&grants->members[g]->tuple))->roleid;

			(void) hash_search(seen, &granted, HASH_ENTER, &found);
			if (found)
				continue;
			if (n == cap)
			{
				cap *= 2;
				roles = repalloc(roles, sizeof(Datum) * cap);
			}
			roles[n++] = ObjectIdGetDatum(granted);
		}
		ReleaseSysCacheList(grants);
		CHECK_FOR_INTERRUPTS();
	}
	hash_destroy(seen);
	return eacct_array(roles, NULL, n, OIDOID);
}

/*
 * Row i of read_admins(): the role it names when that role is still the
 * one that was added, else InvalidOid (a dropped role, or one renamed since).
 */
static Oid
admin_of_row(int i)
{
	HeapTuple	row = SPI_tuptable->vals[i];
	TupleDesc	desc = SPI_tuptable->tupdesc;
	bool		isnull;
	Oid			admin = DatumGetObjectId(SPI_getbinval(row, desc, 2, &isnull));
	Datum		added_as = SPI_getbinval(row, desc, 3, &isnull);
	char	   *name;

	if (!OidIsValid(admin))
		return InvalidOid;
	name = GetUserNameFromId(admin, true);
	if (name == NULL)
		return InvalidOid;
	if (!isnull && strcmp(name, NameStr(*DatumGetName(added_as))) != 0)
		return InvalidOid;
	return admin;
}

/* whether the caller administers the enterprise (or is a superuser) */
bool
eacct_is_admin(EacctCall *call, int64 enterprise_id)
{
	int			n;
	bool		is_admin = false;

	if (superuser_arg(call->caller))
		return true;
	/* a call asks about its accounts' enterprises before and after locking them */
	for (int k = 0; k < EACCT_ADMIN_MEMO; k++)
		if (call->admin_known[k] != 0 && call->admin_of[k] == enterprise_id)
			return call->admin_known[k] > 0;
	n = read_admins(enterprise_id);
	for (int i = 0; i < n && !is_admin; i++)
	{
		Oid			admin = admin_of_row(i);

		is_admin = OidIsValid(admin) && admin_member(call->caller, admin);
	}
	call->admin_of[call->admin_next] = enterprise_id;
	call->admin_known[call->admin_next] = is_admin ? 1 : -1;
	call->admin_next = (call->admin_next + 1) % EACCT_ADMIN_MEMO;
	return is_admin;
}

/*
 * The caller's name, quoted, for a refusal's detail; a role dropped while
 * its session went on has none (the refusal stays 42501, not 42704).
 */
static const char *
caller_label(Oid role)
{
	char	   *name = GetUserNameFromId(role, true);

	return name ? psprintf("\"%s\"", name) : psprintf("with OID %u", role);
}

/* Error 42501 unless the caller administers the enterprise. */
void
eacct_check_admin(EacctCall *call, int64 enterprise_id)
{
	if (eacct_is_admin(call, enterprise_id))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied for enterprise " INT64_FORMAT,
					enterprise_id),
			 errdetail("Role %s is not an administrator of enterprise " INT64_FORMAT ".",
					   caller_label(call->caller), enterprise_id)));
}

/*
 * Whether the caller administers the enterprise of account a.  An account
 * read without its lock because the call found no right to it (stranger)
 * is refused whatever eacct_is_admin() would answer now.
 */
bool
eacct_is_account_admin(EacctCall *call, const LedgerAccount *a)
{
	return !a->stranger && eacct_is_admin(call, a->enterprise_id);
}

/*
 * Error 42501 unless the caller administers the enterprise of account a.
 * The error names the account, not its enterprise: a caller who
 * administers neither learns nothing about the account but that it exists.
 */
void
eacct_check_account_admin(EacctCall *call, const LedgerAccount *a)
{
	if (eacct_is_account_admin(call, a))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied for account " INT64_FORMAT, a->account_id),
			 errdetail("Role %s is not an administrator of the account's enterprise.",
					   caller_label(call->caller))));
}

/*
 * The enterprises the current role may see, computed once per query, or
 * again when the role, the transaction or the command its snapshot reads
 * as changed (a PL/pgSQL expression keeps its fn_extra across statements,
 * and an add_admin in between advances the counter the next statement's
 * snapshot takes; a function the query calls on every row does not).
 */
typedef struct Visible
{
	Oid			role;
	LocalTransactionId lxid;
	CommandId	cid;
	bool		all;
	int			n;
	int64	   *ids;			/* ascending */
} Visible;

#if PG_VERSION_NUM >= 170000
#define MY_LXID (MyProc->vxid.lxid)
#else
#define MY_LXID (MyProc->lxid)
#endif

/*
 * The command the statement reads as: the active snapshot's, which the
 * administrator rows are read with (read_only SPI).  A PL/pgSQL statement
 * of a volatile function takes a new snapshot after a CommandCounterIncrement,
 * so an add_admin in between is seen; within one SQL statement it stays the
 * same even when functions it calls write (the global command counter would
 * move on every row).
 */
static CommandId
reading_cid(void)
{
	return ActiveSnapshotSet() ? GetActiveSnapshot()->curcid : GetCurrentCommandId(false);
}

static Visible *
visible_for(FunctionCallInfo fcinfo)
{
	EacctFnCache *fc = eacct_fn_cache(fcinfo);
	Visible    *v = (Visible *) fc->extra;
	Oid			role = GetUserId();
	EacctCall	call;
	int			n;

	if (v && v->role == role && v->lxid == MY_LXID && v->cid == reading_cid())
		return v;

	/* the one it replaces goes (a loop of writes and calls would pile them up) */
	if (v)
	{
		if (v->ids)
			pfree(v->ids);
		pfree(v);
		fc->extra = NULL;
	}
	v = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(Visible));
	v->role = role;
	v->lxid = MY_LXID;
	v->cid = reading_cid();
	v->all = superuser_arg(role) || role == fc->owner;
	if (!v->all)
	{
		Datum		roles[1];

		eacct_enter_row_filter(&call, fcinfo);
		roles[0] = member_roles(role);
		n = eacct_exec(eacct_admin_names() ? &admins_of_roles : &admins_of_roles_unnamed,
					   roles, NULL, true, 0);
		v->ids = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt,
									sizeof(int64) * Max(n, 1));
		for (int i = 0; i < n; i++)
		{
			int64		ent = eacct_int8_result(i, 1, NULL);
			Oid			admin;

			if (v->n > 0 && v->ids[v->n - 1] == ent)
				continue;
			admin = admin_of_row(i);
			if (OidIsValid(admin) && admin_member(role, admin))
				v->ids[v->n++] = ent;
		}
		eacct_leave(&call);
	}
	fc->extra = v;
	return v;
}

/*
 * eacct.may_view(enterprise_id bigint) -> boolean
 *
 * The row filter of every eacct view: true when the current role is a
 * superuser, the extension owner, or an administrator of the enterprise.
 */
Datum
eacct_may_view(PG_FUNCTION_ARGS)
{
	Visible    *v;
	int64		ent;
	int			lo,
				hi;

	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	ent = PG_GETARG_INT64(0);
	v = visible_for(fcinfo);
	if (v->all)
		PG_RETURN_BOOL(true);
	lo = 0;
	hi = v->n - 1;
	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (v->ids[mid] == ent)
			PG_RETURN_BOOL(true);
		if (v->ids[mid] < ent)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	PG_RETURN_BOOL(false);
}
