-- test/bench/setup.sql — 10 enterprises x 1,000 accounts with cash and
-- credit, every account i having sent funds to account i+1 (so that
-- withdrawals back are always allowed).  Account ids are contiguous:
-- enterprise e (1..10) holds accounts (e-1)*1000+1 .. e*1000.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eacct;
DO $$
DECLARE
    ent bigint;
BEGIN
    FOR e IN 1..10 LOOP
        ent := eacct.create_enterprise('bench-' || e, 'bench-' || e || '-ma');
        PERFORM eacct.enable_account_center(ent);
        PERFORM eacct.apply_credit_line(ent, 100000000);
        PERFORM eacct.confirm_credit_contract(ent);
        PERFORM eacct.create_account(ent, 'acct-' || g) FROM generate_series(2, 1000) g;
    END LOOP;
END $$;
DO $$
BEGIN
    ASSERT (SELECT min(account_id) FROM eacct.account) = 1;
    ASSERT (SELECT max(account_id) FROM eacct.account) = 10000;
    ASSERT (SELECT bool_and(account_id BETWEEN (enterprise_id - 1) * 1000 + 1 AND enterprise_id * 1000)
              FROM eacct.account);
END $$;
SELECT count(eacct.top_up(account_id, 10000000)) FROM eacct.account;
SELECT count(eacct.set_credit_limit(account_id, 1000)) FROM eacct.account;
SELECT count(eacct.transfer(account_id, account_id + 1, 100000))
  FROM eacct.account WHERE account_id % 1000 <> 0;
VACUUM ANALYZE;
