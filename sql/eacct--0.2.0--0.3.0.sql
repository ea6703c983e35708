-- eacct 0.2.0 -> 0.3.0 - upgrade script
-- Every object is schema-qualified, and created only: never replaced, never
-- created conditionally (CVE-2022-2625).

\echo Use "ALTER EXTENSION eacct UPDATE TO '0.3.0'" to load this file. \quit

-- The two CHECK constraints of eacct.account become one call of a C
-- function with the same rule: PostgreSQL re-reads and plans a table's
-- CHECK expressions in every statement that writes to it, and these were a
-- tenth of a single transfer's instructions.  Adding the constraint
-- validates the existing rows (one pass over eacct.account, a row per
-- account; no other table changes).
CREATE FUNCTION eacct.account_balances_ok(own_cash bigint, transfer_book bigint,
    credit_limit bigint, outstanding bigint, overdue bigint, alert_threshold bigint,
    alert_status text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'eacct_account_balances_ok'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
-- EXECUTE stays with PUBLIC: whoever writes eacct.account runs the CHECK,
-- and the function is pure.  Its rule is frozen: a new rule is a new
-- function and a new constraint in an upgrade script.
COMMENT ON FUNCTION eacct.account_balances_ok(bigint, bigint, bigint, bigint, bigint, bigint, text) IS
    'CHECK of eacct.account: balances and threshold >= 0, overdue <= outstanding, alert_status ok or triggered';

ALTER TABLE eacct.account
    DROP CONSTRAINT account_balances_check,
    DROP CONSTRAINT account_alert_status_check,
    ADD CONSTRAINT account_balances_check
        CHECK (eacct.account_balances_ok(own_cash, transfer_book, credit_limit,
                                         outstanding, overdue, alert_threshold, alert_status));
