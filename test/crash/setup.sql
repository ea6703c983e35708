-- test/crash/setup.sql — 3 enterprises x 8 accounts with cash and credit
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION eacct;
DO $$
DECLARE
    ent bigint;
BEGIN
    FOR e IN 1..3 LOOP
        ent := eacct.create_enterprise('crash-' || e, 'crash-' || e || '-ma');
        PERFORM eacct.enable_account_center(ent);
        PERFORM eacct.apply_credit_line(ent, 100000);
        PERFORM eacct.confirm_credit_contract(ent);
        PERFORM eacct.create_account(ent, 'acct-' || g) FROM generate_series(2, 8) g;
    END LOOP;
END $$;
SELECT count(eacct.set_credit_limit(account_id, 1000)) FROM eacct.account;
SELECT count(eacct.top_up(account_id, 5000)) FROM eacct.account;
-- what the client saw, loaded after each crash
CREATE TABLE crash_log (round int, outcome text, request_id text PRIMARY KEY, op text,
                        from_account bigint, to_account bigint, amount numeric, result bigint);
