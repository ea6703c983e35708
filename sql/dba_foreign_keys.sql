-- A DBA's foreign keys on eacct.account and eacct.transfer_pair, on rows
-- committed before the call.  The balance and pair updates leave the
-- updated row's own foreign-key trigger out where PostgreSQL's
-- RI_FKey_fk_upd_check_required() would check nothing (src/rows.c,
-- lean_update_triggers): a row version an earlier transaction created,
-- whose key the update does not write and nothing else can change.  The
-- pgTAP suites run in one transaction, where every row version is the
-- transaction's own, so only committed rows reach that path.  Every other
-- case must still check, and every other trigger must still fire.  In a
-- database of its own: the scenario commits.
\set SHOW_CONTEXT never
\set VERBOSITY terse
\set regress_db :DBNAME
CREATE DATABASE eacct_fk;
\c eacct_fk
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE EXTENSION eacct;
RESET client_min_messages;
SELECT eacct.create_enterprise('FK Co', 'fk-ma') AS ent \gset
SELECT eacct.create_account(:ent, 'fk-a') AS a \gset
SELECT eacct.create_account(:ent, 'fk-b') AS b \gset
SELECT eacct.enable_account_center(:ent);
SELECT eacct.top_up(:a, 100) > 0 AS topped_up;
-- a's pair row to b, committed
SELECT eacct.transfer(:a, :b, 1) > 0 AS paired;
CREATE TABLE names (name text PRIMARY KEY);
INSERT INTO names SELECT name FROM eacct.account;
CREATE TABLE seen (tg text, account_id bigint);
CREATE FUNCTION see() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.seen VALUES (TG_NAME, NEW.account_id);
    RETURN NULL;
END $$;

-- an unchanged key of a committed row: no check, and the DBA's AFTER
-- UPDATE triggers before and after the foreign key's (by name), with a
-- WHEN clause or a column list, fire for each row
ALTER TABLE eacct.account ADD CONSTRAINT zz_name_fk FOREIGN KEY (name) REFERENCES names (name);
CREATE TRIGGER "A_first" AFTER UPDATE ON eacct.account FOR EACH ROW EXECUTE FUNCTION see();
CREATE TRIGGER z_when AFTER UPDATE ON eacct.account FOR EACH ROW
    WHEN (NEW.own_cash < OLD.own_cash) EXECUTE FUNCTION see();
CREATE TRIGGER z_of AFTER UPDATE OF transfer_book ON eacct.account FOR EACH ROW EXECUTE FUNCTION see();
SELECT eacct.transfer(:a, :b, 1) > 0 AS transferred;
SELECT tg, account_id = :a AS is_a FROM seen ORDER BY tg, account_id;
DROP TRIGGER "A_first" ON eacct.account;
DROP TRIGGER z_when ON eacct.account;
DROP TRIGGER z_of ON eacct.account;

-- a BEFORE UPDATE trigger that changes the key: checked
CREATE FUNCTION unlisted_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.name := 'unlisted-' || NEW.account_id;
    RETURN NEW;
END $$;
CREATE TRIGGER zz_rename BEFORE UPDATE ON eacct.account FOR EACH ROW EXECUTE FUNCTION unlisted_name();
SELECT eacct.transfer(:a, :b, 1) > 0 AS transferred;
DROP TRIGGER zz_rename ON eacct.account;

-- a key renamed earlier in the transaction (a version it created), in a
-- savepoint released or rolled back: a deferred check still sees the
-- renamed row, and only that one
ALTER TABLE eacct.account DROP CONSTRAINT zz_name_fk;
ALTER TABLE eacct.account ADD CONSTRAINT zz_name_fk FOREIGN KEY (name) REFERENCES names (name)
    DEFERRABLE INITIALLY DEFERRED;
BEGIN;
SAVEPOINT s;
UPDATE eacct.account SET name = 'unlisted' WHERE account_id = :a;
RELEASE SAVEPOINT s;
SELECT eacct.transfer(:a, :b, 1) > 0 AS transferred;
COMMIT;
BEGIN;
SAVEPOINT s;
UPDATE eacct.account SET name = 'unlisted' WHERE account_id = :a;
ROLLBACK TO SAVEPOINT s;
SELECT eacct.transfer(:a, :b, 1) > 0 AS transferred;
COMMIT;
ALTER TABLE eacct.account DROP CONSTRAINT zz_name_fk;

-- a key the update writes, directly or through a stored generated column
CREATE TABLE cash_values (v bigint PRIMARY KEY);
INSERT INTO cash_values SELECT DISTINCT own_cash FROM eacct.account;
ALTER TABLE eacct.account ADD CONSTRAINT zz_cash_fk FOREIGN KEY (own_cash) REFERENCES cash_values (v);
SELECT eacct.transfer(:a, :b, 1) > 0 AS transferred;
ALTER TABLE eacct.account DROP CONSTRAINT zz_cash_fk;
ALTER TABLE eacct.account ADD COLUMN zz_cash_copy bigint GENERATED ALWAYS AS (own_cash) STORED;
ALTER TABLE eacct.account ADD CONSTRAINT zz_copy_fk FOREIGN KEY (zz_cash_copy) REFERENCES cash_values (v);
SELECT eacct.transfer(:a, :b, 1) > 0 AS transferred;
ALTER TABLE eacct.account DROP COLUMN zz_cash_copy;

-- MATCH FULL with a partly NULL key (NOT VALID kept the row): checked
CREATE TABLE key_pairs (k1 text, k2 text, PRIMARY KEY (k1, k2));
ALTER TABLE eacct.account ADD COLUMN zz_k1 text, ADD COLUMN zz_k2 text;
UPDATE eacct.account SET zz_k1 = 'x' WHERE account_id = :a;
ALTER TABLE eacct.account ADD CONSTRAINT zz_full FOREIGN KEY (zz_k1, zz_k2) REFERENCES key_pairs (k1, k2)
    MATCH FULL NOT VALID;
SELECT eacct.transfer(:a, :b, 1) > 0 AS transferred;
ALTER TABLE eacct.account DROP COLUMN zz_k1, DROP COLUMN zz_k2;

-- the pair row: a key its update writes, and a BEFORE trigger on it
CREATE TABLE pair_sums (v bigint PRIMARY KEY);
INSERT INTO pair_sums SELECT transferred FROM eacct.transfer_pair;
ALTER TABLE eacct.transfer_pair ADD CONSTRAINT zz_sum_fk FOREIGN KEY (transferred) REFERENCES pair_sums (v);
SELECT eacct.transfer(:a, :b, 1) > 0 AS transferred;
ALTER TABLE eacct.transfer_pair DROP CONSTRAINT zz_sum_fk;
ALTER TABLE eacct.transfer_pair ADD COLUMN zz_tag text DEFAULT 'ok';
CREATE TABLE tags (tag text PRIMARY KEY);
INSERT INTO tags VALUES ('ok');
ALTER TABLE eacct.transfer_pair ADD CONSTRAINT zz_tag_fk FOREIGN KEY (zz_tag) REFERENCES tags (tag);
CREATE FUNCTION retag() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.zz_tag := 'retagged';
    RETURN NEW;
END $$;
CREATE TRIGGER zz_retag BEFORE UPDATE ON eacct.transfer_pair FOR EACH ROW EXECUTE FUNCTION retag();
SELECT eacct.transfer(:a, :b, 1) > 0 AS transferred;
DROP TRIGGER zz_retag ON eacct.transfer_pair;
SELECT eacct.transfer(:a, :b, 1) > 0 AS transferred;
ALTER TABLE eacct.transfer_pair DROP COLUMN zz_tag;

-- the money: the four transfers of 1 that went through
SELECT account_name, cash_balance, transfer_book_balance
  FROM eacct.account_assets WHERE account_id IN (:a, :b) ORDER BY account_id;
SELECT count(*) AS problems FROM eacct.verify();

\c :regress_db
DROP DATABASE eacct_fk;
