-- pgTAP: each check of eacct.verify() reports the damage it exists for.
-- A superuser disables a guard, plants one violation, and verify() must
-- report exactly it (guards.sql covers the balances, bills, records,
-- request keys and sequences; this file the rest)
\i test/pgtap/helpers.psql
BEGIN;
SELECT * FROM no_plan();

SELECT eacct.create_enterprise('tap-verify', 'tap-verify-ma') AS ent \gset
SELECT eacct.create_account(:ent, 'v1') AS v1 \gset
SELECT eacct.create_account(:ent, 'v2') AS v2 \gset
SELECT eacct.create_account(:ent, 'v3') AS v3 \gset
SELECT eacct.enable_account_center(:ent) IS NULL AS enabled \gset
SELECT eacct.apply_credit_line(:ent, 100) AS applied \gset
SELECT eacct.confirm_credit_contract(:ent) AS confirmed \gset
SELECT eacct.top_up(:v1, 50) AS v1_top_up \gset
SELECT eacct.transfer(:v1, :v2, 10) AS rec \gset
SELECT eacct.withdraw(:v2, :v1, 2) AS wrec \gset
SELECT eacct.set_credit_limit(:v2, 20) AS v2_limit_set \gset
SELECT eacct.charge(:v2, 25) AS v2_charge \gset
SELECT is(eacct.mark_overdue(now() + interval '31 days'), 1, 'v2''s bill is overdue');
SELECT eacct.grant_coupon(:v1, 5, now() + interval '1 day') AS k1 \gset
SELECT eacct.grant_coupon(:v3, 1, now() + interval '1 day') AS k3 \gset
SELECT eacct.charge(:v1, 5, NULL, :k1) AS v1_charge \gset
SELECT eacct.charge(:v3, 1, NULL, :k3) AS v3_charge \gset
SELECT entry_id AS v1_out FROM eacct.journal_entry WHERE account_id = :v1 AND kind = 'transfer_out' \gset
SELECT entry_id AS v2_limit FROM eacct.journal_entry WHERE account_id = :v2 AND kind = 'credit_limit' \gset
SELECT results_eq(format('SELECT own_cash, transfer_book, credit_limit, outstanding, overdue FROM eacct.account WHERE account_id IN (%s, %s, %s) ORDER BY account_id', :v1, :v2, :v3),
    $$VALUES (4200::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint), (0, 0, 2000, 1700, 1700), (0, 0, 0, 0, 0)$$,
    'v1, v2 and v3 hold what the calls left');
SELECT is((SELECT count(*) FROM eacct.verify(:ent)), 0::bigint, 'verify() finds nothing before the damage');

-- an entry whose balances do not follow from the one before it and its deltas
SAVEPOINT damage;
ALTER TABLE eacct.journal_entry DISABLE TRIGGER ALL;
UPDATE eacct.journal_entry SET own_cash = own_cash + 1 WHERE entry_id = :v1_top_up;
SELECT set_eq(format('SELECT account_id, problem FROM eacct.verify(%s)', :ent),
    format($$VALUES (%s::bigint, 'journal entry %s does not follow from the entry before it'::text),
                    (%s, 'journal entry %s does not follow from the entry before it')$$,
           :v1, :v1_top_up, :v1, :v1_out),
    'verify reports the entry whose balances are not the ones before it plus its deltas, and the entry after it');
ROLLBACK TO SAVEPOINT damage;

-- an enterprise's allocated and overdue totals, credit line
ALTER TABLE eacct.enterprise DISABLE TRIGGER enterprise_guard;
UPDATE eacct.enterprise SET allocated = allocated + 1 WHERE enterprise_id = :ent;
SELECT set_eq(format('SELECT account_id, problem FROM eacct.verify(%s)', :ent),
    $$VALUES (NULL::bigint, 'allocated is 20.01 but the credit limits of its accounts sum to 20.00'::text)$$,
    'verify reports an allocated total that is not the sum of the credit limits');
ROLLBACK TO SAVEPOINT damage;
ALTER TABLE eacct.enterprise DISABLE TRIGGER enterprise_guard;
UPDATE eacct.enterprise SET overdue = overdue + 1 WHERE enterprise_id = :ent;
SELECT set_eq(format('SELECT account_id, problem FROM eacct.verify(%s)', :ent),
    $$VALUES (NULL::bigint, 'overdue is 17.01 but the overdue debt of its accounts sums to 17.00'::text)$$,
    'verify reports an overdue total that is not the sum of the accounts'' overdue debt');
ROLLBACK TO SAVEPOINT damage;
ALTER TABLE eacct.enterprise DISABLE TRIGGER enterprise_guard;
UPDATE eacct.enterprise SET credit_line = allocated - 1 WHERE enterprise_id = :ent;
SELECT set_eq(format('SELECT account_id, problem FROM eacct.verify(%s)', :ent),
    $$VALUES (NULL::bigint, 'credit_line is 19.99 but the credit history says 100.00'::text),
             (NULL, 'allocated 20.00 exceeds the credit line 19.99')$$,
    'verify reports a credit line the history does not give, one cent below the allocated credit');
ROLLBACK TO SAVEPOINT damage;

-- coupons: used twice, by another account's charge, beyond their value,
-- at the end of their validity
ALTER TABLE eacct.journal_entry DISABLE TRIGGER ALL;
UPDATE eacct.journal_entry SET coupon_id = :k1 WHERE entry_id = :v3_charge;
SELECT set_eq(format('SELECT account_id, problem FROM eacct.verify(%s)', :ent),
    format($$VALUES (%s::bigint, 'coupon %s was used by 2 journal entries'::text),
                    (%s, 'coupon %s of account %s was used by a charge of another account'),
                    (%s, 'coupon %s is marked used, but no journal entry used it')$$,
           :v1, :k1, :v1, :k1, :v1, :v3, :k3),
    'verify reports a coupon used by two charges, one of another account (of a higher id)');
ROLLBACK TO SAVEPOINT damage;
ALTER TABLE eacct.coupon DISABLE TRIGGER ALL;
UPDATE eacct.coupon SET face_value = face_value - 1 WHERE coupon_id = :k1;
SELECT set_eq(format('SELECT problem FROM eacct.verify(%s)', :ent),
    format($$VALUES ('coupon %s is worth 4.99, but a journal entry used 5.00 of it'::text)$$, :k1),
    'verify reports a coupon used for one cent more than it is worth');
ROLLBACK TO SAVEPOINT damage;
ALTER TABLE eacct.journal_entry DISABLE TRIGGER ALL;
UPDATE eacct.journal_entry SET created_at = (SELECT valid_until FROM eacct.coupon WHERE coupon_id = :k1)
 WHERE entry_id = :v1_charge;
SELECT set_eq(format('SELECT problem FROM eacct.verify(%s)', :ent),
    format($$VALUES ('coupon %s was used outside its validity'::text)$$, :k1),
    'verify reports a coupon used at the instant its validity ends (valid_from <= now() < valid_until)');
ROLLBACK TO SAVEPOINT damage;

-- a pair's withdrawn total; a transfer entry's counterparty
ALTER TABLE eacct.transfer_pair DISABLE TRIGGER ALL;
UPDATE eacct.transfer_pair SET withdrawn = withdrawn + 1 WHERE source_account = :v1;
SELECT set_eq(format('SELECT account_id, problem FROM eacct.verify(%s)', :ent),
    format($$VALUES (%s::bigint, 'transfers from account %s: transferred 10.00 and withdrawn 2.01, records say 10.00 and 2.00'::text)$$,
           :v2, :v1),
    'verify reports a pair whose withdrawn total is not its withdraw records''');
ROLLBACK TO SAVEPOINT damage;
ALTER TABLE eacct.journal_entry DISABLE TRIGGER ALL;
UPDATE eacct.journal_entry SET counterparty = :v3 WHERE entry_id = :v1_out;
SELECT set_eq(format('SELECT account_id, problem FROM eacct.verify(%s)', :ent),
    format($$VALUES (%s::bigint, 'journal entry %s (transfer_out of 10.00 with account %s) disagrees with transfer record %s (10.00 with account %s)'::text)$$,
           :v1, :v1_out, :v3, :rec, :v2),
    'verify reports a transfer entry whose counterparty is not its record''s');
ROLLBACK TO SAVEPOINT damage;

-- entries that do not move the balances as their kind does
ALTER TABLE eacct.journal_entry DISABLE TRIGGER ALL;
UPDATE eacct.journal_entry SET amount = amount + 1 WHERE entry_id = :v2_limit;
SELECT set_eq(format('SELECT problem FROM eacct.verify(%s)', :ent),
    format($$VALUES ('journal entry %s (credit_limit of 20.01) does not change the balances as a credit_limit does'::text)$$, :v2_limit),
    'verify reports a credit_limit entry whose delta is smaller than its amount');
ROLLBACK TO SAVEPOINT damage;
ALTER TABLE eacct.journal_entry DISABLE TRIGGER ALL;
UPDATE eacct.journal_entry SET d_overdue = -1, overdue = -1 WHERE entry_id = :v1_top_up;
SELECT set_eq(format('SELECT problem FROM eacct.verify(%s) WHERE problem LIKE %L', :ent, '% as a top_up does'),
    format($$VALUES ('journal entry %s (top_up of 50.00) does not change the balances as a top_up does'::text)$$, :v1_top_up),
    'verify reports a top_up that pays more overdue debt than outstanding debt');
ROLLBACK TO SAVEPOINT damage;

-- the administrators of a deleted enterprise
CREATE ROLE eacct_tap_verify_admin;
SELECT eacct.add_admin(:ent, 'eacct_tap_verify_admin') IS NULL AS added \gset
ALTER TABLE eacct.enterprise DISABLE TRIGGER ALL;
DELETE FROM eacct.enterprise WHERE enterprise_id = :ent;
SELECT set_eq(format('SELECT problem FROM eacct.verify() WHERE enterprise_id = %s AND account_id IS NULL', :ent),
    format($$VALUES ('enterprise %1$s, which does not exist, has credit changes: 3'::text),
                    ('enterprise %1$s, which does not exist, has administrators: 1')$$, :ent),
    'verify() reports the administrators of a deleted enterprise');
ROLLBACK TO SAVEPOINT damage;

SELECT is((SELECT count(*) FROM eacct.verify(:ent)), 0::bigint, 'verify() finds nothing after the rollbacks');

SELECT * FROM finish();
ROLLBACK;
