-- test/stress/setup.sql — the stress database: 4 enterprises x 20 accounts,
-- credit lines active, limits allocated, cash topped up, and a wrapper that
-- runs one random operation, logs what committed, and turns the expected
-- business rejections (UA001-UA006) into a logged "rejected" outcome.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION eacct;
CREATE SCHEMA stress;
CREATE TABLE stress.acct (e int, idx int, enterprise_id bigint, account_id bigint,
                          PRIMARY KEY (e, idx));
-- one row per committed operation, written in the operation's transaction
CREATE TABLE stress.log (id bigserial PRIMARY KEY, op text, account_id bigint,
                         amount bigint, outcome text);

DO $$
DECLARE
    ent bigint;
BEGIN
    FOR e IN 1..4 LOOP
        ent := eacct.create_enterprise('stress-' || e, 'stress-' || e || '-ma');
        PERFORM eacct.enable_account_center(ent);
        PERFORM eacct.apply_credit_line(ent, 500000);
        PERFORM eacct.confirm_credit_contract(ent);
        INSERT INTO stress.acct
            SELECT e, 1, ent, ma_account_id FROM eacct.enterprise WHERE enterprise_id = ent;
        FOR i IN 2..20 LOOP
            INSERT INTO stress.acct VALUES (e, i, ent, eacct.create_account(ent, 'acct-' || i));
        END LOOP;
    END LOOP;
END $$;

SELECT eacct.set_credit_limit(account_id, 20000) FROM stress.acct ORDER BY account_id;
INSERT INTO stress.log (op, account_id, amount, outcome)
    SELECT 'top_up', account_id, 500000, 'ok' FROM stress.acct;
SELECT eacct.top_up(account_id, 5000) FROM stress.acct ORDER BY account_id;

CREATE FUNCTION stress.op(op int, e int, i int, j int, amt int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    a bigint;
    b bigint;
    amount numeric := amt / 100.0;
BEGIN
    SELECT account_id INTO a FROM stress.acct WHERE stress.acct.e = op.e AND idx = i;
    SELECT account_id INTO b FROM stress.acct WHERE stress.acct.e = op.e AND idx = j;
    IF a = b THEN
        b := (SELECT account_id FROM stress.acct WHERE stress.acct.e = op.e AND idx = i % 20 + 1);
    END IF;
    BEGIN
        IF op <= 35 THEN
            PERFORM eacct.transfer(a, b, amount);
            INSERT INTO stress.log (op, account_id, amount, outcome) VALUES ('transfer', a, amt, 'ok');
        ELSIF op <= 50 THEN
            PERFORM eacct.withdraw(b, a, amount);
            INSERT INTO stress.log (op, account_id, amount, outcome) VALUES ('withdraw', a, amt, 'ok');
        ELSIF op <= 70 THEN
            PERFORM eacct.charge(a, (amt / 3 + 1) / 100.0);
            INSERT INTO stress.log (op, account_id, amount, outcome) VALUES ('charge', a, amt / 3 + 1, 'ok');
        ELSIF op <= 85 THEN
            PERFORM eacct.top_up(a, amount * 2);
            INSERT INTO stress.log (op, account_id, amount, outcome) VALUES ('top_up', a, amt * 2, 'ok');
        ELSIF op <= 95 THEN
            PERFORM eacct.set_credit_limit(a, (amt * 10) / 100.0);
            INSERT INTO stress.log (op, account_id, amount, outcome) VALUES ('limit', a, amt * 10, 'ok');
        ELSIF op <= 99 THEN
            PERFORM eacct.transfer_batch(ARRAY[a, b], ARRAY[b, a], ARRAY[amount, round(amount / 2, 2)]);
            INSERT INTO stress.log (op, account_id, amount, outcome) VALUES ('batch', a, amt, 'ok');
        ELSIF i = 1 THEN
            PERFORM eacct.mark_overdue(now() + interval '31 days');
            INSERT INTO stress.log (op, account_id, amount, outcome) VALUES ('overdue', a, 0, 'ok');
        ELSE
            PERFORM eacct.top_up(b, amount);
            INSERT INTO stress.log (op, account_id, amount, outcome) VALUES ('top_up', b, amt, 'ok');
        END IF;
        RETURN 'ok';
    EXCEPTION WHEN SQLSTATE 'UA001' OR SQLSTATE 'UA002' OR SQLSTATE 'UA003'
                 OR SQLSTATE 'UA004' OR SQLSTATE 'UA005' OR SQLSTATE 'UA006' THEN
        INSERT INTO stress.log (op, account_id, amount, outcome) VALUES ('rejected', a, amt, SQLSTATE);
        RETURN SQLSTATE;
    END;
END $$;
