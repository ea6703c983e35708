-- pgTAP: balances change only through eacct's operations (UA010); history is
-- append-only (UA011); verify() reports damage done past the guards (SPEC rules 4, 10)
\i test/pgtap/helpers.psql
BEGIN;
SELECT * FROM no_plan();


-- data in every guarded table
SELECT eacct.create_enterprise('tap-guards-acme', 'acme-ma') AS ent \gset
SELECT eacct.create_account(:ent, 'g1') AS g1 \gset
SELECT eacct.create_account(:ent, 'g2') AS g2 \gset
SELECT eacct.create_account(:ent, 'g3') AS g3 \gset
SELECT eacct.enable_account_center(:ent);
SELECT is(eacct.apply_credit_line(:ent, 100), 'pending_confirmation', 'credit line applied, waiting for confirmation');
SELECT eacct.confirm_credit_contract(:ent);
SELECT eacct.top_up(:g1, 50) \gset
SELECT eacct.transfer(:g1, :g2, 10, 'tap-guard-1') \gset
SELECT eacct.set_credit_limit(:g2, 20) \gset
SELECT eacct.charge(:g2, 25) \gset
SELECT is(eacct.mark_overdue(now() + interval '31 days'), 1, 'g2''s bill is overdue');
SELECT eacct.grant_coupon(:g1, 5, now() + interval '1 day') AS k1 \gset
SELECT results_eq(format('SELECT own_cash, transfer_book_balance, credit_limit, outstanding, overdue FROM eacct.account_assets WHERE account_id IN (%s, %s) ORDER BY account_id', :g1, :g2),
    $$VALUES (40.00, 0.00, 0.00, 0.00, 0.00), (0.00, 0.00, 20.00, 15.00, 15.00)$$, 'g1 and g2 hold money');
SELECT ok((SELECT count(*) FROM eacct.journal_entry) > 0 AND (SELECT count(*) FROM eacct.transfer_record) > 0
          AND (SELECT count(*) FROM eacct.request) > 0 AND (SELECT count(*) FROM eacct.credit_change) > 0
          AND (SELECT count(*) FROM eacct.transfer_pair) > 0 AND (SELECT count(*) FROM eacct.bill) > 0,
          'every guarded table has rows');

-- ---------------------------------------------------------------------------
-- UA010: balance columns of eacct.account, even for a superuser
-- ---------------------------------------------------------------------------
SELECT pg_temp.rejects(format('UPDATE eacct.account SET %I = %I + 1 WHERE account_id = %s', col, col, :g2), 'UA010',
    format('column %s of eacct.account can only be changed by eacct''s operations', col), 'UPDATE of ' || col)
  FROM unnest(ARRAY['own_cash', 'transfer_book', 'credit_limit', 'outstanding', 'overdue']) AS col;
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.account SET own_cash = 0 WHERE account_id = %s', :g1), 'UA010',
    'column own_cash of eacct.account can only be changed by eacct''s operations', 'lowering own_cash');
SELECT is(pg_temp.error_of(format('UPDATE eacct.account SET own_cash = 0 WHERE account_id = %s', :g1)),
    'UA010: The UPDATE changes own_cash from 4000 to 0 (stored units).', 'errdetail names the change');
SELECT * FROM pg_temp.rejects(format($$UPDATE eacct.account SET alert_status = 'triggered' WHERE account_id = %s$$, :g1), 'UA010',
    'column alert_status of eacct.account can only be changed by eacct''s operations', 'UPDATE of alert_status');
-- an alert is set through set_low_balance_alert(), which evaluates it at once
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.account SET alert_threshold = 1000000 WHERE account_id = %s', :g1), 'UA010',
    'column alert_threshold of eacct.account can only be changed by eacct''s operations', 'UPDATE of alert_threshold');
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.account SET alert_enabled = NOT alert_enabled WHERE account_id = %s', :g1), 'UA010',
    'column alert_enabled of eacct.account can only be changed by eacct''s operations', 'UPDATE of alert_enabled');
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.account SET account_id = -1 WHERE account_id = %s', :g1), 'UA010',
    'column account_id of eacct.account can only be changed by eacct''s operations', 'UPDATE of account_id');
SELECT * FROM pg_temp.rejects('UPDATE eacct.account SET own_cash = own_cash + 1', 'UA010',
    'column own_cash of eacct.account can only be changed by eacct''s operations', 'UPDATE of every row');
-- session_replication_role = replica does not silence the guards (ENABLE ALWAYS)
SET session_replication_role = replica;
SELECT pg_temp.rejects(format('UPDATE eacct.account SET %I = %I + 1 WHERE account_id = %s', col, col, :g2), 'UA010',
    format('column %s of eacct.account can only be changed by eacct''s operations', col), 'replica role: UPDATE of ' || col)
  FROM unnest(ARRAY['own_cash', 'transfer_book', 'credit_limit', 'outstanding', 'overdue']) AS col;
SELECT * FROM pg_temp.rejects(format('DELETE FROM eacct.account WHERE account_id = %s', :g1), 'UA010',
    'rows of eacct.account hold money and cannot be deleted', 'replica role: DELETE of an account');
SELECT * FROM pg_temp.rejects('UPDATE eacct.journal_entry SET memo = ''x''', 'UA011',
    'eacct.journal_entry is append-only history', 'replica role: UPDATE of the journal');
RESET session_replication_role;
-- which account is the MA (exactly one per enterprise, created with it,
-- SPEC section 2) does not change
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.account SET is_ma = true WHERE account_id = %s', :g1), 'UA010',
    'column is_ma of eacct.account can only be changed by eacct''s operations', 'making another account the MA');
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.account SET is_ma = false WHERE enterprise_id = %s AND is_ma', :ent), 'UA010',
    'column is_ma of eacct.account can only be changed by eacct''s operations', 'leaving the enterprise without an MA');
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.enterprise SET ma_account_id = %s WHERE enterprise_id = %s', :g1, :ent), 'UA010',
    'column ma_account_id of eacct.enterprise can only be changed by eacct''s operations', 'pointing the enterprise at another MA');
-- columns that are not balances may change
SELECT lives_ok(format($$UPDATE eacct.account SET name = 'g1-renamed' WHERE account_id = %s$$, :g1), 'UPDATE of name is allowed');
SELECT is((SELECT account_name FROM eacct.account_assets WHERE account_id = :g1), 'g1-renamed', 'the name changed');
-- rows holding money cannot be deleted; the table cannot be truncated
SELECT * FROM pg_temp.rejects(format('DELETE FROM eacct.account WHERE account_id = %s', :g1), 'UA010',
    'rows of eacct.account hold money and cannot be deleted', 'DELETE of an account');
SELECT * FROM pg_temp.rejects(format('DELETE FROM eacct.account WHERE account_id = %s', :g3), 'UA010',
    'rows of eacct.account hold money and cannot be deleted', 'DELETE of an account with zero balances');
SELECT * FROM pg_temp.rejects('TRUNCATE eacct.account CASCADE', 'UA010',
    'rows of eacct.account hold money and cannot be deleted', 'TRUNCATE of eacct.account');
-- (without CASCADE PostgreSQL's own foreign key check refuses first)
SELECT * FROM pg_temp.rejects('TRUNCATE eacct.account', '0A000', NULL, 'TRUNCATE of eacct.account without CASCADE');

-- ---------------------------------------------------------------------------
-- UA010: the other tables that hold money
-- ---------------------------------------------------------------------------
SELECT * FROM pg_temp.rejects('UPDATE eacct.transfer_pair SET transferred = transferred + 1', 'UA010',
    'column transferred of eacct.transfer_pair can only be changed by eacct''s operations', 'UPDATE of transfer_pair.transferred');
SELECT * FROM pg_temp.rejects('UPDATE eacct.transfer_pair SET withdrawn = 1', 'UA010',
    'column withdrawn of eacct.transfer_pair can only be changed by eacct''s operations', 'UPDATE of transfer_pair.withdrawn');
SELECT * FROM pg_temp.rejects('DELETE FROM eacct.transfer_pair', 'UA010',
    'rows of eacct.transfer_pair hold money and cannot be deleted', 'DELETE of transfer_pair');
SELECT * FROM pg_temp.rejects('TRUNCATE eacct.transfer_pair', 'UA010',
    'rows of eacct.transfer_pair hold money and cannot be deleted', 'TRUNCATE of transfer_pair');
SELECT * FROM pg_temp.rejects('UPDATE eacct.bill SET remaining = remaining - 1', 'UA010',
    'column remaining of eacct.bill can only be changed by eacct''s operations', 'UPDATE of bill.remaining');
SELECT * FROM pg_temp.rejects('UPDATE eacct.bill SET remaining = 0', 'UA010',
    'column remaining of eacct.bill can only be changed by eacct''s operations', 'paying a bill by UPDATE');
SELECT * FROM pg_temp.rejects('UPDATE eacct.bill SET overdue = false', 'UA010',
    'column overdue of eacct.bill can only be changed by eacct''s operations', 'UPDATE of bill.overdue');
SELECT * FROM pg_temp.rejects('DELETE FROM eacct.bill', 'UA010',
    'rows of eacct.bill hold money and cannot be deleted', 'DELETE of a bill');
SELECT * FROM pg_temp.rejects('TRUNCATE eacct.bill', 'UA010',
    'rows of eacct.bill hold money and cannot be deleted', 'TRUNCATE of bill');
SELECT pg_temp.rejects(format('UPDATE eacct.enterprise SET %I = %I + 1 WHERE enterprise_id = %s', col, col, :ent), 'UA010',
    format('column %s of eacct.enterprise can only be changed by eacct''s operations', col), 'UPDATE of enterprise.' || col)
  FROM unnest(ARRAY['credit_line', 'allocated', 'overdue']) AS col;
SELECT * FROM pg_temp.rejects(format($$UPDATE eacct.enterprise SET credit_status = 'none' WHERE enterprise_id = %s$$, :ent), 'UA010',
    'column credit_status of eacct.enterprise can only be changed by eacct''s operations', 'UPDATE of enterprise.credit_status');
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.coupon SET used_at = now() WHERE coupon_id = %s', :k1), 'UA010',
    'column used_at of eacct.coupon can only be changed by eacct''s operations', 'UPDATE of coupon.used_at');
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.coupon SET face_value = face_value + 1 WHERE coupon_id = %s', :k1), 'UA010',
    'column face_value of eacct.coupon can only be changed by eacct''s operations', 'UPDATE of coupon.face_value');
SELECT * FROM pg_temp.rejects(format($$UPDATE eacct.coupon SET valid_until = 'infinity' WHERE coupon_id = %s$$, :k1), 'UA010',
    'column valid_until of eacct.coupon can only be changed by eacct''s operations', 'UPDATE of coupon.valid_until (an expired coupon would pay)');
SELECT * FROM pg_temp.rejects(format($$UPDATE eacct.coupon SET valid_from = '-infinity' WHERE coupon_id = %s$$, :k1), 'UA010',
    'column valid_from of eacct.coupon can only be changed by eacct''s operations', 'UPDATE of coupon.valid_from');
SELECT * FROM pg_temp.rejects($$UPDATE eacct.bill SET due_at = '2000-01-01'$$, 'UA010',
    'column due_at of eacct.bill can only be changed by eacct''s operations', 'UPDATE of bill.due_at (overdue early)');
SELECT * FROM pg_temp.rejects('DELETE FROM eacct.coupon', 'UA010',
    'rows of eacct.coupon hold money and cannot be deleted', 'DELETE of a coupon');

-- ---------------------------------------------------------------------------
-- UA011: history is append-only
-- ---------------------------------------------------------------------------
SELECT pg_temp.rejects(format('UPDATE eacct.%I SET %I = %I', t, c, c), 'UA011',
    format('eacct.%s is append-only history', t), 'UPDATE of ' || t)
  FROM (VALUES ('journal_entry', 'memo'), ('transfer_record', 'request_id'), ('request', 'args'),
               ('credit_change', 'changed_by')) AS v(t, c);
SELECT * FROM pg_temp.rejects('UPDATE eacct.journal_entry SET own_cash = own_cash + 1', 'UA011',
    'eacct.journal_entry is append-only history', 'UPDATE of a journal balance');
SELECT * FROM pg_temp.rejects('UPDATE eacct.transfer_record SET amount = 1', 'UA011',
    'eacct.transfer_record is append-only history', 'UPDATE of a transfer amount');
SELECT pg_temp.rejects(format('DELETE FROM eacct.%I', t), 'UA011',
    format('eacct.%s is append-only history', t), 'DELETE of ' || t)
  FROM unnest(ARRAY['journal_entry', 'transfer_record', 'request', 'credit_change']) AS t;
SELECT pg_temp.rejects(format('TRUNCATE eacct.%I', t), 'UA011',
    format('eacct.%s is append-only history', t), 'TRUNCATE of ' || t)
  FROM unnest(ARRAY['journal_entry', 'transfer_record', 'request', 'credit_change']) AS t;
SELECT is(pg_temp.error_of('DELETE FROM eacct.request'),
    'UA011: DELETE of eacct.request is not allowed; its rows are immutable.', 'errdetail names the statement');
-- forgetting a request_id would let a retried call apply twice
SELECT * FROM pg_temp.rejects('DELETE FROM eacct.request WHERE request_id = ''tap-guard-1''', 'UA011',
    'eacct.request is append-only history', 'a request key cannot be removed');

-- ---------------------------------------------------------------------------
-- INSERT: rows come only from eacct's operations (UA010 for money, UA011 for
-- history), for superusers too; a restore's load into an empty table passes
-- ---------------------------------------------------------------------------
SELECT * FROM pg_temp.rejects(format($$INSERT INTO eacct.account (enterprise_id, name, own_cash)
    VALUES (%s, 'rich', 1000000)$$, :ent), 'UA010',
    'rows of eacct.account come only from eacct''s operations', 'INSERT of an account holding money');
SELECT * FROM pg_temp.rejects(format($$INSERT INTO eacct.account (enterprise_id, name) VALUES (%s, 'plain')$$, :ent), 'UA010',
    'rows of eacct.account come only from eacct''s operations', 'INSERT of an empty account (create_account makes them)');
SELECT * FROM pg_temp.rejects($$INSERT INTO eacct.enterprise (enterprise_id, name, ma_account_id, credit_line, credit_status)
    VALUES (-7, 'forged', -7, 100000, 'active')$$, 'UA010',
    'rows of eacct.enterprise come only from eacct''s operations', 'INSERT of an enterprise with a credit line');
SELECT * FROM pg_temp.rejects(format('INSERT INTO eacct.transfer_pair (enterprise_id, source_account, holder_account, transferred, withdrawn) VALUES (%s, %s, %s, 8000, 0)',
    :ent, :g3, :g2), 'UA010',
    'rows of eacct.transfer_pair come only from eacct''s operations', 'INSERT of a forged pair (a withdrawal right)');
SELECT * FROM pg_temp.rejects(format('INSERT INTO eacct.bill (enterprise_id, bill_id, account_id, amount, remaining, due_at, entry_id) VALUES (%s, -1, %s, 100, 100, now(), -1)',
    :ent, :g1), 'UA010', 'rows of eacct.bill come only from eacct''s operations', 'INSERT of a bill');
SELECT * FROM pg_temp.rejects(format($$INSERT INTO eacct.coupon (enterprise_id, account_id, face_value, valid_from, valid_until)
    VALUES (%s, %s, 100000, now(), now() + interval '1 day')$$, :ent, :g1), 'UA010',
    'rows of eacct.coupon come only from eacct''s operations', 'INSERT of a coupon');
SELECT * FROM pg_temp.rejects(format($$INSERT INTO eacct.journal_entry (enterprise_id, entry_id, account_id, kind,
        amount, d_own_cash, d_transfer_book, d_credit_limit, d_outstanding, d_overdue, own_cash, transfer_book,
        credit_limit, outstanding, overdue, created_by)
    SELECT enterprise_id, nextval('eacct.entry_id_seq'), account_id, 'top_up', 1, 1, 0, 0, 0, 0,
           own_cash + 1, transfer_book, credit_limit, outstanding, overdue, 'dba'
      FROM eacct.account WHERE account_id = %s$$, :g1), 'UA011',
    'rows of eacct.journal_entry come only from eacct''s operations', 'INSERT of a journal entry');
SELECT * FROM pg_temp.rejects(format($$INSERT INTO eacct.transfer_record (enterprise_id, record_id, kind,
        from_account, to_account, amount, created_by)
    VALUES (%s, nextval('eacct.record_id_seq'), 'transfer', %s, %s, 1, 'dba')$$, :ent, :g1, :g2), 'UA011',
    'rows of eacct.transfer_record come only from eacct''s operations', 'INSERT of a transfer record');
SELECT * FROM pg_temp.rejects(format($$INSERT INTO eacct.credit_change (enterprise_id, change_id, account_id, kind,
        old_limit, new_limit, changed_by)
    VALUES (%s, -1, %s, 'allocate', 0, 1, 'dba')$$, :ent, :g1), 'UA011',
    'rows of eacct.credit_change come only from eacct''s operations', 'INSERT of a credit change');
-- a forged key would make a first call look like a repeat
SELECT * FROM pg_temp.rejects(format($$INSERT INTO eacct.request (enterprise_id, request_id, operation, args, result)
    VALUES (%s, 'tap-forged', 'top_up', '%s,5.00', 1)$$, :ent, :g1), 'UA011',
    'rows of eacct.request come only from eacct''s operations', 'INSERT of a request key');
SELECT is(pg_temp.error_of('INSERT INTO eacct.request SELECT * FROM eacct.request WHERE false'),
    'UA011: eacct.request holds history; rows from outside the extension are refused except a superuser''s COPY into the empty table, as when a dump is restored.',
    'the statement is refused before any row (errdetail)');
SELECT * FROM pg_temp.rejects($$COPY eacct.request (enterprise_id, request_id, operation, args, result) FROM PROGRAM 'echo 1 tap-copied top_up 5.00 1' WITH (DELIMITER ' ')$$,
    'UA011', 'rows of eacct.request come only from eacct''s operations', 'COPY into the request log');
SET session_replication_role = replica;
SELECT * FROM pg_temp.rejects(format($$INSERT INTO eacct.account (enterprise_id, name, own_cash) VALUES (%s, 'rich', 1)$$, :ent), 'UA010',
    'rows of eacct.account come only from eacct''s operations', 'replica role: INSERT of an account');
RESET session_replication_role;
-- a restore loads each table with one COPY into an empty table: that passes;
-- an INSERT into the empty table does not, nor a COPY that a function runs,
-- nor a second COPY into the then non-empty table
SAVEPOINT restore_load;
ALTER TABLE eacct.request DISABLE TRIGGER request_guard_truncate;
TRUNCATE eacct.request;
ALTER TABLE eacct.request ENABLE ALWAYS TRIGGER request_guard_truncate;
SELECT * FROM pg_temp.rejects($$INSERT INTO eacct.request (enterprise_id, request_id, operation, args, result) VALUES (1, 'tap-r0', 'top_up', '5.00', 1)$$,
    'UA011', 'rows of eacct.request come only from eacct''s operations', 'an INSERT into the empty request log');
SELECT * FROM pg_temp.rejects($$COPY eacct.request (enterprise_id, request_id, operation, args, result) FROM PROGRAM 'echo 1 tap-r0 top_up 5.00 1' WITH (DELIMITER ' ')$$,
    'UA011', 'rows of eacct.request come only from eacct''s operations', 'a COPY run by a function into the empty request log');
-- a role that was only granted INSERT cannot load the empty table (a
-- restore is a superuser's), nor can a COPY of an INSERT query
CREATE ROLE tap_guard_loader;
GRANT USAGE ON SCHEMA eacct TO tap_guard_loader;
GRANT INSERT ON eacct.request TO tap_guard_loader;
SAVEPOINT loader_copy;
SET ROLE tap_guard_loader;
\unset loader_copy_went_on
\set ON_ERROR_STOP false
\set VERBOSITY terse
COPY eacct.request (enterprise_id, request_id, operation, args, result) FROM STDIN;
1	tap-forged-1	top_up	5.00	1
\.
SELECT 1 AS loader_copy_went_on \gset
\set VERBOSITY default
\set ON_ERROR_STOP true
ROLLBACK TO SAVEPOINT loader_copy;
SELECT is(:{?loader_copy_went_on}, false, 'a COPY by a role granted INSERT into the empty request log is refused (the error above)');
SAVEPOINT query_copy;
\unset query_copy_went_on
\set ON_ERROR_STOP false
\set VERBOSITY terse
COPY (INSERT INTO eacct.request (enterprise_id, request_id, operation, args, result) VALUES (1, 'tap-forged-2', 'top_up', '5.00', 1) RETURNING request_id) TO STDOUT;
SELECT 1 AS query_copy_went_on \gset
\set VERBOSITY default
\set ON_ERROR_STOP true
ROLLBACK TO SAVEPOINT query_copy;
SELECT is(:{?query_copy_went_on}, false, 'COPY (INSERT ...) TO STDOUT into the empty request log is refused (the error above)');
COPY eacct.request (enterprise_id, request_id, operation, args, result) FROM PROGRAM 'printf "1 tap-r1 top_up 5.00 1\n1 tap-r2 top_up 6.00 2\n"' WITH (DELIMITER ' ');
SELECT is((SELECT count(*) FROM eacct.request), 2::bigint, 'a superuser''s COPY into the empty request log (a restore) loaded both rows');
SAVEPOINT second_copy;
\set ON_ERROR_STOP false
\set VERBOSITY terse
COPY eacct.request (enterprise_id, request_id, operation, args, result) FROM PROGRAM 'echo 1 tap-r3 top_up 7.00 3' WITH (DELIMITER ' ');
\set second_copy_failed :ERROR
\set VERBOSITY default
\set ON_ERROR_STOP true
ROLLBACK TO SAVEPOINT second_copy;
SELECT is(:'second_copy_failed' || ' ' || :'LAST_ERROR_SQLSTATE', 'true UA011', 'a second COPY into it is refused (UA011)');
ROLLBACK TO SAVEPOINT restore_load;

-- every rejected statement left the ledger consistent
SELECT is((SELECT count(*) FROM eacct.verify(:ent)), 0::bigint, 'verify finds nothing after the rejected statements');

-- ---------------------------------------------------------------------------
-- past the guards: a superuser who disables a trigger can change a balance,
-- and verify() reports the damage
-- ---------------------------------------------------------------------------
SAVEPOINT damage;
ALTER TABLE eacct.account DISABLE TRIGGER account_guard;
SELECT lives_ok(format('UPDATE eacct.account SET own_cash = own_cash + 10000 WHERE account_id = %s', :g1),
    'with account_guard disabled a superuser UPDATE succeeds');
SELECT set_eq(format('SELECT enterprise_id, account_id, problem FROM eacct.verify(%s)', :ent),
    format($$VALUES (%s::bigint, %s::bigint, 'own_cash is 140.00 but the journal deltas sum to 40.00'::text),
                    (%s::bigint, %s::bigint, 'own_cash is 140.00 but the last journal entry says 40.00'::text)$$,
           :ent, :g1, :ent, :g1),
    'verify reports the changed own_cash against the journal');
ALTER TABLE eacct.account ENABLE ALWAYS TRIGGER account_guard;
SELECT is((SELECT tgenabled FROM pg_trigger WHERE tgrelid = 'eacct.account'::regclass AND tgname = 'account_guard'), 'A',
    'account_guard is ENABLE ALWAYS again');
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.account SET own_cash = own_cash - 10000 WHERE account_id = %s', :g1), 'UA010',
    'column own_cash of eacct.account can only be changed by eacct''s operations', 'the guard is back: the damage cannot be undone by UPDATE either');
-- damage to a bill and to a transfer pair is reported too
ALTER TABLE eacct.bill DISABLE TRIGGER bill_guard;
ALTER TABLE eacct.transfer_pair DISABLE TRIGGER transfer_pair_guard;
UPDATE eacct.bill SET remaining = remaining - 1 WHERE account_id = :g2;
UPDATE eacct.transfer_pair SET transferred = transferred + 1 WHERE source_account = :g1;
ALTER TABLE eacct.bill ENABLE ALWAYS TRIGGER bill_guard;
ALTER TABLE eacct.transfer_pair ENABLE ALWAYS TRIGGER transfer_pair_guard;
SELECT set_eq(format('SELECT problem FROM eacct.verify(%s) WHERE account_id = %s', :ent, :g2),
    format($$VALUES ('outstanding is 15.00 but open bills sum to 14.99'::text),
                    ('overdue is 15.00 but overdue bills sum to 14.99'),
                    ('transfers from account %s: transferred 10.01 and withdrawn 0.00, records say 10.00 and 0.00')$$, :g1),
    'verify reports the changed bill and transfer pair');
ROLLBACK TO SAVEPOINT damage;
-- an enterprise whose MA was changed past the guards
SAVEPOINT damage;
ALTER TABLE eacct.account DISABLE TRIGGER account_guard;
UPDATE eacct.account SET is_ma = false WHERE enterprise_id = :ent AND is_ma;
ALTER TABLE eacct.account ENABLE ALWAYS TRIGGER account_guard;
SELECT set_eq(format('SELECT enterprise_id, account_id, problem FROM eacct.verify(%s)', :ent),
    format($$VALUES (%s::bigint, NULL::bigint, 'ma_account_id %s is not an account of the enterprise marked is_ma'::text)$$,
           :ent, (SELECT ma_account_id FROM eacct.enterprise WHERE enterprise_id = :ent)),
    'verify reports an enterprise left without its MA');
ROLLBACK TO SAVEPOINT damage;
ALTER TABLE eacct.enterprise DISABLE TRIGGER enterprise_guard;
UPDATE eacct.enterprise SET ma_account_id = :g2 WHERE enterprise_id = :ent;
ALTER TABLE eacct.enterprise ENABLE ALWAYS TRIGGER enterprise_guard;
SELECT set_eq(format('SELECT problem FROM eacct.verify(%s)', :ent),
    format($$VALUES ('ma_account_id %s is not an account of the enterprise marked is_ma'::text)$$, :g2),
    'verify reports an enterprise that points at another account as its MA');
ROLLBACK TO SAVEPOINT damage;


-- ---------------------------------------------------------------------------
-- past the guards, history that no longer agrees with the journal, and rows
-- of accounts or enterprises that were deleted, are reported by verify()
-- ---------------------------------------------------------------------------
SELECT entry_id AS g1_top_up FROM eacct.journal_entry WHERE account_id = :g1 AND kind = 'top_up' \gset
SELECT entry_id AS g1_out FROM eacct.journal_entry WHERE account_id = :g1 AND kind = 'transfer_out' \gset
SELECT entry_id AS g2_in FROM eacct.journal_entry WHERE account_id = :g2 AND kind = 'transfer_in' \gset
SELECT entry_id AS g2_limit, ref_id AS g2_change FROM eacct.journal_entry WHERE account_id = :g2 AND kind = 'credit_limit' \gset
SELECT entry_id AS g2_charge FROM eacct.journal_entry WHERE account_id = :g2 AND kind = 'charge' \gset
SELECT record_id AS rec FROM eacct.transfer_record WHERE from_account = :g1 \gset
SELECT bill_id AS bill FROM eacct.bill WHERE account_id = :g2 \gset
SAVEPOINT damage;
SELECT eacct.add_contact(:g1, 'email', 'g1@example.com');
ALTER TABLE eacct.account DISABLE TRIGGER ALL;
DELETE FROM eacct.account WHERE account_id = :g1;
SELECT set_eq(format('SELECT account_id, problem FROM eacct.verify(%s)', :ent),
    format($$VALUES (%1$s::bigint, 'account %1$s, which does not exist, has journal entries: 2'::text),
                    (%1$s, 'account %1$s, which does not exist, has transfer records: 1'),
                    (%1$s, 'account %1$s, which does not exist, has transfer pairs: 1'),
                    (%1$s, 'account %1$s, which does not exist, has coupons: 1'),
                    (%1$s, 'account %1$s, which does not exist, has contacts: 1')$$, :g1),
    'verify reports the journal entries, records, pairs, coupons and contacts of a deleted account');
ROLLBACK TO SAVEPOINT damage;
-- request keys deleted past the guard: a retry would run the call again
SELECT eacct.top_up(:g1, 1, 'tap-key-topup') AS keyed_top_up \gset
ALTER TABLE eacct.request DISABLE TRIGGER ALL;
DELETE FROM eacct.request WHERE request_id IN ('tap-key-topup', 'tap-guard-1');
SELECT set_eq(format('SELECT account_id, problem FROM eacct.verify(%s)', :ent),
    format($$VALUES (%s::bigint, 'journal entry %s (top_up) has request_id tap-key-topup, but no request key answers with it'::text),
                    (%s, 'transfer record %s has request_id tap-guard-1, but no request key answers with it')$$,
           :g1, :keyed_top_up, :g1, :rec),
    'verify reports the keyed top-up and transfer whose request keys were deleted');
ROLLBACK TO SAVEPOINT damage;
-- a used coupon deleted past the guard
SELECT eacct.charge(:g1, 1, NULL, :k1) AS coupon_charge \gset
ALTER TABLE eacct.coupon DISABLE TRIGGER ALL;
DELETE FROM eacct.coupon WHERE coupon_id = :k1;
SELECT set_eq(format('SELECT account_id, problem FROM eacct.verify(%s)', :ent),
    format($$VALUES (%s::bigint, 'journal entry %s used coupon %s, which does not exist'::text)$$,
           :g1, :coupon_charge, :k1),
    'verify reports a charge whose coupon was deleted');
ROLLBACK TO SAVEPOINT damage;
-- guard triggers that do not fire in every session (a data-only restore
-- with --disable-triggers leaves them ENABLE): verify() without an
-- enterprise says so, with the statement that puts them back
ALTER TABLE eacct.account ENABLE TRIGGER account_guard;
ALTER TABLE eacct.journal_entry DISABLE TRIGGER journal_entry_guard_insert;
ALTER TABLE eacct.request ENABLE REPLICA TRIGGER request_guard;
SELECT set_eq('SELECT enterprise_id, account_id, problem FROM eacct.verify() WHERE enterprise_id IS NULL',
    $$VALUES (NULL::bigint, NULL::bigint, 'trigger account_guard on eacct.account is ENABLE, not ENABLE ALWAYS, so sessions in replica mode pass it: ALTER TABLE eacct.account ENABLE ALWAYS TRIGGER account_guard'::text),
             (NULL, NULL, 'trigger journal_entry_guard_insert on eacct.journal_entry is disabled: ALTER TABLE eacct.journal_entry ENABLE ALWAYS TRIGGER journal_entry_guard_insert'),
             (NULL, NULL, 'trigger request_guard on eacct.request is ENABLE REPLICA, so ordinary sessions pass it: ALTER TABLE eacct.request ENABLE ALWAYS TRIGGER request_guard')$$,
    'verify() reports guard triggers that are not ENABLE ALWAYS');
SELECT is((SELECT count(*) FROM eacct.verify(:ent)), 0::bigint, 'verify(enterprise) leaves them to the whole-database check');
ROLLBACK TO SAVEPOINT damage;
-- a DBA's trigger that uses eacct's guard function on a table of its own
-- is the DBA's, not one of eacct's guards
CREATE TABLE pg_temp.my_history (id int);
CREATE TRIGGER my_history_guard BEFORE UPDATE OR DELETE ON pg_temp.my_history
    FOR EACH ROW EXECUTE FUNCTION eacct.guard_history();
SELECT is((SELECT count(*) FROM eacct.verify() WHERE enterprise_id IS NULL), 0::bigint,
    'verify() leaves alone a DBA''s trigger with eacct''s function on the DBA''s table');
ROLLBACK TO SAVEPOINT damage;
ALTER TABLE eacct.enterprise DISABLE TRIGGER ALL;
DELETE FROM eacct.enterprise WHERE enterprise_id = :ent;
SELECT set_eq(format('SELECT account_id, problem FROM eacct.verify() WHERE enterprise_id = %s', :ent),
    format($$SELECT account_id, format('account %%s belongs to enterprise %1$s, which does not exist', account_id)
               FROM eacct.account WHERE enterprise_id = %1$s
             UNION ALL VALUES (NULL::bigint, 'enterprise %1$s, which does not exist, has credit changes: 3'),
                              (NULL, 'enterprise %1$s, which does not exist, has request keys: 1')$$, :ent),
    'verify() reports the accounts, credit history and keys of a deleted enterprise');
ROLLBACK TO SAVEPOINT damage;
ALTER TABLE eacct.enterprise DISABLE TRIGGER enterprise_guard;
UPDATE eacct.enterprise SET credit_status = 'pending_confirmation' WHERE enterprise_id = :ent;
SELECT set_eq(format('SELECT problem FROM eacct.verify(%s)', :ent),
    $$VALUES ('credit_status is pending_confirmation but the credit history says active'::text)$$,
    'verify reports a credit status the credit history does not give');
ROLLBACK TO SAVEPOINT damage;
ALTER TABLE eacct.coupon DISABLE TRIGGER coupon_guard;
UPDATE eacct.coupon SET used_at = now() WHERE coupon_id = :k1;
SELECT set_eq(format('SELECT problem FROM eacct.verify(%s)', :ent),
    format($$VALUES ('coupon %s is marked used, but no journal entry used it'::text)$$, :k1),
    'verify reports a coupon marked used that no charge used');
ROLLBACK TO SAVEPOINT damage;
ALTER TABLE eacct.transfer_record DISABLE TRIGGER ALL;
ALTER TABLE eacct.transfer_pair DISABLE TRIGGER transfer_pair_guard;
UPDATE eacct.transfer_record SET amount = 1500 WHERE record_id = :rec;
UPDATE eacct.transfer_pair SET transferred = 1500 WHERE source_account = :g1;
SELECT set_eq(format('SELECT account_id, problem FROM eacct.verify(%s)', :ent),
    format($$VALUES (%s::bigint, 'journal entry %s (transfer_out of 10.00 with account %s) disagrees with transfer record %s (15.00 with account %s)'::text),
                    (%s, 'journal entry %s (transfer_in of 10.00 with account %s) disagrees with transfer record %s (15.00 with account %s)'),
                    (NULL, 'request_id tap-guard-1 answers transfer %s, which the transfer history with its arguments does not hold')$$,
           :g1, :g1_out, :g2, :rec, :g2, :g2, :g2_in, :g1, :rec, :g1, :rec),
    'verify reports a record and its pair changed together against the journal');
ROLLBACK TO SAVEPOINT damage;
ALTER TABLE eacct.transfer_record DISABLE TRIGGER ALL;
ALTER TABLE eacct.transfer_pair DISABLE TRIGGER ALL;
DELETE FROM eacct.transfer_record WHERE record_id = :rec;
DELETE FROM eacct.transfer_pair WHERE source_account = :g1;
SELECT set_eq(format('SELECT problem FROM eacct.verify(%s)', :ent),
    format($$VALUES ('journal entry %s (transfer_out) has no record %s'::text),
                    ('journal entry %s (transfer_in) has no record %s'),
                    ('request_id tap-guard-1 answers transfer %s, which the transfer history with its arguments does not hold')$$,
           :g1_out, :rec, :g2_in, :rec, :rec),
    'verify reports a transfer erased from the history with its pair');
ROLLBACK TO SAVEPOINT damage;
ALTER TABLE eacct.journal_entry DISABLE TRIGGER ALL;
UPDATE eacct.journal_entry SET amount = amount + 100 WHERE entry_id = :g1_top_up;
SELECT set_eq(format('SELECT problem FROM eacct.verify(%s)', :ent),
    format($$VALUES ('journal entry %s (top_up of 51.00) does not change the balances as a top_up does'::text)$$, :g1_top_up),
    'verify reports a journal entry whose amount no longer matches its deltas');
ROLLBACK TO SAVEPOINT damage;
ALTER TABLE eacct.credit_change DISABLE TRIGGER ALL;
UPDATE eacct.credit_change SET new_limit = 3000 WHERE change_id = :g2_change;
SELECT set_eq(format('SELECT account_id, problem FROM eacct.verify(%s)', :ent),
    format($$VALUES (%s::bigint, 'credit_limit is 20.00 but the credit history says 30.00'::text),
                    (%s, 'journal entry %s moves credit_limit by 20.00 but credit change %s by 30.00')$$,
           :g2, :g2, :g2_limit, :g2_change),
    'verify reports an allocation rewritten in the credit history');
ROLLBACK TO SAVEPOINT damage;
ALTER TABLE eacct.bill DISABLE TRIGGER ALL;
UPDATE eacct.bill SET amount = amount + 1 WHERE bill_id = :bill;
SELECT set_eq(format('SELECT problem FROM eacct.verify(%s)', :ent),
    format($$VALUES ('bill %s is 15.01 but journal entry %s put 15.00 on credit'::text)$$, :bill, :g2_charge),
    'verify reports a bill that no longer matches the charge that made it');
ROLLBACK TO SAVEPOINT damage;

-- ---------------------------------------------------------------------------
-- account_balances_check (eacct.account_balances_ok) holds even past the
-- guard: no negative balance or threshold, no overdue debt above the
-- outstanding debt, no unknown alert status (23514); nothing changes
-- ---------------------------------------------------------------------------
SELECT is(eacct.account_balances_ok(0, 0, 0, 0, 0, 0, 'ok'), true, 'account_balances_ok: all zero and ok');
SELECT is(eacct.account_balances_ok(1, 2, 3, 5, 5, 4, 'triggered'), true, 'account_balances_ok: overdue equal to outstanding, triggered');
SELECT is(array_agg(eacct.account_balances_ok(b[1], b[2], b[3], b[4], b[5], b[6], s) ORDER BY i),
          ARRAY[false, false, false, false, false, false, false, false, false],
          'account_balances_ok: each rule broken on its own')
  FROM (VALUES (1, ARRAY[-1, 0, 0, 0, 0, 0]::bigint[], 'ok'), (2, ARRAY[0, -1, 0, 0, 0, 0]::bigint[], 'ok'),
               (3, ARRAY[0, 0, -1, 0, 0, 0]::bigint[], 'ok'), (4, ARRAY[0, 0, 0, -1, 0, 0]::bigint[], 'ok'),
               (5, ARRAY[0, 0, 0, 1, -1, 0]::bigint[], 'ok'), (6, ARRAY[0, 0, 0, 1, 2, 0]::bigint[], 'ok'),
               (7, ARRAY[0, 0, 0, 0, 0, -1]::bigint[], 'ok'), (8, ARRAY[0, 0, 0, 0, 0, 0]::bigint[], 'OK'),
               (9, ARRAY[0, 0, 0, 0, 0, 0]::bigint[], '')) AS t(i, b, s);
SAVEPOINT checks;
ALTER TABLE eacct.account DISABLE TRIGGER account_guard;
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.account SET own_cash = -1 WHERE account_id = %s', :g1), '23514',
    'new row for relation "account" violates check constraint "account_balances_check"',
    'past the guard, a negative own_cash breaks account_balances_check');
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.account SET overdue = outstanding + 1 WHERE account_id = %s', :g2), '23514',
    'new row for relation "account" violates check constraint "account_balances_check"',
    'past the guard, overdue above outstanding breaks account_balances_check');
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.account SET alert_status = %L WHERE account_id = %s', 'maybe', :g1), '23514',
    'new row for relation "account" violates check constraint "account_balances_check"',
    'past the guard, an unknown alert status breaks account_balances_check');
ROLLBACK TO SAVEPOINT checks;

-- ---------------------------------------------------------------------------
-- the CHECK rules of the journal, the transfer history, the transfer pairs
-- and the bills (C functions since 0.4.0) hold for rows written past the
-- API and past the guards (23514); nothing changes
-- ---------------------------------------------------------------------------
SELECT is(array_agg(eacct.journal_kind_ok(k) ORDER BY k),
          ARRAY[true, true, true, true, true, true, true, true],
          'journal_kind_ok: each of the eight kinds')
  FROM unnest(ARRAY['top_up', 'charge', 'transfer_out', 'transfer_in', 'withdraw_out',
                    'withdraw_in', 'credit_limit', 'overdue']) AS k;
SELECT is(array_agg(eacct.journal_kind_ok(k) ORDER BY k),
          ARRAY[false, false, false, false, false],
          'journal_kind_ok: no other word, case, prefix or padding')
  FROM unnest(ARRAY['', 'Top_up', 'refund', 'top_up ', 'transfer']) AS k;
SELECT is(array_agg(eacct.transfer_kind_ok(k) ORDER BY k), ARRAY[false, false, true, false, true],
          'transfer_kind_ok: transfer and withdraw only')
  FROM unnest(ARRAY['', 'gift', 'transfer', 'transfer_out', 'withdraw']) AS k;
SELECT is(array_agg(eacct.transfer_pair_ok(p[1], p[2]) ORDER BY i), ARRAY[true, true, true, false, false],
          'transfer_pair_ok: 0 <= withdrawn <= transferred')
  FROM (VALUES (1, ARRAY[0, 0]::bigint[]), (2, ARRAY[5, 0]::bigint[]), (3, ARRAY[5, 5]::bigint[]),
               (4, ARRAY[5, 6]::bigint[]), (5, ARRAY[5, -1]::bigint[])) AS t(i, p);
SELECT is(array_agg(eacct.bill_amounts_ok(p[1], p[2]) ORDER BY i), ARRAY[true, true, false, false, false, false],
          'bill_amounts_ok: amount > 0 and 0 <= remaining <= amount')
  FROM (VALUES (1, ARRAY[5, 5]::bigint[]), (2, ARRAY[5, 0]::bigint[]), (3, ARRAY[0, 0]::bigint[]),
               (4, ARRAY[-5, -5]::bigint[]), (5, ARRAY[5, 6]::bigint[]), (6, ARRAY[5, -1]::bigint[])) AS t(i, p);
SELECT is(ARRAY[eacct.journal_kind_ok(NULL), eacct.transfer_kind_ok(NULL), eacct.transfer_pair_ok(1, NULL),
                eacct.bill_amounts_ok(NULL, 1)], ARRAY[NULL, NULL, NULL, NULL]::boolean[],
          'the rules are NULL on NULL (their columns are NOT NULL)');
SELECT is(ARRAY[eacct.account_balances_ok(NULL, 0, 0, 0, 0, 0, 'ok'), eacct.account_balances_ok(0, 0, 0, 0, 0, 0, NULL)],
          ARRAY[NULL, NULL]::boolean[], 'account_balances_ok is NULL on NULL too');
SAVEPOINT insert_checks;
ALTER TABLE eacct.journal_entry DISABLE TRIGGER journal_entry_guard_insert;
ALTER TABLE eacct.transfer_record DISABLE TRIGGER transfer_record_guard_insert;
SELECT * FROM pg_temp.rejects(format($$INSERT INTO eacct.journal_entry (enterprise_id, entry_id, account_id, kind,
        amount, d_own_cash, d_transfer_book, d_credit_limit, d_outstanding, d_overdue, own_cash, transfer_book,
        credit_limit, outstanding, overdue, created_by)
    SELECT enterprise_id, nextval('eacct.entry_id_seq'), account_id, 'refund', 1, 0, 0, 0, 0, 0,
           own_cash, transfer_book, credit_limit, outstanding, overdue, 'dba'
      FROM eacct.account WHERE account_id = %s$$, :g1), '23514',
    'new row for relation "journal_entry" violates check constraint "journal_entry_kind_check"',
    'a journal entry of an unknown kind breaks journal_entry_kind_check');
SELECT * FROM pg_temp.rejects(format($$INSERT INTO eacct.transfer_record (enterprise_id, record_id, kind,
        from_account, to_account, amount, created_by)
    VALUES (%s, nextval('eacct.record_id_seq'), 'gift', %s, %s, 1, 'dba')$$, :ent, :g1, :g2), '23514',
    'new row for relation "transfer_record" violates check constraint "transfer_record_kind_check"',
    'a transfer record of an unknown kind breaks transfer_record_kind_check');
ROLLBACK TO SAVEPOINT insert_checks;
SAVEPOINT history_checks;
ALTER TABLE eacct.transfer_pair DISABLE TRIGGER transfer_pair_guard;
ALTER TABLE eacct.bill DISABLE TRIGGER bill_guard;
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.transfer_pair SET withdrawn = transferred + 1 WHERE source_account = %s AND holder_account = %s', :g1, :g2), '23514',
    'new row for relation "transfer_pair" violates check constraint "transfer_pair_check"',
    'past the guard, withdrawing more than was transferred breaks transfer_pair_check');
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.transfer_pair SET withdrawn = -1 WHERE source_account = %s AND holder_account = %s', :g1, :g2), '23514',
    'new row for relation "transfer_pair" violates check constraint "transfer_pair_check"',
    'past the guard, a negative withdrawn sum breaks transfer_pair_check');
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.bill SET remaining = amount + 1 WHERE account_id = %s', :g2), '23514',
    'new row for relation "bill" violates check constraint "bill_amount_check"',
    'past the guard, a bill owing more than its amount breaks bill_amount_check');
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.bill SET remaining = -1 WHERE account_id = %s', :g2), '23514',
    'new row for relation "bill" violates check constraint "bill_amount_check"',
    'past the guard, a negative remaining sum breaks bill_amount_check');
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.bill SET amount = 0, remaining = 0 WHERE account_id = %s', :g2), '23514',
    'new row for relation "bill" violates check constraint "bill_amount_check"',
    'past the guard, a bill for nothing breaks bill_amount_check');
ROLLBACK TO SAVEPOINT history_checks;

-- ---------------------------------------------------------------------------
-- the plain CHECKs, NOT NULLs and unique indexes of the install script hold
-- past the guards as well (rows a restore or a DBA writes): no negative
-- enterprise sum, no coupon or transfer of nothing, no NULL balance (the C
-- rules are NULL on NULL, so NOT NULL is what refuses it), one management
-- account per enterprise; nothing changes
-- ---------------------------------------------------------------------------
SAVEPOINT table_checks;
ALTER TABLE eacct.enterprise DISABLE TRIGGER enterprise_guard;
ALTER TABLE eacct.account DISABLE TRIGGER account_guard;
ALTER TABLE eacct.coupon DISABLE TRIGGER coupon_guard;
ALTER TABLE eacct.transfer_record DISABLE TRIGGER transfer_record_guard;
SELECT pg_temp.rejects(format('UPDATE eacct.enterprise SET %I = -1 WHERE enterprise_id = %s', col, :ent), '23514',
    'new row for relation "enterprise" violates check constraint "enterprise_amounts_check"',
    format('past the guard, a negative enterprise %s breaks enterprise_amounts_check', col))
  FROM unnest(ARRAY['credit_line', 'allocated', 'overdue']) AS col;
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.coupon SET face_value = 0 WHERE coupon_id = %s', :k1), '23514',
    'new row for relation "coupon" violates check constraint "coupon_face_value_check"',
    'past the guard, a coupon worth nothing breaks coupon_face_value_check');
SELECT * FROM pg_temp.rejects($$UPDATE eacct.transfer_record SET amount = 0 WHERE request_id = 'tap-guard-1'$$, '23514',
    'new row for relation "transfer_record" violates check constraint "transfer_record_amount_check"',
    'past the guard, a transfer record of nothing breaks transfer_record_amount_check');
SELECT pg_temp.rejects(format('UPDATE eacct.account SET %I = NULL WHERE account_id = %s', col, :g1), '23502',
    format('null value in column "%s" of relation "account" violates not-null constraint', col),
    format('past the guard, a NULL %s breaks its NOT NULL', col))
  FROM unnest(ARRAY['own_cash', 'transfer_book', 'credit_limit', 'outstanding', 'overdue', 'alert_threshold']) AS col;
SELECT * FROM pg_temp.rejects(format('UPDATE eacct.account SET is_ma = true WHERE account_id = %s', :g1), '23505',
    'duplicate key value violates unique constraint "account_one_ma_idx"',
    'past the guard, a second management account breaks account_one_ma_idx');
ROLLBACK TO SAVEPOINT table_checks;

-- ---------------------------------------------------------------------------
-- past the INSERT guard: a request key that answers with nothing, or with a
-- record of other arguments, is reported by verify()
-- ---------------------------------------------------------------------------
SAVEPOINT forged_keys;
ALTER TABLE eacct.request DISABLE TRIGGER request_guard_insert;
INSERT INTO eacct.request (enterprise_id, request_id, operation, args, result)
VALUES (:ent, 'tap-forged-topup', 'top_up', :g1 || ',5.00', -1),
       (:ent, 'tap-forged-transfer', 'transfer', :g1 || ',' || :g2 || ',99.00',
        (SELECT record_id FROM eacct.transfer_record WHERE request_id = 'tap-guard-1')),
       -- g1's top-up of 50.00, claimed by a key of g2, by one of another
       -- amount, and (rightly) by a key written as before 0.5.0
       (:ent, 'tap-forged-other-account', 'top_up', :g2 || ',50.00', :g1_top_up),
       (:ent, 'tap-forged-amount', 'top_up', :g1 || ',7.00', :g1_top_up),
       (:ent, 'tap-forged-legacy-amount', 'top_up', '7.00', :g1_top_up),
       (:ent, 'tap-legacy', 'top_up', '50.00', :g1_top_up);
ALTER TABLE eacct.request ENABLE ALWAYS TRIGGER request_guard_insert;
SELECT set_eq(format('SELECT problem FROM eacct.verify(%s)', :ent),
    format($$VALUES ('request_id tap-forged-topup answers top_up -1, which the journal with its arguments does not hold'),
                    ('request_id tap-forged-transfer answers transfer %1$s, which the transfer history with its arguments does not hold'),
                    ('request_id tap-forged-other-account answers top_up %2$s, which the journal with its arguments does not hold'),
                    ('request_id tap-forged-amount answers top_up %2$s, which the journal with its arguments does not hold'),
                    ('request_id tap-forged-legacy-amount answers top_up %2$s, which the journal with its arguments does not hold')$$,
           (SELECT record_id FROM eacct.transfer_record WHERE request_id = 'tap-guard-1'), :g1_top_up),
    'verify() reports request keys that answer with nothing, with another call''s record, or with another account''s or amount''s entry');
ROLLBACK TO SAVEPOINT forged_keys;
SELECT is((SELECT count(*) FROM eacct.verify(:ent)), 0::bigint, 'the real keys pass verify()');

-- ---------------------------------------------------------------------------
-- a trigger on an eacct table whose function a non-superuser owns would run
-- as eacct's owner (a superuser) inside every call: eacct refuses to run
-- (42501) until it is gone, and nothing changes
-- ---------------------------------------------------------------------------
SAVEPOINT foreign_trigger;
CREATE ROLE tap_guard_trigger;
GRANT USAGE ON SCHEMA eacct TO tap_guard_trigger;
GRANT TRIGGER ON eacct.account TO tap_guard_trigger;
SET ROLE tap_guard_trigger;
CREATE FUNCTION pg_temp.escalate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE eacct.account SET own_cash = own_cash + 100000000;
    RETURN NULL;
END $$;
CREATE TRIGGER zz_escalate AFTER UPDATE ON eacct.account FOR EACH ROW EXECUTE FUNCTION pg_temp.escalate();
RESET ROLE;
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), '42501',
    'trigger zz_escalate on eacct.account would run with the rights of eacct''s owner',
    'a transfer while a non-superuser''s trigger is on eacct.account');
SELECT alike(pg_temp.error_of(format('SELECT eacct.top_up(%s, 1)', :g1)),
    '42501: Its function pg_temp_%.escalate() belongs to role tap_guard_trigger, which is not a superuser;%',
    'the detail names the function and its owner');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transferable(%s)', :g1), '42501',
    'trigger zz_escalate on eacct.account would run with the rights of eacct''s owner',
    'any eacct call while it exists');
-- a superuser's own statement that would fire it is refused as well
SELECT * FROM pg_temp.rejects(format($$UPDATE eacct.account SET name = 'g1-escalated' WHERE account_id = %s$$, :g1), '42501',
    'trigger zz_escalate on eacct.account would run with a superuser''s rights',
    'a superuser''s UPDATE of eacct.account while it exists');
DROP TRIGGER zz_escalate ON eacct.account;
SELECT lives_ok(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), 'calls run again once the trigger is gone');
ROLLBACK TO SAVEPOINT foreign_trigger;

-- a superuser's trigger on an eacct table that writes a table by an
-- unqualified name runs, inside a call, with search_path pg_catalog, pg_temp:
-- the name can be the caller's temp table, whose trigger (the caller's own
-- function) would then run as eacct's owner.  Inside a call every table's
-- triggers are checked: 42501, and nothing changes
SAVEPOINT temp_escalation;
CREATE ROLE tap_guard_caller;
SELECT eacct.add_admin(:ent, 'tap_guard_caller') IS NULL AS added \gset
CREATE FUNCTION public.tap_audit_transfer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        INSERT INTO tap_transfer_audit VALUES (NEW.record_id);
    EXCEPTION WHEN undefined_table THEN NULL;
    END;
    RETURN NULL;
END $$;
CREATE TRIGGER zz_audit AFTER INSERT ON eacct.transfer_record FOR EACH ROW EXECUTE FUNCTION public.tap_audit_transfer();
SELECT lives_ok(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), 'the audit trigger alone is harmless');
SET ROLE tap_guard_caller;
CREATE TEMP TABLE tap_transfer_audit (record_id bigint);
-- (a sequence: what the function does there outlives the call's rollback)
CREATE TEMP SEQUENCE tap_escalations;
CREATE FUNCTION pg_temp.tap_escalate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('pg_temp.tap_escalations');
    RETURN NEW;
END $$;
CREATE TRIGGER tap_escalate BEFORE INSERT ON tap_transfer_audit FOR EACH ROW EXECUTE FUNCTION pg_temp.tap_escalate();
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), '42501',
    'temporary relation tap_transfer_audit is not a superuser''s',
    'a caller''s temp-table trigger reached through a DBA''s trigger is refused');
SELECT is((SELECT is_called FROM tap_escalations), false, 'the caller''s trigger function did not run');
SELECT is((SELECT count(*) FROM tap_transfer_audit), 0::bigint, 'nothing reached the caller''s table');
-- nor through a column default of the caller's, or a trigger on a
-- partition the row is routed to (the executor's start-up does not list
-- that partition): any temporary relation of a role that is not a
-- superuser, reached inside a call, is refused
DROP TABLE tap_transfer_audit;
CREATE FUNCTION pg_temp.tap_escalate_default() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    RETURN nextval('pg_temp.tap_escalations');
END $$;
CREATE TEMP TABLE tap_transfer_audit (record_id bigint, n bigint DEFAULT pg_temp.tap_escalate_default());
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), '42501',
    'temporary relation tap_transfer_audit is not a superuser''s', 'a caller''s column default is refused');
DROP TABLE tap_transfer_audit;
CREATE TEMP TABLE tap_transfer_audit (record_id bigint) PARTITION BY RANGE (record_id);
CREATE TEMP TABLE tap_transfer_audit_all PARTITION OF tap_transfer_audit DEFAULT;
CREATE TRIGGER tap_escalate BEFORE INSERT ON tap_transfer_audit_all FOR EACH ROW EXECUTE FUNCTION pg_temp.tap_escalate();
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), '42501',
    'temporary relation tap_transfer_audit is not a superuser''s', 'a trigger on a caller''s partition is refused');
SELECT is((SELECT is_called FROM tap_escalations), false, 'none of the caller''s functions ran');
-- the planner folds an IMMUTABLE function of a default (or a view, rule or
-- CHECK constraint) while it plans the statement, before the executor starts
DROP TABLE tap_transfer_audit;
CREATE FUNCTION pg_temp.tap_escalate_folded() RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    PERFORM nextval('pg_temp.tap_escalations');
    RETURN 0;
END $$;
CREATE TEMP TABLE tap_transfer_audit (record_id bigint, n bigint DEFAULT pg_temp.tap_escalate_folded());
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), '42501',
    'temporary relation tap_transfer_audit is not a superuser''s', 'a caller''s IMMUTABLE default is refused before planning');
SELECT is((SELECT is_called FROM tap_escalations), false, 'the planner did not run the caller''s function');
DROP TABLE tap_transfer_audit;
-- TRUNCATE (and COPY FROM) fire triggers without the executor or the planner
RESET ROLE;
CREATE FUNCTION public.tap_clear_scratch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        TRUNCATE tap_scratch;
    EXCEPTION WHEN undefined_table THEN NULL;
    END;
    RETURN NULL;
END $$;
CREATE TRIGGER zz_scratch AFTER INSERT ON eacct.transfer_record FOR EACH ROW EXECUTE FUNCTION public.tap_clear_scratch();
SET ROLE tap_guard_caller;
CREATE TEMP TABLE tap_scratch (x int);
CREATE TRIGGER tap_escalate BEFORE TRUNCATE ON tap_scratch FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.tap_escalate();
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), '42501',
    'temporary relation tap_scratch is not a superuser''s', 'a TRUNCATE of a caller''s table is refused');
SELECT is((SELECT is_called FROM tap_escalations), false, 'the caller''s TRUNCATE trigger did not run');
-- nor an ALTER TABLE, whose rewrite checks the table's CHECK constraints
DROP TABLE tap_scratch;
RESET ROLE;
CREATE OR REPLACE FUNCTION public.tap_clear_scratch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        ALTER TABLE tap_scratch ALTER COLUMN x TYPE bigint;
    EXCEPTION WHEN undefined_table THEN NULL;
    END;
    RETURN NULL;
END $$;
SET ROLE tap_guard_caller;
CREATE FUNCTION pg_temp.tap_escalate_check(bigint) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    PERFORM nextval('pg_temp.tap_escalations');
    RETURN true;
END $$;
CREATE TEMP TABLE tap_scratch (x int);
INSERT INTO tap_scratch VALUES (1);
ALTER TABLE tap_scratch ADD CHECK (pg_temp.tap_escalate_check(x));
SELECT setval('pg_temp.tap_escalations', 1, false) IS NOT NULL AS reset_sequence \gset
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), '42501',
    'temporary relation tap_scratch is not a superuser''s', 'an ALTER TABLE of a caller''s table is refused');
SELECT is((SELECT is_called FROM tap_escalations), false, 'the caller''s CHECK function did not run');
RESET ROLE;
ROLLBACK TO SAVEPOINT temp_escalation;

-- a superuser's ALTER COLUMN ... TYPE of a column no view or constraint
-- uses: eacct's code writes and reads its columns as the types it made
-- them (an int8 written into a numeric column crashed the server, a
-- numeric read as an int8 answered with a pointer): 42804, nothing changes
SAVEPOINT altered_type;
ALTER TABLE eacct.journal_entry ALTER COLUMN d_own_cash TYPE numeric;
SELECT * FROM pg_temp.rejects(format('SELECT eacct.top_up(%s, 1)', :g1), '42804',
    'column d_own_cash of eacct.journal_entry has type numeric, not bigint', 'a journal column of another type');
ROLLBACK TO SAVEPOINT altered_type;
SAVEPOINT altered_type;
ALTER TABLE eacct.request ALTER COLUMN result TYPE numeric;
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.transfer(%s, %s, 10, 'tap-guard-1')$$, :g1, :g2), '42804',
    'eacct read a column of type numeric where it expects bigint', 'a repeated call whose stored result is of another type');
ROLLBACK TO SAVEPOINT altered_type;
SAVEPOINT altered_type;
ALTER TABLE eacct.account RENAME COLUMN own_cash TO cash;
SELECT * FROM pg_temp.rejects(format('SELECT eacct.top_up(%s, 1)', :g1), '42703',
    'column own_cash of eacct.account does not exist', 'a renamed balance column');
ROLLBACK TO SAVEPOINT altered_type;
SELECT is(eacct.transfer(:g1, :g2, 10, 'tap-guard-1'), :transfer::bigint, 'a repeat answers again once the table is as eacct made it');

-- a table Citus has distributed keeps its old rows on its disk, hidden
-- from queries, while Citus sends every SQL statement to the shards; the
-- ledger, which reads and writes the table itself, would move money in
-- those rows (checked on a Citus 13.2 cluster, docs/scaling.md).  A table
-- listed in pg_catalog.pg_dist_partition is refused: 0A000, nothing
-- changes.  The catalog table is a stand-in here, Citus's own column
-- (logicalrelid regclass) and no more
SAVEPOINT citus;
SET LOCAL allow_system_table_mods = on;
CREATE TABLE pg_catalog.pg_dist_partition (logicalrelid regclass NOT NULL, partmethod "char" NOT NULL);
SELECT lives_ok(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), 'an empty pg_dist_partition refuses nothing');
-- Citus announces a table it distributed with a relcache invalidation and
-- no change to the table's pg_class row; CREATE and DROP TRIGGER on a table
-- that has triggers do the same
CREATE FUNCTION pg_temp.announce(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER tap_citus_inval AFTER UPDATE ON %s FOR EACH STATEMENT '
                   'EXECUTE FUNCTION suppress_redundant_updates_trigger()', tbl);
    EXECUTE format('DROP TRIGGER tap_citus_inval ON %s', tbl);
END $$;
INSERT INTO pg_catalog.pg_dist_partition VALUES ('eacct.account', 'h');
SELECT pg_temp.announce('eacct.account');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), '0A000',
    'eacct.account is a Citus table', 'a transfer when eacct.account is distributed');
SELECT is(pg_temp.error_of(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2)),
    '0A000: pg_catalog.pg_dist_partition lists eacct.account, so its rows are in Citus shards; '
    'eacct reads and writes eacct.account on this node through the table access method, '
    'where a call would change rows that no query sees.', 'errdetail says why');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.charge(%s, 1)', :g1), '0A000',
    'eacct.account is a Citus table', 'a charge when eacct.account is distributed');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transferable(%s)', :g1), '0A000',
    'eacct.account is a Citus table', 'a read of the ledger when eacct.account is distributed');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s], ARRAY[%s], ARRAY[1])', :g1, :g2), '0A000',
    'eacct.account is a Citus table', 'a batch when eacct.account is distributed');
DELETE FROM pg_catalog.pg_dist_partition;
SELECT lives_ok(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), 'the refusal is not remembered once Citus lists nothing');
INSERT INTO pg_catalog.pg_dist_partition VALUES ('eacct.journal_entry', 'h');
SELECT pg_temp.announce('eacct.journal_entry');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.top_up(%s, 1)', :g1), '0A000',
    'eacct.journal_entry is a Citus table', 'a top-up when only the journal is distributed');
-- a pg_dist_partition without Citus's column cannot say that a table is
-- not listed: refused, not guessed
DELETE FROM pg_catalog.pg_dist_partition;
ALTER TABLE pg_catalog.pg_dist_partition RENAME COLUMN logicalrelid TO relation;
SELECT pg_temp.announce('eacct.account');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), '0A000',
    'cannot tell whether eacct.account is a Citus table', 'a pg_dist_partition of another shape');
ROLLBACK TO SAVEPOINT citus;

-- the API finds an account by its id alone, and one sequence keeps ids
-- unique (account_pkey leads with enterprise_id).  A superuser's setval
-- back cannot give a new account the id of an existing one of another
-- enterprise (23505, nothing changes; calls by that id went to either);
-- verify() reports such a pair made past the guards
SAVEPOINT account_ids;
SELECT eacct.create_enterprise('tap-guards-other', 'other-ma') AS other_ent \gset
SELECT setval('eacct.account_id_seq', :g1 - 1) IS NOT NULL AS set_back \gset
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.create_account(%s, 'reused')$$, :other_ent), '23505',
    format('account id %s is taken', :g1), 'a new account cannot take an existing account id');
SELECT setval('eacct.account_id_seq', :g1 - 1) IS NOT NULL AS set_back \gset
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_enterprise('tap-guards-reused', 'reused-ma')$$, '23505',
    format('account id %s is taken', :g1), 'nor a new enterprise''s MA');
SELECT setval('eacct.account_id_seq', (SELECT max(account_id) FROM eacct.account)) IS NOT NULL AS set_forth \gset
ALTER TABLE eacct.account DISABLE TRIGGER account_guard_insert;
INSERT INTO eacct.account (enterprise_id, account_id, name) VALUES (:other_ent, :g1, 'duplicate');
ALTER TABLE eacct.account ENABLE ALWAYS TRIGGER account_guard_insert;
SELECT set_eq(format('SELECT account_id, problem FROM eacct.verify(%s) WHERE problem LIKE %L', :ent, 'account id%'),
    format($$VALUES (%s::bigint, 'account id %s is also an account of enterprise %s')$$, :g1, :g1, :other_ent),
    'verify() reports an account id two enterprises share');
ROLLBACK TO SAVEPOINT account_ids;

-- a sequence set back below the ids its table holds (setval, a restore
-- into a used database) is reported by verify() before it gives an id
-- twice; setval is not undone by a rollback, so the test puts it back
SELECT last_value AS entry_seq_was FROM eacct.entry_id_seq \gset
SELECT max(entry_id) AS top_entry FROM eacct.journal_entry \gset
SELECT setval('eacct.entry_id_seq', 1) IS NOT NULL AS set_back \gset
SELECT is((SELECT array_agg(problem) FROM eacct.verify() WHERE enterprise_id IS NULL AND problem LIKE 'sequence %'),
          ARRAY[format('sequence eacct.entry_id_seq gives 2 next, but entry_id %s exists: SELECT setval(%L, %s)',
                       :top_entry, 'eacct.entry_id_seq', :top_entry)],
          'verify() reports a sequence set back below the journal''s ids, with the statement that mends it');
SELECT is((SELECT count(*) FROM eacct.verify(:ent) WHERE problem LIKE 'sequence eacct.entry_id_seq gives 2 next%'), 1::bigint,
          'verify(enterprise) reports it too (against the enterprise''s entries)');
-- a sequence not yet called gives its last value itself next (setval(..., false))
SELECT setval('eacct.entry_id_seq', :top_entry, false) IS NOT NULL AS set_uncalled \gset
SELECT is((SELECT array_agg(problem) FROM eacct.verify() WHERE problem LIKE 'sequence %'),
          ARRAY[format('sequence eacct.entry_id_seq gives %s next, but entry_id %s exists: SELECT setval(%L, %s)',
                       :top_entry, :top_entry, 'eacct.entry_id_seq', :top_entry)],
          'verify() reports a sequence whose next value, not yet called, is an id the journal has');
SELECT setval('eacct.entry_id_seq', :top_entry + 1, false) IS NOT NULL AS set_uncalled \gset
SELECT is((SELECT count(*) FROM eacct.verify() WHERE problem LIKE 'sequence %'), 0::bigint,
          'and none when that next value is past the ids');
SELECT setval('eacct.entry_id_seq', :entry_seq_was) IS NOT NULL AS set_forth \gset
SELECT is((SELECT count(*) FROM eacct.verify() WHERE problem LIKE 'sequence %'), 0::bigint,
          'verify() reports no sequence once it is past the ids again');
-- and an entry_id given twice (once the sequence has passed the ids again,
-- only the duplicate shows it): the journal's key allows it in two accounts
SAVEPOINT reused_entry;
SELECT account_id AS top_owner FROM eacct.journal_entry WHERE entry_id = :top_entry \gset
SELECT min(account_id) AS other_acct FROM eacct.account WHERE account_id <> :top_owner \gset
SELECT setval('eacct.entry_id_seq', :top_entry - 1) IS NOT NULL AS set_back \gset
SELECT eacct.top_up(:other_acct, 1) = :top_entry AS reused \gset
SELECT setval('eacct.entry_id_seq', :entry_seq_was) IS NOT NULL AS set_forth \gset
SELECT is((SELECT array_agg(problem) FROM eacct.verify() WHERE problem LIKE 'journal entry % is in %'),
          ARRAY[format('journal entry %s is in 2 accounts: %s, %s', :top_entry,
                       least(:top_owner, :other_acct), greatest(:top_owner, :other_acct))],
          'verify() reports an entry_id two accounts share');
ROLLBACK TO SAVEPOINT reused_entry;

-- ---------------------------------------------------------------------------
-- a DBA's trigger that silently skips the balance UPDATE (returns NULL) does
-- not leave a journal without its balances: the ledger counts the account
-- rows it updated and fails the call (XX000); nothing changes
-- ---------------------------------------------------------------------------
SAVEPOINT skip;
CREATE FUNCTION pg_temp.skip_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER zz_skip BEFORE UPDATE ON eacct.account FOR EACH ROW
    WHEN (OLD.account_id = 0 + current_setting('tap.skip_account')::bigint)
    EXECUTE FUNCTION pg_temp.skip_update();
SET tap.skip_account = :'g2';
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), 'XX000',
    'eacct ledger lost track of locked account rows', 'a transfer whose credit side a trigger skips fails');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.top_up(%s, 1)', :g2), 'XX000',
    'eacct ledger lost track of locked account rows', 'a top-up a trigger skips fails');
SELECT is(pg_temp.error_of(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[1, 1])', :g1, :g1, :g3, :g2)),
    'XX000: The call changed 3 accounts; its UPDATE reached 2 of their rows.',
    'a batch with one skipped account fails as a whole');
SELECT lives_ok(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g3), 'accounts the trigger leaves alone still move money');
ROLLBACK TO SAVEPOINT skip;

-- ---------------------------------------------------------------------------
-- an eacct call from a trigger on an eacct table would run inside the call
-- that writes the table, on rows that call has read and will write (it
-- wrote its own allocated total over the inner call's): refused (0A000),
-- nothing changes; a trigger that catches the refusal lets the outer call
-- finish, and calls run again once the outer one returned
-- ---------------------------------------------------------------------------
SAVEPOINT nested;
SELECT allocated AS nested_allocated FROM eacct.enterprise_credit WHERE enterprise_id = :ent \gset
CREATE TABLE pg_temp.nested_caught (sqlstate text, message text);
-- (only for the outer call's own row: without the refusal, the inner call
-- runs once and the outer one then writes over its allocated total)
CREATE FUNCTION pg_temp.nested_limit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() > 1 THEN
        RETURN NULL;
    END IF;
    IF current_setting('tap.nested_catch') = 'on' THEN
        BEGIN
            PERFORM eacct.set_credit_limit(current_setting('tap.nested_account')::bigint, 1);
        EXCEPTION WHEN feature_not_supported THEN
            INSERT INTO pg_temp.nested_caught VALUES (SQLSTATE, SQLERRM);
        END;
    ELSE
        PERFORM eacct.set_credit_limit(current_setting('tap.nested_account')::bigint, 1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER zz_nested AFTER INSERT ON eacct.credit_change FOR EACH ROW EXECUTE FUNCTION pg_temp.nested_limit();
SET tap.nested_account = :'g3';
SET tap.nested_catch = off;
SELECT * FROM pg_temp.rejects(format('SELECT eacct.set_credit_limit(%s, 5)', :g1), '0A000',
    'eacct.set_credit_limit(bigint,numeric) cannot be called while eacct.set_credit_limit(bigint,numeric) is running',
    'a credit limit set from a trigger fired by another one is refused');
SELECT results_eq(format('SELECT allocated, (SELECT array_agg(credit_limit ORDER BY account_id) FROM eacct.account_assets WHERE account_id IN (%s, %s)) FROM eacct.enterprise_credit WHERE enterprise_id = %s', :g1, :g3, :ent),
    format('VALUES (%s::numeric, ARRAY[0, 0]::numeric[])', :nested_allocated),
    'nothing changed: the allocated total and both credit limits are as before');
SET tap.nested_catch = on;
SELECT lives_ok(format('SELECT eacct.set_credit_limit(%s, 5)', :g1), 'with the refusal caught in the trigger the outer call finishes');
SELECT results_eq('SELECT sqlstate, message FROM pg_temp.nested_caught',
    $$VALUES ('0A000'::text, 'eacct.set_credit_limit(bigint,numeric) cannot be called while eacct.set_credit_limit(bigint,numeric) is running'::text)$$,
    'the trigger caught the refusal');
SELECT results_eq(format('SELECT allocated - %s, (SELECT array_agg(credit_limit ORDER BY account_id) FROM eacct.account_assets WHERE account_id IN (%s, %s)) FROM eacct.enterprise_credit WHERE enterprise_id = %s', :nested_allocated, :g1, :g3, :ent),
    $$VALUES (5.00::numeric, ARRAY[5, 0]::numeric[])$$,
    'only the outer call''s allocation is there, and in the total');
DROP TRIGGER zz_nested ON eacct.credit_change;
SELECT lives_ok(format('SELECT eacct.set_credit_limit(%s, 1)', :g3), 'a call runs again once the outer call returned');
-- the shape that failed with 55000, "attempted to update invisible tuple"
-- (an account the outer call was about to write)
CREATE FUNCTION pg_temp.nested_fee() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind = 'transfer_out' THEN
        PERFORM eacct.charge(NEW.account_id, 0.10, 'fee');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER zz_fee AFTER INSERT ON eacct.journal_entry FOR EACH ROW EXECUTE FUNCTION pg_temp.nested_fee();
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), '0A000',
    'eacct.charge(bigint,numeric,text,bigint,text) cannot be called while eacct.transfer(bigint,bigint,numeric,text) is running',
    'a charge from a trigger on the journal, inside a transfer, is refused');
DROP TRIGGER zz_fee ON eacct.journal_entry;
-- reading a view is not a call, also through a function of a role that is
-- not a superuser (the views' row filter then looks up its enterprises)
CREATE ROLE tap_guard_auditor;
SELECT eacct.add_admin(:ent, 'tap_guard_auditor');
CREATE TABLE pg_temp.audit_log (account_id bigint, available numeric);
GRANT INSERT ON pg_temp.audit_log TO tap_guard_auditor;
GRANT USAGE ON SCHEMA eacct TO tap_guard_auditor;
CREATE FUNCTION public.tap_guard_audit(acc bigint) RETURNS void LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog AS $$
    INSERT INTO pg_temp.audit_log SELECT account_id, available_credit
      FROM eacct.account_assets WHERE account_id = acc $$;
ALTER FUNCTION public.tap_guard_audit(bigint) OWNER TO tap_guard_auditor;
CREATE FUNCTION pg_temp.audit_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.tap_guard_audit(NEW.account_id);
    RETURN NULL;
END $$;
CREATE TRIGGER zz_audit AFTER INSERT ON eacct.journal_entry FOR EACH ROW EXECUTE FUNCTION pg_temp.audit_entry();
SELECT lives_ok(format('SELECT eacct.top_up(%s, 1)', :g3), 'a trigger may read a view through a non-superuser''s function');
SELECT is((SELECT count(*) FROM pg_temp.audit_log WHERE account_id = :g3), 1::bigint, 'and it sees the account');
DROP TRIGGER zz_audit ON eacct.journal_entry;
SELECT is((SELECT count(*) FROM eacct.verify(:ent)), 0::bigint, 'verify() finds nothing after the nested calls');
ROLLBACK TO SAVEPOINT nested;


-- ---------------------------------------------------------------------------
-- the journal and the balances are written through the executor's row API
-- (src/rows.c): a DBA's row triggers (with their column lists) and CHECK
-- constraints apply to every entry and account as for INSERT and UPDATE;
-- an entry a trigger keeps out fails the call (XX000)
-- ---------------------------------------------------------------------------
SAVEPOINT journal_rows;
CREATE TABLE pg_temp.seen (kind text, account_id bigint);
CREATE FUNCTION pg_temp.see_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pg_temp.seen VALUES (TG_WHEN, NEW.account_id);
    IF TG_WHEN = 'BEFORE' THEN
        NEW.memo := coalesce(NEW.memo, 'seen');
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER zz_before BEFORE INSERT ON eacct.journal_entry FOR EACH ROW EXECUTE FUNCTION pg_temp.see_entry();
CREATE TRIGGER zz_after AFTER INSERT ON eacct.journal_entry FOR EACH ROW EXECUTE FUNCTION pg_temp.see_entry();
SELECT eacct.transfer(:g1, :g3, 1) AS jr_rec \gset
SELECT eacct.transfer_batch(ARRAY[:g1, :g1]::bigint[], ARRAY[:g2, :g3]::bigint[], ARRAY[1, 1]) IS NOT NULL AS batched \gset
SELECT results_eq('SELECT kind, account_id FROM pg_temp.seen ORDER BY kind, account_id',
    format('SELECT w, a FROM unnest(ARRAY[%L, %L]) w, unnest(ARRAY[%s, %s, %s, %s, %s, %s]::bigint[]) a',
           'AFTER', 'BEFORE', :g1, :g1, :g1, :g2, :g3, :g3),
    'BEFORE and AFTER row triggers on the journal fire once per entry of a transfer and of a batch');
SELECT is((SELECT count(*) FROM eacct.journal_entry WHERE ref_id = :jr_rec AND memo = 'seen'), 2::bigint,
    'a BEFORE trigger''s change of an entry is what the journal stores');
SELECT is((SELECT count(*) FROM eacct.verify(:ent)), 0::bigint, 'verify() agrees with the journal the triggers saw');
CREATE TABLE pg_temp.seen_accounts (col text, account_id bigint);
CREATE FUNCTION pg_temp.see_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pg_temp.seen_accounts VALUES (TG_ARGV[0], NEW.account_id);
    RETURN NEW;
END $$;
CREATE TRIGGER zz_cash AFTER UPDATE OF own_cash ON eacct.account FOR EACH ROW EXECUTE FUNCTION pg_temp.see_account('own_cash');
CREATE TRIGGER zz_name BEFORE UPDATE OF name ON eacct.account FOR EACH ROW EXECUTE FUNCTION pg_temp.see_account('name');
SELECT eacct.transfer(:g1, :g3, 1) > 0 AS moved \gset
SELECT results_eq('SELECT col, account_id FROM pg_temp.seen_accounts ORDER BY account_id',
    format('VALUES (%L, %s::bigint), (%L, %s)', 'own_cash', :g1, 'own_cash', :g3),
    'an UPDATE OF own_cash trigger on eacct.account fires for both accounts of a transfer; UPDATE OF name does not');
ALTER TABLE eacct.journal_entry ADD COLUMN zz_note text NOT NULL DEFAULT 'noted',
    ADD COLUMN zz_seq bigint GENERATED ALWAYS AS IDENTITY;
SELECT eacct.transfer(:g1, :g3, 1) AS jr_rec2 \gset
SELECT results_eq(format('SELECT zz_note, zz_seq IS NOT NULL FROM eacct.journal_entry WHERE ref_id = %s', :jr_rec2),
    $$VALUES ('noted', true), ('noted', true)$$,
    'columns a DBA adds to the journal get their defaults (and identity values) in the ledger''s entries');
ALTER TABLE eacct.journal_entry DROP COLUMN zz_note, DROP COLUMN zz_seq;
ALTER TABLE eacct.journal_entry ADD CONSTRAINT zz_small CHECK (amount < 500) NOT VALID;
SELECT * FROM pg_temp.rejects(format('SELECT eacct.top_up(%s, 5)', :g1), '23514',
    'new row for relation "journal_entry" violates check constraint "zz_small"',
    'a CHECK constraint added to the journal rejects an entry that breaks it');
ALTER TABLE eacct.journal_entry DROP CONSTRAINT zz_small;
ALTER TABLE eacct.journal_entry ADD CONSTRAINT zz_small CHECK (kind <> 'transfer_out') NOT VALID;
SELECT lives_ok(format('SELECT eacct.top_up(%s, 5)', :g1),
    'a CHECK constraint replaced under the same name applies as it now reads (parsed CHECKs are kept by their text)');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g3), '23514',
    'new row for relation "journal_entry" violates check constraint "zz_small"',
    'and rejects the debit entry of a transfer');
ALTER TABLE eacct.journal_entry DROP CONSTRAINT zz_small;
CREATE FUNCTION pg_temp.skip_entry() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER zz_skip BEFORE INSERT ON eacct.journal_entry FOR EACH ROW
    WHEN (NEW.account_id = 0 + current_setting('tap.skip_account')::bigint)
    EXECUTE FUNCTION pg_temp.skip_entry();
SET tap.skip_account = :'g3';
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g3), 'XX000',
    'eacct ledger lost journal entries', 'a transfer whose credit entry a trigger skips fails');
SELECT is(pg_temp.error_of(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[1, 1])', :g1, :g1, :g2, :g3)),
    'XX000: The call posted 4 journal entries; the journal stored 3 of them.',
    'a batch with one skipped entry fails as a whole');
ROLLBACK TO SAVEPOINT journal_rows;

-- ---------------------------------------------------------------------------
-- the ledger's own balance updates leave out eacct's guard trigger and the
-- foreign-key triggers of constraints they cannot affect (src/rows.c); a
-- foreign key on a column they write, and a deferred one whose check of a
-- row inserted earlier in the transaction rests on the update's, still act
-- ---------------------------------------------------------------------------
SAVEPOINT foreign_keys;
CREATE TABLE public.tap_cash (v bigint PRIMARY KEY);
INSERT INTO public.tap_cash SELECT DISTINCT own_cash FROM eacct.account;
ALTER TABLE eacct.account ADD CONSTRAINT zz_cash_fk FOREIGN KEY (own_cash) REFERENCES public.tap_cash (v);
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), '23503',
    'insert or update on table "account" violates foreign key constraint "zz_cash_fk"',
    'a foreign key on own_cash checks the balance a transfer writes');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s], ARRAY[%s], ARRAY[1])', :g1, :g2), '23503',
    'insert or update on table "account" violates foreign key constraint "zz_cash_fk"',
    'and the balance a batch writes');
INSERT INTO public.tap_cash SELECT own_cash * 39 / 40 FROM eacct.account WHERE account_id = :g1;
SELECT lives_ok(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), 'a transfer to a balance the foreign key allows goes through');
ALTER TABLE eacct.account DROP CONSTRAINT zz_cash_fk;
CREATE UNIQUE INDEX zz_cash_key ON eacct.account (account_id, own_cash);
CREATE TABLE public.tap_cash_ref (account_id bigint, own_cash bigint,
    CONSTRAINT zz_cash_ref FOREIGN KEY (account_id, own_cash) REFERENCES eacct.account (account_id, own_cash));
INSERT INTO public.tap_cash_ref SELECT account_id, own_cash FROM eacct.account WHERE account_id = :g1;
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), '23503',
    'update or delete on table "account" violates foreign key constraint "zz_cash_ref" on table "tap_cash_ref"',
    'a foreign key that points at own_cash checks the balance a transfer writes');
DROP TABLE public.tap_cash_ref;
DROP INDEX eacct.zz_cash_key;
CREATE TABLE public.tap_names (name text PRIMARY KEY);
ALTER TABLE eacct.account ADD CONSTRAINT zz_name_fk FOREIGN KEY (name) REFERENCES public.tap_names (name)
    NOT VALID DEFERRABLE INITIALLY DEFERRED;
SELECT eacct.create_account(:ent, 'zz-unlisted') AS zz \gset
SELECT lives_ok(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :zz), 'a deferred foreign key waits for the end of the transaction');
SELECT throws_ok('SET CONSTRAINTS eacct.zz_name_fk IMMEDIATE', '23503',
    'insert or update on table "account" violates foreign key constraint "zz_name_fk"',
    'a deferred foreign key still checks an account inserted and then credited in one transaction');
ROLLBACK TO SAVEPOINT foreign_keys;
SAVEPOINT moved_key;
-- a DBA's BEFORE trigger that moves g1's key: the coupon that points at
-- g1 keeps its foreign key's check
CREATE FUNCTION pg_temp.move_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.account_id := NEW.account_id + 1000000;
    RETURN NEW;
END $$;
CREATE TRIGGER zz_move BEFORE UPDATE ON eacct.account FOR EACH ROW
    WHEN (OLD.account_id = 0 + current_setting('tap.skip_account')::bigint)
    EXECUTE FUNCTION pg_temp.move_key();
SET tap.skip_account = :'g1';
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), '23503',
    'update or delete on table "account" violates foreign key constraint "coupon_account_fkey" on table "coupon"',
    'a BEFORE trigger that changes the key of an account a coupon points at fails the transfer');
ROLLBACK TO SAVEPOINT moved_key;

-- a call's journal entries and records go in together (table_multi_insert)
-- when no BEFORE trigger needs them one at a time: AFTER triggers, unique
-- indexes and their errors apply to each entry as before
SAVEPOINT multi_rows;
CREATE TABLE pg_temp.seen_after (account_id bigint, kind text);
CREATE FUNCTION pg_temp.see_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pg_temp.seen_after VALUES (NEW.account_id, NEW.kind);
    RETURN NULL;
END $$;
CREATE TRIGGER zz_after_only AFTER INSERT ON eacct.journal_entry FOR EACH ROW EXECUTE FUNCTION pg_temp.see_after();
SELECT eacct.transfer_batch(ARRAY[:g1, :g1]::bigint[], ARRAY[:g2, :g3]::bigint[], ARRAY[1, 1]) IS NOT NULL AS batched \gset
SELECT results_eq('SELECT account_id, kind FROM pg_temp.seen_after ORDER BY account_id, kind',
    format('VALUES (%s::bigint, %L), (%s, %L), (%s, %L), (%s, %L)',
           :g1, 'transfer_out', :g1, 'transfer_out', :g2, 'transfer_in', :g3, 'transfer_in'),
    'an AFTER trigger on the journal sees each entry of a batch once');
SELECT count(*) AS entries_before, (SELECT count(*) FROM eacct.transfer_record) AS records_before FROM eacct.journal_entry \gset
DELETE FROM pg_temp.seen_after;
SELECT array_length(eacct.transfer_batch(array_fill(:g1::bigint, ARRAY[501]), array_fill(:g2::bigint, ARRAY[501]),
                                         array_fill(0.01::numeric, ARRAY[501])), 1) AS n501 \gset
SELECT is((SELECT count(*) FROM eacct.journal_entry) - :entries_before, 1002::bigint,
    'a batch of 501 transfers stores its 1,002 entries (two groups of at most 1,000 rows)');
SELECT is((SELECT count(*) FROM pg_temp.seen_after), 1002::bigint, 'and the AFTER trigger sees each of them once');
SELECT is((SELECT count(*) FROM eacct.transfer_record) - :records_before, 501::bigint, 'and its 501 transfer records');
CREATE FUNCTION public.tap_journal_count() RETURNS bigint LANGUAGE sql VOLATILE AS 'SELECT count(*) FROM eacct.journal_entry';
ALTER TABLE eacct.journal_entry ADD COLUMN zz_seen bigint DEFAULT public.tap_journal_count();
SELECT eacct.transfer(:g1, :g2, 1) AS vol_rec \gset
SELECT is((SELECT count(DISTINCT zz_seen) FROM eacct.journal_entry WHERE ref_id = :vol_rec), 2::bigint,
    'a volatile default on the journal sees the entries of its call before it (such rows go in one at a time)');
ALTER TABLE eacct.journal_entry DROP COLUMN zz_seen;
ALTER TABLE eacct.journal_entry ADD CONSTRAINT zz_no_credit CHECK (kind <> 'transfer_in') NOT VALID;
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :g1, :g2), '23514',
    'new row for relation "journal_entry" violates check constraint "zz_no_credit"',
    'a CHECK constraint on the journal rejects an entry stored together with the others of its call');
ALTER TABLE eacct.journal_entry DROP CONSTRAINT zz_no_credit;
SET tap.g3 = :'g3';
DO $$ BEGIN
    EXECUTE format('CREATE UNIQUE INDEX zz_one_credit ON eacct.journal_entry (account_id) WHERE kind = %L AND account_id = %s',
                   'transfer_in', current_setting('tap.g3'));
END $$;
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[1, 1])', :g1, :g1, :g2, :g3), '23505',
    'duplicate key value violates unique constraint "zz_one_credit"',
    'a unique index on the journal rejects the batch whose entry breaks it');
SELECT is((SELECT count(*) FROM eacct.verify(:ent)), 0::bigint, 'verify() agrees with the entries written together');
ROLLBACK TO SAVEPOINT multi_rows;

-- verify(enterprise) reads that enterprise's rows through the indexes,
-- not every enterprise's: planned for its argument on each call (a plan
-- kept for any argument cannot use "$1 IS NULL OR enterprise_id = $1" as
-- an index condition, and read whole tables).  Counted in buffers: a small
-- enterprise's next to one with 20,000 journal entries.
SAVEPOINT verify_reads;
CREATE FUNCTION pg_temp.buffers(query text) RETURNS bigint LANGUAGE sql AS $$
    SELECT (p->0->'Plan'->>'Shared Hit Blocks')::bigint + (p->0->'Plan'->>'Shared Read Blocks')::bigint
      FROM pg_temp.plan('ANALYZE, BUFFERS', query) p
$$;
SELECT eacct.create_enterprise('tap-guards-big', 'big-ma') AS big \gset
SELECT eacct.enable_account_center(:big) IS NULL AS enabled \gset
SELECT count(eacct.create_account(:big, 'big-' || g)) AS big_accounts FROM generate_series(1, 100) g \gset
SELECT count(eacct.top_up(account_id, 1000)) AS topped_up FROM eacct.account WHERE enterprise_id = :big \gset
SELECT cardinality(eacct.transfer_batch(array_agg(a.account_id), array_agg(b.account_id), array_agg(0.01::numeric))) AS moved
  FROM eacct.account a JOIN eacct.account b ON b.enterprise_id = a.enterprise_id AND b.account_id = a.account_id + 1,
       generate_series(1, 100) g
 WHERE a.enterprise_id = :big \gset
ANALYZE eacct.journal_entry, eacct.transfer_record, eacct.transfer_pair, eacct.account;
SELECT pg_temp.buffers(format('SELECT * FROM eacct.verify(%s)', :ent)) AS warm_up \gset
SELECT cmp_ok(pg_temp.buffers(format('SELECT * FROM eacct.verify(%s)', :ent)) * 4, '<',
              pg_temp.buffers(format('SELECT * FROM eacct.verify(%s)', :big)),
              'verify() of a small enterprise reads less than a quarter of what a large one''s reads');
ROLLBACK TO SAVEPOINT verify_reads;

SELECT is((SELECT tgenabled FROM pg_trigger WHERE tgrelid = 'eacct.account'::regclass AND tgname = 'account_guard'), 'A',
    'account_guard is ENABLE ALWAYS after the rollback');
SELECT is((SELECT count(*) FROM eacct.verify(:ent)), 0::bigint, 'verify(enterprise) finds nothing');
SELECT is((SELECT count(*) FROM eacct.verify()), 0::bigint, 'verify() finds nothing');

SELECT * FROM finish();
ROLLBACK;
