/*
 * eacct.c — module entry: PG_MODULE_MAGIC, _PG_init and the GUCs.
 */
#include "eacct.h"

#include "utils/guc.h"

PG_MODULE_MAGIC;

/* seconds a claimed notification stays claimed before others may retry it */
int			eacct_notification_lease = 300;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomIntVariable("eacct.notification_lease",
							"Seconds a notification claimed by a dispatcher stays reserved for it.",
							"After this time an unsent claimed notification can be claimed again.",
							&eacct_notification_lease,
							300, 1, 86400 * 7,
							PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);
	eacct_commit_init();
	eacct_call_init();
#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("eacct");
#else
	EmitWarningsOnPlaceholders("eacct");
#endif
}
