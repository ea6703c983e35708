-- eacct 0.1.0 -> 0.2.0 - upgrade script
-- Every object is schema-qualified, and created only: never replaced, never
-- created conditionally (CVE-2022-2625).

\echo Use "ALTER EXTENSION eacct UPDATE TO '0.2.0'" to load this file. \quit

-- One index on the journal instead of two: its key becomes (enterprise_id,
-- account_id, entry_id), which serves an account's history and verify()'s
-- per-account replay, and every journal row costs one index insertion less
-- on the money path.  entry_id stays unique (one sequence).
ALTER TABLE eacct.journal_entry DROP CONSTRAINT journal_entry_pkey;
ALTER TABLE eacct.journal_entry
    ADD CONSTRAINT journal_entry_pkey PRIMARY KEY (enterprise_id, account_id, entry_id);
DROP INDEX eacct.journal_entry_account_idx;

-- an administrator can be removed again (also one whose role was dropped,
-- given by OID); verify() reports administrator rows of dropped roles
CREATE FUNCTION eacct.remove_admin(enterprise_id bigint, role regrole)
RETURNS void
AS 'MODULE_PATHNAME', 'eacct_remove_admin'
LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION eacct.remove_admin(bigint, regrole) FROM PUBLIC;
