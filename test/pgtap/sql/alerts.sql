-- pgTAP: low balance alerts and the notification outbox (SPEC rule 9,
-- sections 5-8): set_low_balance_alert (single and batch), edge-triggered
-- evaluation after charges, top-ups, transfers, withdrawals and credit
-- limit changes, recipients (own contacts or the MA's), payloads,
-- claim_notifications / mark_sent and the lease, authorization.
\i test/pgtap/helpers.psql
BEGIN;
SELECT * FROM no_plan();

-- roles: an admin role with a member, a stranger
CREATE ROLE eacct_tap_admins NOLOGIN;
CREATE ROLE eacct_tap_alice IN ROLE eacct_tap_admins;
CREATE ROLE eacct_tap_mallory;

-- alert columns and available credit of an account as one line
CREATE FUNCTION pg_temp.alert(account bigint) RETURNS text LANGUAGE sql AS $$
    SELECT format('enabled %s, threshold %s, status %s, available %s',
                  alert_enabled::text, alert_threshold, alert_status, available_credit)
      FROM eacct.account_assets WHERE account_id = account
$$;
-- low_balance notifications queued for an account
CREATE FUNCTION pg_temp.lows(account bigint) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM eacct.notification WHERE event = 'low_balance' AND account_id = account
$$;
-- the expected payload of a low_balance notification, without its id
CREATE FUNCTION pg_temp.low_payload(ent bigint, account bigint, channel text, address text,
                                    available numeric, threshold numeric)
RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('event', 'low_balance', 'enterprise_id', ent, 'account_id', account,
                              'channel', channel, 'address', address,
                              'available_credit', available, 'threshold', threshold)
$$;

-- Alert Co: MA with two contacts; a1 and a4 have contacts of their own,
-- a2 and a3 have none (their alerts go to the MA's contacts)
SELECT eacct.create_enterprise('Alert Co', 'al-ma') AS ent \gset
SELECT ma_account_id AS ma FROM eacct.enterprise WHERE enterprise_id = :ent \gset
SELECT eacct.create_account(:ent, 'al-a1') AS a1 \gset
SELECT eacct.create_account(:ent, 'al-a2') AS a2 \gset
SELECT eacct.create_account(:ent, 'al-a3') AS a3 \gset
SELECT eacct.create_account(:ent, 'al-a4') AS a4 \gset
SELECT eacct.add_contact(:ma, 'email', 'billing@alert.example') \gset
SELECT eacct.add_contact(:ma, 'sms', '+1 555-0199') \gset
SELECT eacct.add_contact(:a1, 'email', 'dev@alert.example') \gset
SELECT eacct.add_contact(:a1, 'sms', '+1 555-0101') \gset
SELECT eacct.add_contact(:a4, 'email', 'ops@alert.example') \gset
SELECT eacct.add_admin(:ent, 'eacct_tap_admins') \gset
SELECT is(eacct.apply_credit_line(:ent, 1000), 'pending_confirmation', 'credit line of 1000 applied');
SELECT eacct.confirm_credit_contract(:ent) \gset
-- Quiet Co: account center off; Alert Co's admins administer it too
SELECT eacct.create_enterprise('Quiet Co', 'qu-ma') AS quiet \gset
SELECT eacct.create_account(:quiet, 'qu-q1') AS q1 \gset
SELECT eacct.add_admin(:quiet, 'eacct_tap_admins') \gset
-- Mute Co: account center on, nobody has a contact
SELECT eacct.create_enterprise('Mute Co', 'mu-ma') AS mute \gset
SELECT eacct.create_account(:mute, 'mu-m1') AS m1 \gset
SELECT eacct.enable_account_center(:mute) \gset

-- ===========================================================================
-- account center off: UA008 (SPEC rule 3: alerts need the account center)
-- ===========================================================================
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(' || :a1 || ', 10, true)', 'UA008',
                              'account center is not enabled for enterprise ' || :ent, 'alert before the account center is on');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(' || :q1 || ', 10, false)', 'UA008',
                              'account center is not enabled for enterprise ' || :quiet, 'disabling an alert needs the account center too');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(ARRAY[' || :q1 || ']::bigint[], 10, true)', 'UA008',
                              'account center is not enabled for enterprise ' || :quiet, 'batch: center off');
SELECT eacct.enable_account_center(:ent) \gset
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(ARRAY[' || :a1 || ', ' || :q1 || ']::bigint[], 10, true)', 'UA008',
                              'account center is not enabled for enterprise ' || :quiet, 'batch: one account of a center-off enterprise fails all');

-- ===========================================================================
-- bad arguments: thresholds must be >= 0 with at most 2 fractional digits
-- ===========================================================================
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(' || :a1 || ', -0.01, true)', '22023', 'threshold must not be negative', 'threshold -0.01');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(' || :a1 || ', 1.005, true)', '22023', 'threshold has more than 2 fractional digits', 'threshold 1.005');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(' || :a1 || ', NULL, true)', '22023', 'threshold must not be null', 'threshold NULL');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(' || :a1 || $$, 'NaN', true)$$, '22023', 'threshold must be a number', 'threshold NaN');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(' || :a1 || ', 1e30, true)', '22003', 'threshold is out of range', 'threshold 1e30');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(' || :a1 || ', 10, NULL)', '22023', 'enabled must not be null', 'enabled NULL');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(NULL::bigint, 10, true)', '22023', 'account_id must not be null', 'account NULL');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(-1, 10, true)', 'P0002', 'account -1 does not exist', 'unknown account');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(ARRAY[' || :a1 || ']::bigint[], -0.01, true)', '22023', 'threshold must not be negative', 'batch: threshold -0.01');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(ARRAY[' || :a1 || ']::bigint[], 1.005, true)', '22023', 'threshold has more than 2 fractional digits', 'batch: threshold 1.005');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(ARRAY[' || :a1 || ']::bigint[], NULL, true)', '22023', 'threshold must not be null', 'batch: threshold NULL');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(ARRAY[[' || :a1 || ']]::bigint[], 10, true)', '22023', 'account_ids must be a one-dimensional array', 'batch: two-dimensional account_ids');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(ARRAY[' || :a1 || ']::bigint[], 10, NULL)', '22023', 'enabled must not be null', 'batch: enabled NULL');
-- at most 100,000 accounts per call, as transfer_batch (8 million ran into
-- an allocation's size limit: XX000)
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(array_fill(' || :a1 || '::bigint, ARRAY[100001]), 10, true)', '54000',
    'set_low_balance_alert takes at most 100000 accounts', 'batch: 100,001 accounts are over the limit');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(NULL::bigint[], 10, true)', '22023', 'account_ids must not be null', 'batch: NULL array');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(ARRAY[' || :a1 || ', NULL, ' || :a2 || ']::bigint[], 10, true)', '22023',
                              'account_ids must not contain NULL', 'batch: NULL element');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(ARRAY[' || :a1 || ', -5, ' || :a2 || ']::bigint[], 10, true)', 'P0002',
                              'account -5 does not exist', 'batch: unknown id in the middle, nothing set');

-- ===========================================================================
-- authorization: administrator function (42501 for others)
-- ===========================================================================
SELECT ok(has_function_privilege('public', 'eacct.set_low_balance_alert(bigint,numeric,boolean)', 'EXECUTE'),
          'set_low_balance_alert is callable by PUBLIC (it checks admins itself)');
SET ROLE eacct_tap_mallory;
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(' || :a1 || ', 10, true)', '42501',
                              'permission denied for account ' || :a1, 'a stranger cannot set an alert');
SELECT * FROM pg_temp.rejects('SELECT eacct.set_low_balance_alert(ARRAY[' || :a1 || ', ' || :a2 || ']::bigint[], 10, true)', '42501',
                              'permission denied for account ' || :a1, 'a stranger cannot set alerts in a batch');
RESET ROLE;
SELECT is(pg_temp.alert(:a1), 'enabled false, threshold 0.00, status ok, available 0.00', 'a1: no alert yet');

-- ===========================================================================
-- crossing down and up, at the threshold and one cent below (a1, own contacts)
-- ===========================================================================
SELECT eacct.top_up(:a1, 100) \gset
SELECT count(*) AS journal_before FROM eacct.journal_entry \gset
SET ROLE eacct_tap_alice;
SELECT lives_ok('SELECT eacct.set_low_balance_alert(' || :a1 || ', 40, true)', 'an admin sets a1''s alert at 40');
RESET ROLE;
SELECT is(pg_temp.alert(:a1), 'enabled true, threshold 40.00, status ok, available 100.00', 'a1: alert on, 100 available, ok');
SELECT is((SELECT count(*) FROM eacct.journal_entry), :journal_before::bigint, 'setting an alert writes no journal entry');
SELECT is(pg_temp.lows(:a1), 0::bigint, 'no notification above the threshold');

SELECT eacct.charge(:a1, 60) \gset
SELECT is(pg_temp.alert(:a1), 'enabled true, threshold 40.00, status ok, available 40.00', 'exactly at the threshold: still ok');
SELECT is(pg_temp.lows(:a1), 0::bigint, 'exactly at the threshold: no notification');

SELECT eacct.charge(:a1, 0.01) \gset
SELECT is(pg_temp.alert(:a1), 'enabled true, threshold 40.00, status triggered, available 39.99', 'one cent below: triggered');
SELECT results_eq('SELECT event, account_id, channel, address, payload - ''notification_id'', (payload->>''notification_id'')::bigint = notification_id, sent_at IS NULL
                     FROM eacct.notifications WHERE event = ''low_balance'' AND account_id = ' || :a1 || ' ORDER BY notification_id',
                  format($$VALUES ('low_balance'::text, %1$s::bigint, 'email'::text, 'dev@alert.example'::text, pg_temp.low_payload(%2$s, %1$s, 'email', 'dev@alert.example', 39.99, 40.00), true, true),
                                  ('low_balance', %1$s, 'sms', '+1 555-0101', pg_temp.low_payload(%2$s, %1$s, 'sms', '+1 555-0101', 39.99, 40.00), true, true)$$, :a1, :ent),
                  'one low_balance per contact of a1, exact payload');
SELECT is((SELECT array_agg(k ORDER BY k) FROM eacct.notification n, jsonb_object_keys(n.payload) k
            WHERE n.notification_id = (SELECT min(notification_id) FROM eacct.notification WHERE event = 'low_balance')),
          ARRAY['account_id', 'address', 'available_credit', 'channel', 'enterprise_id', 'event', 'notification_id', 'threshold'],
          'payload keys: exactly the event, ids, channel, address and figures');
SELECT is((SELECT count(*) FROM eacct.notification WHERE event = 'low_balance' AND address IN ('billing@alert.example', '+1 555-0199')),
          0::bigint, 'an account with contacts does not alert the MA');

-- further charges while low: no extra notification
SELECT eacct.charge(:a1, 5) \gset
SELECT eacct.charge(:a1, 1) \gset
SELECT is(pg_temp.alert(:a1), 'enabled true, threshold 40.00, status triggered, available 33.99', 'two more charges: still triggered');
SELECT is(pg_temp.lows(:a1), 2::bigint, 'several charges while low: no extra notification');
-- a top-up that stays below: still triggered, nothing new
SELECT eacct.top_up(:a1, 6) \gset
SELECT is(pg_temp.alert(:a1), 'enabled true, threshold 40.00, status triggered, available 39.99', 'top-up to one cent below: still triggered');
-- recovery to exactly the threshold re-arms, silently
SELECT eacct.top_up(:a1, 0.01) \gset
SELECT is(pg_temp.alert(:a1), 'enabled true, threshold 40.00, status ok, available 40.00', 'top-up to the threshold: back to ok');
SELECT is(pg_temp.lows(:a1), 2::bigint, 'recovery queues nothing');
-- second crossing: second notification (one per contact again)
SELECT eacct.charge(:a1, 0.01) \gset
SELECT is(pg_temp.alert(:a1), 'enabled true, threshold 40.00, status triggered, available 39.99', 'second crossing: triggered again');
SELECT is(pg_temp.lows(:a1), 4::bigint, 'second crossing: a second notification per contact');
SELECT eacct.top_up(:a1, 60.01) \gset
SELECT is(pg_temp.alert(:a1), 'enabled true, threshold 40.00, status ok, available 100.00', 'a1 back to 100, ok');

-- ===========================================================================
-- disabled alerts never fire; enabling evaluates at once (a2, MA fallback)
-- ===========================================================================
SELECT eacct.top_up(:a2, 50) \gset
SELECT lives_ok('SELECT eacct.set_low_balance_alert(' || :a2 || ', 30, false)', 'a2: disabled alert at 30');
SELECT eacct.charge(:a2, 45) \gset
SELECT is(pg_temp.alert(:a2), 'enabled false, threshold 30.00, status ok, available 5.00', 'disabled alert below its threshold stays ok');
SELECT is(pg_temp.lows(:a2), 0::bigint, 'disabled alert never fires');
SELECT lives_ok('SELECT eacct.set_low_balance_alert(' || :a2 || ', 30, true)', 'a2: enable the alert while below');
SELECT is(pg_temp.alert(:a2), 'enabled true, threshold 30.00, status triggered, available 5.00', 'enabling below the threshold triggers at once');
SELECT results_eq('SELECT account_id, channel, address, payload - ''notification_id''
                     FROM eacct.notifications WHERE event = ''low_balance'' AND account_id = ' || :a2 || ' ORDER BY notification_id',
                  format($$VALUES (%1$s::bigint, 'email'::text, 'billing@alert.example'::text, pg_temp.low_payload(%2$s, %1$s, 'email', 'billing@alert.example', 5.00, 30.00)),
                                  (%1$s, 'sms', '+1 555-0199', pg_temp.low_payload(%2$s, %1$s, 'sms', '+1 555-0199', 5.00, 30.00))$$, :a2, :ent),
                  'a2 has no contacts: one notification per MA contact, naming a2');
SELECT lives_ok('SELECT eacct.set_low_balance_alert(' || :a2 || ', 30, false)', 'a2: disable the triggered alert');
SELECT is(pg_temp.alert(:a2), 'enabled false, threshold 30.00, status ok, available 5.00', 'disabling sets the status to ok');
SELECT is(pg_temp.lows(:a2), 2::bigint, 'disabling queues nothing');
SELECT eacct.charge(:a2, 1) \gset
SELECT is(pg_temp.lows(:a2), 2::bigint, 'a charge on a disabled alert queues nothing');
SELECT lives_ok('SELECT eacct.set_low_balance_alert(' || :a2 || ', 30, true)', 'a2: enable again');
SELECT is(pg_temp.alert(:a2), 'enabled true, threshold 30.00, status triggered, available 4.00', 're-enabled below: triggered');
SELECT is(pg_temp.lows(:a2), 4::bigint, 're-enabling below the threshold is a new crossing');

-- ===========================================================================
-- setting a threshold evaluates at once, at the edge (a3, MA fallback)
-- ===========================================================================
SELECT eacct.top_up(:a3, 20) \gset
SELECT lives_ok('SELECT eacct.set_low_balance_alert(' || :a3 || ', 20, true)', 'a3: threshold = available');
SELECT is(pg_temp.alert(:a3), 'enabled true, threshold 20.00, status ok, available 20.00', 'threshold equal to available: ok');
SELECT is(pg_temp.lows(:a3), 0::bigint, 'threshold equal to available: no notification');
SELECT lives_ok('SELECT eacct.set_low_balance_alert(' || :a3 || ', 20.01, true)', 'a3: threshold one cent above available');
SELECT is(pg_temp.alert(:a3), 'enabled true, threshold 20.01, status triggered, available 20.00', 'threshold one cent above: triggered at once');
SELECT is((SELECT array_agg(payload - 'notification_id' ORDER BY notification_id) FROM eacct.notification WHERE event = 'low_balance' AND account_id = :a3),
          ARRAY[pg_temp.low_payload(:ent, :a3, 'email', 'billing@alert.example', 20.00, 20.01),
                pg_temp.low_payload(:ent, :a3, 'sms', '+1 555-0199', 20.00, 20.01)],
          'notification queued by setting the alert, with the figures at that moment');
SELECT lives_ok('SELECT eacct.set_low_balance_alert(' || :a3 || ', 30, true)', 'a3: raise the threshold while triggered');
SELECT is(pg_temp.alert(:a3), 'enabled true, threshold 30.00, status triggered, available 20.00', 'still triggered');
SELECT is(pg_temp.lows(:a3), 2::bigint, 'raising the threshold of a triggered alert queues nothing');
SELECT lives_ok('SELECT eacct.set_low_balance_alert(' || :a3 || ', 0, true)', 'a3: threshold 0 (the smallest)');
SELECT is(pg_temp.alert(:a3), 'enabled true, threshold 0.00, status ok, available 20.00', 'threshold lowered to 0: back to ok, silently');
SELECT lives_ok('SELECT eacct.set_low_balance_alert(' || :a3 || ', 20.01, true)', 'a3: one cent above again');
SELECT is(pg_temp.lows(:a3), 4::bigint, 'lowered then raised again: a second crossing');

-- ===========================================================================
-- nobody to tell: status still changes, nothing queued (Mute Co)
-- ===========================================================================
SELECT lives_ok('SELECT eacct.set_low_balance_alert(' || :m1 || ', 1, true)', 'm1: alert above its 0 available');
SELECT is(pg_temp.alert(:m1), 'enabled true, threshold 1.00, status triggered, available 0.00', 'm1 triggered');
SELECT is((SELECT count(*) FROM eacct.notification WHERE enterprise_id = :mute), 0::bigint, 'no contacts anywhere: nothing queued');

-- ===========================================================================
-- a transfer moves the available credit of both accounts: sender a1
-- crosses down, receiver a3 recovers; a withdrawal the other way round
-- ===========================================================================
SELECT eacct.transfer(:a1, :a3, 60) \gset
SELECT is(pg_temp.alert(:a1), 'enabled true, threshold 40.00, status ok, available 40.00', 'sender left exactly at its threshold: ok');
SELECT is(pg_temp.alert(:a3), 'enabled true, threshold 20.01, status ok, available 80.00', 'receiver above its threshold: back to ok');
SELECT is(pg_temp.lows(:a1) + pg_temp.lows(:a3), 8::bigint, 'no notification yet');
SELECT eacct.transfer(:a1, :a3, 0.01) \gset
SELECT is(pg_temp.alert(:a1), 'enabled true, threshold 40.00, status triggered, available 39.99', 'sender one cent below: triggered');
SELECT is(pg_temp.alert(:a3), 'enabled true, threshold 20.01, status ok, available 80.01', 'receiver ok');
SELECT is((SELECT array_agg(p ORDER BY id) FROM (SELECT notification_id AS id, payload - 'notification_id' AS p FROM eacct.notification
                                                   WHERE account_id = :a1 ORDER BY notification_id DESC LIMIT 2) s),
          ARRAY[pg_temp.low_payload(:ent, :a1, 'email', 'dev@alert.example', 39.99, 40.00),
                pg_temp.low_payload(:ent, :a1, 'sms', '+1 555-0101', 39.99, 40.00)],
          'the transfer alerted the sender''s contacts');
SELECT is(pg_temp.lows(:a1), 6::bigint, 'a1: third crossing, two more notifications');
SELECT is(pg_temp.lows(:a3), 4::bigint, 'a3: receiving queues nothing');
-- withdraw(holder a3 -> source a1): a3's book shrinks, a1's cash grows
SELECT eacct.withdraw(:a3, :a1, 60) \gset
SELECT is(pg_temp.alert(:a3), 'enabled true, threshold 20.01, status ok, available 20.01', 'holder left exactly at its threshold: ok');
SELECT is(pg_temp.alert(:a1), 'enabled true, threshold 40.00, status ok, available 99.99', 'source recovered: ok');
SELECT eacct.withdraw(:a3, :a1, 0.01) \gset
SELECT is(pg_temp.alert(:a3), 'enabled true, threshold 20.01, status triggered, available 20.00', 'holder one cent below: triggered');
SELECT is(pg_temp.alert(:a1), 'enabled true, threshold 40.00, status ok, available 100.00', 'source ok');
SELECT is(pg_temp.lows(:a3), 6::bigint, 'the withdrawal alerted the holder (MA contacts)');
SELECT is(pg_temp.lows(:a1), 6::bigint, 'the source got nothing new');

-- ===========================================================================
-- set_credit_limit: a decrease can trigger (a4, own contact)
-- ===========================================================================
SELECT eacct.set_credit_limit(:a4, 100) \gset
SELECT lives_ok('SELECT eacct.set_low_balance_alert(' || :a4 || ', 50, true)', 'a4: alert at 50 with 100 credit');
SELECT eacct.set_credit_limit(:a4, 50) \gset
SELECT is(pg_temp.alert(:a4), 'enabled true, threshold 50.00, status ok, available 50.00', 'limit decreased to the threshold: ok');
SELECT is(pg_temp.lows(:a4), 0::bigint, 'no low_balance yet');
SELECT eacct.set_credit_limit(:a4, 49.99) \gset
SELECT is(pg_temp.alert(:a4), 'enabled true, threshold 50.00, status triggered, available 49.99', 'limit one cent below the threshold: triggered');
SELECT results_eq('SELECT event, channel, address FROM eacct.notifications WHERE account_id = ' || :a4 || ' ORDER BY notification_id',
                  $$VALUES ('credit_limit_changed'::text, 'email'::text, 'billing@alert.example'::text), ('credit_limit_changed', 'sms', '+1 555-0199'),
                           ('credit_limit_changed', 'email', 'billing@alert.example'), ('credit_limit_changed', 'sms', '+1 555-0199'),
                           ('low_balance', 'email', 'ops@alert.example'),
                           ('credit_limit_changed', 'email', 'billing@alert.example'), ('credit_limit_changed', 'sms', '+1 555-0199')$$,
                  'a4: credit_limit_changed to the MA for each change, low_balance to a4''s own contact');
SELECT is((SELECT payload - 'notification_id' FROM eacct.notification WHERE event = 'low_balance' AND account_id = :a4),
          pg_temp.low_payload(:ent, :a4, 'email', 'ops@alert.example', 49.99, 50.00), 'a4 low_balance payload');
SELECT eacct.set_credit_limit(:a4, 50) \gset
SELECT is(pg_temp.alert(:a4), 'enabled true, threshold 50.00, status ok, available 50.00', 'limit back to the threshold: ok');
SELECT is(pg_temp.lows(:a4), 1::bigint, 'an increase queues no low_balance');

-- ===========================================================================
-- batch: all or nothing, duplicates counted once, evaluated at once
-- ===========================================================================
SELECT is(eacct.set_low_balance_alert('{}'::bigint[], 10, true), 0, 'empty batch sets nothing');
SELECT is(pg_temp.alert(:a1), 'enabled true, threshold 40.00, status ok, available 100.00', 'a1 before the batch');
SELECT is(pg_temp.alert(:a3), 'enabled true, threshold 20.01, status triggered, available 20.00', 'a3 before the batch');
SELECT is(eacct.set_low_balance_alert(ARRAY[:a3, :a1, :a3, :a1]::bigint[], 100.01, true), 2,
          'batch of four ids naming two accounts returns 2');
SELECT is(pg_temp.alert(:a1), 'enabled true, threshold 100.01, status triggered, available 100.00', 'a1: new threshold one cent above: triggered');
SELECT is(pg_temp.alert(:a3), 'enabled true, threshold 100.01, status triggered, available 20.00', 'a3: was triggered, stays triggered');
SELECT is(pg_temp.lows(:a1), 8::bigint, 'a1: duplicated in the batch, notified once per contact');
SELECT is(pg_temp.lows(:a3), 6::bigint, 'a3: already triggered, nothing new');
SELECT is(eacct.set_low_balance_alert(ARRAY[:a2, :a3, :m1]::bigint[], 0, false), 3, 'batch across two enterprises disables three alerts');
SELECT results_eq('SELECT account_id, alert_enabled, alert_threshold, alert_status, available_credit FROM eacct.account_assets
                    WHERE enterprise_id IN (' || :ent || ', ' || :mute || ') ORDER BY account_id',
                  format($$VALUES (%s::bigint, false, 0.00::numeric, 'ok'::text, 0.00::numeric),
                                  (%s, true, 100.01, 'triggered', 100.00),
                                  (%s, false, 0.00, 'ok', 4.00),
                                  (%s, false, 0.00, 'ok', 20.00),
                                  (%s, true, 50.00, 'ok', 50.00),
                                  (%s, false, 0.00, 'ok', 0.00),
                                  (%s, false, 0.00, 'ok', 0.00)$$,
                         :ma, :a1, :a2, :a3, :a4, (SELECT ma_account_id FROM eacct.enterprise WHERE enterprise_id = :mute), :m1),
                  'alert columns of every account in account_assets');
SELECT is((SELECT count(*) FROM eacct.notification WHERE event = 'low_balance'), 19::bigint, 'low_balance notifications in all: 8 (a1) + 4 (a2) + 6 (a3) + 1 (a4)');

-- ===========================================================================
-- the outbox: claim_notifications and mark_sent (operator functions)
-- ===========================================================================
SELECT ok(NOT has_function_privilege('public', 'eacct.claim_notifications(integer)', 'EXECUTE'), 'PUBLIC cannot execute claim_notifications');
SELECT ok(NOT has_function_privilege('public', 'eacct.mark_sent(bigint[])', 'EXECUTE'), 'PUBLIC cannot execute mark_sent');
SET ROLE eacct_tap_alice;
SELECT * FROM pg_temp.rejects('SELECT * FROM eacct.claim_notifications(1)', '42501', 'permission denied for function claim_notifications', 'an admin is no dispatcher: claim');
SELECT * FROM pg_temp.rejects('SELECT eacct.mark_sent(ARRAY[1]::bigint[])', '42501', 'permission denied for function mark_sent', 'an admin is no dispatcher: mark_sent');
SELECT * FROM pg_temp.rejects('SET eacct.notification_lease = 1', '42501', 'permission denied to set parameter "eacct.notification_lease"', 'only superusers set the lease');
RESET ROLE;
SELECT is(current_setting('eacct.notification_lease'), '5min', 'lease defaults to 300 seconds');
SELECT * FROM pg_temp.rejects('SELECT * FROM eacct.claim_notifications(0)', '22023', 'max_rows must be greater than zero', 'claim 0 rows');
SELECT * FROM pg_temp.rejects('SELECT * FROM eacct.claim_notifications(-1)', '22023', 'max_rows must be greater than zero', 'claim -1 rows');
SELECT * FROM pg_temp.rejects('SELECT * FROM eacct.claim_notifications(NULL)', '22023', 'max_rows must not be null', 'claim NULL rows');
SELECT * FROM pg_temp.rejects('SELECT eacct.mark_sent(NULL)', '22023', 'notification_ids must not be null', 'mark_sent NULL');
SELECT * FROM pg_temp.rejects('SELECT eacct.mark_sent(ARRAY[1, NULL]::bigint[])', '22023', 'notification_ids must not contain NULL', 'mark_sent of a NULL element');
SELECT is(pg_temp.error_of('SELECT eacct.mark_sent(ARRAY[1, NULL]::bigint[])'), '22023: Element 2 is NULL.', 'mark_sent: the detail names the NULL element');

SELECT count(*) AS total FROM eacct.notification \gset
SELECT is((SELECT count(*) FROM eacct.notification WHERE claimed_at IS NULL AND sent_at IS NULL), :total::bigint, 'nothing claimed or sent yet');
-- the claim's plan is made on its first use in the session: made now with
-- a hash join, it reads the outbox in the table's order, as it may on a
-- large outbox (the rows it returns must still come oldest first)
SET LOCAL enable_nestloop = off;
SET LOCAL enable_mergejoin = off;
-- claim 3: the three oldest, with the row's columns
SELECT results_eq('SELECT * FROM eacct.claim_notifications(3) ORDER BY notification_id',
                  'SELECT notification_id, enterprise_id, account_id, event, channel, address, payload, created_at
                     FROM eacct.notifications ORDER BY notification_id LIMIT 3',
                  'claim_notifications(3) returns the three oldest rows');
SELECT is((SELECT count(*) FROM eacct.notifications WHERE claimed_at IS NOT NULL), 3::bigint, 'three rows claimed');
-- claim the rest with the default batch; then nothing is left
SELECT set_eq('SELECT notification_id FROM eacct.claim_notifications()',
              'SELECT notification_id FROM eacct.notifications ORDER BY notification_id OFFSET 3',
              'claim_notifications() returns all the remaining rows');
SELECT is((SELECT count(*) FROM eacct.notifications WHERE claimed_at IS NOT NULL AND sent_at IS NULL), :total::bigint, 'every row claimed, none sent');
SELECT is_empty('SELECT * FROM eacct.claim_notifications()', 'a second claim returns nothing within the lease');
-- mark_sent
SELECT array_agg(notification_id ORDER BY notification_id) AS first3 FROM (SELECT notification_id FROM eacct.notification ORDER BY notification_id LIMIT 3) s \gset
SELECT min(notification_id) + 3 AS fourth FROM eacct.notification \gset
SELECT * FROM pg_temp.rejects(format('SELECT eacct.mark_sent(ARRAY[%L::bigint[], %L::bigint[]])', :'first3', :'first3'),
    '22023', 'notification_ids must be a one-dimensional array', 'mark_sent of a two-dimensional array');
SELECT is(eacct.mark_sent(:'first3'::bigint[]), 3, 'mark_sent of three claimed rows: 3');
SELECT is(eacct.mark_sent(:'first3'::bigint[] || :fourth::bigint), 1, 'again with one more: only the new one counts');
SELECT is(eacct.mark_sent(:'first3'::bigint[]), 0, 'marking sent twice: 0');
SELECT is(eacct.mark_sent('{}'::bigint[]), 0, 'empty array: 0');
SELECT is(eacct.mark_sent(ARRAY[-1]::bigint[]), 0, 'unknown id: 0');
SELECT results_eq('SELECT notification_id FROM eacct.notifications WHERE sent_at IS NOT NULL ORDER BY notification_id',
                  format('SELECT unnest(%L::bigint[] || %s::bigint)', :'first3', :fourth),
                  'sent_at set for exactly the four rows');
SELECT is((SELECT count(*) FROM eacct.notifications WHERE sent_at IS NOT NULL AND claimed_at IS NULL), 0::bigint, 'every sent row had been claimed');
SELECT is((SELECT count(*) FROM eacct.notifications WHERE sent_at < claimed_at), 0::bigint, 'no row was sent before it was claimed (claimed and sent in one transaction)');
SELECT is_empty('SELECT * FROM eacct.claim_notifications()', 'still nothing to claim');
-- the lease: after eacct.notification_lease seconds an unsent claimed row is claimable again
SET LOCAL eacct.notification_lease = 1;
SELECT pg_sleep(1.1) \gset
-- the oldest unsent row, claimed again on its own, moves behind the
-- others in the table
SELECT results_eq('SELECT notification_id FROM eacct.claim_notifications(1)',
              'SELECT min(notification_id) FROM eacct.notifications WHERE sent_at IS NULL',
              'after the lease, the oldest unsent row is claimable again');
SELECT pg_sleep(1.1) \gset
SELECT results_eq('SELECT notification_id FROM eacct.claim_notifications()',
              'SELECT notification_id FROM eacct.notifications WHERE sent_at IS NULL ORDER BY notification_id',
              'after the lease, the unsent rows (and only those) are claimable again, oldest first');
RESET eacct.notification_lease;
RESET enable_nestloop;
RESET enable_mergejoin;

-- an account's notifications by its account_id alone read that account's
-- rows (notification_account_idx), not the outbox: 1,000 more of a2 are
-- not read for a1 (all were, before)
SELECT count(*) AS cycles FROM (SELECT eacct.set_low_balance_alert(:a2, 1000000, true),
                                       eacct.set_low_balance_alert(:a2, 0, true)
                                  FROM generate_series(1, 500)) s \gset
ANALYZE eacct.notification;
SELECT count(*) AS a1_notes FROM eacct.notification WHERE account_id = :a1 \gset
SELECT cmp_ok(pg_temp.rows_read('eacct.notification', format('SELECT count(*) FROM eacct.notifications WHERE account_id = %s', :a1)),
              '<=', 2 * :a1_notes + 10::bigint,
              format('notifications by account_id read about its %s rows, not the others', :a1_notes));
SELECT cmp_ok((SELECT count(*) FROM eacct.notification WHERE account_id = :a2), '>=', 1000::bigint,
              'a2 has 1,000 more notifications');

SELECT is((SELECT count(*) FROM eacct.verify()), 0::bigint, 'verify() finds nothing');

SELECT * FROM finish();
ROLLBACK;
