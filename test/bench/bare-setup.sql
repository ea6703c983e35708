-- test/bench/bare-setup.sql — schema `bare`: copies of eacct's money
-- tables (columns and keys from the real ones, LIKE ... INCLUDING DEFAULTS),
-- with no trigger, no CHECK and no foreign key, filled with setup.sql's
-- accounts and pairs.  bare-*.pgbench write to them the rows eacct writes
-- for a transfer, in one SQL statement and with no rule checked: the row
-- work PostgreSQL does for a transfer, whatever the code around it.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS bare CASCADE;
CREATE SCHEMA bare;
CREATE TABLE bare.account (LIKE eacct.account INCLUDING DEFAULTS,
                           PRIMARY KEY (enterprise_id, account_id));
ALTER TABLE bare.account ALTER account_id DROP DEFAULT;
CREATE INDEX ON bare.account (account_id);
CREATE TABLE bare.journal_entry (LIKE eacct.journal_entry INCLUDING DEFAULTS,
                                 PRIMARY KEY (enterprise_id, account_id, entry_id));
CREATE TABLE bare.transfer_record (LIKE eacct.transfer_record INCLUDING DEFAULTS,
                                   PRIMARY KEY (enterprise_id, record_id));
CREATE TABLE bare.transfer_pair (LIKE eacct.transfer_pair INCLUDING DEFAULTS,
                                 PRIMARY KEY (enterprise_id, source_account, holder_account));
-- eacct's storage parameters (the account's fillfactor) carried over
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.relname, c.reloptions FROM pg_class c
              WHERE c.relnamespace = 'eacct'::regnamespace AND c.reloptions IS NOT NULL
                AND c.relname IN ('account', 'journal_entry', 'transfer_record', 'transfer_pair')
    LOOP
        EXECUTE format('ALTER TABLE bare.%I SET (%s)', r.relname, array_to_string(r.reloptions, ', '));
    END LOOP;
END $$;
CREATE SEQUENCE bare.entry_seq;
CREATE SEQUENCE bare.record_seq;
INSERT INTO bare.account SELECT * FROM eacct.account;
INSERT INTO bare.transfer_pair SELECT * FROM eacct.transfer_pair;
VACUUM ANALYZE bare.account, bare.transfer_pair;
