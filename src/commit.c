/*
 * commit.c — early lock release (eacct.early_lock_release).
 *
 * With synchronous_commit on, PostgreSQL releases a transaction's locks
 * only after its commit record is flushed.  Every transfer holds the rows
 * of two accounts, so on a few busy accounts the callers queue one flush
 * after another.  With eacct.early_lock_release on, a transaction that
 * changed data through eacct commits asynchronously (its commit record
 * is written, not yet flushed, when the locks go) and then, after the
 * locks are released and before the client hears of the commit, flushes
 * the WAL up to its commit record itself.  So no client is told of a
 * commit that a crash could lose, as with synchronous_commit on.
 *
 * Why it is safe for what is written: a transaction that waited for one
 * of these locks, or read what the holder wrote, writes its own commit
 * record after the holder's; the WAL is flushed in order, so when its
 * commit is durable, the holder's is too.  A crash can lose only
 * transactions whose clients have not been told they committed, together
 * with everything that depended on them.
 *
 * What it gives up: for the moment between releasing the locks and the
 * flush, another session can *read* the data of a commit that a crash
 * would still undo (as with synchronous_commit off, but bounded by one
 * flush), and a LISTENer can be notified of it.  Synchronous replication
 * is left alone: with synchronous standbys named and synchronous_commit
 * above local, the setting does nothing.  See README "Early lock release".
 */
#include "eacct.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "utils/guc.h"
#include "utils/resowner.h"

bool		eacct_early_lock_release = false;

/* this transaction commits asynchronously and flushes after its locks */
static bool armed = false;
/* end of its commit record, once written */
static XLogRecPtr flush_to = InvalidXLogRecPtr;

/*
 * Called when an eacct call has changed data (the transaction has an xid):
 * with the setting on, make this transaction's commit asynchronous, to be
 * flushed by after_locks() below.
 */
void
eacct_commit_early(void)
{
	const char *standbys;

	if (!eacct_early_lock_release || armed)
		return;
	/* already asynchronous: nothing to release early, nothing to flush */
	if (synchronous_commit < SYNCHRONOUS_COMMIT_LOCAL_FLUSH)
		return;
	/* a commit that must wait for a synchronous standby keeps its locks */
	standbys = GetConfigOption("synchronous_standby_names", false, false);
	if (synchronous_commit > SYNCHRONOUS_COMMIT_LOCAL_FLUSH &&
		standbys != NULL && standbys[0] != '\0')
		return;
	(void) set_config_option("synchronous_commit", "off",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_LOCAL,
							 true, 0, false);
	armed = true;
}

static void
at_commit(XactEvent event, void *arg)
{
	if (!armed)
		return;
	if (event == XACT_EVENT_COMMIT)
		flush_to = XactLastCommitEnd;	/* RecordTransactionCommit() set it */
	else if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE)
	{
		/* a prepared transaction's record was flushed by PREPARE itself */
		armed = false;
		flush_to = InvalidXLogRecPtr;
	}
}

/* the transaction's locks are gone: now make its commit durable */
static void
after_locks(ResourceReleasePhase phase, bool isCommit, bool isTopLevel, void *arg)
{
	XLogRecPtr	lsn;

	if (phase != RESOURCE_RELEASE_AFTER_LOCKS || !isTopLevel || !armed)
		return;
	lsn = flush_to;
	armed = false;
	flush_to = InvalidXLogRecPtr;
	if (isCommit && !XLogRecPtrIsInvalid(lsn))
		XLogFlush(lsn);
}

void
eacct_commit_init(void)
{
	DefineCustomBoolVariable("eacct.early_lock_release",
							 "Release the row locks of eacct's transactions before their commit is flushed.",
							 "The commit is still flushed before the client is told of it; "
							 "other sessions may read it a moment before it is durable.",
							 &eacct_early_lock_release,
							 false,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);
	RegisterXactCallback(at_commit, NULL);
	RegisterResourceReleaseCallback(after_locks, NULL);
}
