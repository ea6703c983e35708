/*
 * access.c — who may see and do what.
 *
 * An administrator of an enterprise is any role that is a member (directly
 * or through other roles) of a role added with eacct.add_admin for it.
 * Superusers pass every check.  The views additionally show everything to
 * the extension owner.
 */
#include "eacct.h"

#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(eacct_may_view);

static EacctPlan admins_of_enterprise = {
	"SELECT ea.admin_role::pg_catalog.oid FROM eacct.enterprise_admin ea"
	" WHERE ea.enterprise_id OPERATOR(pg_catalog.=) $1",
	1, {INT8OID}
};

static EacctPlan all_admins = {
	"SELECT ea.enterprise_id, ea.admin_role::pg_catalog.oid"
	" FROM eacct.enterprise_admin ea ORDER BY ea.enterprise_id",
	0, {InvalidOid}
};

/* Error 42501 unless the caller administers the enterprise. */
void
eacct_check_admin(EacctCall *call, int64 enterprise_id)
{
	Datum		values[1] = {Int64GetDatum(enterprise_id)};
	int			n;

	if (superuser_arg(call->caller))
		return;
	n = eacct_exec(&admins_of_enterprise, values, NULL, true, 0);
	for (int i = 0; i < n; i++)
	{
		bool		isnull;
		Oid			admin = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
														   SPI_tuptable->tupdesc,
														   1, &isnull));

		if (!isnull && is_member_of_role(call->caller, admin))
			return;
	}
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
		n = eacct_exec(&all_admins, NULL, NULL, true, 0);
		v->ids = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt,
									sizeof(int64) * Max(n, 1));
		for (int i = 0; i < n; i++)
		{
			bool		isnull;
			int64		ent = eacct_int8_result(i, 1, NULL);
			Oid			admin = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
															   SPI_tuptable->tupdesc,
															   2, &isnull));

			if (isnull || (v->n > 0 && v->ids[v->n - 1] == ent))
				continue;
			if (is_member_of_role(role, admin))
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
