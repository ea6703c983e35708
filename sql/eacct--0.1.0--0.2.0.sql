-- eacct 0.1.0 -> 0.2.0 — upgrade script
-- Every object is schema-qualified; no CREATE OR REPLACE, no IF NOT EXISTS.

\echo Use "ALTER EXTENSION eacct UPDATE TO '0.2.0'" to load this file. \quit

-- transfer records of one account, as either side (the console's per-account
-- transfer list and withdrawable look-ups)
CREATE INDEX transfer_record_from_idx
    ON eacct.transfer_record (enterprise_id, from_account, record_id);
CREATE INDEX transfer_record_to_idx
    ON eacct.transfer_record (enterprise_id, to_account, record_id);
