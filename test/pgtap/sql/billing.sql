-- pgTAP: charges, coupons, top-ups, bills and overdue debt, the journal (SPEC rules 6, 7, 8, 12)
\i test/pgtap/helpers.psql
BEGIN;
SELECT * FROM no_plan();

-- balances of an account as one line, from eacct.account_assets
CREATE FUNCTION pg_temp.bal(account bigint) RETURNS text LANGUAGE sql AS $$
    SELECT format('own %s, book %s, limit %s, debt %s, overdue %s, available %s',
                  own_cash, transfer_book_balance, credit_limit, outstanding, overdue, available_credit)
      FROM eacct.account_assets WHERE account_id = account
$$;
-- the bills of an account, oldest due first: 'amount/remaining[/overdue] due +N days HH:MI', ...
-- (in hours: a term counts in UTC, so 20 days are 480 hours even where the
-- session's zone, PST8PDT under pg_regress, changes its clocks meanwhile)
CREATE FUNCTION pg_temp.bills(account bigint) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(format('%s/%s%s due +%s', amount * 0.01, remaining * 0.01,
                                      CASE WHEN overdue THEN '/overdue' ELSE '' END,
                                      to_char(due_at - now(), 'FMDD "days" HH24:MI')),
                               ', ' ORDER BY due_at, bill_id), 'none')
      FROM eacct.bill WHERE account_id = account
$$;
-- money conservation of an enterprise: its net cash position equals what was
-- topped up minus what was charged beyond coupons
CREATE FUNCTION pg_temp.conservation(ent bigint) RETURNS text LANGUAGE sql AS $$
    SELECT format('net %s, top-ups %s, charges %s, coupons %s',
        (SELECT sum(a.own_cash + a.transfer_book_balance - a.outstanding) FROM eacct.account_assets a WHERE a.enterprise_id = ent),
        (SELECT coalesce(sum(j.amount), 0) FROM eacct.journal j WHERE j.enterprise_id = ent AND j.kind = 'top_up'),
        (SELECT coalesce(sum(j.amount), 0) FROM eacct.journal j WHERE j.enterprise_id = ent AND j.kind = 'charge'),
        (SELECT coalesce(sum(j.coupon_used), 0) FROM eacct.journal j WHERE j.enterprise_id = ent AND j.kind = 'charge'))
$$;
CREATE FUNCTION pg_temp.conserved(ent bigint) RETURNS boolean LANGUAGE sql AS $$
    SELECT (SELECT sum(a.own_cash + a.transfer_book_balance - a.outstanding) FROM eacct.account_assets a WHERE a.enterprise_id = ent)
         = (SELECT coalesce(sum(j.amount) FILTER (WHERE j.kind = 'top_up'), 0)
                 - coalesce(sum(j.amount - j.coupon_used) FILTER (WHERE j.kind = 'charge'), 0)
              FROM eacct.journal j WHERE j.enterprise_id = ent)
$$;

-- an enterprise with an active credit line of 1000 and its account center on
SELECT eacct.create_enterprise('tap-billing-acme', 'acme-ma') AS ent \gset
SELECT eacct.create_account(:ent, 'm0') AS m0 \gset
SELECT eacct.create_account(:ent, 'm1') AS m1 \gset
SELECT eacct.enable_account_center(:ent);
SELECT is(eacct.apply_credit_line(:ent, 1000), 'pending_confirmation', 'credit line applied, waiting for confirmation');
SELECT eacct.confirm_credit_contract(:ent);

-- m1: 10 in its transfer book, 20 own cash, a credit limit of 50
SELECT eacct.top_up(:m0, 10) \gset
SELECT eacct.transfer(:m0, :m1, 10) \gset
SELECT eacct.top_up(:m1, 20) \gset
SELECT eacct.set_credit_limit(:m1, 50) \gset
SELECT is(pg_temp.bal(:m1), 'own 20.00, book 10.00, limit 50.00, debt 0.00, overdue 0.00, available 80.00', 'm1 before charging');

-- coupons
SELECT eacct.grant_coupon(:m1, 5, now() + interval '30 days') AS k1 \gset
SELECT eacct.grant_coupon(:m1, 100, now() + interval '30 days') AS k2 \gset
SELECT eacct.grant_coupon(:m1, 10, now() - interval '1 day', now() - interval '2 days') AS k3 \gset
SELECT eacct.grant_coupon(:m1, 10, now() + interval '2 days', now() + interval '1 day') AS k4 \gset
SELECT eacct.grant_coupon(:m0, 10, now() + interval '30 days') AS k5 \gset
SELECT eacct.grant_coupon(:m1, 10, now() + interval '30 days') AS k6 \gset
SELECT eacct.grant_coupon(:m1, 10, now(), now() - interval '1 day') AS k7 \gset
SELECT is((SELECT valid_from FROM eacct.coupon WHERE coupon_id = :k1), now(), 'valid_from defaults to now()');
SELECT is((SELECT valid_coupons FROM eacct.account_assets WHERE account_id = :m1), 3::bigint,
          'valid_coupons: k1, k2, k6 (not the expired, the future one, nor the one ending now)');
SELECT is((SELECT valid_coupons FROM eacct.account_assets WHERE account_id = :m0), 1::bigint, 'valid_coupons of m0');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.grant_coupon(%s, 5, now(), now())', :m1), '22023',
    'coupon validity must end after it starts', 'grant_coupon: valid_until = valid_from');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.grant_coupon(%s, 5, now() - interval '1 second')$$, :m1), '22023',
    'coupon validity must end after it starts', 'grant_coupon: valid_until before valid_from');
SELECT is(pg_temp.error_of(format($$SELECT eacct.grant_coupon(%s, 5, '2030-01-01 00:00:00+00', '2031-06-01 00:00:00+00')$$, :m1)),
    '22023: valid_until 2029-12-31 16:00:00-08 is not after valid_from 2031-05-31 17:00:00-07.',
    'grant_coupon: the errdetail names both dates');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.grant_coupon(%s, 0, now() + interval '1 day')$$, :m1), '22023',
    'face value must be greater than zero', 'grant_coupon: zero face value');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.grant_coupon(%s, 1.005, now() + interval '1 day')$$, :m1), '22023',
    'face value has more than 2 fractional digits', 'grant_coupon: face value 1.005');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.grant_coupon(%s, 5, NULL)', :m1), '22023',
    'valid_until must not be null', 'grant_coupon: NULL valid_until');
SELECT * FROM pg_temp.rejects($$SELECT eacct.grant_coupon(-1, 5, now() + interval '1 day')$$, 'P0002',
    'account -1 does not exist', 'grant_coupon: unknown account');

-- ---------------------------------------------------------------------------
-- charge order: coupon, transfer book, own cash, credit
-- ---------------------------------------------------------------------------
SELECT eacct.charge(:m1, 7, 'with coupon', :k1) AS e1 \gset
SELECT is(pg_temp.bal(:m1), 'own 20.00, book 8.00, limit 50.00, debt 0.00, overdue 0.00, available 78.00',
          'charge 7 with a coupon of 5: the coupon first, then 2 from the transfer book');
SELECT results_eq(format('SELECT kind, amount, coupon_id, coupon_used, memo FROM eacct.journal WHERE entry_id = %s', :e1),
    format($$VALUES ('charge'::text, 7.00::numeric, %s::bigint, 5.00::numeric, 'with coupon'::text)$$, :k1),
    'the journal names the coupon and what it paid');
SELECT ok((SELECT used_at = now() FROM eacct.coupon WHERE coupon_id = :k1), 'the coupon is used');
SELECT is((SELECT valid_coupons FROM eacct.account_assets WHERE account_id = :m1), 2::bigint, 'valid_coupons drops to 2');
SELECT eacct.charge(:m1, 10) \gset
SELECT is(pg_temp.bal(:m1), 'own 18.00, book 0.00, limit 50.00, debt 0.00, overdue 0.00, available 68.00',
          'charge 10: the transfer book (8), then own cash (2)');
SELECT is(pg_temp.bills(:m1), 'none', 'no bill while cash pays');
SELECT eacct.charge(:m1, 20) AS e3 \gset
SELECT is(pg_temp.bal(:m1), 'own 0.00, book 0.00, limit 50.00, debt 2.00, overdue 0.00, available 48.00',
          'charge 20: own cash (18), then credit (2)');
SELECT is(pg_temp.bills(:m1), '2.00/2.00 due +30 days 00:00', 'the credit part is a bill due after the default payment term');
SELECT is((SELECT entry_id FROM eacct.bill WHERE account_id = :m1), :e3::bigint, 'the bill points at its charge');
SELECT is((SELECT ref_id FROM eacct.journal WHERE entry_id = :e3), (SELECT bill_id FROM eacct.bill WHERE account_id = :m1),
          'the charge points at its bill');
-- a coupon larger than the charge: the excess is forfeited
SELECT eacct.charge(:m1, 3, NULL, :k2) AS e4 \gset
SELECT is(pg_temp.bal(:m1), 'own 0.00, book 0.00, limit 50.00, debt 2.00, overdue 0.00, available 48.00',
          'charge 3 with a coupon of 100: balances unchanged');
SELECT is((SELECT coupon_used FROM eacct.journal WHERE entry_id = :e4), 3.00, 'the coupon paid 3');
SELECT ok((SELECT used_at IS NOT NULL FROM eacct.coupon WHERE coupon_id = :k2), 'the 100 coupon is used up (97 forfeited)');
SELECT is((SELECT valid_coupons FROM eacct.account_assets WHERE account_id = :m1), 1::bigint, 'valid_coupons drops to 1');
-- the smallest credit part: one cent is debt with its bill like any other
SAVEPOINT one_cent;
SELECT eacct.charge(:m1, 0.01) AS e_cent \gset
SELECT is(pg_temp.bal(:m1), 'own 0.00, book 0.00, limit 50.00, debt 2.01, overdue 0.00, available 47.99',
          'charge 0.01 with no cash: one cent of debt');
SELECT is(pg_temp.bills(:m1), '2.00/2.00 due +30 days 00:00, 0.01/0.01 due +30 days 00:00', 'and a bill of one cent');
SELECT ok(pg_temp.conserved(:ent), 'one cent on credit: money conserved');
ROLLBACK TO SAVEPOINT one_cent;
-- coupons that cannot be used
SELECT * FROM pg_temp.rejects(format('SELECT eacct.charge(%s, 1, NULL, %s)', :m1, :k1), '22023',
    format('coupon %s has already been used', :k1), 'used coupon');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.charge(%s, 1, NULL, %s)', :m1, :k3), '22023',
    format('coupon %s is not valid now', :k3), 'expired coupon');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.charge(%s, 1, NULL, %s)', :m1, :k7), '22023',
    format('coupon %s is not valid now', :k7), 'coupon whose validity ends exactly now');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.charge(%s, 1, NULL, %s)', :m1, :k4), '22023',
    format('coupon %s is not valid now', :k4), 'coupon not valid yet');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.charge(%s, 1, NULL, %s)', :m1, :k5), 'P0002',
    format('coupon %s does not exist for account %s', :k5, :m1), 'another account''s coupon');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.charge(%s, 1, NULL, -1)', :m1), 'P0002',
    format('coupon -1 does not exist for account %s', :m1), 'unknown coupon');

-- the available credit limit (UA006), with and without a coupon
SELECT * FROM pg_temp.rejects(format('SELECT eacct.charge(%s, 48.01)', :m1), 'UA006',
    'charge exceeds the available credit of account ' || :m1, 'one cent over the available credit');
SELECT is(pg_temp.error_of(format('SELECT eacct.charge(%s, 48.01)', :m1)),
          'UA006: Available credit is 48.00; the charge is 48.01.', 'errdetail carries the available credit');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.charge(%s, 58.01, NULL, %s)', :m1, :k6), 'UA006',
    'charge exceeds the available credit of account ' || :m1, 'one cent over the available credit plus the coupon');
SELECT is(pg_temp.error_of(format('SELECT eacct.charge(%s, 58.01, NULL, %s)', :m1, :k6)),
          'UA006: Available credit is 48.00 plus a coupon of 10.00; the charge is 58.01.', 'errdetail with the coupon');
SELECT ok((SELECT used_at IS NULL FROM eacct.coupon WHERE coupon_id = :k6), 'the rejected charge did not use the coupon');
SELECT eacct.charge(:m1, 48) AS e5 \gset
SELECT is(pg_temp.bal(:m1), 'own 0.00, book 0.00, limit 50.00, debt 50.00, overdue 0.00, available 0.00',
          'a charge of exactly the available credit passes');
SELECT is(pg_temp.bills(:m1), '2.00/2.00 due +30 days 00:00, 48.00/48.00 due +30 days 00:00', 'a second bill');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.charge(%s, 0.01)', :m1), 'UA006',
    'charge exceeds the available credit of account ' || :m1, 'nothing available');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.charge(%s, 10.01, NULL, %s)', :m1, :k6), 'UA006',
    'charge exceeds the available credit of account ' || :m1, 'one cent over the coupon when nothing is available');
SELECT eacct.charge(:m1, 10, NULL, :k6) \gset
SELECT is(pg_temp.bal(:m1), 'own 0.00, book 0.00, limit 50.00, debt 50.00, overdue 0.00, available 0.00',
          'exactly the coupon passes with nothing available');
SELECT is((SELECT valid_coupons FROM eacct.account_assets WHERE account_id = :m1), 0::bigint, 'no valid coupon left');

-- charge arguments
SELECT * FROM pg_temp.rejects('SELECT eacct.charge(-1, 1)', 'P0002', 'account -1 does not exist', 'charge: unknown account');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.charge(%s, NULL)', :m0), '22023', 'amount must not be null', 'charge: NULL amount');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.charge(%s, 0)', :m0), '22023', 'amount must be greater than zero', 'charge: zero');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.charge(%s, -5)', :m0), '22023', 'amount must be greater than zero', 'charge: negative');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.charge(%s, 1.005)', :m0), '22023', 'amount has more than 2 fractional digits', 'charge: 1.005');
SELECT * FROM pg_temp.rejects('SELECT eacct.charge(NULL, 1)', '22023', 'account_id must not be null', 'charge: NULL account');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.charge(%s, 'NaN')$$, :m0), '22023', 'amount must be a number', 'charge: NaN');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.charge(%s, 'Infinity')$$, :m0), '22003', 'amount is out of range', 'charge: Infinity');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.charge(%s, 1e30)', :m0), '22003', 'amount is out of range', 'charge: 1e30');
-- memos: 1 to 1,000 characters, or NULL (README)
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.charge(%s, 1, '')$$, :m0), '22023', 'memo must not be empty', 'charge: empty memo');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.charge(%s, 1, repeat('m', 1001))$$, :m0), '22023', 'memo is too long', 'charge: 1,001-character memo');
SELECT is(pg_temp.error_of(format($$SELECT eacct.charge(%s, 1, repeat('m', 1001))$$, :m0)),
          '22023: It has 1001 characters; the limit is 1000.', 'charge: the detail names the memo''s length and the limit');
SAVEPOINT memo;
SELECT eacct.top_up(:m0, 2) \gset
SELECT lives_ok(format($$SELECT eacct.charge(%s, 1, repeat('m', 1000))$$, :m0), 'charge: a 1,000-character memo is fine');
SELECT lives_ok(format($$SELECT eacct.charge(%s, 0.01, E' \n\t ')$$, :m0), 'charge: a blank memo with control characters is fine');
ROLLBACK TO SAVEPOINT memo;
-- request_id of a charge (README)
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.charge(%s, 1, NULL, NULL, '  ')$$, :m0), '22023', 'request_id must not be empty', 'charge: blank request_id');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.charge(%s, 1, NULL, NULL, repeat('k', 201))$$, :m0), '22023', 'request_id is too long', 'charge: 201-character request_id');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.charge(%s, 1, NULL, NULL, E'a\tb')$$, :m0), '22023', 'request_id contains a control character', 'charge: request_id with a tab');

-- the journal of m1: kinds and balances after each entry
SELECT results_eq(format($$SELECT kind, amount, coupon_used, own_cash, transfer_book, credit_limit, outstanding, overdue, available_credit
                             FROM eacct.journal WHERE account_id = %s ORDER BY entry_id$$, :m1),
    $$VALUES ('transfer_in'::text, 10.00, 0.00, 0.00, 10.00, 0.00, 0.00, 0.00, 10.00),
             ('top_up', 20.00, 0.00, 20.00, 10.00, 0.00, 0.00, 0.00, 30.00),
             ('credit_limit', 50.00, 0.00, 20.00, 10.00, 50.00, 0.00, 0.00, 80.00),
             ('charge', 7.00, 5.00, 20.00, 8.00, 50.00, 0.00, 0.00, 78.00),
             ('charge', 10.00, 0.00, 18.00, 0.00, 50.00, 0.00, 0.00, 68.00),
             ('charge', 20.00, 0.00, 0.00, 0.00, 50.00, 2.00, 0.00, 48.00),
             ('charge', 3.00, 3.00, 0.00, 0.00, 50.00, 2.00, 0.00, 48.00),
             ('charge', 48.00, 0.00, 0.00, 0.00, 50.00, 50.00, 0.00, 0.00),
             ('charge', 10.00, 10.00, 0.00, 0.00, 50.00, 50.00, 0.00, 0.00)$$,
    'journal of m1: every change with the balances after it');
SELECT is(pg_temp.conservation(:ent), 'net -50.00, top-ups 30.00, charges 98.00, coupons 18.00', 'acme figures');
SELECT ok(pg_temp.conserved(:ent), 'acme: net cash = top-ups - (charges - coupons)');

-- ---------------------------------------------------------------------------
-- bills, overdue debt, top-ups
-- ---------------------------------------------------------------------------
SELECT eacct.create_enterprise('tap-billing-globex', 'globex-ma') AS ent2 \gset
SELECT eacct.create_account(:ent2, 't1') AS t1 \gset
SELECT eacct.create_account(:ent2, 't2') AS t2 \gset
SELECT eacct.enable_account_center(:ent2);
SELECT is(eacct.apply_credit_line(:ent2, 1000), 'pending_confirmation', 'globex credit line applied');
SELECT eacct.confirm_credit_contract(:ent2);
SELECT eacct.set_credit_limit(:t1, 100) \gset
SELECT eacct.set_credit_limit(:t2, 50) \gset
SELECT is((SELECT payment_term FROM eacct.enterprise_credit WHERE enterprise_id = :ent2), interval '30 days', 'default payment term');
-- set_payment_term
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.set_payment_term(%s, '0')$$, :ent2), '22023',
    'payment term must be positive and at most 100 years', 'zero payment term');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.set_payment_term(%s, '-1 day')$$, :ent2), '22023',
    'payment term must be positive and at most 100 years', 'negative payment term');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.set_payment_term(%s, '1 day -24 hours')$$, :ent2), '22023',
    'payment term must be positive and at most 100 years', 'a payment term that adds up to zero');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.set_payment_term(%s, '100 years 1 day')$$, :ent2), '22023',
    'payment term must be positive and at most 100 years', 'a payment term over 100 years');
SELECT lives_ok(format($$SELECT eacct.set_payment_term(%s, '100 years')$$, :ent2), 'a payment term of exactly 100 years');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.set_payment_term(%s, '1 mon -29 days')$$, :ent2), '22023',
    'payment term must not have a negative part', 'a month less 29 days (before now() from late January)');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.set_payment_term(%s, '2 days -1 hour')$$, :ent2), '22023',
    'payment term must not have a negative part', 'days less an hour');
SELECT lives_ok(format($$SELECT eacct.set_payment_term(%s, '1 mon 2 days 03:00')$$, :ent2), 'months, days and time together');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.set_payment_term(%s, NULL)$$, :ent2), '22023',
    'term must not be null', 'NULL payment term');
SELECT * FROM pg_temp.rejects($$SELECT eacct.set_payment_term(-1, '10 days')$$, 'P0002',
    'enterprise -1 does not exist', 'payment term of an unknown enterprise');
-- three bills with different due dates
SELECT eacct.set_payment_term(:ent2, '20 days');
SELECT is((SELECT payment_term FROM eacct.enterprise_credit WHERE enterprise_id = :ent2), interval '20 days', 'payment term set');
SELECT eacct.charge(:t1, 10) \gset
SELECT eacct.set_payment_term(:ent2, '15 days');
SELECT eacct.charge(:t1, 20) \gset
SELECT eacct.charge(:t2, 40) \gset
SELECT is(pg_temp.bills(:t1), '20.00/20.00 due +15 days 00:00, 10.00/10.00 due +20 days 00:00', 't1: two bills, the later one due first');
SELECT is(pg_temp.bills(:t2), '40.00/40.00 due +15 days 00:00', 't2: one bill');
SELECT results_eq(format('SELECT credit_line, allocated, overdue, allocatable FROM eacct.enterprise_credit WHERE enterprise_id = %s', :ent2),
    $$VALUES (1000.00, 150.00, 0.00, 850.00)$$, 'globex before anything is overdue');
-- mark_overdue
SELECT is(eacct.mark_overdue(now() + interval '15 days'), 0, 'a bill due exactly at as_of is not overdue yet');
SELECT is(eacct.mark_overdue(now() + interval '21 days'), 3, 'mark_overdue moves the three bills due before as_of');
SELECT is(eacct.mark_overdue(now() + interval '21 days'), 0, 'moving again moves nothing');
SELECT is(pg_temp.bal(:t1), 'own 0.00, book 0.00, limit 100.00, debt 30.00, overdue 30.00, available 70.00', 't1: all its debt overdue');
SELECT is(pg_temp.bal(:t2), 'own 0.00, book 0.00, limit 50.00, debt 40.00, overdue 40.00, available 10.00', 't2: all its debt overdue');
SELECT is(pg_temp.bills(:t1), '20.00/20.00/overdue due +15 days 00:00, 10.00/10.00/overdue due +20 days 00:00', 't1: both bills overdue');
SELECT results_eq(format('SELECT credit_line, allocated, overdue, allocatable FROM eacct.enterprise_credit WHERE enterprise_id = %s', :ent2),
    $$VALUES (1000.00, 150.00, 70.00, 780.00)$$, 'the enterprise overdue total is 70; allocatable drops by it');
SELECT results_eq(format($$SELECT kind, amount, outstanding, overdue FROM eacct.journal WHERE account_id = %s AND kind = 'overdue'$$, :t1),
    $$VALUES ('overdue'::text, 30.00, 30.00, 30.00)$$, 'one overdue journal entry for t1');
SELECT * FROM pg_temp.rejects('SELECT eacct.mark_overdue(NULL)', '22023', 'as_of must not be null', 'mark_overdue(NULL)');
-- a third bill for t1, due before the overdue ones but not overdue itself
SELECT eacct.set_payment_term(:ent2, '5 days');
SELECT eacct.charge(:t1, 30) \gset
SELECT is(pg_temp.bills(:t1), '30.00/30.00 due +5 days 00:00, 20.00/20.00/overdue due +15 days 00:00, 10.00/10.00/overdue due +20 days 00:00', 't1: three bills');
SELECT is(pg_temp.bal(:t1), 'own 0.00, book 0.00, limit 100.00, debt 60.00, overdue 30.00, available 40.00', 't1 before the top-ups');
-- top-up: overdue bills first (oldest due first), then other debt, then own cash
SELECT eacct.top_up(:t1, 25) AS tu1 \gset
SELECT is(pg_temp.bills(:t1), '30.00/30.00 due +5 days 00:00, 20.00/0.00/overdue due +15 days 00:00, 10.00/5.00/overdue due +20 days 00:00',
          'top-up 25 pays the overdue bill due first (20), then the next overdue one (5), not the earlier due bill that is not overdue');
SELECT is(pg_temp.bal(:t1), 'own 0.00, book 0.00, limit 100.00, debt 35.00, overdue 5.00, available 65.00', 't1 after the top-up of 25');
SELECT results_eq(format('SELECT kind, amount, own_cash, outstanding, overdue FROM eacct.journal WHERE entry_id = %s', :tu1),
    $$VALUES ('top_up'::text, 25.00, 0.00, 35.00, 5.00)$$, 'the top-up journal entry');
SELECT is((SELECT overdue FROM eacct.enterprise_credit WHERE enterprise_id = :ent2), 45.00, 'the enterprise overdue total drops to 45');
SELECT eacct.top_up(:t1, 20) \gset
SELECT is(pg_temp.bills(:t1), '30.00/15.00 due +5 days 00:00, 20.00/0.00/overdue due +15 days 00:00, 10.00/0.00/overdue due +20 days 00:00',
          'top-up 20 pays the rest of the overdue bill (5), then the other bill (15)');
SELECT is(pg_temp.bal(:t1), 'own 0.00, book 0.00, limit 100.00, debt 15.00, overdue 0.00, available 85.00', 't1 after the top-up of 20');
SELECT is((SELECT overdue FROM eacct.enterprise_credit WHERE enterprise_id = :ent2), 40.00, 'the enterprise overdue total is t2''s 40');
SELECT eacct.top_up(:t1, 25) \gset
SELECT is(pg_temp.bal(:t1), 'own 10.00, book 0.00, limit 100.00, debt 0.00, overdue 0.00, available 110.00',
          'top-up 25 pays the last 15 of debt; 10 goes to own cash');
SELECT is(pg_temp.bills(:t1), '30.00/0.00 due +5 days 00:00, 20.00/0.00/overdue due +15 days 00:00, 10.00/0.00/overdue due +20 days 00:00', 't1: every bill paid');
SELECT eacct.top_up(:t2, 39.99) \gset
SELECT is(pg_temp.bal(:t2), 'own 0.00, book 0.00, limit 50.00, debt 0.01, overdue 0.01, available 49.99', 't2: one cent of overdue debt left');
SELECT is((SELECT overdue FROM eacct.enterprise_credit WHERE enterprise_id = :ent2), 0.01, 'the enterprise overdue total is one cent');
SELECT eacct.top_up(:t2, 0.01) \gset
SELECT results_eq(format('SELECT credit_line, allocated, overdue, allocatable FROM eacct.enterprise_credit WHERE enterprise_id = %s', :ent2),
    $$VALUES (1000.00, 150.00, 0.00, 850.00)$$, 'no overdue debt left in the enterprise');
SELECT is(eacct.mark_overdue(), 0, 'mark_overdue() with nothing due moves nothing');
SELECT is(eacct.mark_overdue(now() + interval '25 days'), 0, 'paid bills do not become overdue');
-- mark_overdue()'s as_of is now(): a bill that fell due an hour ago is
-- moved.  (A bill falls due at least a microsecond after the charge, and a
-- suite runs in one transaction: its due date is set back past the guard.)
SAVEPOINT due_before_now;
SELECT eacct.charge(:t2, 1) \gset
ALTER TABLE eacct.bill DISABLE TRIGGER bill_guard;
UPDATE eacct.bill SET due_at = now() - interval '1 hour' WHERE account_id = :t2 AND remaining > 0;
ALTER TABLE eacct.bill ENABLE ALWAYS TRIGGER bill_guard;
SELECT is(eacct.mark_overdue(), 1, 'mark_overdue() moves the bill that fell due an hour before now()');
SELECT is(pg_temp.bal(:t2), 'own 0.00, book 0.00, limit 50.00, debt 1.00, overdue 1.00, available 49.00', 't2: that debt is overdue');
ROLLBACK TO SAVEPOINT due_before_now;
SELECT is(pg_temp.conservation(:ent2), 'net 10.00, top-ups 110.00, charges 100.00, coupons 0.00', 'globex figures');
SELECT ok(pg_temp.conserved(:ent2), 'globex: net cash = top-ups - (charges - coupons)');

-- top-up arguments
SELECT * FROM pg_temp.rejects('SELECT eacct.top_up(-1, 1)', 'P0002', 'account -1 does not exist', 'top_up: unknown account');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.top_up(%s, NULL)', :t1), '22023', 'amount must not be null', 'top_up: NULL amount');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.top_up(%s, 0)', :t1), '22023', 'amount must be greater than zero', 'top_up: zero');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.top_up(%s, -1)', :t1), '22023', 'amount must be greater than zero', 'top_up: negative');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.top_up(%s, 1.005)', :t1), '22023', 'amount has more than 2 fractional digits', 'top_up: 1.005');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.top_up(%s, 'NaN')$$, :t1), '22023', 'amount must be a number', 'top_up: NaN');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.top_up(%s, 'Infinity')$$, :t1), '22003', 'amount is out of range', 'top_up: Infinity');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.top_up(%s, 1e30)', :t1), '22003', 'amount is out of range', 'top_up: 1e30');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.top_up(%s, 1, '')$$, :t1), '22023', 'request_id must not be empty', 'top_up: empty request_id');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.top_up(%s, 1, repeat('k', 201))$$, :t1), '22023', 'request_id is too long', 'top_up: 201-character request_id');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.top_up(%s, 1, E'a\x01b')$$, :t1), '22023', 'request_id contains a control character', 'top_up: request_id with a control character');

-- charge and top_up need no account center
SELECT eacct.create_enterprise('tap-billing-off', 'off-ma') AS ent3 \gset
SELECT eacct.create_account(:ent3, 'z') AS z \gset
SELECT eacct.top_up(:z, 10) \gset
SELECT eacct.charge(:z, 4) \gset
SELECT is(pg_temp.bal(:z), 'own 6.00, book 0.00, limit 0.00, debt 0.00, overdue 0.00, available 6.00', 'top_up and charge with the account center off');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.charge(%s, 6.01)', :z), 'UA006',
    'charge exceeds the available credit of account ' || :z, 'no credit limit: one cent over own cash');

-- operator functions are not for PUBLIC
CREATE ROLE tap_billing_nobody;
SELECT eacct.add_admin(:ent2, 'tap_billing_nobody');
SET ROLE tap_billing_nobody;
SELECT * FROM pg_temp.rejects(format('SELECT eacct.charge(%s, 1)', :t1), '42501', NULL, 'charge needs the operator grant, even for an admin');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.top_up(%s, 1)', :t1), '42501', NULL, 'top_up needs the operator grant');
SELECT * FROM pg_temp.rejects('SELECT eacct.mark_overdue()', '42501', NULL, 'mark_overdue needs the operator grant');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.set_payment_term(%s, '1 day')$$, :ent2), '42501', NULL, 'set_payment_term needs the operator grant');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.grant_coupon(%s, 1, now() + interval '1 day')$$, :t1), '42501', NULL, 'grant_coupon needs the operator grant');
RESET ROLE;

-- one enterprise whose overdue total the due bills would take past the
-- largest amount is left as it is (WARNING); the others are still moved
SAVEPOINT overflow;
SELECT eacct.create_enterprise('tap-small-debt', 'small-ma') AS se \gset
SELECT eacct.create_account(:se, 's1') AS s1 \gset
SELECT eacct.enable_account_center(:se);
SELECT eacct.apply_credit_line(:se, 100) \gset
SELECT eacct.confirm_credit_contract(:se);
SELECT eacct.set_credit_limit(:s1, 10) \gset
SELECT eacct.charge(:s1, 5) \gset
SELECT eacct.create_enterprise('tap-huge-debt', 'huge-ma') AS he \gset
SELECT eacct.create_account(:he, 'p') AS p, eacct.create_account(:he, 'q') AS q, eacct.create_account(:he, 'r') AS r \gset
SELECT eacct.enable_account_center(:he);
SELECT eacct.apply_credit_line(:he, 92233720368547758.07) \gset
SELECT eacct.confirm_credit_contract(:he);
SELECT eacct.set_credit_limit(:p, 92233720368547758.07) \gset
SELECT eacct.charge(:p, 92233720368547758.07) \gset
SELECT eacct.top_up(:q, 92233720368547758.07) \gset
SELECT eacct.transfer(:q, :p, 92233720368547758.07) \gset
SELECT eacct.set_credit_limit(:p, 0.01) \gset
SELECT eacct.set_credit_limit(:r, 92233720368547758.06) \gset
SELECT eacct.charge(:r, 92233720368547758.06) \gset
-- the WARNING is shown by its SQLSTATE alone (its text names the enterprise's id)
\set VERBOSITY sqlstate
SET LOCAL client_min_messages = warning;
SELECT ok(eacct.mark_overdue(now() + interval '31 days') >= 1, 'mark_overdue runs although one enterprise''s overdue total would not fit');
RESET client_min_messages;
\set VERBOSITY default
SELECT is((SELECT overdue FROM eacct.account_assets WHERE account_id = :s1), 5.00, 'the other enterprise''s bill is overdue');
SELECT is((SELECT count(*) FROM eacct.bill WHERE enterprise_id = :he AND overdue), 0::bigint, 'no bill of the enterprise that would overflow moved');
SELECT is((SELECT overdue FROM eacct.enterprise_credit WHERE enterprise_id = :he), 0.00, 'its overdue total is as it was');
SET LOCAL client_min_messages = error;
SELECT is(eacct.mark_overdue(now() + interval '31 days'), 0, 'a second run moves nothing and does not fail');
RESET client_min_messages;
SELECT is((SELECT count(*) FROM eacct.verify(:se)) + (SELECT count(*) FROM eacct.verify(:he)), 0::bigint, 'verify() finds nothing in either');
ROLLBACK TO SAVEPOINT overflow;
-- the check counts the overdue total the enterprise has already: 1.00 is
-- overdue, the bills due later add up to 92233720368547757.08, which fits
-- alone but takes the total one cent past the largest amount
SAVEPOINT overflow_total;
SELECT eacct.create_enterprise('tap-debt-total', 'total-ma') AS te \gset
SELECT eacct.create_account(:te, 'ts') AS ts, eacct.create_account(:te, 'tp') AS tp,
       eacct.create_account(:te, 'tq') AS tq, eacct.create_account(:te, 'tr') AS tr \gset
SELECT eacct.enable_account_center(:te);
SELECT eacct.apply_credit_line(:te, 92233720368547758.07) \gset
SELECT eacct.confirm_credit_contract(:te);
SELECT eacct.set_payment_term(:te, '1 day');
SELECT eacct.set_credit_limit(:ts, 1) \gset
SELECT eacct.charge(:ts, 1) \gset
SELECT eacct.set_payment_term(:te, '30 days');
SELECT eacct.set_credit_limit(:tp, 92233720368547757.07) \gset
SELECT eacct.charge(:tp, 92233720368547757.07) \gset
SELECT eacct.top_up(:tq, 0.02) \gset
SELECT eacct.transfer(:tq, :tp, 0.02) \gset
SELECT eacct.set_credit_limit(:tp, 92233720368547757.06) \gset
SELECT eacct.set_credit_limit(:tr, 0.01) \gset
SELECT eacct.charge(:tr, 0.01) \gset
SET LOCAL client_min_messages = error;
SELECT ok(eacct.mark_overdue(now() + interval '2 days') >= 1, 'the bill of 1.00 falls due first');
SELECT is((SELECT overdue FROM eacct.enterprise_credit WHERE enterprise_id = :te), 1.00, 'the enterprise owes 1.00 overdue');
SELECT is(pg_temp.error_of($$SELECT eacct.mark_overdue(now() + interval '31 days')$$), 'no error',
          'bills that fit alone but not on top of the overdue total: mark_overdue does not fail');
RESET client_min_messages;
SELECT is((SELECT overdue FROM eacct.enterprise_credit WHERE enterprise_id = :te), 1.00, 'the overdue total is as it was');
SELECT is((SELECT count(*) FROM eacct.bill WHERE enterprise_id = :te AND overdue), 1::bigint, 'no later bill of the enterprise moved');
ROLLBACK TO SAVEPOINT overflow_total;

-- a top-up reads the open bills it pays, in the order it pays them
-- (bill_open_idx: overdue first, then by due date), not every open bill:
-- an account with 1,000 overdue bills of 0.02 and 1,000 newer ones due
-- later (a longer payment term)
-- a_credit_account(enterprise): an account of credit limit 100 in a new
-- enterprise (account center on, a confirmed credit line of 1000)
CREATE FUNCTION pg_temp.a_credit_account(ent_name text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    e bigint := eacct.create_enterprise(ent_name, ent_name || '-ma');
    a bigint := eacct.create_account(e, ent_name || '-account');
BEGIN
    PERFORM eacct.enable_account_center(e);
    PERFORM eacct.apply_credit_line(e, 1000);
    PERFORM eacct.confirm_credit_contract(e);
    PERFORM eacct.set_credit_limit(a, 100);
    RETURN a;
END $$;
SELECT pg_temp.a_credit_account('tap-billing-many') AS many \gset
SELECT enterprise_id AS me FROM eacct.account WHERE account_id = :many \gset
SELECT count(eacct.charge(:many, 0.02)) AS charged FROM generate_series(1, 1000) g \gset
SELECT eacct.set_payment_term(:me, '60 days');
SELECT count(eacct.charge(:many, 0.02)) AS charged FROM generate_series(1, 1000) g \gset
SELECT eacct.mark_overdue(now() + interval '31 days') AS moved \gset
SELECT is((SELECT count(*) FROM eacct.bill WHERE account_id = :many AND overdue), 1000::bigint,
          'the 1,000 bills due in 30 days are overdue, not the 1,000 due in 60');
ANALYZE eacct.bill;
SELECT cmp_ok(pg_temp.rows_read('eacct.bill', format('SELECT eacct.top_up(%s, 0.01)', :many)), '<', 100::bigint,
              'a top-up of a cent reads a few of the 2,000 open bills, not all');
SELECT is(pg_temp.bal(:many), 'own 0.00, book 0.00, limit 100.00, debt 39.99, overdue 19.99, available 60.01',
          'the cent paid overdue debt');
SELECT is((SELECT remaining FROM eacct.bill WHERE account_id = :many ORDER BY bill_id LIMIT 1), 1::bigint,
          'the cent paid the oldest overdue bill');
-- paying across many fetches: every overdue bill, then the oldest newer one
SELECT eacct.top_up(:many, 20) \gset
SELECT is(pg_temp.bal(:many), 'own 0.00, book 0.00, limit 100.00, debt 19.99, overdue 0.00, available 80.01',
          '20.00 paid the 19.99 overdue and a cent of the newer debt');
SELECT is((SELECT string_agg(remaining::text, ',' ORDER BY bill_id) FROM eacct.bill
            WHERE account_id = :many AND remaining > 0 AND bill_id <= (SELECT min(bill_id) + 1 FROM eacct.bill b
                                                                     WHERE b.account_id = :many AND NOT b.overdue)),
          '1,2', 'the oldest newer bill was paid first, the next one not');
SELECT is((SELECT count(*) FROM eacct.bill WHERE account_id = :many AND overdue AND remaining > 0), 0::bigint,
          'no overdue bill is left open');
SELECT is((SELECT count(*) FROM eacct.verify(:me)), 0::bigint, 'verify() finds nothing in the enterprise of many bills');

-- counting an account's valid coupons (account_assets, the export) does
-- not read its expired ones: coupon_unused_idx ends with valid_until
SELECT count(eacct.grant_coupon(:many, 1, now() - interval '1 day', now() - interval '2 days')) AS expired FROM generate_series(1, 2000) \gset
SELECT eacct.grant_coupon(:many, 1, now() + interval '1 day') AS valid_one \gset
ANALYZE eacct.coupon;
SELECT cmp_ok(pg_temp.rows_read('eacct.coupon', format('SELECT valid_coupons FROM eacct.account_assets WHERE account_id = %s', :many)),
              '<', 10::bigint, 'counting valid coupons reads the valid one, not 2,000 expired ones');
SELECT is((SELECT valid_coupons FROM eacct.account_assets WHERE account_id = :many), 1::bigint,
          'one valid coupon among 2,000 expired ones');
-- nor its used ones: coupon_unused_idx holds unused coupons only.  (A
-- coupon used in this transaction leaves its old index entry until vacuum:
-- used coupons as a vacuumed table holds them are put in past the guard.)
SAVEPOINT used_coupons;
ALTER TABLE eacct.coupon DISABLE TRIGGER coupon_guard_insert;
INSERT INTO eacct.coupon (enterprise_id, account_id, face_value, valid_from, valid_until, used_at)
SELECT :me, :many, 1, now() - interval '1 hour', now() + interval '1 day', now() - interval '1 minute'
  FROM generate_series(1, 500);
ANALYZE eacct.coupon;
SELECT cmp_ok(pg_temp.rows_read('eacct.coupon', format('SELECT valid_coupons FROM eacct.account_assets WHERE account_id = %s', :many)),
              '<', 10::bigint, 'counting valid coupons reads the valid one, not 500 used ones');
SELECT is((SELECT valid_coupons FROM eacct.account_assets WHERE account_id = :many), 1::bigint,
          'one valid coupon among 500 used ones');
ROLLBACK TO SAVEPOINT used_coupons;

-- a bill falls due a payment term after the charge counted in UTC,
-- whatever the caller's TimeZone: the same charge at the same moment (one
-- transaction, one now()) falls due at the same time.  The zone's daylight
-- saving time starts two days from now (a POSIX rule made from today's
-- date), so that its local days inside the 30-day term are not all 24 hours.
SELECT pg_temp.a_credit_account('tap-billing-zones') AS zoned \gset
SELECT format('XXX5YYY,J%s/0,J%s/0', (extract(doy FROM now() AT TIME ZONE 'UTC')::int + 1) % 365 + 1,
              (extract(doy FROM now() AT TIME ZONE 'UTC')::int + 150) % 365 + 1) AS dst_zone \gset
SET LOCAL TimeZone = :'dst_zone';
SELECT eacct.charge(:zoned, 1) \gset
SET LOCAL TimeZone = 'UTC';
SELECT eacct.charge(:zoned, 1) \gset
RESET TimeZone;
SELECT is((SELECT array_agg(DISTINCT due_at) FROM eacct.bill WHERE account_id = :zoned),
          ARRAY[(now() AT TIME ZONE 'UTC' + interval '30 days') AT TIME ZONE 'UTC'],
          'two charges at one moment in two time zones fall due 30 UTC days later, together');

-- the ledger agrees with the balances
SELECT is((SELECT count(*) FROM eacct.verify(:ent)), 0::bigint, 'verify(acme) finds nothing');
SELECT is((SELECT count(*) FROM eacct.verify(:ent2)), 0::bigint, 'verify(globex) finds nothing');
SELECT is((SELECT count(*) FROM eacct.verify()), 0::bigint, 'verify() finds nothing');

SELECT * FROM finish();
ROLLBACK;
