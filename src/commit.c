/*
 * commit.c — early lock release (eacct.early_lock_release).
 *
 * With synchronous_commit on, PostgreSQL releases a transaction's locks
 * only after its commit record is flushed.  Every transfer holds the rows
 * of two accounts, so on a few busy accounts the callers queue one flush
 * after another.  With eacct.early_lock_release on, a transaction in which
 * an eacct call wrote commits asynchronously (when its locks go, its
 * commit record is written but not yet flushed) and then, after the
 * locks are released and before the client hears of the commit, flushes
 * the WAL up to its commit record itself.  So no client is told of a
 * commit that a crash could lose, as with synchronous_commit on.
 *
 * Why that is safe for what is written: a transaction that waited for one
 * of these locks, or read what the holder wrote, and then commits writes
 * its commit record after the holder's; the WAL is flushed in order, so
 * when its commit is durable, the holder's is too.
 *
 * What it gives up: from the moment the commit becomes visible
 * (ProcArrayEndTransaction(), just before the locks go) until the flush,
 * other sessions can read data that a crash would still undo, and answer
 * from it without committing anything (a read, a rejected call), as with
 * synchronous_commit off, but for one flush.  A commit that must wait for
 * a synchronous standby is left alone.  README: "Early lock release".
 *
 * The decision is taken at pre-commit, from the settings then in force:
 * a savepoint rolled back or a function's SET clause in between cannot
 * undo it, and a parallel query never sees it.
 */
#include "eacct.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "access/xlog_internal.h"
#include "catalog/storage.h"
#include "utils/guc.h"
#include "utils/resowner.h"

bool		eacct_early_lock_release = false;

/* an eacct call of this transaction wrote WAL */
static bool wrote = false;
/* pre-commit made this commit asynchronous: flush it after the locks */
static bool armed = false;
/* end of its commit record, once written */
static XLogRecPtr flush_to = InvalidXLogRecPtr;

/*
 * Whether RecordTransactionCommit() will flush this commit before its
 * locks go whatever synchronous_commit says: it does when the transaction
 * drops a relation that is not temporary (the list is complete at
 * pre-commit), or when it called ForceSyncCommit(), which only commands
 * that cannot run in a transaction block do (CREATE DATABASE, DROP
 * TABLESPACE, ...), so never in one with an eacct call.
 */
static bool
flushed_anyway(void)
{
#if PG_VERSION_NUM >= 160000
	RelFileLocator *rels;
#else
	RelFileNode *rels;
#endif
	int			nrels = smgrGetPendingDeletes(true, &rels);

	if (nrels > 0)
		pfree(rels);
	return nrels > 0;
}

/* may this backend's commit, as set now, go before its flush? */
static bool
may_release_early(void)
{
	const char *standbys;

	if (!eacct_early_lock_release || IsInParallelMode())
		return false;
	/* already asynchronous: nothing to release early, nothing to flush */
	if (synchronous_commit < SYNCHRONOUS_COMMIT_LOCAL_FLUSH)
		return false;
	/* flushed before its locks go anyway */
	if (flushed_anyway())
		return false;
	/* a commit that must wait for a synchronous standby keeps its locks */
	standbys = GetConfigOption("synchronous_standby_names", false, false);
	return synchronous_commit == SYNCHRONOUS_COMMIT_LOCAL_FLUSH ||
		standbys == NULL || standbys[0] == '\0';
}

/* an eacct call wrote WAL in a transaction that has an xid */
void
eacct_commit_wrote(void)
{
	wrote = true;
}

static void
at_commit(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			if (wrote && may_release_early())
			{
				(void) set_config_option("synchronous_commit", "off",
										 PGC_USERSET, PGC_S_SESSION,
										 GUC_ACTION_LOCAL, true, 0, false);
				armed = true;
			}
			break;
		case XACT_EVENT_COMMIT:
			/* RecordTransactionCommit() has just set it */
			if (armed)
			{
				flush_to = XactLastCommitEnd;
				/* said here, not at pre-commit: the commit could still fail there */
				ereport(DEBUG1,
						(errmsg_internal("eacct: this commit releases its locks before its flush")));
			}
			wrote = false;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
			/* PREPARE TRANSACTION flushes its record itself */
			wrote = false;
			armed = false;
			flush_to = InvalidXLogRecPtr;
			break;
		default:
			break;
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
	{
		XLogFlush(lsn);
		ereport(DEBUG1,
				(errmsg_internal("eacct: commit flushed after its locks were released")));
	}
}

/*
 * Before an answer taken from what another transaction committed (the
 * result an idempotency key holds): flush the WAL as far as it has been
 * written, so that the commit behind the answer is on disk.  With early
 * lock release in any session, or synchronous_commit off there, it may
 * not be yet, and a crash would undo a call whose result this answer
 * names.  One flush per call that repeats (shared with the commits
 * flushing at the same time).
 */
void
eacct_flush_before_answer(void)
{
	XLogRecPtr	upto = GetXLogInsertRecPtr();

	/*
	 * At a page (or segment) boundary the insert position points past the
	 * next page's header, which no record has reached yet: XLogFlush()
	 * would fail with "xlog flush request is not satisfied".  Flush to the
	 * boundary.
	 */
	if (XLogSegmentOffset(upto, wal_segment_size) == SizeOfXLogLongPHD)
		upto -= SizeOfXLogLongPHD;
	else if (upto % XLOG_BLCKSZ == SizeOfXLogShortPHD)
		upto -= SizeOfXLogShortPHD;
	XLogFlush(upto);
}

void
eacct_commit_init(void)
{
	DefineCustomBoolVariable("eacct.early_lock_release",
							 "Release the locks of transactions that wrote through eacct before their commit is flushed.",
							 "The commit is still flushed before the client is told of it; "
							 "other sessions may read it a moment before it is durable.",
							 &eacct_early_lock_release,
							 false,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);
	RegisterXactCallback(at_commit, NULL);
	RegisterResourceReleaseCallback(after_locks, NULL);
}
