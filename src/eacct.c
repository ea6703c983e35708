/*
 * eacct.c — module entry: PG_MODULE_MAGIC and _PG_init.
 */
#include "eacct.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
}
