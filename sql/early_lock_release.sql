-- eacct.early_lock_release: a superuser's setting (off by default) under
-- which a transaction in which an eacct call wrote commits asynchronously,
-- so that its row locks go before its commit record is flushed, and then
-- flushes that record itself before the client hears of the commit.
-- The two DEBUG1 lines show each step: "this commit releases its locks
-- before its flush" at COMMIT, "commit flushed after its locks were
-- released" once the locks are gone.  In a database of its own: the
-- scenario commits.
\set SHOW_CONTEXT never
\set regress_db :DBNAME
CREATE DATABASE eacct_elr;
\c eacct_elr
SET client_min_messages = warning;
CREATE EXTENSION eacct;
RESET client_min_messages;
CREATE TABLE other_work (n int);
SELECT eacct.create_enterprise('ELR Co', 'elr-ma') AS ent \gset
SELECT eacct.create_account(:ent, 'elr-a') AS a \gset
SELECT eacct.create_account(:ent, 'elr-b') AS b \gset
SELECT eacct.enable_account_center(:ent);
SELECT eacct.top_up(:a, 100) > 0 AS topped_up;

-- off by default, and only a superuser may change it
SHOW eacct.early_lock_release;
CREATE ROLE eacct_elr_user;
SET ROLE eacct_elr_user;
SET eacct.early_lock_release = on;
RESET ROLE;
SHOW eacct.early_lock_release;

SET client_min_messages = debug1;
-- off: a transfer commits as PostgreSQL does
BEGIN;
SELECT eacct.transfer(:a, :b, 1) > 0 AS transferred;
COMMIT;

SET eacct.early_lock_release = on;
-- an eacct call that writes nothing changes nothing, even after the
-- caller's own writes
BEGIN;
INSERT INTO other_work VALUES (1);
SELECT eacct.transferable(:a);
COMMIT;
-- nor does a rejected call (UA003)
BEGIN;
SAVEPOINT before_transfer;
SELECT eacct.transfer(:a, :b, 1000);
ROLLBACK TO before_transfer;
COMMIT;
-- a transfer does; synchronous_commit keeps the caller's value meanwhile
BEGIN;
SELECT eacct.transfer(:a, :b, 2) > 0 AS transferred;
SHOW synchronous_commit;
SELECT pg_current_wal_insert_lsn() AS before_commit \gset
COMMIT;
-- COMMIT returned with the WAL flushed past the transfer
SELECT pg_current_wal_flush_lsn() >= :'before_commit'::pg_lsn AS flushed_before_commit_returned;
SHOW synchronous_commit;
-- a single call in autocommit mode
SELECT eacct.transfer(:a, :b, 3) > 0 AS transferred;
-- a savepoint rolled back after the write, or a function that sets
-- synchronous_commit for its own duration, do not undo it: the decision
-- is taken at COMMIT
CREATE FUNCTION pg_temp.transfer_sync(f bigint, t bigint, amount numeric) RETURNS bigint
LANGUAGE plpgsql SET synchronous_commit = on AS $$
BEGIN
    RETURN eacct.transfer(f, t, amount);
END $$;
BEGIN;
SELECT pg_temp.transfer_sync(:a, :b, 4) > 0 AS transferred;
SAVEPOINT later;
INSERT INTO other_work VALUES (2);
ROLLBACK TO later;
COMMIT;
-- a procedure that commits between two transfers: each commit on its own
CREATE PROCEDURE transfer_twice(f bigint, t bigint) LANGUAGE plpgsql AS $$
BEGIN
    PERFORM eacct.transfer(f, t, 5);
    COMMIT;
    PERFORM eacct.transfer(f, t, 6);
END $$;
CALL transfer_twice(:a, :b);
-- an administrator's query of the views runs eacct's visibility check
-- inside a parallel query: the setting changes nothing there
SELECT eacct.add_admin(:ent, 'eacct_elr_user');
GRANT INSERT ON other_work TO eacct_elr_user;
SET ROLE eacct_elr_user;
BEGIN;
INSERT INTO other_work VALUES (3);
SELECT set_config(CASE WHEN current_setting('server_version_num')::int >= 160000
                       THEN 'debug_parallel_query' ELSE 'force_parallel_mode' END, 'on', true) AS parallel;
SELECT count(*) AS accounts_seen FROM eacct.account_assets;
COMMIT;
RESET ROLE;
-- a caller whose commits are asynchronous anyway keeps its setting
SET synchronous_commit = off;
SELECT eacct.transfer(:a, :b, 7) > 0 AS transferred;
RESET synchronous_commit;
-- local and remote_* (no synchronous standby is named here) go the same
-- way; with one named, remote_* commits keep their locks until the
-- standby answers (test/crash/run.sh)
BEGIN;
SET LOCAL synchronous_commit = remote_apply;
SELECT eacct.transfer(:a, :b, 8) > 0 AS transferred;
COMMIT;
-- a repeat (same request_id) answers only once the call it repeats is on
-- disk: here that call committed asynchronously (its session's
-- synchronous_commit off), and the repeat, inside a transaction that has
-- not committed yet, has returned with the WAL flushed past it
SET synchronous_commit = off;
SELECT eacct.transfer(:a, :b, 10, 'elr-key') AS first_id \gset
RESET synchronous_commit;
SELECT pg_current_wal_insert_lsn() AS after_first \gset
BEGIN;
SELECT eacct.transfer(:a, :b, 10, 'elr-key') = :first_id AS same_answer;
SELECT pg_current_wal_flush_lsn() >= :'after_first'::pg_lsn AS first_call_durable;
COMMIT;
-- so does a refusal that names such a call: the key used again with
-- other arguments (UA012)
SET synchronous_commit = off;
SELECT eacct.transfer(:a, :b, 11, 'elr-key-2') > 0 AS transferred;
RESET synchronous_commit;
SELECT pg_current_wal_insert_lsn() AS after_holder \gset
SELECT eacct.transfer(:a, :b, 12, 'elr-key-2');
SELECT pg_current_wal_flush_lsn() >= :'after_holder'::pg_lsn AS holder_durable;
-- a commit that PostgreSQL flushes itself whatever synchronous_commit
-- says (this one drops a table) keeps its locks until the flush: no
-- line of eacct's
CREATE TABLE dropped_with_a_transfer (n int);
BEGIN;
SELECT eacct.transfer(:a, :b, 13) > 0 AS transferred;
DROP TABLE dropped_with_a_transfer;
COMMIT;
-- a failed transaction after a write: nothing of it stays
BEGIN;
SELECT eacct.transfer(:a, :b, 9) > 0 AS transferred;
SELECT 1 / 0;
ROLLBACK;
RESET client_min_messages;

-- the money: 1 to 8, 10, 11 and 13 moved (70), the 9 rolled back, the
-- 12 refused
SELECT account_name, cash_balance, transfer_book_balance
  FROM eacct.account_assets WHERE account_id IN (:a, :b) ORDER BY account_id;
SELECT count(*) AS problems FROM eacct.verify();

\c :regress_db
DROP DATABASE eacct_elr;
DROP ROLE eacct_elr_user;
