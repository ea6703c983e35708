-- eacct 0.3.0 -> 0.4.0 - upgrade script
-- Every object is schema-qualified, and created only: never replaced, never
-- created conditionally (CVE-2022-2625).

\echo Use "ALTER EXTENSION eacct UPDATE TO '0.4.0'" to load this file. \quit

-- The CHECK constraints of the journal, the transfer history, the transfer
-- pairs and the bills become calls of C functions with the same rules (see
-- src/checks.c), as account_balances_check did in 0.3.0: PostgreSQL re-reads
-- and plans a table's CHECK expressions in every statement that writes to
-- it, and these were a seventh of a single transfer's instructions.
-- EXECUTE stays with PUBLIC: whoever writes a table runs its CHECK, and the
-- functions are pure.  Each rule is frozen: a new rule is a new function and
-- a new constraint in an upgrade script.
CREATE FUNCTION eacct.journal_kind_ok(kind text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'eacct_journal_kind_ok'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION eacct.journal_kind_ok(text) IS
    'CHECK of eacct.journal_entry: kind is top_up, charge, transfer_out, transfer_in, withdraw_out, withdraw_in, credit_limit or overdue';

CREATE FUNCTION eacct.transfer_kind_ok(kind text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'eacct_transfer_kind_ok'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION eacct.transfer_kind_ok(text) IS
    'CHECK of eacct.transfer_record: kind is transfer or withdraw';

CREATE FUNCTION eacct.transfer_pair_ok(transferred bigint, withdrawn bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'eacct_transfer_pair_ok'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION eacct.transfer_pair_ok(bigint, bigint) IS
    'CHECK of eacct.transfer_pair: 0 <= withdrawn <= transferred';

CREATE FUNCTION eacct.bill_amounts_ok(amount bigint, remaining bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'eacct_bill_amounts_ok'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION eacct.bill_amounts_ok(bigint, bigint) IS
    'CHECK of eacct.bill: amount > 0 and 0 <= remaining <= amount';

-- The constraints keep their names.  They are added NOT VALID, so that the
-- update does not read the history tables, which can be large, under an
-- ACCESS EXCLUSIVE lock: every existing row already passed the same rule
-- under the old expression, and new rows are checked at once.  The README
-- ("Upgrading") gives the VALIDATE CONSTRAINT statements that mark them
-- validated; they take a SHARE UPDATE EXCLUSIVE lock, so writes go on.
ALTER TABLE eacct.journal_entry
    DROP CONSTRAINT journal_entry_kind_check,
    ADD CONSTRAINT journal_entry_kind_check CHECK (eacct.journal_kind_ok(kind)) NOT VALID;
ALTER TABLE eacct.transfer_record
    DROP CONSTRAINT transfer_record_kind_check,
    ADD CONSTRAINT transfer_record_kind_check CHECK (eacct.transfer_kind_ok(kind)) NOT VALID;
ALTER TABLE eacct.transfer_pair
    DROP CONSTRAINT transfer_pair_check,
    ADD CONSTRAINT transfer_pair_check CHECK (eacct.transfer_pair_ok(transferred, withdrawn)) NOT VALID;
ALTER TABLE eacct.bill
    DROP CONSTRAINT bill_amount_check,
    ADD CONSTRAINT bill_amount_check CHECK (eacct.bill_amounts_ok(amount, remaining)) NOT VALID;
