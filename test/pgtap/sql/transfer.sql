-- pgTAP: transfers, withdrawals, idempotency, transfer_batch (SPEC rules 3, 4, 5, 11, 12)
\i test/pgtap/helpers.psql
BEGIN;
SELECT * FROM no_plan();

-- balances of an account as one line, from eacct.account_assets
CREATE FUNCTION pg_temp.bal(account bigint) RETURNS text LANGUAGE sql AS $$
    SELECT format('own %s, book %s, limit %s, debt %s, available %s',
                  own_cash, transfer_book_balance, credit_limit, outstanding, available_credit)
      FROM eacct.account_assets WHERE account_id = account
$$;
-- number of rows in the journal and in the transfer records
CREATE FUNCTION pg_temp.rows() RETURNS text LANGUAGE sql AS $$
    SELECT format('journal %s, records %s, requests %s',
                  (SELECT count(*) FROM eacct.journal_entry),
                  (SELECT count(*) FROM eacct.transfer_record),
                  (SELECT count(*) FROM eacct.request))
$$;

-- an enterprise with an active credit line of 1000 and its account center on
SELECT eacct.create_enterprise('tap-transfer-acme', 'acme-ma') AS ent \gset
SELECT eacct.create_account(:ent, 'a') AS a \gset
SELECT eacct.create_account(:ent, 'b') AS b \gset
SELECT eacct.create_account(:ent, 'c') AS c \gset
SELECT eacct.create_account(:ent, 'd') AS d \gset
SELECT eacct.enable_account_center(:ent);
SELECT is(eacct.apply_credit_line(:ent, 1000), 'pending_confirmation', 'credit line applied, waiting for confirmation');
SELECT eacct.confirm_credit_contract(:ent);
SELECT is((SELECT credit_status || ' ' || credit_line FROM eacct.enterprise_credit WHERE enterprise_id = :ent),
          'active 1000.00', 'credit line of 1000 active');
-- a second enterprise (center on) and a third one (center off)
SELECT eacct.create_enterprise('tap-transfer-globex', 'globex-ma') AS ent2 \gset
SELECT eacct.create_account(:ent2, 'x') AS x \gset
SELECT eacct.create_account(:ent2, 'y') AS y \gset
SELECT eacct.enable_account_center(:ent2);
SELECT eacct.create_enterprise('tap-transfer-off', 'off-ma') AS ent3 \gset
SELECT eacct.create_account(:ent3, 'o1') AS o1 \gset
SELECT eacct.create_account(:ent3, 'o2') AS o2 \gset
SELECT eacct.top_up(:o1, 50) \gset

-- ---------------------------------------------------------------------------
-- transferable = min(available, own_cash); case own_cash < available
-- (a credit limit adds to available credit, never to what can be transferred)
-- ---------------------------------------------------------------------------
SELECT eacct.top_up(:a, 100) \gset
SELECT eacct.set_credit_limit(:a, 500) \gset
SELECT is(pg_temp.bal(:a), 'own 100.00, book 0.00, limit 500.00, debt 0.00, available 600.00', 'a: 100 cash, 500 credit');
SELECT is(eacct.transferable(:a), 100.00, 'transferable(a) is its own cash, not its available credit');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 100.01)', :a, :b), 'UA003',
    'transfer amount exceeds the transferable amount of account ' || :a, 'one cent over own cash');
SELECT is(pg_temp.error_of(format('SELECT eacct.transfer(%s, %s, 100.01)', :a, :b)),
          'UA003: Transferable amount is 100.00; the transfer is 100.01.', 'errdetail carries the transferable amount');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 500)', :a, :b), 'UA003',
    'transfer amount exceeds the transferable amount of account ' || :a, 'credit cannot be transferred');
SELECT eacct.transfer(:a, :b, 100.00) AS r1 \gset
SELECT is(pg_temp.bal(:a), 'own 0.00, book 0.00, limit 500.00, debt 0.00, available 500.00', 'a after transferring exactly its transferable amount');
SELECT is(pg_temp.bal(:b), 'own 0.00, book 100.00, limit 0.00, debt 0.00, available 100.00', 'b got it in its transfer book');
SELECT is(eacct.transferable(:a), 0.00, 'nothing left to transfer from a');
SELECT results_eq(format('SELECT kind, from_account, to_account, amount, created_by, request_id FROM eacct.transfer_records WHERE record_id = %s', :r1),
    format($$VALUES ('transfer'::text, %s::bigint, %s::bigint, 100.00::numeric, current_user::text COLLATE "default", NULL::text)$$, :a, :b),
    'transfer record of a -> b');
SELECT results_eq(format('SELECT account_id, kind, amount, counterparty, ref_id FROM eacct.journal WHERE ref_id = %s AND kind IN (''transfer_out'', ''transfer_in'') ORDER BY entry_id', :r1),
    format($$VALUES (%s::bigint, 'transfer_out'::text, 100.00::numeric, %s::bigint, %s::bigint),
                    (%s::bigint, 'transfer_in'::text, 100.00::numeric, %s::bigint, %s::bigint)$$,
           :a, :b, :r1, :b, :a, :r1),
    'two journal entries: transfer_out of a, transfer_in of b');

-- rule 4: funds received in the transfer book never leave by transfer
SELECT is(eacct.transferable(:b), 0.00, 'transferable(b) is 0 although its cash balance is 100');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 0.01)', :b, :c), 'UA003',
    'transfer amount exceeds the transferable amount of account ' || :b, 'transfer book funds are not transferable');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 0.01)', :b, :a), 'UA003',
    'transfer amount exceeds the transferable amount of account ' || :b, 'not even back to the sender');

-- ---------------------------------------------------------------------------
-- transferable = min(available, own_cash); case available < own_cash
-- (outstanding debt above the credit limit)
-- ---------------------------------------------------------------------------
SELECT eacct.top_up(:c, 100) \gset
SELECT eacct.transfer(:c, :d, 100) \gset
SELECT eacct.set_credit_limit(:c, 300) \gset
SELECT eacct.charge(:c, 250) \gset
SELECT eacct.withdraw(:d, :c, 100) \gset
SELECT eacct.set_credit_limit(:c, 200) \gset
SELECT is(pg_temp.bal(:c), 'own 100.00, book 0.00, limit 200.00, debt 250.00, available 50.00', 'c: 100 cash, but only 50 available');
SELECT is(eacct.transferable(:c), 50.00, 'transferable(c) is its available credit');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 50.01)', :c, :d), 'UA003',
    'transfer amount exceeds the transferable amount of account ' || :c, 'one cent over available credit');
SELECT is(pg_temp.error_of(format('SELECT eacct.transfer(%s, %s, 50.01)', :c, :d)),
          'UA003: Transferable amount is 50.00; the transfer is 50.01.', 'errdetail: transferable 50.00');
SELECT lives_ok(format('SELECT eacct.transfer(%s, %s, 50)', :c, :d), 'exactly the available credit passes');
SELECT is(pg_temp.bal(:c), 'own 50.00, book 0.00, limit 200.00, debt 250.00, available 0.00', 'c after the transfer');
SELECT is(pg_temp.bal(:d), 'own 0.00, book 50.00, limit 0.00, debt 0.00, available 50.00', 'd after the transfer');
SELECT is(eacct.transferable(:c), 0.00, 'c has cash but nothing transferable');

-- ---------------------------------------------------------------------------
-- argument and relationship errors (each changes nothing)
-- ---------------------------------------------------------------------------
SELECT eacct.top_up(:a, 10) \gset
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :a, :a), '22023',
    'from_account and to_account must differ', 'same account');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :a, :x), 'UA009',
    'accounts belong to different enterprises', 'different enterprises');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :x, :a), 'UA009',
    'accounts belong to different enterprises', 'different enterprises, other direction');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :o1, :o2), 'UA008',
    'account center is not enabled for enterprise ' || :ent3, 'account center off');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, -1, 1)', :a), 'P0002',
    'account -1 does not exist', 'unknown to_account');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(-1, %s, 1)', :a), 'P0002',
    'account -1 does not exist', 'unknown from_account');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, NULL)', :a, :b), '22023',
    'amount must not be null', 'NULL amount');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 0)', :a, :b), '22023',
    'amount must be greater than zero', 'zero amount');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, -1)', :a, :b), '22023',
    'amount must be greater than zero', 'negative amount');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1.005)', :a, :b), '22023',
    'amount has more than 2 fractional digits', 'amount 1.005');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(NULL, %s, 1)', :b), '22023',
    'from_account must not be null', 'NULL from_account');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, NULL, 1)', :a), '22023',
    'to_account must not be null', 'NULL to_account');
SELECT lives_ok(format('SELECT eacct.transfer(%s, %s, 1.500)', :a, :b), '1.500 is a whole number of cents');

-- authorization: administrators of the enterprise (or members of their role) only
CREATE ROLE tap_transfer_admins;
CREATE ROLE tap_transfer_alice IN ROLE tap_transfer_admins;
CREATE ROLE tap_transfer_globex;
CREATE ROLE tap_transfer_nobody;
SELECT eacct.add_admin(:ent, 'tap_transfer_admins');
SELECT eacct.add_admin(:ent2, 'tap_transfer_globex');
SET ROLE tap_transfer_nobody;
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :a, :b), '42501',
    'permission denied for account ' || :a, 'a stranger cannot transfer');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transferable(%s)', :a), '42501',
    'permission denied for account ' || :a, 'a stranger cannot read transferable()');
RESET ROLE;
SET ROLE tap_transfer_globex;
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :a, :b), '42501',
    'permission denied for account ' || :a, 'the admin of another enterprise cannot transfer');
RESET ROLE;
SET ROLE tap_transfer_alice;
SELECT eacct.transfer(:a, :b, 2) AS r2 \gset
RESET ROLE;
SELECT results_eq(format('SELECT kind, from_account, to_account, amount, created_by FROM eacct.transfer_records WHERE record_id = %s', :r2),
    format($$VALUES ('transfer'::text, %s::bigint, %s::bigint, 2.00::numeric, 'tap_transfer_alice'::text)$$, :a, :b),
    'an admin (through role membership) transfers; created_by names the caller');
SELECT is(pg_temp.bal(:a), 'own 6.50, book 0.00, limit 500.00, debt 0.00, available 506.50', 'a after 1.50 and 2');
SELECT is(pg_temp.bal(:b), 'own 0.00, book 103.50, limit 0.00, debt 0.00, available 103.50', 'b after 1.50 and 2');

-- ---------------------------------------------------------------------------
-- withdraw b -> a: withdrawable = min(transfer_book(b), available(b), net_transferred(a->b))
-- ---------------------------------------------------------------------------
SELECT eacct.create_account(:ent, 's1') AS s1 \gset
SELECT eacct.create_account(:ent, 's2') AS s2 \gset
SELECT eacct.create_account(:ent, 'h') AS h \gset
SELECT eacct.top_up(:s1, 100) \gset
SELECT eacct.top_up(:s2, 100) \gset
-- never transferred
SELECT is(eacct.withdrawable(:h, :s1), 0.00, 'withdrawable is 0 when never transferred');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdraw(%s, %s, 1)', :h, :s1), 'UA005',
    format('account %s never transferred to account %s', :s1, :h), 'withdraw without a transfer');
-- a multi-source transfer book
SELECT eacct.transfer(:s1, :h, 60) \gset
SELECT eacct.transfer(:s2, :h, 40) \gset
SELECT is(pg_temp.bal(:h), 'own 0.00, book 100.00, limit 0.00, debt 0.00, available 100.00', 'h holds 100 from two sources');
SELECT is(eacct.withdrawable(:h, :s1), 60.00, 'withdrawable(h -> s1) is what s1 sent');
SELECT is(eacct.withdrawable(:h, :s2), 40.00, 'withdrawable(h -> s2) is what s2 sent');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdraw(%s, %s, 60.01)', :h, :s1), 'UA004',
    'withdraw amount exceeds the withdrawable amount', 's1 cannot pull back more than it sent');
SELECT is(pg_temp.error_of(format('SELECT eacct.withdraw(%s, %s, 60.01)', :h, :s1)),
          format('UA004: Withdrawable amount from account %s to account %s is 60.00; the withdrawal is 60.01.', :h, :s1),
          'errdetail carries the withdrawable amount');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdraw(%s, %s, 1)', :s1, :h), 'UA005',
    format('account %s never transferred to account %s', :h, :s1), 'the holder never transferred to the source');
-- spending part of the transfer book lowers what each source can pull back
SELECT eacct.charge(:h, 70) \gset
SELECT is(pg_temp.bal(:h), 'own 0.00, book 30.00, limit 0.00, debt 0.00, available 30.00', 'h spent 70 of its transfer book');
SELECT is(eacct.withdrawable(:h, :s1), 30.00, 'withdrawable(h -> s1) drops to the transfer book');
SELECT is(eacct.withdrawable(:h, :s2), 30.00, 'withdrawable(h -> s2) drops to the transfer book');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdraw(%s, %s, 30.01)', :h, :s1), 'UA004',
    'withdraw amount exceeds the withdrawable amount', 'one cent over after spending');
SELECT is(pg_temp.error_of(format('SELECT eacct.withdraw(%s, %s, 30.01)', :h, :s1)),
          format('UA004: Withdrawable amount from account %s to account %s is 30.00; the withdrawal is 30.01.', :h, :s1),
          'errdetail: withdrawable capped by the transfer book');
SELECT eacct.withdraw(:h, :s1, 30) AS w1 \gset
SELECT is(pg_temp.bal(:h), 'own 0.00, book 0.00, limit 0.00, debt 0.00, available 0.00', 'h after the withdrawal');
SELECT is(pg_temp.bal(:s1), 'own 70.00, book 0.00, limit 0.00, debt 0.00, available 70.00', 's1 got 30 back into its own cash');
SELECT results_eq(format('SELECT kind, from_account, to_account, amount, created_by FROM eacct.transfer_records WHERE record_id = %s', :w1),
    format($$VALUES ('withdraw'::text, %s::bigint, %s::bigint, 30.00::numeric, current_user::text COLLATE "default")$$, :h, :s1),
    'withdraw record: from the holder to the source');
SELECT results_eq(format('SELECT account_id, kind, amount, counterparty FROM eacct.journal WHERE ref_id = %s AND kind IN (''withdraw_out'', ''withdraw_in'') ORDER BY entry_id', :w1),
    format($$VALUES (%s::bigint, 'withdraw_out'::text, 30.00::numeric, %s::bigint),
                    (%s::bigint, 'withdraw_in'::text, 30.00::numeric, %s::bigint)$$, :h, :s1, :s1, :h),
    'journal: withdraw_out of the holder, withdraw_in of the source');
SELECT is(eacct.withdrawable(:h, :s1), 0.00, 'nothing left for s1');
SELECT is(eacct.withdrawable(:h, :s2), 0.00, 'nothing left for s2 either');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdraw(%s, %s, 0.01)', :h, :s2), 'UA004',
    'withdraw amount exceeds the withdrawable amount', 's2 transferred before, so UA004 not UA005');
-- a transfer into h refills what s2 can pull back, up to what s2 sent net
SELECT eacct.transfer(:s1, :h, 50) \gset
SELECT is(eacct.withdrawable(:h, :s2), 40.00, 'withdrawable(h -> s2) is capped by net_transferred(s2 -> h)');
SELECT is(eacct.withdrawable(:h, :s1), 50.00, 'withdrawable(h -> s1) is capped by the transfer book (net_transferred is 80)');
SELECT lives_ok(format('SELECT eacct.withdraw(%s, %s, 40)', :h, :s2), 's2 withdraws exactly its withdrawable amount');
SELECT is(eacct.withdrawable(:h, :s1), 10.00, 'the book now holds 10 for s1');
SELECT is(eacct.withdrawable(:h, :s2), 0.00, 's2 withdrew all it sent');
SELECT is(pg_temp.bal(:s2), 'own 100.00, book 0.00, limit 0.00, debt 0.00, available 100.00', 's2 has all its cash back');

-- withdraw after re-transfer: p -> q 50, withdraw 50, p -> q 20: withdrawable 20
SELECT eacct.create_account(:ent, 'p') AS p \gset
SELECT eacct.create_account(:ent, 'q') AS q \gset
SELECT eacct.top_up(:p, 100) \gset
SELECT eacct.transfer(:p, :q, 50) \gset
SELECT is(eacct.withdrawable(:q, :p), 50.00, 'withdrawable(q -> p) after p -> q 50');
SELECT lives_ok(format('SELECT eacct.withdraw(%s, %s, 50)', :q, :p), 'withdraw all 50');
SELECT is(eacct.withdrawable(:q, :p), 0.00, 'withdrawable 0 after withdrawing everything');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdraw(%s, %s, 0.01)', :q, :p), 'UA004',
    'withdraw amount exceeds the withdrawable amount', 'nothing left to withdraw');
SELECT eacct.transfer(:p, :q, 20) \gset
SELECT is(eacct.withdrawable(:q, :p), 20.00, 'withdrawable 20 after re-transferring 20');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdraw(%s, %s, 20.01)', :q, :p), 'UA004',
    'withdraw amount exceeds the withdrawable amount', 'one cent over after re-transfer');
SELECT lives_ok(format('SELECT eacct.withdraw(%s, %s, 20)', :q, :p), 'exactly 20 passes');
SELECT is(pg_temp.bal(:p), 'own 100.00, book 0.00, limit 0.00, debt 0.00, available 100.00', 'p has all its cash back');
SELECT is(pg_temp.bal(:q), 'own 0.00, book 0.00, limit 0.00, debt 0.00, available 0.00', 'q is empty');
SELECT is((SELECT transferred - withdrawn FROM eacct.transfer_pair WHERE source_account = :p AND holder_account = :q), 0::bigint,
          'net_transferred(p -> q) is 0');

-- the holder's available credit caps withdrawable (debt above its credit limit)
SELECT eacct.create_account(:ent, 'h2') AS h2 \gset
SELECT eacct.set_credit_limit(:h2, 100) \gset
SELECT eacct.charge(:h2, 100) \gset
SELECT eacct.transfer(:p, :h2, 50) \gset
SELECT eacct.set_credit_limit(:h2, 80) \gset
SELECT is(pg_temp.bal(:h2), 'own 0.00, book 50.00, limit 80.00, debt 100.00, available 30.00', 'h2: book 50, available 30');
SELECT is(eacct.withdrawable(:h2, :p), 30.00, 'withdrawable(h2 -> p) is capped by available credit');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdraw(%s, %s, 30.01)', :h2, :p), 'UA004',
    'withdraw amount exceeds the withdrawable amount', 'one cent over the available credit');
SELECT is(pg_temp.error_of(format('SELECT eacct.withdraw(%s, %s, 30.01)', :h2, :p)),
          format('UA004: Withdrawable amount from account %s to account %s is 30.00; the withdrawal is 30.01.', :h2, :p),
          'errdetail: withdrawable capped by the available credit');
SELECT lives_ok(format('SELECT eacct.withdraw(%s, %s, 30)', :h2, :p), 'exactly the available credit passes');
SELECT is(pg_temp.bal(:h2), 'own 0.00, book 20.00, limit 80.00, debt 100.00, available 0.00', 'h2 after the withdrawal');

-- withdraw shares the relationship checks of transfer
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdraw(%s, %s, 1)', :h, :h), '22023',
    'from_account and to_account must differ', 'withdraw: same account');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdraw(%s, %s, 1)', :h, :x), 'UA009',
    'accounts belong to different enterprises', 'withdraw: different enterprises');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdraw(%s, %s, 1)', :o2, :o1), 'UA008',
    'account center is not enabled for enterprise ' || :ent3, 'withdraw: account center off');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdraw(%s, -1, 1)', :h), 'P0002',
    'account -1 does not exist', 'withdraw: unknown account');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdraw(%s, %s, 0)', :h, :s1), '22023',
    'amount must be greater than zero', 'withdraw: zero amount');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdraw(%s, %s, NULL)', :h, :s1), '22023',
    'amount must not be null', 'withdraw: NULL amount');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdraw(%s, %s, 1.005)', :h, :s1), '22023',
    'amount has more than 2 fractional digits', 'withdraw: 1.005');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdrawable(%s, %s)', :h, :h), '22023',
    'from_account and to_account must differ', 'withdrawable: same account');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdrawable(%s, %s)', :h, :x), 'UA009',
    'accounts belong to different enterprises', 'withdrawable: different enterprises');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdrawable(%s, -1)', :h), 'P0002',
    'account -1 does not exist', 'withdrawable: unknown account');
SELECT * FROM pg_temp.rejects('SELECT eacct.transferable(-1)', 'P0002',
    'account -1 does not exist', 'transferable: unknown account');
SELECT * FROM pg_temp.rejects('SELECT eacct.transferable(NULL)', '22023',
    'account_id must not be null', 'transferable: NULL account');
SET ROLE tap_transfer_nobody;
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdraw(%s, %s, 1)', :h, :s1), '42501',
    'permission denied for account ' || :h, 'a stranger cannot withdraw');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdrawable(%s, %s)', :h, :s1), '42501',
    'permission denied for account ' || :h, 'a stranger cannot read withdrawable()');
RESET ROLE;

-- ---------------------------------------------------------------------------
-- idempotency (rule 11)
-- ---------------------------------------------------------------------------
SELECT eacct.create_account(:ent, 'i1') AS i1 \gset
SELECT eacct.create_account(:ent, 'i2') AS i2 \gset
SELECT eacct.top_up(:i1, 100, 'tap-topup-1') AS tu1 \gset
SELECT is(pg_temp.bal(:i1), 'own 100.00, book 0.00, limit 0.00, debt 0.00, available 100.00', 'top_up with a request_id');
SELECT pg_temp.eacct_state() AS state_before \gset
SELECT is(eacct.top_up(:i1, 100, 'tap-topup-1'), :tu1::bigint, 'top_up repeated: same journal id');
SELECT is(pg_temp.eacct_state(), :'state_before', 'top_up repeated: nothing changed');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.top_up(%s, 100.01, 'tap-topup-1')$$, :i1), 'UA012',
    'request_id "tap-topup-1" was already used with different arguments', 'top_up: same request_id, other amount');

SELECT eacct.transfer(:i1, :i2, 10, 'tap-req-1') AS t1 \gset
SELECT pg_temp.rows() AS rows_before \gset
SELECT pg_temp.eacct_state() AS state_before \gset
SELECT is(eacct.transfer(:i1, :i2, 10, 'tap-req-1'), :t1::bigint, 'transfer repeated: same record id');
SELECT is(eacct.transfer(:i1, :i2, 10.00, 'tap-req-1'), :t1::bigint, 'transfer repeated with 10.00 for 10: same record id');
SELECT is(pg_temp.rows(), :'rows_before', 'transfer repeated: no new journal, record or request row');
SELECT is(pg_temp.eacct_state(), :'state_before', 'transfer repeated: nothing changed');
SELECT is(pg_temp.bal(:i1), 'own 90.00, book 0.00, limit 0.00, debt 0.00, available 90.00', 'i1 paid once');
SELECT is(pg_temp.bal(:i2), 'own 0.00, book 10.00, limit 0.00, debt 0.00, available 10.00', 'i2 received once');
SELECT is((SELECT request_id FROM eacct.transfer_records WHERE record_id = :t1), 'tap-req-1', 'the record keeps its request_id');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.transfer(%s, %s, 11, 'tap-req-1')$$, :i1, :i2), 'UA012',
    'request_id "tap-req-1" was already used with different arguments', 'same request_id, other amount');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.transfer(%s, %s, 10, 'tap-req-1')$$, :i1, :a), 'UA012',
    'request_id "tap-req-1" was already used with different arguments', 'same request_id, other to_account');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.withdraw(%s, %s, 10, 'tap-req-1')$$, :i2, :i1), 'UA012',
    'request_id "tap-req-1" was already used with different arguments', 'same request_id, other operation');
-- a withdrawal whose arguments read exactly as the transfer's (i1, i2, 10.00)
-- is still another call
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.withdraw(%s, %s, 10, 'tap-req-1')$$, :i1, :i2), 'UA012',
    'request_id "tap-req-1" was already used with different arguments', 'same request_id and argument text, other operation');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.top_up(%s, 10, 'tap-req-1')$$, :i1), 'UA012',
    'request_id "tap-req-1" was already used with different arguments', 'same request_id, top_up');
-- a repeated call answers even when the rule would now reject it
SELECT eacct.transfer(:i1, :i2, 90) \gset
SELECT is(eacct.transfer(:i1, :i2, 10, 'tap-req-1'), :t1::bigint, 'repeat after the cash is gone: still the first answer');
SELECT is(pg_temp.bal(:i1), 'own 0.00, book 0.00, limit 0.00, debt 0.00, available 0.00', 'i1 unchanged by the repeat');
-- the same request_id in another enterprise is independent
SELECT eacct.top_up(:x, 10) \gset
SELECT eacct.transfer(:x, :y, 10, 'tap-req-1') AS tx \gset
SELECT isnt(:tx::bigint, :t1::bigint, 'same request_id in another enterprise: a new transfer');
SELECT is(pg_temp.bal(:y), 'own 0.00, book 10.00, limit 0.00, debt 0.00, available 10.00', 'y received it');
SELECT is((SELECT count(*) FROM eacct.request WHERE request_id = 'tap-req-1'), 2::bigint, 'one request row per enterprise');

-- withdraw and charge take request ids too
SELECT eacct.withdraw(:i2, :i1, 5, 'tap-wd-1') AS wd1 \gset
SELECT pg_temp.eacct_state() AS state_before \gset
SELECT is(eacct.withdraw(:i2, :i1, 5, 'tap-wd-1'), :wd1::bigint, 'withdraw repeated: same record id');
SELECT is(pg_temp.eacct_state(), :'state_before', 'withdraw repeated: nothing changed');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.withdraw(%s, %s, 6, 'tap-wd-1')$$, :i2, :i1), 'UA012',
    'request_id "tap-wd-1" was already used with different arguments', 'withdraw: other amount');
SELECT eacct.charge(:i2, 3, 'tap memo', NULL, 'tap-ch-1') AS ch1 \gset
SELECT pg_temp.eacct_state() AS state_before \gset
SELECT is(eacct.charge(:i2, 3, 'tap memo', NULL, 'tap-ch-1'), :ch1::bigint, 'charge repeated: same journal id');
SELECT is(pg_temp.eacct_state(), :'state_before', 'charge repeated: nothing changed');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.charge(%s, 3, 'other memo', NULL, 'tap-ch-1')$$, :i2), 'UA012',
    'request_id "tap-ch-1" was already used with different arguments', 'charge: other memo');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.charge(%s, 4, 'tap memo', NULL, 'tap-ch-1')$$, :i2), 'UA012',
    'request_id "tap-ch-1" was already used with different arguments', 'charge: other amount');
-- no coupon and coupon 0 are different arguments
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.charge(%s, 3, 'tap memo', 0, 'tap-ch-1')$$, :i2), 'UA012',
    'request_id "tap-ch-1" was already used with different arguments', 'charge: coupon 0 for no coupon');
SELECT is(pg_temp.bal(:i2), 'own 0.00, book 92.00, limit 0.00, debt 0.00, available 92.00', 'i2: 100 in, 5 withdrawn, 3 charged');
-- the key of a call on one account stands for that account too: the same
-- key and arguments on another account are UA012, not the first answer
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.top_up(%s, 100, 'tap-topup-1')$$, :i2), 'UA012',
    'request_id "tap-topup-1" was already used with different arguments', 'top_up: same request_id and amount, other account');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.charge(%s, 3, 'tap memo', NULL, 'tap-ch-1')$$, :i1), 'UA012',
    'request_id "tap-ch-1" was already used with different arguments', 'charge: same request_id and arguments, other account');
SELECT is(pg_temp.error_of(format($$SELECT eacct.top_up(%s, 100, 'tap-topup-1')$$, :i2)),
          format('UA012: It was used for top_up(%s,100.00); this call is top_up(%s,100.00).', :i1, :i2),
          'the detail names both accounts');
-- a key stored by a library before 0.5.0 (arguments without the account)
-- still answers a repeat on its own account, and only there
SELECT eacct.top_up(:i1, 7) AS legacy_entry \gset
-- (written past the INSERT guard, as the old library's own statements were)
ALTER TABLE eacct.request DISABLE TRIGGER request_guard_insert;
INSERT INTO eacct.request (enterprise_id, request_id, operation, args, result)
VALUES (:ent, 'tap-legacy-1', 'top_up', '7.00', :legacy_entry);
ALTER TABLE eacct.request ENABLE ALWAYS TRIGGER request_guard_insert;
SELECT pg_temp.eacct_state() AS state_before \gset
SELECT is(eacct.top_up(:i1, 7, 'tap-legacy-1'), :legacy_entry::bigint, 'legacy key, same account: the first answer');
SELECT is(pg_temp.eacct_state(), :'state_before', 'legacy key, same account: nothing changed');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.top_up(%s, 7, 'tap-legacy-1')$$, :i2), 'UA012',
    'request_id "tap-legacy-1" was already used with different arguments', 'legacy key, other account');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.top_up(%s, 8, 'tap-legacy-1')$$, :i1), 'UA012',
    'request_id "tap-legacy-1" was already used with different arguments', 'legacy key, other amount');
SELECT eacct.charge(:i1, 2, 'old memo') AS legacy_charge \gset
ALTER TABLE eacct.request DISABLE TRIGGER request_guard_insert;
INSERT INTO eacct.request (enterprise_id, request_id, operation, args, result)
VALUES (:ent, 'tap-legacy-2', 'charge', '2.00,old memo,0', :legacy_charge);
ALTER TABLE eacct.request ENABLE ALWAYS TRIGGER request_guard_insert;
SELECT pg_temp.eacct_state() AS state_before \gset
SELECT is(eacct.charge(:i1, 2, 'old memo', NULL, 'tap-legacy-2'), :legacy_charge::bigint, 'legacy charge key, same account: the first answer');
SELECT is(pg_temp.eacct_state(), :'state_before', 'legacy charge key, same account: nothing changed');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.charge(%s, 2, 'old memo', NULL, 'tap-legacy-2')$$, :i2), 'UA012',
    'request_id "tap-legacy-2" was already used with different arguments', 'legacy charge key, other account');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.transfer(%s, %s, 1, '')$$, :a, :b), '22023',
    'request_id must not be empty', 'empty request_id');

-- ---------------------------------------------------------------------------
-- transfer_batch: all or nothing, in order
-- ---------------------------------------------------------------------------
SELECT eacct.create_account(:ent, 'bsrc') AS bs \gset
SELECT eacct.create_account(:ent, 'bdst1') AS bd1 \gset
SELECT eacct.create_account(:ent, 'bdst2') AS bd2 \gset
SELECT eacct.top_up(:bs, 30) \gset
-- element 2 fails only because element 1 took the cash before it
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[20, 10.01])', :bs, :bs, :bd1, :bd2),
    'UA003', 'transfer amount exceeds the transferable amount of account ' || :bs, 'batch: element 2 over what element 1 left');
SELECT is(pg_temp.error_of(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[20, 10.01])', :bs, :bs, :bd1, :bd2)),
    'UA003: Element 2: Transferable amount is 10.00; the transfer is 10.01.', 'batch: errdetail names element 2 and its figure');
SELECT is(pg_temp.bal(:bs), 'own 30.00, book 0.00, limit 0.00, debt 0.00, available 30.00', 'batch failed: element 1 not applied');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[1, 1])', :bs, :bs, :bd1, :bs),
    '22023', 'from_account and to_account must differ', 'batch: element 2 with the same account');
SELECT alike(pg_temp.error_of(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[1, 1])', :bs, :bs, :bd1, :bs)),
    '22023: Element 2: %', 'batch: 22023 detail begins with Element 2');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[1, 1])', :bs, :bs, :bd1, :x),
    'UA009', 'accounts belong to different enterprises', 'batch: element 2 in another enterprise');
SELECT alike(pg_temp.error_of(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[1, 1])', :bs, :bs, :bd1, :x)),
    'UA009: Element 2: %', 'batch: UA009 detail begins with Element 2');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, -1], ARRAY[1, 1])', :bs, :bs, :bd1),
    'P0002', 'account -1 does not exist', 'batch: element 2 with an unknown account');
SELECT alike(pg_temp.error_of(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, -1], ARRAY[1, 1])', :bs, :bs, :bd1)),
    'P0002: Element 2: %', 'batch: P0002 detail begins with Element 2');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[1, 0])', :bs, :bs, :bd1, :bd2),
    '22023', 'amount must be greater than zero', 'batch: element 2 with a zero amount');
SELECT alike(pg_temp.error_of(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[1, 0])', :bs, :bs, :bd1, :bd2)),
    '22023: Element 2: %', 'batch: zero amount detail begins with Element 2');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[1, NULL])', :bs, :bs, :bd1, :bd2),
    '22023', 'transfer_batch elements must not be null', 'batch: NULL amount element');
SELECT is(pg_temp.error_of(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[1, NULL])', :bs, :bs, :bd1, :bd2)),
    '22023: Element 2: amount is NULL.', 'batch: NULL element detail');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s, NULL], ARRAY[%s, %s], ARRAY[1, 1])', :bs, :bd1, :bd2),
    '22023', 'transfer_batch elements must not be null', 'batch: NULL from_account element');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s], ARRAY[1, 1])', :bs, :bs, :bd1),
    '22023', 'transfer_batch arrays must have the same length', 'batch: mismatched array lengths');
-- a matrix is not read as the list of its elements (2 x 1 arrays, each the right length)
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[[%s], [%s]], ARRAY[%s, %s], ARRAY[1, 1])', :bs, :bs, :bd1, :bd2),
    '22023', 'from_accounts must be a one-dimensional array', 'batch: two-dimensional from_accounts');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[[1], [1]])', :bs, :bs, :bd1, :bd2),
    '22023', 'amounts must be a one-dimensional array', 'batch: two-dimensional amounts');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[1, 1], ARRAY[[''k1''], [''k2'']])', :bs, :bs, :bd1, :bd2),
    '22023', 'request_ids must be a one-dimensional array', 'batch: two-dimensional request_ids');
SELECT is(pg_temp.error_of(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[[%s, %s]], ARRAY[1, 1])', :bs, :bs, :bd1, :bd2)),
    '22023: Argument 2 of transfer_batch has 2 dimensions.', 'batch: the detail names the argument and its dimensions');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s], ARRAY[%s], ARRAY[1, 1])', :bs, :bd1),
    '22023', 'transfer_batch arrays must have the same length', 'batch: more amounts than accounts');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.transfer_batch(ARRAY[%s], ARRAY[%s], ARRAY[1], ARRAY['r1', 'r2'])$$, :bs, :bd1),
    '22023', 'transfer_batch arrays must have the same length', 'batch: more request_ids than elements');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(array_fill(%s::bigint, ARRAY[100001]), array_fill(%s::bigint, ARRAY[100001]), array_fill(0.01, ARRAY[100001]))', :bs, :bd1),
    '54000', 'transfer_batch takes at most 100000 transfers', 'batch: 100,001 transfers are over the limit');
-- 100,000 is still allowed: such a batch gets as far as its elements (here
-- the first, with the same account on both sides)
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(array_fill(%s::bigint, ARRAY[100000]), array_fill(%s::bigint, ARRAY[100000]), array_fill(0.01, ARRAY[100000]))', :bs, :bs),
    '22023', 'from_account and to_account must differ', 'batch: 100,000 transfers are within the limit');
SELECT is(pg_temp.error_of(format('SELECT eacct.transfer_batch(array_fill(%s::bigint, ARRAY[100000]), array_fill(%s::bigint, ARRAY[100000]), array_fill(0.01, ARRAY[100000]))', :bs, :bs)),
    format('22023: Element 1: Both are account %s.', :bs), 'batch of 100,000: the detail names element 1');
-- a statement timeout (or cancel) in the middle of a batch is not an
-- element's failure: its detail names none (a keyed batch's key
-- reservation blamed the element it had reached)
CREATE FUNCTION pg_temp.cancel_detail(call text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    d text;
BEGIN
    EXECUTE call;
    RETURN 'no error';
EXCEPTION WHEN query_canceled THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
    RETURN '57014: ' || coalesce(d, '');
END $$;
CREATE TEMP TABLE big_batch AS
SELECT array_fill(:bs::bigint, ARRAY[50000]) AS f, array_fill(:bd1::bigint, ARRAY[50000]) AS t,
       array_fill(0.01, ARRAY[50000]) AS a, array_agg('tap-timeout-' || g ORDER BY g) AS k
  FROM generate_series(1, 50000) g;
SET LOCAL statement_timeout = '50ms';
SELECT is(pg_temp.cancel_detail('SELECT eacct.transfer_batch(f, t, a, k) FROM big_batch'), '57014: ',
          'batch: a statement timeout names no element');
SET LOCAL statement_timeout = 0;
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(NULL, ARRAY[%s], ARRAY[1])', :bd1),
    '22023', 'from_accounts must not be null', 'batch: NULL from_accounts');
SET ROLE tap_transfer_nobody;
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s], ARRAY[%s], ARRAY[1])', :bs, :bd1),
    '42501', 'permission denied for account ' || :bs, 'batch: a stranger');
RESET ROLE;
-- success: exactly the transferable amount over two elements
SELECT eacct.transfer_batch(ARRAY[:bs, :bs]::bigint[], ARRAY[:bd1, :bd2]::bigint[], ARRAY[20, 10]) AS batch \gset
SELECT is(cardinality(:'batch'::bigint[]), 2, 'batch returns one record id per element');
SELECT results_eq(format($$SELECT from_account, to_account, amount FROM eacct.transfer_records
                            WHERE record_id = ANY ('%s'::bigint[]) ORDER BY array_position('%s'::bigint[], record_id)$$, :'batch', :'batch'),
    format('VALUES (%s::bigint, %s::bigint, 20.00::numeric), (%s::bigint, %s::bigint, 10.00::numeric)', :bs, :bd1, :bs, :bd2),
    'the record ids are those of the elements, in order');
SELECT is(pg_temp.bal(:bs), 'own 0.00, book 0.00, limit 0.00, debt 0.00, available 0.00', 'batch: source emptied');
SELECT is(pg_temp.bal(:bd1), 'own 0.00, book 20.00, limit 0.00, debt 0.00, available 20.00', 'batch: first target');
SELECT is(pg_temp.bal(:bd2), 'own 0.00, book 10.00, limit 0.00, debt 0.00, available 10.00', 'batch: second target');
SELECT is(eacct.transfer_batch('{}', '{}', '{}'), '{}'::bigint[], 'an empty batch does nothing');
-- request_ids in a batch
SELECT eacct.top_up(:bs, 10) \gset
SELECT eacct.transfer_batch(ARRAY[:bs, :bs]::bigint[], ARRAY[:bd1, :bd2]::bigint[], ARRAY[4, 6], ARRAY['tap-b-1', 'tap-b-2']) AS batch2 \gset
SELECT pg_temp.eacct_state() AS state_before \gset
SELECT is(eacct.transfer_batch(ARRAY[:bs, :bs]::bigint[], ARRAY[:bd1, :bd2]::bigint[], ARRAY[4, 6], ARRAY['tap-b-1', 'tap-b-2']),
          :'batch2'::bigint[], 'batch repeated with its request_ids: same record ids');
SELECT is(pg_temp.eacct_state(), :'state_before', 'batch repeated: nothing changed');
SELECT is(eacct.transfer(:bs, :bd2, 6, 'tap-b-2'), (:'batch2'::bigint[])[2], 'a batch request_id answers a single transfer with the same arguments');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[4, 7], ARRAY['tap-b-1', 'tap-b-2'])$$, :bs, :bs, :bd1, :bd2),
    'UA012', 'request_id "tap-b-2" was already used with different arguments', 'batch: request_id reused with another amount');
SELECT alike(pg_temp.error_of(format($$SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[4, 7], ARRAY['tap-b-1', 'tap-b-2'])$$, :bs, :bs, :bd1, :bd2)),
    'UA012: Element 2: %', 'batch: UA012 detail begins with Element 2');
SELECT is(pg_temp.bal(:bs), 'own 0.00, book 0.00, limit 0.00, debt 0.00, available 0.00', 'batch with request_ids applied once');
SELECT is(pg_temp.bal(:bd2), 'own 0.00, book 16.00, limit 0.00, debt 0.00, available 16.00', 'second target got 6 once');
-- the first failing element decides, whatever fails in it: element 1 over
-- bsrc's transferable amount (0.00) beats every kind of failure of element 2
SELECT is(pg_temp.error_of(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[1, 1])', :bs, :bd1, :bd1, q.to_account)),
          'UA003: Element 1: Transferable amount is 0.00; the transfer is 1.00.', 'batch: element 1''s rule before element 2''s ' || q.what)
  FROM (VALUES (:bd1::bigint, 'same account'), (-1, 'unknown account'), (:x, 'other enterprise')) AS q(to_account, what);
SELECT is(pg_temp.error_of(format('SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[1, 0.001])', :bs, :bd1, :bd1, :bd2)),
          'UA003: Element 1: Transferable amount is 0.00; the transfer is 1.00.', 'batch: element 1''s rule before element 2''s amount');
SELECT is(pg_temp.error_of(format($$SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[1, 7], ARRAY[NULL, 'tap-b-2'])$$, :bs, :bs, :bd1, :bd2)),
          'UA003: Element 1: Transferable amount is 0.00; the transfer is 1.00.', 'batch: element 1''s rule before element 2''s reused key');
-- (bdst1 gets own cash for an element 1 that passes)
SELECT eacct.top_up(:bd1, 5) \gset
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s, %s, %s], ARRAY[%s, %s, %s], ARRAY[1, 0, 1])', :bd1, :bd1, :bs, :bd2, :bd2, :bd1),
    '22023', 'amount must be greater than zero', 'batch: element 2''s amount before element 3''s rule');
SELECT is(pg_temp.error_of(format('SELECT eacct.transfer_batch(ARRAY[%s, %s, %s], ARRAY[%s, -1, %s], ARRAY[1, 1, 1])', :bd1, :bd1, :bs, :bd2, :bd1)),
          'P0002: Element 2: No account has id -1.', 'batch: element 2''s unknown account before element 3''s rule');

-- a repeat answers with its first result even after the account center
-- was switched off (rule 11); a new transfer is then UA008
SELECT eacct.enable_account_center(:ent, false);
SELECT pg_temp.eacct_state() AS state_before \gset
SELECT is(eacct.transfer(:bs, :bd2, 6, 'tap-b-2'), (:'batch2'::bigint[])[2], 'center off: a transfer repeat still answers');
SELECT is(eacct.transfer_batch(ARRAY[:bs, :bs]::bigint[], ARRAY[:bd1, :bd2]::bigint[], ARRAY[4, 6], ARRAY['tap-b-1', 'tap-b-2']),
          :'batch2'::bigint[], 'center off: a batch repeat still answers');
SELECT is(eacct.withdraw(:i2, :i1, 5, 'tap-wd-1'), :wd1::bigint, 'center off: a withdrawal repeat still answers');
SELECT is(pg_temp.eacct_state(), :'state_before', 'center off: the repeats changed nothing');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :bd1, :bd2), 'UA008',
    'account center is not enabled for enterprise ' || :ent, 'center off: a new transfer');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[4, 1], ARRAY['tap-b-1', NULL])$$, :bs, :bd1, :bd1, :bd2),
    'UA008', 'account center is not enabled for enterprise ' || :ent, 'center off: a batch with a new element');
SELECT alike(pg_temp.error_of(format($$SELECT eacct.transfer_batch(ARRAY[%s, %s], ARRAY[%s, %s], ARRAY[4, 1], ARRAY['tap-b-1', NULL])$$, :bs, :bd1, :bd1, :bd2)),
    'UA008: Element 2: %', 'center off: the new element is named');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.transfer(%s, %s, 1, 'tap-new-key')$$, :bd1, :bd2), 'UA008',
    'account center is not enabled for enterprise ' || :ent, 'center off: a new key is not reserved');
SELECT eacct.enable_account_center(:ent);

-- the largest amounts: available credit is computed so that only a result
-- that does not fit is refused (22003), not a partial sum
SELECT eacct.create_enterprise('tap-big-line', 'big-ma') AS bige \gset
SELECT eacct.create_account(:bige, 'big-a') AS biga \gset
SELECT eacct.create_account(:bige, 'big-b') AS bigb \gset
SELECT eacct.enable_account_center(:bige);
SELECT eacct.apply_credit_line(:bige, 92233720368547758.07) \gset
SELECT eacct.confirm_credit_contract(:bige);
SELECT eacct.set_credit_limit(:biga, 92233720368547758.07) \gset
SELECT eacct.charge(:biga, 1) \gset
SELECT eacct.top_up(:bigb, 1) \gset
SELECT lives_ok(format('SELECT eacct.transfer(%s, %s, 1)', :bigb, :biga), 'a transfer that brings available credit to the largest amount');
SELECT is((SELECT available_credit FROM eacct.account_assets WHERE account_id = :biga), 92233720368547758.07,
          'available credit is the largest amount');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.top_up(%s, 0.01)', :biga), '22003', 'amount out of range',
    'one cent more does not fit');
SELECT is(pg_temp.error_of('SELECT eacct.amount_cents(-92233720368547758.09)'),
          '22003: Amount -92233720368547758.09 is below the smallest amount, -92233720368547758.08.',
          'a too negative amount is named as such');
SELECT is(pg_temp.error_of('SELECT eacct.amount_cents(92233720368547758.08)'),
          '22003: Amount 92233720368547758.08 does not fit in the largest amount, 92233720368547758.07.',
          'a too large amount is named as such');

-- a read-only transaction (and a hot standby) refuses a call that locks
-- accounts before it locks any (25006, as SELECT ... FOR NO KEY UPDATE is
-- refused there; on a standby it was XX000 "cannot assign TransactionIds
-- during recovery"); calls that only read still answer
SAVEPOINT read_only;
SET LOCAL transaction_read_only = on;
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1)', :a, :b), '25006',
    'cannot execute SELECT FOR NO KEY UPDATE in a read-only transaction', 'a transfer in a read-only transaction');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s], ARRAY[%s], ARRAY[1])', :a, :b), '25006',
    'cannot execute SELECT FOR NO KEY UPDATE in a read-only transaction', 'a batch in a read-only transaction');
SELECT ok(eacct.transferable(:a) >= 0, 'transferable() answers in a read-only transaction');
ROLLBACK TO SAVEPOINT read_only;

-- an account's journal found by its account_id alone reads that account's
-- entries (through its account row to the enterprise, then the journal's
-- key), not every entry of every enterprise: 2,000 entries of another
-- enterprise are not read (all of them were, before)
SELECT eacct.create_enterprise('tap-journal-other', 'jo-ma') AS joe \gset
SELECT ma_account_id AS joma FROM eacct.enterprise WHERE enterprise_id = :joe \gset
SELECT count(eacct.top_up(:joma, 1)) AS other_entries FROM generate_series(1, 2000) \gset
ANALYZE eacct.journal_entry;
ANALYZE eacct.account;
SELECT count(*) AS a_entries FROM eacct.journal_entry WHERE account_id = :a \gset
SELECT cmp_ok(pg_temp.rows_read('eacct.journal_entry', format('SELECT count(*) FROM eacct.journal WHERE account_id = %s', :a)),
              '<=', 2 * :a_entries + 10::bigint,
              format('the journal by account_id alone reads about its %s entries, not 2,000 of another enterprise', :a_entries));
SELECT results_eq(format('SELECT entry_id, kind, amount FROM eacct.journal WHERE account_id = %s ORDER BY entry_id', :a),
                  format('SELECT entry_id, kind, amount * 0.01 FROM eacct.journal_entry WHERE account_id = %s ORDER BY entry_id', :a),
                  'the journal by account_id alone shows every entry of the account');
SELECT is((SELECT count(*) FROM eacct.journal), (SELECT count(*) FROM eacct.journal_entry),
          'the journal view shows every entry');

-- ---------------------------------------------------------------------------
-- more refusals (rules 3, 5, 11, 12, section 1 and the README's decisions),
-- each with its SQLSTATE, its errdetail where it carries a figure or an
-- element, and nothing changed
-- ---------------------------------------------------------------------------
SELECT eacct.create_account(:ent, 'r1') AS r1 \gset
SELECT eacct.create_account(:ent, 'r2') AS r2 \gset
SELECT eacct.create_account(:ent, 'r3') AS r3 \gset
SELECT eacct.top_up(:r1, 10) \gset
-- amounts of transfers and withdrawals (SPEC section 1)
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.transfer(%s, %s, 'NaN')$$, :r1, :r2), '22023',
    'amount must be a number', 'transfer: NaN');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.transfer(%s, %s, 'Infinity')$$, :r1, :r2), '22003',
    'amount is out of range', 'transfer: Infinity');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 1e30)', :r1, :r2), '22003',
    'amount is out of range', 'transfer: 1e30');
-- request_id: 1 to 200 characters, not blank, no control characters (README)
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.transfer(%s, %s, 1, '   ')$$, :r1, :r2), '22023',
    'request_id must not be empty', 'blank request_id');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.transfer(%s, %s, 1, repeat('k', 201))$$, :r1, :r2), '22023',
    'request_id is too long', '201-character request_id');
SELECT is(pg_temp.error_of(format($$SELECT eacct.transfer(%s, %s, 1, repeat('k', 201))$$, :r1, :r2)),
          '22023: It has 201 characters; the limit is 200.', 'errdetail: the request_id''s length and the limit');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.transfer(%s, %s, 1, E'tap\tkey')$$, :r1, :r2), '22023',
    'request_id contains a control character', 'request_id with a tab');
SELECT ok(eacct.transfer(:r1, :r2, 1, repeat('k', 200)) > 0, 'a 200-character request_id is fine');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.withdraw(%s, %s, 'NaN')$$, :r2, :r1), '22023',
    'amount must be a number', 'withdraw: NaN');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdraw(%s, %s, 92233720368547758.08)', :r2, :r1), '22003',
    'amount is out of range', 'withdraw: one cent over the largest amount');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.withdraw(%s, %s, 1, '   ')$$, :r2, :r1), '22023',
    'request_id must not be empty', 'withdraw: blank request_id');

-- a refused call reserves nothing: its key serves a retry, with the same
-- arguments or with others (README, Idempotency)
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.transfer(%s, %s, 9.01, 'tap-retry-1')$$, :r1, :r2), 'UA003',
    'transfer amount exceeds the transferable amount of account ' || :r1, 'a refused transfer with a key');
SELECT eacct.top_up(:r1, 0.01) \gset
SELECT eacct.transfer(:r1, :r2, 9.01, 'tap-retry-1') AS retry1 \gset
SELECT is(pg_temp.bal(:r1), 'own 0.00, book 0.00, limit 0.00, debt 0.00, available 0.00', 'the retry with the same key moved the money');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.transfer(%s, %s, 5, 'tap-retry-2')$$, :r1, :r2), 'UA003',
    'transfer amount exceeds the transferable amount of account ' || :r1, 'another refused transfer with a key');
SELECT eacct.top_up(:r1, 2) \gset
SELECT ok(eacct.transfer(:r1, :r3, 2, 'tap-retry-2') > 0, 'the key of a refused call serves a call with other arguments');
-- a repeat answers only after the administrator check
SET ROLE tap_transfer_nobody;
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.transfer(%s, %s, 9.01, 'tap-retry-1')$$, :r1, :r2), '42501',
    'permission denied for account ' || :r1, 'a stranger repeating a used key gets 42501, not the first answer');
RESET ROLE;
SET ROLE tap_transfer_globex;
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.transfer(%s, %s, 9.01, 'tap-retry-1')$$, :r1, :r2), '42501',
    'permission denied for account ' || :r1, 'the admin of another enterprise repeating a used key gets 42501');
RESET ROLE;
-- withdraw: the same key and amount on another pair of accounts is UA012
SELECT eacct.withdraw(:r2, :r1, 1, 'tap-wd-2') AS wd2 \gset
SELECT is(eacct.withdrawable(:r3, :r1), 2.00, 'r3 holds 2 that r1 may pull back');
SELECT * FROM pg_temp.rejects(format($$SELECT eacct.withdraw(%s, %s, 1, 'tap-wd-2')$$, :r3, :r1), 'UA012',
    'request_id "tap-wd-2" was already used with different arguments', 'withdraw: same key and amount, other holder');
SELECT is(pg_temp.error_of(format($$SELECT eacct.withdraw(%s, %s, 1, 'tap-wd-2')$$, :r3, :r1)),
          format('UA012: It was used for withdraw(%s,%s,1.00); this call is withdraw(%s,%s,1.00).', :r2, :r1, :r3, :r1),
          'withdraw: the detail names both pairs');

-- transfer_batch: every kind of failure of element 2 names it (element 1,
-- r1 -> r2 1.00, would pass)
SELECT eacct.top_up(:r1, 10) \gset
SELECT is(pg_temp.bal(:r1), 'own 11.00, book 0.00, limit 0.00, debt 0.00, available 11.00', 'r1 before the batches');
-- batch2(source, to1, to2, amount2, keys): the call of a batch source -> to1 1.00, source -> to2 amount2
CREATE FUNCTION pg_temp.batch2(src bigint, to1 bigint, to2 bigint, amount2 text, keys text DEFAULT 'NULL') RETURNS text LANGUAGE sql AS $$
    SELECT format('SELECT eacct.transfer_batch(ARRAY[%s, %s]::bigint[], ARRAY[%s, %s]::bigint[], ARRAY[1, %s]::numeric[], %s::text[])',
                  src, src, to1, to2, amount2, keys)
$$;
SELECT * FROM pg_temp.rejects(pg_temp.batch2(:r1, :r2, :r3, '1.005'), '22023', 'amount has more than 2 fractional digits', 'batch: element 2 of 1.005');
SELECT is(pg_temp.error_of(pg_temp.batch2(:r1, :r2, :r3, '1.005')), '22023: Element 2: Amount 1.005 is not a whole number of cents.', 'batch: 1.005 names element 2');
SELECT * FROM pg_temp.rejects(pg_temp.batch2(:r1, :r2, :r3, $$'NaN'$$), '22023', 'amount must be a number', 'batch: element 2 NaN');
SELECT is(pg_temp.error_of(pg_temp.batch2(:r1, :r2, :r3, $$'NaN'$$)), '22023: Element 2: NaN is not an amount.', 'batch: NaN names element 2');
SELECT * FROM pg_temp.rejects(pg_temp.batch2(:r1, :r2, :r3, '-1'), '22023', 'amount must be greater than zero', 'batch: element 2 negative');
SELECT is(pg_temp.error_of(pg_temp.batch2(:r1, :r2, :r3, '-1')), '22023: Element 2: Amount -1.00 is not positive.', 'batch: a negative amount names element 2');
SELECT * FROM pg_temp.rejects(pg_temp.batch2(:r1, :r2, :r3, '1e30'), '22003', 'amount is out of range', 'batch: element 2 of 1e30');
SELECT is(pg_temp.error_of(pg_temp.batch2(:r1, :r2, :r3, '1e30')),
          '22003: Element 2: Amount 1000000000000000000000000000000 does not fit in the largest amount, 92233720368547758.07.',
          'batch: 1e30 names element 2');
SELECT * FROM pg_temp.rejects(pg_temp.batch2(:r1, :r2, :r3, $$'Infinity'$$), '22003', 'amount is out of range', 'batch: element 2 Infinity');
SELECT is(pg_temp.error_of(pg_temp.batch2(:r1, :r2, :r3, $$'Infinity'$$)), '22003: Element 2: Infinity is not an amount.', 'batch: Infinity names element 2');
SELECT * FROM pg_temp.rejects(pg_temp.batch2(:r1, :r2, :r3, '1', $$ARRAY['tap-z-1', '  ']$$), '22023', 'request_id must not be empty', 'batch: element 2 with a blank key');
SELECT is(pg_temp.error_of(pg_temp.batch2(:r1, :r2, :r3, '1', $$ARRAY['tap-z-1', '  ']$$)),
          '22023: Element 2: The request_id "  " has no visible character.', 'batch: a blank key names element 2');
SELECT * FROM pg_temp.rejects(pg_temp.batch2(:r1, :r2, :r3, '1', $$ARRAY['tap-z-1', repeat('k', 201)]$$), '22023', 'request_id is too long', 'batch: element 2 with a 201-character key');
SELECT is(pg_temp.error_of(pg_temp.batch2(:r1, :r2, :r3, '1', $$ARRAY['tap-z-1', repeat('k', 201)]$$)),
          '22023: Element 2: It has 201 characters; the limit is 200.', 'batch: a long key names element 2');
SELECT * FROM pg_temp.rejects(pg_temp.batch2(:r1, :r2, :r3, '1', $$ARRAY['tap-z-1', E'a\x01b']$$), '22023', 'request_id contains a control character', 'batch: element 2 with a control character in its key');
SELECT is(pg_temp.error_of(pg_temp.batch2(:r1, :r2, :r3, '1', $$ARRAY['tap-z-1', E'a\x01b']$$)),
          '22023: Element 2: Character 2 is 0x01.', 'batch: a control character names element 2');
-- one key twice in a batch: with other arguments UA012 naming element 2; with the same arguments applied once
SELECT * FROM pg_temp.rejects(pg_temp.batch2(:r1, :r2, :r3, '1', $$ARRAY['tap-z-2', 'tap-z-2']$$), 'UA012',
    'request_id "tap-z-2" was already used with different arguments', 'batch: one key for two different elements');
SELECT is(pg_temp.error_of(pg_temp.batch2(:r1, :r2, :r3, '1', $$ARRAY['tap-z-2', 'tap-z-2']$$)),
          format('UA012: Element 2: It was used for transfer(%s,%s,1.00); this call is transfer(%s,%s,1.00).', :r1, :r2, :r1, :r3),
          'batch: the reused key names element 2 and both transfers');
SELECT eacct.transfer_batch(ARRAY[:r1, :r1]::bigint[], ARRAY[:r2, :r2]::bigint[], ARRAY[1, 1], ARRAY['tap-z-3', 'tap-z-3']) AS twice \gset
SELECT is((:'twice'::bigint[])[1], (:'twice'::bigint[])[2], 'batch: one key for two equal elements answers one record');
SELECT is(pg_temp.bal(:r1), 'own 10.00, book 0.00, limit 0.00, debt 0.00, available 10.00', 'batch: two equal keyed elements applied once');
-- an element in an enterprise the caller does not administer: 42501 naming element 2
SET ROLE tap_transfer_alice;
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s, %s]::bigint[], ARRAY[%s, %s]::bigint[], ARRAY[1, 1])', :r1, :x, :r2, :y),
    '42501', 'permission denied for account ' || :x, 'batch: element 2 in an enterprise the admin does not administer');
SELECT is(pg_temp.error_of(format('SELECT eacct.transfer_batch(ARRAY[%s, %s]::bigint[], ARRAY[%s, %s]::bigint[], ARRAY[1, 1])', :r1, :x, :r2, :y)),
          '42501: Element 2: Role "tap_transfer_alice" is not an administrator of the account''s enterprise.',
          'batch: 42501 names element 2');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s, %s]::bigint[], ARRAY[%s, %s]::bigint[], ARRAY[1, 1])', :r1, :r1, :r2, :x),
    '42501', 'permission denied for account ' || :x, 'batch: element 2 into an enterprise the admin does not administer');
SELECT is(pg_temp.error_of(format('SELECT eacct.transfer_batch(ARRAY[%s, %s]::bigint[], ARRAY[%s, %s]::bigint[], ARRAY[1, 1])', :r1, :r1, :r2, :x)),
          '42501: Element 2: Role "tap_transfer_alice" is not an administrator of the account''s enterprise.',
          'batch: 42501 into another enterprise names element 2');
RESET ROLE;

-- overflow anywhere is an error (SPEC section 1), also of a pair's lifetime
-- sums when the money went back and forth (README, Amounts)
SELECT eacct.create_enterprise('tap-overflow', 'of-ma') AS ofe \gset
SELECT eacct.create_account(:ofe, 'of-s') AS ofs \gset
SELECT eacct.create_account(:ofe, 'of-h') AS ofh \gset
SELECT eacct.create_account(:ofe, 'of-t') AS oft \gset
SELECT eacct.enable_account_center(:ofe);
SELECT eacct.top_up(:ofs, 92233720368547758.07) \gset
SELECT eacct.transfer(:ofs, :ofh, 92233720368547758.07) \gset
SELECT eacct.top_up(:oft, 0.01) \gset
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 0.01)', :oft, :ofh), '22003',
    'amount out of range', 'a transfer into a full transfer book');
SELECT is(pg_temp.error_of(format('SELECT eacct.transfer(%s, %s, 0.01)', :oft, :ofh)),
          '22003: 92233720368547758.07 + 0.01 does not fit in an amount.', 'errdetail: the sum that does not fit');
SELECT eacct.withdraw(:ofh, :ofs, 92233720368547758.07) \gset
SELECT is(eacct.withdrawable(:ofh, :ofs), 0.00, 'everything pulled back: net transferred is 0');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer(%s, %s, 0.01)', :ofs, :ofh), '22003',
    'amount out of range', 'the pair''s lifetime transfers would pass the largest amount');
SELECT is(pg_temp.error_of(format('SELECT eacct.transfer(%s, %s, 0.01)', :ofs, :ofh)),
          '22003: 92233720368547758.07 + 0.01 does not fit in an amount.', 'errdetail of the pair''s sum');
SELECT * FROM pg_temp.rejects(format('SELECT eacct.transfer_batch(ARRAY[%s]::bigint[], ARRAY[%s]::bigint[], ARRAY[0.01])', :ofs, :ofh), '22003',
    'amount out of range', 'batch: the pair''s lifetime transfers would pass the largest amount');
SELECT is(pg_temp.error_of(format('SELECT eacct.transfer_batch(ARRAY[%s]::bigint[], ARRAY[%s]::bigint[], ARRAY[0.01])', :ofs, :ofh)),
          '22003: 92233720368547758.07 + 0.01 does not fit in an amount.', 'batch: a pair''s sum names no element (pairs are written at the end)');
SELECT eacct.transfer(:ofs, :oft, 0.01) \gset
SELECT eacct.top_up(:ofs, 0.01) \gset
SELECT * FROM pg_temp.rejects(format('SELECT eacct.withdraw(%s, %s, 0.01)', :oft, :ofs), '22003',
    'amount out of range', 'a withdrawal into a full own cash');
SELECT is(pg_temp.bal(:ofs), 'own 92233720368547758.07, book 0.00, limit 0.00, debt 0.00, available 92233720368547758.07', 'of-s is full');
SELECT is((SELECT count(*) FROM eacct.verify(:ofe)), 0::bigint, 'verify(tap-overflow) finds nothing');

-- the ledger agrees with the balances
SELECT is((SELECT count(*) FROM eacct.verify(:ent)), 0::bigint, 'verify(enterprise) finds nothing');
SELECT is((SELECT count(*) FROM eacct.verify()), 0::bigint, 'verify() finds nothing');

SELECT * FROM finish();
ROLLBACK;
