-- test/dump/after.sql — a restored database works: verify() is empty, the
-- guard triggers are there and ENABLE ALWAYS (and refuse INSERTs now), sequences continue past
-- every restored id, the money functions succeed, idempotency keys issued
-- before the dump still answer, rules and guards still raise their
-- SQLSTATEs, administrators (regrole rows) and grants still apply.
-- Run with psql -X -q -At -v ON_ERROR_STOP=1; the last line is "after: ok".
SET client_min_messages = warning;

-- ok(condition, what): raises unless condition is true
CREATE FUNCTION pg_temp.ok(cond boolean, what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cond IS NOT TRUE THEN
        RAISE EXCEPTION 'check failed: %', what;
    END IF;
END
$$;
-- fails(statement, sqlstate, what): the statement raises that SQLSTATE
CREATE FUNCTION pg_temp.fails(stmt text, code text, what text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    got text;
    msg text;
BEGIN
    BEGIN
        EXECUTE stmt;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS got = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    END;
    IF got IS DISTINCT FROM code THEN
        RAISE EXCEPTION 'check failed: % (%): expected SQLSTATE %, got %', what, stmt, code,
            coalesce(got || ' ' || msg, 'success');
    END IF;
END
$$;

SELECT pg_temp.ok(NOT EXISTS (SELECT FROM eacct.verify()), 'verify() is empty after restore');
SELECT pg_temp.ok((SELECT count(*) FROM pg_trigger
                    WHERE NOT tgisinternal AND tgenabled = 'A'
                      AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'eacct'::regnamespace)) = 28
                  AND NOT EXISTS (SELECT FROM pg_trigger
                    WHERE NOT tgisinternal AND tgenabled <> 'A'
                      AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'eacct'::regnamespace)),
                  'the 27 guard triggers and enterprise_admin_name are present and ENABLE ALWAYS');

-- the accounts, by name
SELECT account_id AS ma1 FROM eacct.account WHERE name = 'act-ma' \gset
SELECT account_id AS a FROM eacct.account WHERE name = 'act-a' \gset
SELECT account_id AS b FROM eacct.account WHERE name = 'act-b' \gset
SELECT account_id AS c FROM eacct.account WHERE name = 'act-c ünïcödé, "quoted"' \gset
SELECT account_id AS la FROM eacct.account WHERE name = 'long-a' \gset
SELECT enterprise_id AS e1 FROM eacct.enterprise WHERE name = 'Dump Active' \gset
SELECT enterprise_id AS e3 FROM eacct.enterprise WHERE name = 'Dump Pending' \gset

-- every id restored so far
SELECT (SELECT max(enterprise_id) FROM eacct.enterprise) AS max_ent,
       (SELECT max(account_id) FROM eacct.account) AS max_acc,
       (SELECT max(contact_id) FROM eacct.contact) AS max_contact,
       (SELECT max(coupon_id) FROM eacct.coupon) AS max_coupon,
       (SELECT max(entry_id) FROM eacct.journal_entry) AS max_entry,
       (SELECT max(record_id) FROM eacct.transfer_record) AS max_rec,
       (SELECT max(change_id) FROM eacct.credit_change) AS max_change,
       (SELECT max(bill_id) FROM eacct.bill) AS max_bill,
       (SELECT max(notification_id) FROM eacct.notification) AS max_notif \gset

-- idempotency keys issued before the dump still answer, and still refuse
-- other arguments
SELECT pg_temp.ok(eacct.top_up(:ma1, 5000, 'act-top-1') =
                  (SELECT result FROM eacct.request WHERE request_id = 'act-top-1'),
                  'a repeated top_up request_id returns the first result');
SELECT pg_temp.ok(eacct.transfer(:ma1, :a, 700, 'act-tr-1') =
                  (SELECT record_id FROM eacct.transfer_record WHERE request_id = 'act-tr-1'),
                  'a repeated transfer request_id returns the first result');
SELECT pg_temp.fails(format('SELECT eacct.transfer(%s, %s, 701, %L)', :ma1, :a, 'act-tr-1'),
                     'UA012', 'request_id reused with other arguments');
SELECT pg_temp.ok((SELECT max(entry_id) FROM eacct.journal_entry) = :max_entry,
                  'repeated requests wrote nothing');

-- the administrators' calls, as a member of an admin role (a regrole row
-- restored by name)
SET ROLE eacct_dump_alice;
SELECT pg_temp.ok(eacct.transfer(:c, :b, 100, 'after-tr-1') > :max_rec, 'transfer: new record id above the restored ones');
SELECT pg_temp.ok(eacct.withdraw(:b, :c, 10.5) > :max_rec + 1, 'withdraw: new record id above the restored ones');
SELECT pg_temp.ok(eacct.set_credit_limit(:a, 1100) > :max_change, 'set_credit_limit: new change id above the restored ones');
SELECT pg_temp.ok(eacct.transfer_batch(ARRAY[:c]::bigint[], ARRAY[:a]::bigint[], ARRAY[1]::numeric[])
                  > ARRAY[:max_rec + 2]::bigint[], 'transfer_batch continues the record ids');
SELECT pg_temp.fails(format('SELECT eacct.transfer(%s, %s, %s)', :b, :a, 0.01), 'UA003',
                     'transfer above transferable (b has no own cash)');
SELECT pg_temp.fails(format('SELECT eacct.withdraw(%s, %s, %s)', :a, :ma1, 100000), 'UA004',
                     'withdraw above withdrawable');
SELECT pg_temp.fails(format('SELECT eacct.set_credit_limit(%s, %s)', :a, 1000000), 'UA001',
                     'credit limit above allocatable');
-- alice administers Dump Active and Dump Long, not Dump Pending
SELECT pg_temp.fails(format('SELECT eacct.confirm_credit_contract(%s)', :e3), '42501',
                     'not an admin of Dump Pending');
SELECT pg_temp.fails(format('SELECT eacct.top_up(%s, 1)', :a), '42501',
                     'top_up is not granted to alice');
RESET ROLE;

-- the DBA's grants survived: "Eacct Dump Ops" may top up and claim
SET ROLE "Eacct Dump Ops";
SELECT pg_temp.ok(eacct.top_up(:c, 10, 'after-top-1') > :max_entry, 'top_up: new entry id above the restored ones');
SELECT pg_temp.ok((SELECT count(*) FROM eacct.claim_notifications(1000)) > 0, 'unclaimed notifications can be claimed');
SELECT pg_temp.fails(format('SELECT eacct.charge(%s, 1)', :a), '42501', 'charge is not granted to Ops');
RESET ROLE;

-- operator functions
SELECT pg_temp.ok(eacct.charge(:a, 5, 'after restore') > :max_entry, 'charge: new entry id');
SELECT pg_temp.ok(eacct.charge(:la, 100, 'exactly the available credit', NULL, 'after-ch-1') > :max_entry,
                  'charge on credit, exactly at the available credit');
SELECT pg_temp.ok((SELECT bill_id FROM eacct.bill WHERE account_id = :la ORDER BY bill_id DESC LIMIT 1) > :max_bill,
                  'the new bill id is above the restored ones');
SELECT pg_temp.fails(format('SELECT eacct.charge(%s, 0.01)', :la), 'UA006', 'charge above available credit');
SELECT pg_temp.ok(eacct.grant_coupon(:b, 5, now() + interval '1 day') > :max_coupon, 'grant_coupon: new coupon id');
SELECT eacct.add_contact(:b, 'email', 'b@after.example');
SELECT pg_temp.ok((SELECT contact_id FROM eacct.contact WHERE address = 'b@after.example') > :max_contact,
                  'add_contact: new contact id');
SELECT pg_temp.ok(eacct.create_account(:e1, 'after-account') > :max_acc, 'create_account: new account id');
SELECT pg_temp.ok(eacct.create_enterprise('After Co', 'after-ma') > :max_ent, 'create_enterprise: new enterprise id');
SELECT pg_temp.ok(eacct.apply_credit_line(:e1, 20000) = 'active', 'apply_credit_line on the active line');
SELECT pg_temp.ok((SELECT max(notification_id) FROM eacct.notification) > :max_notif,
                  'new notifications get ids above the restored ones');
SELECT pg_temp.ok(eacct.mark_overdue(now() + interval '100 days') = 3, 'mark_overdue: the three Dump Long bills');
SELECT pg_temp.ok(eacct.top_up(:b, 10000) > :max_entry, 'top_up pays the restored overdue bill');
SELECT pg_temp.ok((SELECT outstanding = 0 AND overdue = 0 FROM eacct.account_assets WHERE account_id = :b),
                  'b has no debt left');
SELECT pg_temp.ok((SELECT count(DISTINCT entry_id) = count(*) FROM eacct.journal_entry), 'journal ids unique');

-- the guards still hold after the restore
SELECT pg_temp.fails(format('UPDATE eacct.account SET own_cash = own_cash + 1 WHERE account_id = %s', :a),
                     'UA010', 'direct UPDATE of a balance');
SET session_replication_role = replica;
SELECT pg_temp.fails(format('UPDATE eacct.account SET own_cash = own_cash + 1 WHERE account_id = %s', :a),
                     'UA010', 'direct UPDATE of a balance under session_replication_role = replica');
RESET session_replication_role;
SELECT pg_temp.fails('UPDATE eacct.enterprise SET credit_line = credit_line + 1', 'UA010', 'direct UPDATE of a credit line');
SELECT pg_temp.fails('DELETE FROM eacct.bill', 'UA010', 'DELETE of bills');
SELECT pg_temp.fails('DELETE FROM eacct.journal_entry', 'UA011', 'DELETE of the journal');
SELECT pg_temp.fails('TRUNCATE eacct.transfer_record', 'UA011', 'TRUNCATE of transfer records');
SELECT pg_temp.fails('UPDATE eacct.request SET result = 0', 'UA011', 'UPDATE of request ids');
-- the restore loaded the tables while they were empty; now they have rows
SELECT pg_temp.fails('INSERT INTO eacct.request SELECT * FROM eacct.request LIMIT 1', 'UA011', 'INSERT into the request log');
SELECT pg_temp.fails('INSERT INTO eacct.transfer_pair SELECT * FROM eacct.transfer_pair LIMIT 1', 'UA010', 'INSERT of a transfer pair');

SELECT pg_temp.ok(NOT EXISTS (SELECT FROM eacct.verify()), 'verify() is empty after the calls');
\echo after: ok
