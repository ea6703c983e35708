-- eacct.early_lock_release: a superuser's setting (off by default) under
-- which a transaction that wrote through eacct commits asynchronously, so
-- that its row locks go before its commit record is flushed, and then
-- flushes that record itself before the client hears of the commit.
-- In a database of its own: the scenario commits.
\set SHOW_CONTEXT never
\set regress_db :DBNAME
CREATE DATABASE eacct_elr;
\c eacct_elr
SET client_min_messages = warning;
CREATE EXTENSION eacct;
RESET client_min_messages;
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

-- off: a transfer leaves synchronous_commit alone
BEGIN;
SELECT eacct.transfer(:a, :b, 1) > 0 AS transferred;
SHOW synchronous_commit;
COMMIT;

SET eacct.early_lock_release = on;
-- a call that writes nothing changes nothing
BEGIN;
SELECT eacct.transferable(:a);
SHOW synchronous_commit;
COMMIT;
-- nor does a rejected one (UA003)
BEGIN;
SAVEPOINT before_transfer;
SELECT eacct.transfer(:a, :b, 1000);
ROLLBACK TO before_transfer;
SHOW synchronous_commit;
-- a transfer makes the commit asynchronous ...
SELECT eacct.transfer(:a, :b, 2) > 0 AS transferred;
SHOW synchronous_commit;
SELECT pg_current_wal_insert_lsn() AS before_commit \gset
COMMIT;
-- ... and COMMIT returns only once the WAL is flushed past the transfer
-- (without that flush the WAL writer would get there up to
-- wal_writer_delay later, and this would be false)
SELECT pg_current_wal_flush_lsn() >= :'before_commit'::pg_lsn AS flushed_before_commit_returned;
-- the session's setting is back
SHOW synchronous_commit;

-- a caller whose commits are asynchronous anyway keeps its setting
SET synchronous_commit = off;
BEGIN;
SELECT eacct.transfer(:a, :b, 3) > 0 AS transferred;
SHOW synchronous_commit;
COMMIT;
RESET synchronous_commit;
-- local and remote_* (no synchronous standby is named here) are made
-- asynchronous the same way
BEGIN;
SET LOCAL synchronous_commit = remote_apply;
SELECT eacct.transfer(:a, :b, 4) > 0 AS transferred;
SHOW synchronous_commit;
COMMIT;
SHOW synchronous_commit;

-- a failed transaction after a write: nothing of it stays
BEGIN;
SELECT eacct.transfer(:a, :b, 5) > 0 AS transferred;
SELECT 1 / 0;
ROLLBACK;

-- the money: 1 + 2 + 3 + 4 moved, the 5 rolled back
SELECT account_name, cash_balance, transfer_book_balance
  FROM eacct.account_assets WHERE account_id IN (:a, :b) ORDER BY account_id;
SELECT count(*) AS problems FROM eacct.verify();

\c :regress_db
DROP DATABASE eacct_elr;
DROP ROLE eacct_elr_user;
