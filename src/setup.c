/*
 * setup.c — the objects money lives in: enterprises (each created with its
 * management account), member accounts, administrators and contacts.
 * These are operator functions: EXECUTE is revoked from PUBLIC.
 */
#include "eacct.h"

#include "miscadmin.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(eacct_create_enterprise);
PG_FUNCTION_INFO_V1(eacct_create_account);
PG_FUNCTION_INFO_V1(eacct_enable_account_center);
PG_FUNCTION_INFO_V1(eacct_add_admin);
PG_FUNCTION_INFO_V1(eacct_remove_admin);
PG_FUNCTION_INFO_V1(eacct_add_contact);

static EacctPlan insert_enterprise = {
	"WITH ids AS (SELECT pg_catalog.nextval('eacct.enterprise_id_seq') AS e,"
	"                    pg_catalog.nextval('eacct.account_id_seq') AS a),"
	"     ent AS (INSERT INTO eacct.enterprise (enterprise_id, name, ma_account_id)"
	"             SELECT ids.e, $1, ids.a FROM ids RETURNING enterprise_id, ma_account_id)"
	" INSERT INTO eacct.account (enterprise_id, account_id, name, is_ma)"
	" SELECT ent.enterprise_id, ent.ma_account_id, $2, true FROM ent"
	" RETURNING enterprise_id, account_id",
	2, {TEXTOID, TEXTOID}
};

static EacctPlan insert_account = {
	"INSERT INTO eacct.account (enterprise_id, name)"
	" SELECT e.enterprise_id, $2 FROM eacct.enterprise e"
	" WHERE e.enterprise_id OPERATOR(pg_catalog.=) $1"
	" RETURNING account_id, enterprise_id",
	2, {INT8OID, TEXTOID}
};

/* account ids come from one sequence; one set back could repeat an id (lock.c) */
static EacctPlan account_id_taken = {
	"SELECT a.enterprise_id FROM eacct.account a"
	" WHERE a.account_id OPERATOR(pg_catalog.=) $1"
	"   AND a.enterprise_id OPERATOR(pg_catalog.<>) $2 LIMIT 1",
	2, {INT8OID, INT8OID}
};

static void
check_new_account_id(int64 enterprise_id, int64 account_id)
{
	Datum		values[2] = {Int64GetDatum(account_id), Int64GetDatum(enterprise_id)};

	if (eacct_exec(&account_id_taken, values, NULL, false, 0) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("account id " INT64_FORMAT " is taken", account_id),
				 errdetail("An account of enterprise " INT64_FORMAT " has this id.",
						   eacct_int8_result(0, 1, NULL)),
				 errhint("eacct.account_id_seq was set back below an existing account id;"
						 " set it past the largest one.")));
}

static EacctPlan update_center = {
	"UPDATE eacct.enterprise SET account_center_enabled = $2"
	" WHERE enterprise_id OPERATOR(pg_catalog.=) $1",
	2, {INT8OID, BOOLOID}
};

static EacctPlan enterprise_exists = {
	"SELECT 1 FROM eacct.enterprise e"
	" WHERE e.enterprise_id OPERATOR(pg_catalog.=) $1 FOR KEY SHARE",
	1, {INT8OID}
};

/* adding a role again records the name it has now (it may have been renamed) */
static EacctPlan insert_admin = {
	"INSERT INTO eacct.enterprise_admin AS ea (enterprise_id, admin_role, admin_name)"
	" VALUES ($1, $2, $3) ON CONFLICT (enterprise_id, admin_role)"
	" DO UPDATE SET admin_name = excluded.admin_name"
	" WHERE ea.admin_name OPERATOR(pg_catalog.<>) excluded.admin_name",
	3, {INT8OID, REGROLEOID, NAMEOID}
};

/* the same on a schema before 0.5.0 (no admin_name; see access.c) */
static EacctPlan insert_admin_unnamed = {
	"INSERT INTO eacct.enterprise_admin (enterprise_id, admin_role)"
	" VALUES ($1, $2) ON CONFLICT DO NOTHING",
	2, {INT8OID, REGROLEOID}
};

static EacctPlan delete_admin = {
	"DELETE FROM eacct.enterprise_admin"
	" WHERE enterprise_id OPERATOR(pg_catalog.=) $1"
	"   AND admin_role::pg_catalog.oid OPERATOR(pg_catalog.=) $2::pg_catalog.oid",
	2, {INT8OID, REGROLEOID}
};

static EacctPlan account_enterprise = {
	"SELECT a.enterprise_id FROM eacct.account a"
	" WHERE a.account_id OPERATOR(pg_catalog.=) $1 FOR KEY SHARE",
	1, {INT8OID}
};

static EacctPlan insert_contact = {
	"INSERT INTO eacct.contact (enterprise_id, account_id, channel, address)"
	" VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
	4, {INT8OID, INT8OID, TEXTOID, TEXTOID}
};

/* create_enterprise(name text, ma_account_name text) -> bigint */
Datum
eacct_create_enterprise(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	Datum		values[2];
	int64		id;

	values[0] = CStringGetTextDatum(eacct_name_arg(fcinfo, 0, "enterprise name"));
	values[1] = CStringGetTextDatum(eacct_name_arg(fcinfo, 1, "account name"));

	eacct_enter(&call, fcinfo);
	if (ledger_write(&insert_enterprise, values, NULL) != 1)
		elog(ERROR, "enterprise insert returned no row");
	id = eacct_int8_result(0, 1, NULL);
	check_new_account_id(id, eacct_int8_result(0, 2, NULL));
	eacct_leave(&call);
	PG_RETURN_INT64(id);
}

/* create_account(enterprise_id bigint, name text) -> bigint */
Datum
eacct_create_account(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	Datum		values[2];
	int64		ent = eacct_id_arg(fcinfo, 0, "enterprise_id");
	int64		id;

	values[0] = Int64GetDatum(ent);
	values[1] = CStringGetTextDatum(eacct_name_arg(fcinfo, 1, "account name"));

	eacct_enter(&call, fcinfo);
	if (ledger_write(&insert_account, values, NULL) != 1)
		eacct_enterprise_not_found(ent);
	id = eacct_int8_result(0, 1, NULL);
	check_new_account_id(ent, id);
	eacct_leave(&call);
	PG_RETURN_INT64(id);
}

/* enable_account_center(enterprise_id bigint, enabled boolean) -> void */
Datum
eacct_enable_account_center(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	Datum		values[2];
	int64		ent = eacct_id_arg(fcinfo, 0, "enterprise_id");

	eacct_require_arg(fcinfo, 1, "enabled");
	values[0] = Int64GetDatum(ent);
	values[1] = PG_GETARG_DATUM(1);

	eacct_enter(&call, fcinfo);
	if (eacct_exec(&update_center, values, NULL, false, 0) != 1)
		eacct_enterprise_not_found(ent);
	eacct_leave(&call);
	PG_RETURN_VOID();
}

/* a regrole argument: not NULL, not "-" (no role) */
static void
require_role_arg(FunctionCallInfo fcinfo, int argno)
{
	eacct_require_arg(fcinfo, argno, "role");
	if (!OidIsValid(PG_GETARG_OID(argno)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("role must name an existing role"),
				 errdetail("The role \"-\" (no role) cannot administer an enterprise.")));
}

/* add or remove the administrator row of (enterprise, role) */
static Datum
change_admin(FunctionCallInfo fcinfo, bool add)
{
	EacctCall	call;
	Datum		values[3];
	int64		ent = eacct_id_arg(fcinfo, 0, "enterprise_id");
	NameData	name;

	require_role_arg(fcinfo, 1);
	values[0] = Int64GetDatum(ent);
	values[1] = PG_GETARG_DATUM(1);
	if (add)
	{
		Oid			role = PG_GETARG_OID(1);
		char	   *current = GetUserNameFromId(role, true);

		/* a number given as regrole is not looked up by regrolein */
		if (current == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("role with OID %u does not exist", role),
					 errdetail("Only an existing role can administer an enterprise.")));
		namestrcpy(&name, current);
		values[2] = NameGetDatum(&name);
	}

	eacct_enter(&call, fcinfo);
	if (eacct_exec(&enterprise_exists, values, NULL, false, 0) != 1)
		eacct_enterprise_not_found(ent);
	if (!add)
		eacct_exec(&delete_admin, values, NULL, false, 0);
	else if (eacct_admin_names())
		eacct_exec(&insert_admin, values, NULL, false, 0);
	else
		eacct_exec(&insert_admin_unnamed, values, NULL, false, 0);
	eacct_leave(&call);
	PG_RETURN_VOID();
}

/*
 * add_admin(enterprise_id bigint, role regrole) -> void
 *
 * Repeating it is a no-op, except that it records the role's name again
 * when the role was renamed since (a renamed role administers nothing
 * until then: access.c).
 */
Datum
eacct_add_admin(PG_FUNCTION_ARGS)
{
	return change_admin(fcinfo, true);
}

/*
 * remove_admin(enterprise_id bigint, role regrole) -> void
 *
 * The role no longer administers the enterprise; removing a role that is
 * not an administrator is a no-op.  A dropped role can be given by its
 * OID ('16384'::regrole) to remove the row it left behind.
 */
Datum
eacct_remove_admin(PG_FUNCTION_ARGS)
{
	return change_admin(fcinfo, false);
}

static bool
valid_email(const char *a)
{
	const char *at = strchr(a, '@');

	if (at == NULL || at == a || strchr(at + 1, '@') != NULL)
		return false;
	if (strchr(at + 1, '.') == NULL || at[1] == '.' || a[strlen(a) - 1] == '.')
		return false;
	for (const char *c = a; *c; c++)
		if (*c == ' ')
			return false;
	return true;
}

static bool
valid_phone(const char *a)
{
	int			digits = 0;

	for (const char *c = a; *c; c++)
	{
		if (*c >= '0' && *c <= '9')
			digits++;
		else if (!(*c == '+' && c == a) && *c != ' ' && *c != '-')
			return false;
	}
	return digits >= 6 && digits <= 20;
}

/*
 * add_contact(account_id bigint, channel text, address text) -> void
 *
 * channel is 'sms' (a phone number: digits, optional leading +, spaces and
 * dashes, 6 to 20 digits) or 'email' (local@domain.tld).  Adding the same
 * contact twice is a no-op.
 */
Datum
eacct_add_contact(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	Datum		values[4];
	int64		account = eacct_id_arg(fcinfo, 0, "account_id");
	char	   *channel = eacct_name_arg(fcinfo, 1, "channel");
	char	   *address = eacct_name_arg(fcinfo, 2, "address");

	if (strcmp(channel, "sms") == 0)
	{
		if (!valid_phone(address))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid sms address"),
					 errdetail("\"%s\" is not a phone number of 6 to 20 digits.",
							   address)));
	}
	else if (strcmp(channel, "email") == 0)
	{
		if (!valid_email(address))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid email address"),
					 errdetail("\"%s\" is not of the form name@domain.tld.",
							   address)));
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid contact channel"),
				 errdetail("Channel \"%s\" is neither \"sms\" nor \"email\".",
						   channel)));

	eacct_enter(&call, fcinfo);
	values[0] = Int64GetDatum(account);
	if (eacct_exec(&account_enterprise, values, NULL, false, 0) != 1)
		eacct_account_not_found(account);
	values[0] = Int64GetDatum(eacct_int8_result(0, 1, NULL));
	values[1] = Int64GetDatum(account);
	values[2] = CStringGetTextDatum(channel);
	values[3] = CStringGetTextDatum(address);
	eacct_exec(&insert_contact, values, NULL, false, 0);
	eacct_leave(&call);
	PG_RETURN_VOID();
}
