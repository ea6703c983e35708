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

#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(eacct_may_view);

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

static EacctPlan all_admins = {
	ADMINS_SELECT("ea.admin_name") " ORDER BY ea.enterprise_id",
	0, {InvalidOid}
};

static EacctPlan all_admins_unnamed = {
	ADMINS_SELECT("NULL::pg_catalog.name") " ORDER BY ea.enterprise_id",
	0, {InvalidOid}
};

/* whether eacct.enterprise_admin has admin_name (0.5.0 and later) */
bool
eacct_admin_names(void)
{
	return get_attnum(eacct_relid("enterprise_admin"), "admin_name") != InvalidAttrNumber;
}

/* the enterprises' administrator rows, (enterprise_id, role, name) */
static int
read_admins(const int64 *enterprise_id)
{
	Datum		values[1];
	bool		named = eacct_admin_names();

	if (enterprise_id == NULL)
		return eacct_exec(named ? &all_admins : &all_admins_unnamed, NULL, NULL, true, 0);
	values[0] = Int64GetDatum(*enterprise_id);
	return eacct_exec(named ? &admins_of_enterprise : &admins_of_enterprise_unnamed,
					  values, NULL, true, 0);
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

	if (superuser_arg(call->caller))
		return true;
	n = read_admins(&enterprise_id);
	for (int i = 0; i < n; i++)
	{
		Oid			admin = admin_of_row(i);

		if (OidIsValid(admin) && is_member_of_role(call->caller, admin))
			return true;
	}
	return false;
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
			 errdetail("Role \"%s\" is not an administrator of enterprise " INT64_FORMAT ".",
					   GetUserNameFromId(call->caller, false), enterprise_id)));
}

/* the enterprises the current role may see, computed once per query */
typedef struct Visible
{
	Oid			role;
	bool		all;
	int			n;
	int64	   *ids;			/* ascending */
} Visible;

static Visible *
visible_for(FunctionCallInfo fcinfo)
{
	EacctFnCache *fc = eacct_fn_cache(fcinfo);
	Visible    *v = (Visible *) fc->extra;
	Oid			role = GetUserId();
	EacctCall	call;
	int			n;

	if (v && v->role == role)
		return v;

	v = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(Visible));
	v->role = role;
	v->all = superuser_arg(role) || role == fc->owner;
	if (!v->all)
	{
		eacct_enter(&call, fcinfo);
		n = read_admins(NULL);
		v->ids = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt,
									sizeof(int64) * Max(n, 1));
		for (int i = 0; i < n; i++)
		{
			int64		ent = eacct_int8_result(i, 1, NULL);
			Oid			admin;

			if (v->n > 0 && v->ids[v->n - 1] == ent)
				continue;
			admin = admin_of_row(i);
			if (OidIsValid(admin) && is_member_of_role(role, admin))
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
