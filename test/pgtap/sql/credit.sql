-- pgTAP: credit line and credit limit allocation (SPEC rules 1, 2, 10, 12;
-- sections 5-8): apply_credit_line, confirm_credit_contract,
-- set_credit_limit, credit_quota, credit_limit_history, notifications,
-- authorization.
\i test/pgtap/helpers.psql
BEGIN;
SELECT * FROM no_plan();

-- roles: an admin role with a member, an admin of another enterprise, a stranger
CREATE ROLE eacct_tap_admins NOLOGIN;
CREATE ROLE eacct_tap_alice IN ROLE eacct_tap_admins;
CREATE ROLE eacct_tap_other_admin;
CREATE ROLE eacct_tap_mallory;
-- the role running this suite (the operator), as text in the default collation
CREATE FUNCTION pg_temp.suite_user() RETURNS text LANGUAGE sql AS $$SELECT session_user::text COLLATE "default"$$;

-- Credit Co: MA with two contacts, three member accounts, a1 has its own contact
SELECT eacct.create_enterprise('Credit Co', 'cc-ma') AS ent \gset
SELECT ma_account_id AS ma FROM eacct.enterprise WHERE enterprise_id = :ent \gset
SELECT eacct.create_account(:ent, 'cc-a1') AS a1 \gset
SELECT eacct.create_account(:ent, 'cc-a2') AS a2 \gset
SELECT eacct.create_account(:ent, 'cc-a3') AS a3 \gset
SELECT eacct.add_contact(:ma, 'email', 'billing@credit.example');
SELECT eacct.add_contact(:ma, 'sms', '+1 555-0199');
SELECT eacct.add_contact(:a1, 'email', 'dev@credit.example');
SELECT eacct.add_admin(:ent, 'eacct_tap_admins');
-- Other Co: another enterprise with its own admin
SELECT eacct.create_enterprise('Other Co', 'oc-ma') AS other \gset
SELECT eacct.add_admin(:other, 'eacct_tap_other_admin');
-- Bare Co: no credit line ever applied; Credit Co's admins administer it too
SELECT eacct.create_enterprise('Bare Co', 'bc-ma') AS bare \gset
SELECT eacct.create_account(:bare, 'bc-a1') AS bare_a1 \gset
SELECT eacct.add_admin(:bare, 'eacct_tap_admins');

-- ===========================================================================
-- apply_credit_line: bad input (SPEC section 1; thresholds and limits >= 0)
-- ===========================================================================
SELECT * FROM pg_temp.rejects('SELECT eacct.apply_credit_line(' || :ent || ', NULL)', '22023', 'credit line must not be null', 'NULL credit line');
SELECT * FROM pg_temp.rejects('SELECT eacct.apply_credit_line(' || :ent || ', -0.01)', '22023', 'credit line must not be negative', 'credit line -0.01');
SELECT * FROM pg_temp.rejects('SELECT eacct.apply_credit_line(' || :ent || ', 1.005)', '22023', 'credit line has more than 2 fractional digits', 'credit line 1.005');
SELECT * FROM pg_temp.rejects('SELECT eacct.apply_credit_line(' || :ent || $$, 'NaN')$$, '22023', 'credit line must be a number', 'credit line NaN');
SELECT * FROM pg_temp.rejects('SELECT eacct.apply_credit_line(' || :ent || ', 1e30)', '22003', 'credit line is out of range', 'credit line 1e30');
SELECT * FROM pg_temp.rejects('SELECT eacct.apply_credit_line(-1, 1000)', 'P0002', 'enterprise -1 does not exist', 'credit line of an unknown enterprise');
SELECT * FROM pg_temp.rejects('SELECT eacct.apply_credit_line(NULL, 1000)', '22023', 'enterprise_id must not be null', 'credit line of a NULL enterprise');
SELECT is((SELECT credit_status FROM eacct.enterprise_credit WHERE enterprise_id = :ent), 'none', 'still no credit line');

-- the first credit line waits for confirmation (rule 1); the returned status
-- must reach a PL/pgSQL caller intact (pgTAP's is() is one)
SELECT is(eacct.apply_credit_line(:ent, 1000), 'pending_confirmation', 'first credit line: pending_confirmation');
SELECT results_eq('SELECT credit_status, credit_line, allocated, overdue FROM eacct.enterprise_credit WHERE enterprise_id = ' || :ent,
                  $$VALUES ('pending_confirmation'::text, 1000.00::numeric, 0.00::numeric, 0.00::numeric)$$,
                  'enterprise_credit shows the pending line');
SELECT results_eq('SELECT account_id, kind, old_limit, new_limit, changed_by FROM eacct.credit_limit_history WHERE enterprise_id = ' || :ent || ' ORDER BY change_id',
                  $$VALUES (NULL::bigint, 'apply'::text, 0.00::numeric, 1000.00::numeric, pg_temp.suite_user())$$,
                  'one history row: apply 0 -> 1000 by the caller');
SELECT results_eq('SELECT event, channel, address, account_id, (payload->>''credit_line'')::numeric FROM eacct.notifications WHERE enterprise_id = ' || :ent || ' ORDER BY notification_id',
                  $$VALUES ('contract_pending'::text, 'email'::text, 'billing@credit.example'::text, NULL::bigint, 1000.00::numeric),
                           ('contract_pending', 'sms', '+1 555-0199', NULL, 1000.00)$$,
                  'contract_pending: one notification per MA contact');
SELECT is((SELECT count(*) FROM eacct.notifications WHERE address = 'dev@credit.example'), 0::bigint,
          'no notification for the contact of a non-MA account');
SELECT is((SELECT count(*) FROM eacct.notifications
            WHERE enterprise_id = :ent AND payload->>'event' = 'contract_pending'
              AND (payload->>'enterprise_id')::bigint = :ent AND payload->>'address' = address),
          2::bigint, 'payload names the event, the enterprise and the address');

-- applying again while pending: still pending, the new amount replaces the old
SELECT is(eacct.apply_credit_line(:ent, 1200), 'pending_confirmation', 're-apply while pending stays pending');
SELECT results_eq('SELECT credit_status, credit_line FROM eacct.enterprise_credit WHERE enterprise_id = ' || :ent,
                  $$VALUES ('pending_confirmation'::text, 1200.00::numeric)$$, 'pending line is now 1200');
SELECT results_eq('SELECT kind, old_limit, new_limit FROM eacct.credit_limit_history WHERE enterprise_id = ' || :ent || ' ORDER BY change_id',
                  $$VALUES ('apply'::text, 0.00::numeric, 1000.00::numeric), ('apply', 1000.00, 1200.00)$$,
                  'second apply recorded 1000 -> 1200');
SELECT is((SELECT count(*) FROM eacct.notifications WHERE enterprise_id = :ent AND event = 'contract_pending'
              AND (payload->>'credit_line')::numeric = 1200), 2::bigint,
          'the changed pending line is announced to both MA contacts again');
SELECT is((SELECT count(*) FROM eacct.notifications WHERE enterprise_id = :ent AND event = 'credit_limit_changed'), 0::bigint,
          'no credit_limit_changed before confirmation');
-- bad amounts while pending change nothing either
SELECT * FROM pg_temp.rejects('SELECT eacct.apply_credit_line(' || :ent || ', -0.01)', '22023', 'credit line must not be negative', 'pending: credit line -0.01');
SELECT * FROM pg_temp.rejects('SELECT eacct.apply_credit_line(' || :ent || ', 1e30)', '22003', 'credit line is out of range', 'pending: credit line 1e30');
-- zero is a valid credit line (limits must be >= 0)
SELECT is(eacct.apply_credit_line(:other, 0), 'pending_confirmation', 'a credit line of 0 is accepted');

-- ===========================================================================
-- set_credit_limit before the line is active: UA008 before UA007 (rule 2)
-- ===========================================================================
SET ROLE eacct_tap_alice;
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :a1 || ', 10)', 'UA008',
                              'account center is not enabled for enterprise ' || :ent, 'center off and line pending: UA008');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :bare_a1 || ', 10)', 'UA008',
                              'account center is not enabled for enterprise ' || :bare, 'center off and no line: UA008');
RESET ROLE;
SELECT eacct.enable_account_center(:ent);
SELECT eacct.enable_account_center(:bare);
SET ROLE eacct_tap_alice;
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :a1 || ', 10)', 'UA007',
                              'enterprise ' || :ent || ' has no active credit line', 'line pending: UA007');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :bare_a1 || ', 10)', 'UA007',
                              'enterprise ' || :bare || ' has no active credit line', 'no line: UA007');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :a1 || ', 0)', 'UA007',
                              'enterprise ' || :ent || ' has no active credit line', 'line pending, equal limit: UA007');
RESET ROLE;

-- ===========================================================================
-- confirm_credit_contract: administrators only (42501), UA007 without a line
-- ===========================================================================
SET ROLE eacct_tap_mallory;
SELECT * FROM pg_temp.rejects('SELECT eacct.confirm_credit_contract(' || :ent || ')', '42501',
                              'permission denied for enterprise ' || :ent, 'a stranger cannot confirm');
RESET ROLE;
SET ROLE eacct_tap_other_admin;
SELECT * FROM pg_temp.rejects('SELECT eacct.confirm_credit_contract(' || :ent || ')', '42501',
                              'permission denied for enterprise ' || :ent, 'the admin of another enterprise cannot confirm');
RESET ROLE;
SELECT is((SELECT credit_status FROM eacct.enterprise_credit WHERE enterprise_id = :ent), 'pending_confirmation', 'still pending');
SET ROLE eacct_tap_alice;
SELECT * FROM pg_temp.rejects('SELECT eacct.confirm_credit_contract(' || :bare || ')', 'UA007',
                              'enterprise ' || :bare || ' has no credit line to confirm', 'confirming without a credit line: UA007');
SELECT * FROM pg_temp.rejects('SELECT eacct.confirm_credit_contract(-1)', 'P0002', 'enterprise -1 does not exist', 'confirming an unknown enterprise');
SELECT * FROM pg_temp.rejects('SELECT eacct.confirm_credit_contract(NULL)', '22023', 'enterprise_id must not be null', 'confirming a NULL enterprise');
SELECT lives_ok('SELECT eacct.confirm_credit_contract(' || :ent || ')', 'a member of an admin role confirms');
RESET ROLE;
SELECT results_eq('SELECT credit_status, credit_line, allocated, allocatable FROM eacct.enterprise_credit WHERE enterprise_id = ' || :ent,
                  $$VALUES ('active'::text, 1200.00::numeric, 0.00::numeric, 1200.00::numeric)$$,
                  'the line is active: 1200 allocatable');
SELECT results_eq('SELECT account_id, kind, old_limit, new_limit, changed_by FROM eacct.credit_limit_history WHERE enterprise_id = ' || :ent || ' ORDER BY change_id DESC LIMIT 1',
                  $$VALUES (NULL::bigint, 'confirm'::text, 1200.00::numeric, 1200.00::numeric, 'eacct_tap_alice'::text)$$,
                  'history: confirm by eacct_tap_alice');
-- confirming again is a no-op
SELECT pg_temp.eacct_state() AS before_reconfirm \gset
SET ROLE eacct_tap_alice;
SELECT lives_ok('SELECT eacct.confirm_credit_contract(' || :ent || ')', 'confirming an active line again');
RESET ROLE;
SELECT is(pg_temp.eacct_state(), :'before_reconfirm', 'confirming again changes nothing (no new history row)');
SELECT is((SELECT count(*) FROM eacct.credit_limit_history WHERE enterprise_id = :ent AND kind = 'confirm'), 1::bigint, 'exactly one confirm row');

-- ===========================================================================
-- set_credit_limit on an active line (rule 2)
-- ===========================================================================
-- authorization and bad input
SET ROLE eacct_tap_mallory;
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :a1 || ', 10)', '42501',
                              'permission denied for account ' || :a1, 'a stranger cannot set a credit limit');
RESET ROLE;
SET ROLE eacct_tap_other_admin;
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :a1 || ', 10)', '42501',
                              'permission denied for account ' || :a1, 'the admin of another enterprise cannot set a credit limit');
RESET ROLE;
SET ROLE eacct_tap_alice;
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :a1 || ', NULL)', '22023', 'credit limit must not be null', 'NULL credit limit');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :a1 || ', -0.01)', '22023', 'credit limit must not be negative', 'credit limit -0.01');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :a1 || ', 1.005)', '22023', 'credit limit has more than 2 fractional digits', 'credit limit 1.005');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :a1 || $$, 'NaN')$$, '22023', 'credit limit must be a number', 'credit limit NaN');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :a1 || ', 1e30)', '22003', 'credit limit is out of range', 'credit limit 1e30');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(-1, 10)', 'P0002', 'account -1 does not exist', 'credit limit of an unknown account');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(NULL, 10)', '22023', 'account_id must not be null', 'credit limit of a NULL account');

-- increase: new - current <= allocatable, else UA001
SELECT ok(eacct.set_credit_limit(:a1, 500) > 0, 'a1: 0 -> 500 (allocatable 1200)');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :a2 || ', 700.01)', 'UA001',
                              'credit limit increase exceeds the allocatable credit', 'a2: 700.01 is one cent over the allocatable 700');
SELECT is(pg_temp.error_of('SELECT eacct.set_credit_limit(' || :a2 || ', 700.01)'),
          'UA001: Allocatable credit is 700.00; the increase is 700.01.', 'errdetail carries the allocatable credit');
SELECT ok(eacct.set_credit_limit(:a2, 700) > 0, 'a2: 0 -> 700, exactly the allocatable credit');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :a3 || ', 0.01)', 'UA001',
                              'credit limit increase exceeds the allocatable credit', 'a3: one cent with nothing allocatable');
SELECT is(pg_temp.error_of('SELECT eacct.set_credit_limit(' || :a3 || ', 0.01)'),
          'UA001: Allocatable credit is 0.00; the increase is 0.01.', 'errdetail: nothing allocatable');
RESET ROLE;
SELECT results_eq('SELECT credit_line, allocated, overdue, allocatable FROM eacct.enterprise_credit WHERE enterprise_id = ' || :ent,
                  $$VALUES (1200.00::numeric, 1200.00::numeric, 0.00::numeric, 0.00::numeric)$$,
                  'all of the line is allocated');
SELECT results_eq('SELECT account_name, credit_limit, available_credit, cash_balance, outstanding FROM eacct.account_assets WHERE enterprise_id = ' || :ent || ' ORDER BY account_id',
                  $$VALUES ('cc-ma'::text, 0.00::numeric, 0.00::numeric, 0.00::numeric, 0.00::numeric),
                           ('cc-a1', 500.00, 500.00, 0.00, 0.00),
                           ('cc-a2', 700.00, 700.00, 0.00, 0.00),
                           ('cc-a3', 0.00, 0.00, 0.00, 0.00)$$,
                  'limits and available credit after allocation');
SELECT results_eq('SELECT account_id, kind, old_limit, new_limit, changed_by FROM eacct.credit_limit_history WHERE enterprise_id = ' || :ent || ' AND kind = ''allocate'' ORDER BY change_id',
                  'VALUES (' || :a1 || $$::bigint, 'allocate'::text, 0.00::numeric, 500.00::numeric, 'eacct_tap_alice'::text),
                           ($$ || :a2 || $$, 'allocate', 0.00, 700.00, 'eacct_tap_alice')$$,
                  'history: one allocate row per successful change, by the admin');
SELECT results_eq('SELECT account_id, kind, amount, credit_limit FROM eacct.journal WHERE enterprise_id = ' || :ent || ' ORDER BY entry_id',
                  'VALUES (' || :a1 || $$::bigint, 'credit_limit'::text, 500.00::numeric, 500.00::numeric),
                           ($$ || :a2 || $$, 'credit_limit', 700.00, 700.00)$$,
                  'journal: one credit_limit entry per change');

-- decrease with nothing on the account: available would be 0 -> UA002
SET ROLE eacct_tap_alice;
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :a2 || ', 0)', 'UA002',
                              'credit limit decrease would leave no available credit', 'a2: 700 -> 0 leaves available credit 0');
SELECT is(pg_temp.error_of('SELECT eacct.set_credit_limit(' || :a2 || ', 0)'),
          'UA002: Available credit would be 0.00; it must stay above 0.', 'errdetail carries the available credit it would leave');
SELECT ok(eacct.set_credit_limit(:a2, 0.01) > 0, 'a2: 700 -> 0.01 leaves 0.01');
RESET ROLE;
-- an equal limit is recorded (allocate row) but moves nothing; superusers pass the admin check
SELECT count(*) AS notes_before FROM eacct.notification WHERE enterprise_id = :ent \gset
SELECT count(*) AS entries_before FROM eacct.journal_entry WHERE enterprise_id = :ent \gset
SELECT ok(eacct.set_credit_limit(:a2, 0.01) > 0, 'a2: 0.01 -> 0.01 by a superuser');
SELECT results_eq('SELECT account_id, kind, old_limit, new_limit, changed_by FROM eacct.credit_limit_history WHERE enterprise_id = ' || :ent || ' ORDER BY change_id DESC LIMIT 1',
                  'VALUES (' || :a2 || $$::bigint, 'allocate'::text, 0.01::numeric, 0.01::numeric, pg_temp.suite_user())$$,
                  'equal limit: an allocate row 0.01 -> 0.01');
SELECT is((SELECT count(*) FROM eacct.notification WHERE enterprise_id = :ent), :notes_before::bigint, 'equal limit: no notification');
SELECT is((SELECT count(*) FROM eacct.journal_entry WHERE enterprise_id = :ent), :entries_before::bigint, 'equal limit: no journal entry');

-- decrease with money on the account: own_cash + transfer_book + new - outstanding > 0
SET ROLE eacct_tap_alice;
SELECT ok(eacct.set_credit_limit(:a3, 100) > 0, 'a3: 0 -> 100');
RESET ROLE;
SELECT ok(eacct.charge(:a1, 200) > 0, 'a1 spends 200 on credit');
SELECT ok(eacct.top_up(:a3, 50) > 0, 'a3 tops up 50');
SET ROLE eacct_tap_alice;
SELECT ok(eacct.transfer(:a3, :a1, 30) > 0, 'a3 transfers 30 to a1');
RESET ROLE;
SELECT ok(eacct.charge(:a3, 60) > 0, 'a3 spends 60: 20 cash, 40 on credit');
SET ROLE eacct_tap_alice;
SELECT ok(eacct.withdraw(:a1, :a3, 10) > 0, 'a3 pulls 10 back from a1');
RESET ROLE;
SELECT results_eq('SELECT account_name, own_cash, transfer_book_balance, credit_limit, outstanding, available_credit FROM eacct.account_assets WHERE account_id IN (' || :a1 || ', ' || :a3 || ') ORDER BY account_id',
                  $$VALUES ('cc-a1'::text, 0.00::numeric, 20.00::numeric, 500.00::numeric, 200.00::numeric, 320.00::numeric),
                           ('cc-a3', 10.00, 0.00, 100.00, 40.00, 70.00)$$,
                  'a1 has transfer book and debt, a3 has own cash and debt');
SET ROLE eacct_tap_alice;
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :a1 || ', 180)', 'UA002',
                              'credit limit decrease would leave no available credit', 'a1: 0 + 20 + 180 - 200 = 0');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :a1 || ', 100)', 'UA002',
                              'credit limit decrease would leave no available credit', 'a1: 0 + 20 + 100 - 200 = -80');
SELECT is(pg_temp.error_of('SELECT eacct.set_credit_limit(' || :a1 || ', 100)'),
          'UA002: Available credit would be -80.00; it must stay above 0.', 'errdetail: the negative available credit');
SELECT ok(eacct.set_credit_limit(:a1, 180.01) > 0, 'a1: 0 + 20 + 180.01 - 200 = 0.01');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :a3 || ', 30)', 'UA002',
                              'credit limit decrease would leave no available credit', 'a3: 10 + 0 + 30 - 40 = 0');
SELECT ok(eacct.set_credit_limit(:a3, 30.01) > 0, 'a3: 10 + 0 + 30.01 - 40 = 0.01');
RESET ROLE;
SELECT results_eq('SELECT account_name, credit_limit, available_credit FROM eacct.account_assets WHERE enterprise_id = ' || :ent || ' AND NOT is_ma ORDER BY account_id',
                  $$VALUES ('cc-a1'::text, 180.01::numeric, 0.01::numeric), ('cc-a2', 0.01, 0.01), ('cc-a3', 30.01, 0.01)$$,
                  'limits after the decreases');
SELECT results_eq('SELECT allocated, overdue, allocatable FROM eacct.enterprise_credit WHERE enterprise_id = ' || :ent,
                  $$VALUES (210.03::numeric, 0.00::numeric, 989.97::numeric)$$,
                  'allocatable = 1200 - 210.03');

-- overdue debt reduces the allocatable credit
SELECT is(eacct.mark_overdue(now() + interval '31 days'), 2, 'both bills are overdue 31 days on');
SELECT results_eq('SELECT allocated, overdue, allocatable FROM eacct.enterprise_credit WHERE enterprise_id = ' || :ent,
                  $$VALUES (210.03::numeric, 240.00::numeric, 749.97::numeric)$$,
                  'allocatable drops by the 240 overdue');
SET ROLE eacct_tap_alice;
SELECT results_eq('SELECT allocation_account, max_quota_allocable, current_credit_limit, available_quota FROM eacct.credit_quota(' || :a2 || ')',
                  $$VALUES ('cc-a2'::text, 749.97::numeric, 0.01::numeric, 0.01::numeric)$$,
                  'credit_quota shows the reduced allocatable credit');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :a2 || ', 749.99)', 'UA001',
                              'credit limit increase exceeds the allocatable credit', 'a2: increase 749.98, one cent over the allocatable 749.97');
SELECT is(pg_temp.error_of('SELECT eacct.set_credit_limit(' || :a2 || ', 749.99)'),
          'UA001: Allocatable credit is 749.97; the increase is 749.98.', 'errdetail: the allocatable credit net of overdue debt');
SELECT ok(eacct.set_credit_limit(:a2, 749.98) > 0, 'a2: increase 749.97, exactly the allocatable credit');
RESET ROLE;
SELECT results_eq('SELECT credit_line, allocated, overdue, allocatable FROM eacct.enterprise_credit WHERE enterprise_id = ' || :ent,
                  $$VALUES (1200.00::numeric, 960.00::numeric, 240.00::numeric, 0.00::numeric)$$,
                  'allocated 960 + overdue 240 = the whole line');

-- ===========================================================================
-- later changes of an active line take effect at once (rule 1)
-- ===========================================================================
SELECT * FROM pg_temp.rejects('SELECT eacct.apply_credit_line(' || :ent || ', 959.99)', 'UA001',
                              'credit line would be below the allocated credit', 'active: one cent below the allocated 960');
SELECT is(pg_temp.error_of('SELECT eacct.apply_credit_line(' || :ent || ', 959.99)'),
          format('UA001: Enterprise %s has allocated 960.00; the new credit line is 959.99.', :ent), 'errdetail carries the allocated credit');
SELECT count(*) AS notes_before FROM eacct.notification WHERE enterprise_id = :ent \gset
SELECT is(eacct.apply_credit_line(:ent, 960), 'active', 'active: exactly the allocated credit takes effect at once');
SELECT results_eq('SELECT credit_status, credit_line, allocated, overdue, allocatable FROM eacct.enterprise_credit WHERE enterprise_id = ' || :ent,
                  $$VALUES ('active'::text, 960.00::numeric, 960.00::numeric, 240.00::numeric, 0.00::numeric)$$,
                  'line 960, allocatable max(0, 960 - 960 - 240) = 0');
SELECT results_eq('SELECT account_id, kind, old_limit, new_limit, changed_by FROM eacct.credit_limit_history WHERE enterprise_id = ' || :ent || ' ORDER BY change_id DESC LIMIT 1',
                  $$VALUES (NULL::bigint, 'apply'::text, 1200.00::numeric, 960.00::numeric, pg_temp.suite_user())$$,
                  'history: apply 1200 -> 960');
SELECT results_eq('SELECT event, channel, address, account_id, payload->>''limit'', (payload->>''old_limit'')::numeric, (payload->>''new_limit'')::numeric FROM eacct.notifications WHERE enterprise_id = ' || :ent || ' ORDER BY notification_id OFFSET ' || :notes_before,
                  $$VALUES ('credit_limit_changed'::text, 'email'::text, 'billing@credit.example'::text, NULL::bigint, 'credit_line'::text, 1200.00::numeric, 960.00::numeric),
                           ('credit_limit_changed', 'sms', '+1 555-0199', NULL, 'credit_line', 1200.00, 960.00)$$,
                  'credit_limit_changed to each MA contact with old and new line');
SELECT is(eacct.apply_credit_line(:ent, 1500), 'active', 'active: raising the line takes effect at once');
SELECT is((SELECT allocatable FROM eacct.enterprise_credit WHERE enterprise_id = :ent), 300.00, 'allocatable 1500 - 960 - 240 = 300');
-- a rolled-back change queues nothing
SELECT pg_temp.eacct_state() AS before_rollback \gset
SAVEPOINT credit_change;
SELECT is(eacct.apply_credit_line(:ent, 2000), 'active', 'inside a savepoint: 2000');
SELECT is((SELECT count(*) FROM eacct.notification WHERE enterprise_id = :ent AND (payload->>'new_limit')::numeric = 2000), 2::bigint,
          'inside the savepoint two notifications are queued');
ROLLBACK TO SAVEPOINT credit_change;
SELECT is((SELECT count(*) FROM eacct.notification WHERE enterprise_id = :ent AND (payload->>'new_limit')::numeric = 2000), 0::bigint,
          'rolled back: no notification left');
SELECT is(pg_temp.eacct_state(), :'before_rollback', 'rolled back: no history row, line unchanged');
SELECT is((SELECT credit_line FROM eacct.enterprise_credit WHERE enterprise_id = :ent), 1500.00, 'the line is still 1500');

-- changes of an account's credit limit notify the MA contacts, not the account's
SELECT count(*) AS notes_before FROM eacct.notification WHERE enterprise_id = :ent \gset
SET ROLE eacct_tap_alice;
SELECT ok(eacct.set_credit_limit(:a1, 480.01) > 0, 'a1: 180.01 -> 480.01, exactly the allocatable 300');
RESET ROLE;
SELECT results_eq('SELECT event, channel, address, account_id, payload->>''limit'', (payload->>''old_limit'')::numeric, (payload->>''new_limit'')::numeric FROM eacct.notifications WHERE enterprise_id = ' || :ent || ' ORDER BY notification_id OFFSET ' || :notes_before,
                  $$VALUES ('credit_limit_changed'::text, 'email'::text, 'billing@credit.example'::text, $$ || :a1 || $$::bigint, 'credit_limit'::text, 180.01::numeric, 480.01::numeric),
                           ('credit_limit_changed', 'sms', '+1 555-0199', $$ || :a1 || $$, 'credit_limit', 180.01, 480.01)$$,
                  'credit_limit_changed for a1 to each MA contact with old and new limit');
SELECT is((SELECT count(*) FROM eacct.notifications WHERE address = 'dev@credit.example'), 0::bigint,
          'a1''s own contact still gets nothing');

-- ===========================================================================
-- credit_quota: the console's allocation panel
-- ===========================================================================
SET ROLE eacct_tap_alice;
SELECT results_eq('SELECT allocation_account, max_quota_allocable, current_credit_limit, available_quota FROM eacct.credit_quota(' || :a1 || ')',
                  $$VALUES ('cc-a1'::text, 0.00::numeric, 480.01::numeric, 300.01::numeric)$$,
                  'credit_quota(a1)');
SELECT results_eq('SELECT q.allocation_account, q.max_quota_allocable, q.current_credit_limit, q.available_quota FROM eacct.account_assets a, eacct.credit_quota(a.account_id) q WHERE a.enterprise_id = ' || :ent || ' ORDER BY a.account_id',
                  'SELECT a.account_name, c.allocatable, a.credit_limit, a.available_credit FROM eacct.account_assets a JOIN eacct.enterprise_credit c USING (enterprise_id) WHERE a.enterprise_id = ' || :ent || ' ORDER BY a.account_id',
                  'credit_quota = (name, allocatable, credit_limit, available_credit) for every account');
SELECT * FROM pg_temp.rejects('SELECT * FROM eacct.credit_quota(-1)', 'P0002', 'account -1 does not exist', 'credit_quota of an unknown account');
SELECT * FROM pg_temp.rejects('SELECT * FROM eacct.credit_quota(NULL)', '22023', 'account_id must not be null', 'credit_quota of a NULL account');
RESET ROLE;
-- allocatable is max(0, ...): a line cut to the allocated credit while 240 is
-- overdue leaves line - allocated - overdue = -240, shown and checked as 0
SAVEPOINT below_zero;
SELECT is(eacct.apply_credit_line(:ent, 1260), 'active', 'inside a savepoint: the line cut to the allocated 1260');
SET ROLE eacct_tap_alice;
SELECT results_eq('SELECT max_quota_allocable FROM eacct.credit_quota(' || :a1 || ')',
                  $$VALUES (0.00::numeric)$$,
                  'credit_quota: 1260 - 1260 - 240 is allocatable 0, never negative');
SELECT is(pg_temp.error_of('SELECT eacct.set_credit_limit(' || :a1 || ', 480.02)'),
          'UA001: Allocatable credit is 0.00; the increase is 0.01.', 'errdetail: allocatable 0 when overdue exceeds what is left of the line');
RESET ROLE;
ROLLBACK TO SAVEPOINT below_zero;
SET ROLE eacct_tap_mallory;
SELECT * FROM pg_temp.rejects('SELECT * FROM eacct.credit_quota(' || :a1 || ')', '42501',
                              'permission denied for account ' || :a1, 'a stranger cannot read credit_quota');
RESET ROLE;
SET ROLE eacct_tap_other_admin;
SELECT * FROM pg_temp.rejects('SELECT * FROM eacct.credit_quota(' || :a1 || ')', '42501',
                              'permission denied for account ' || :a1, 'the admin of another enterprise cannot read credit_quota');
RESET ROLE;

-- ===========================================================================
-- credit_limit_history: every change, in order, with who made it
-- ===========================================================================
SELECT results_eq('SELECT coalesce(a.name, ''(enterprise)''), h.kind, h.old_limit, h.new_limit, h.changed_by FROM eacct.credit_limit_history h LEFT JOIN eacct.account a ON a.account_id = h.account_id WHERE h.enterprise_id = ' || :ent || ' ORDER BY h.change_id',
                  $$VALUES ('(enterprise)'::text, 'apply'::text, 0.00::numeric, 1000.00::numeric, pg_temp.suite_user()),
                           ('(enterprise)', 'apply', 1000.00, 1200.00, pg_temp.suite_user()),
                           ('(enterprise)', 'confirm', 1200.00, 1200.00, 'eacct_tap_alice'),
                           ('cc-a1', 'allocate', 0.00, 500.00, 'eacct_tap_alice'),
                           ('cc-a2', 'allocate', 0.00, 700.00, 'eacct_tap_alice'),
                           ('cc-a2', 'allocate', 700.00, 0.01, 'eacct_tap_alice'),
                           ('cc-a2', 'allocate', 0.01, 0.01, pg_temp.suite_user()),
                           ('cc-a3', 'allocate', 0.00, 100.00, 'eacct_tap_alice'),
                           ('cc-a1', 'allocate', 500.00, 180.01, 'eacct_tap_alice'),
                           ('cc-a3', 'allocate', 100.00, 30.01, 'eacct_tap_alice'),
                           ('cc-a2', 'allocate', 0.01, 749.98, 'eacct_tap_alice'),
                           ('(enterprise)', 'apply', 1200.00, 960.00, pg_temp.suite_user()),
                           ('(enterprise)', 'apply', 960.00, 1500.00, pg_temp.suite_user()),
                           ('cc-a1', 'allocate', 180.01, 480.01, 'eacct_tap_alice')$$,
                  'the complete credit history of Credit Co');
SELECT ok((SELECT bool_and(changed_at IS NOT NULL) FROM eacct.credit_limit_history WHERE enterprise_id = :ent), 'every change has a time');
SET ROLE eacct_tap_alice;
SELECT is((SELECT count(*) FROM eacct.credit_limit_history WHERE enterprise_id = :ent), 14::bigint, 'the admin sees the history of its enterprise');
SELECT is((SELECT count(*) FROM eacct.credit_limit_history WHERE enterprise_id = :other), 0::bigint, 'but not that of another enterprise');
RESET ROLE;
SET ROLE eacct_tap_mallory;
SELECT is((SELECT count(*) FROM eacct.credit_limit_history), 0::bigint, 'a stranger sees no history');
SELECT is((SELECT count(*) FROM eacct.notifications), 0::bigint, 'a stranger sees no notifications');
SELECT is((SELECT count(*) FROM eacct.enterprise_credit), 0::bigint, 'a stranger sees no credit lines');
RESET ROLE;

-- ===========================================================================
-- history is append-only (UA011); credit columns are guarded (UA010)
-- ===========================================================================
SELECT * FROM pg_temp.rejects($$UPDATE eacct.credit_change SET new_limit = 0$$, 'UA011', 'eacct.credit_change is append-only history', 'UPDATE of credit history');
SELECT * FROM pg_temp.rejects($$UPDATE eacct.credit_change SET changed_by = 'nobody'$$, 'UA011', 'eacct.credit_change is append-only history', 'UPDATE of changed_by');
SELECT * FROM pg_temp.rejects($$DELETE FROM eacct.credit_change$$, 'UA011', 'eacct.credit_change is append-only history', 'DELETE of credit history');
SELECT * FROM pg_temp.rejects($$TRUNCATE eacct.credit_change$$, 'UA011', 'eacct.credit_change is append-only history', 'TRUNCATE of credit history');
SELECT * FROM pg_temp.rejects('UPDATE eacct.enterprise SET credit_line = credit_line + 100000 WHERE enterprise_id = ' || :ent, 'UA010',
                              'column credit_line of eacct.enterprise can only be changed by eacct''s operations', 'UPDATE of credit_line');
SELECT * FROM pg_temp.rejects('UPDATE eacct.enterprise SET allocated = 0 WHERE enterprise_id = ' || :ent, 'UA010',
                              'column allocated of eacct.enterprise can only be changed by eacct''s operations', 'UPDATE of allocated');
SELECT * FROM pg_temp.rejects('UPDATE eacct.enterprise SET credit_status = ''active'' WHERE enterprise_id = ' || :other, 'UA010',
                              'column credit_status of eacct.enterprise can only be changed by eacct''s operations', 'UPDATE of credit_status');
SELECT * FROM pg_temp.rejects('UPDATE eacct.account SET credit_limit = 0 WHERE account_id = ' || :a1, 'UA010',
                              'column credit_limit of eacct.account can only be changed by eacct''s operations', 'UPDATE of credit_limit');
SET LOCAL session_replication_role = replica;
SELECT * FROM pg_temp.rejects($$DELETE FROM eacct.credit_change$$, 'UA011', 'eacct.credit_change is append-only history', 'DELETE of credit history as replica');
SELECT * FROM pg_temp.rejects('UPDATE eacct.enterprise SET credit_line = 0 WHERE enterprise_id = ' || :ent, 'UA010',
                              'column credit_line of eacct.enterprise can only be changed by eacct''s operations', 'UPDATE of credit_line as replica');
SET LOCAL session_replication_role = origin;

-- ===========================================================================
-- privileges: operator functions are not for PUBLIC; admin functions are, and check
-- ===========================================================================
SELECT ok(NOT has_function_privilege('public', 'eacct.apply_credit_line(bigint,numeric)', 'EXECUTE'),
          'PUBLIC cannot execute apply_credit_line');
SELECT ok(has_function_privilege('public', p.oid, 'EXECUTE'), 'PUBLIC can execute ' || p.oid::regprocedure || ' (it checks admins itself)')
  FROM pg_proc p
 WHERE p.oid IN ('eacct.confirm_credit_contract(bigint)'::regprocedure, 'eacct.set_credit_limit(bigint,numeric)'::regprocedure,
                 'eacct.credit_quota(bigint)'::regprocedure)
 ORDER BY p.oid::regprocedure::text;
SELECT ok(NOT pg_has_role('eacct_tap_mallory', 'eacct_tap_admins', 'MEMBER'), 'mallory is not a member of the admin role');
SET ROLE eacct_tap_mallory;
SELECT * FROM pg_temp.rejects('SELECT eacct.apply_credit_line(' || :ent || ', 2000)', '42501',
                              'permission denied for function apply_credit_line', 'a stranger cannot apply for a credit line');
RESET ROLE;
SET ROLE eacct_tap_alice;
SELECT * FROM pg_temp.rejects('SELECT eacct.apply_credit_line(' || :ent || ', 2000)', '42501',
                              'permission denied for function apply_credit_line', 'an admin cannot apply for a credit line either');
RESET ROLE;

-- re-applying the active line unchanged is no change (SPEC section 6: only a
-- change of the line notifies)
SELECT count(*) AS notes_before_same FROM eacct.notification WHERE enterprise_id = :ent \gset
SELECT credit_line AS line_now FROM eacct.enterprise_credit WHERE enterprise_id = :ent \gset
SELECT is(eacct.apply_credit_line(:ent, :line_now), 'active', 're-applying the active line unchanged');
SELECT is((SELECT count(*) FROM eacct.notification WHERE enterprise_id = :ent), :notes_before_same::bigint,
          'an unchanged credit line queues no credit_limit_changed');

-- an unchanged limit is not a decrease (rule 2): it passes at available credit 0
SELECT eacct.create_enterprise('Credit Zero', 'zero-ma') AS zent \gset
SELECT eacct.create_account(:zent, 'zero-a') AS za \gset
SELECT eacct.enable_account_center(:zent);
SELECT eacct.apply_credit_line(:zent, 100);
SELECT eacct.confirm_credit_contract(:zent);
SELECT eacct.set_credit_limit(:za, 100) > 0 AS zero_limit_set;
SELECT eacct.charge(:za, 100) > 0 AS zero_charged;
SELECT is((SELECT available_credit FROM eacct.account_assets WHERE account_id = :za), 0.00, 'zero-a: available credit 0');
SELECT lives_ok('SELECT eacct.set_credit_limit(' || :za || ', 100)', 'an unchanged limit at available credit 0 is not a decrease');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_credit_limit(' || :za || ', 99.99)', 'UA002',
                              'credit limit decrease would leave no available credit', 'a cent less is UA002');

-- the ledger still matches the journal and the history
SELECT is((SELECT count(*) FROM eacct.verify()), 0::bigint, 'verify() finds nothing');
SELECT is((SELECT count(*) FROM eacct.verify(:ent)), 0::bigint, 'verify(Credit Co) finds nothing');

SELECT * FROM finish();
ROLLBACK;
