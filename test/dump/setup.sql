-- test/dump/setup.sql — a database with every kind of eacct data, to be
-- dumped and restored by test/dump/run.sh: three enterprises (credit line
-- active / pending / none), administrators (a role with a member, a role
-- whose name needs quoting), contacts, allocated limits, top-ups,
-- transfers, withdrawals, charges with coupons, bills (open, overdue,
-- partly paid), alerts triggered and ok, notifications queued, claimed and
-- sent, request ids, and an EXECUTE grant on an operator function.
-- The roles are created first, by roles.sql (they are cluster-wide).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION eacct;
-- the DBA's grant: a dispatcher/operator role may top up
GRANT EXECUTE ON FUNCTION eacct.top_up(bigint, numeric, text) TO "Eacct Dump Ops";
GRANT EXECUTE ON FUNCTION eacct.claim_notifications(integer) TO "Eacct Dump Ops";

-- Dump Active: account center on, credit line active and then raised
SELECT eacct.create_enterprise('Dump Active', 'act-ma') AS e1 \gset
SELECT ma_account_id AS ma1 FROM eacct.enterprise WHERE enterprise_id = :e1 \gset
SELECT eacct.create_account(:e1, 'act-a') AS a \gset
SELECT eacct.create_account(:e1, 'act-b') AS b \gset
SELECT eacct.create_account(:e1, 'act-c ünïcödé, "quoted"') AS c \gset
SELECT eacct.add_admin(:e1, 'eacct_dump_admins');
SELECT eacct.add_admin(:e1, '"Eacct Dump Ops"');
SELECT eacct.add_contact(:ma1, 'email', 'billing@active.example');
SELECT eacct.add_contact(:ma1, 'sms', '+1 555-0100');
SELECT eacct.add_contact(:a, 'email', 'a@active.example');
SELECT eacct.enable_account_center(:e1);
SELECT eacct.apply_credit_line(:e1, 10000);
SELECT eacct.confirm_credit_contract(:e1);
SELECT eacct.apply_credit_line(:e1, 12000.50);           -- credit_limit_changed
SELECT eacct.set_credit_limit(:a, 1000);
SELECT eacct.set_credit_limit(:b, 2500.25);
SELECT eacct.set_credit_limit(:c, 300);
SELECT eacct.set_credit_limit(:c, 300);                   -- equal: history row only
SELECT eacct.top_up(:ma1, 5000, 'act-top-1');
SELECT eacct.top_up(:a, 120.37, 'act-top-2');
SELECT eacct.transfer(:ma1, :a, 700, 'act-tr-1');
SELECT eacct.transfer(:ma1, :b, 400.01);
SELECT eacct.transfer(:ma1, :c, 50);
SELECT eacct.transfer_batch(ARRAY[:ma1, :a]::bigint[], ARRAY[:b, :c]::bigint[],
                            ARRAY[10, 20.5]::numeric[], ARRAY['act-batch-1', 'act-batch-2']);
SELECT eacct.withdraw(:b, :ma1, 100.01, 'act-wd-1');
SELECT eacct.withdraw(:c, :a, 5);
-- coupons: used, unused valid, expired, not yet valid
SELECT eacct.grant_coupon(:a, 25, now() + interval '30 days') AS k1 \gset
SELECT eacct.grant_coupon(:a, 10, now() + interval '30 days');
SELECT eacct.grant_coupon(:b, 10, now() - interval '1 day', now() - interval '2 days');
SELECT eacct.grant_coupon(:b, 10, now() + interval '2 days', now() + interval '1 day');
SELECT eacct.charge(:a, 40, 'with a coupon', :k1, 'act-ch-1');
SELECT eacct.charge(:b, 300.99, 'from the transfer book');
-- beyond cash: bills due after 30 days
SELECT eacct.charge(:c, 350, 'on credit', NULL, 'act-ch-2');
SELECT eacct.charge(:b, 2400, 'on credit too');
-- alerts: a triggered (after a charge), b ok, c triggered then ok again
SELECT eacct.set_low_balance_alert(:b, 100, true);
SELECT eacct.set_low_balance_alert(ARRAY[:a, :c]::bigint[], 1500, true);
SELECT eacct.top_up(:c, 2000, 'act-top-3');
SELECT eacct.charge(:a, 300, 'below the threshold');
-- the MA spends beyond its cash: a bill left unpaid
SELECT eacct.set_credit_limit(:ma1, 500);
SELECT eacct.charge(:ma1, 4200, 'MA on credit');

-- Dump Long: 90-day payment term, so its bills are not overdue below
SELECT eacct.create_enterprise('Dump Long', 'long-ma') AS e2 \gset
SELECT ma_account_id AS ma2 FROM eacct.enterprise WHERE enterprise_id = :e2 \gset
SELECT eacct.create_account(:e2, 'long-a') AS la \gset
SELECT eacct.add_admin(:e2, 'eacct_dump_admins');
SELECT eacct.add_contact(:ma2, 'email', 'billing@long.example');
SELECT eacct.enable_account_center(:e2);
SELECT eacct.set_payment_term(:e2, '90 days');
SELECT eacct.apply_credit_line(:e2, 800);
SELECT eacct.confirm_credit_contract(:e2);
SELECT eacct.set_credit_limit(:la, 800);
SELECT eacct.charge(:la, 650, 'long bill', NULL, 'long-ch-1');
SELECT eacct.charge(:la, 50, 'second long bill');

-- overdue: every bill of Dump Active (due in 30 days), none of Dump Long
SELECT eacct.mark_overdue(now() + interval '40 days');
-- a top-up that pays part of the overdue debt of b
SELECT eacct.top_up(:b, 500, 'act-top-4');

-- Dump Pending: a credit line waiting for confirmation (contract_pending)
SELECT eacct.create_enterprise('Dump Pending', 'pend-ma') AS e3 \gset
SELECT ma_account_id AS ma3 FROM eacct.enterprise WHERE enterprise_id = :e3 \gset
SELECT eacct.add_contact(:ma3, 'sms', '+1 555-0300');
SELECT eacct.add_admin(:e3, '"Eacct Dump Ops"');
SELECT eacct.apply_credit_line(:e3, 5000);
SELECT eacct.top_up(:ma3, 99.99, 'pend-top-1');

-- Dump None: no credit line, no account center, cash only
SELECT eacct.create_enterprise('Dump None', 'none-ma') AS e4 \gset
SELECT ma_account_id AS ma4 FROM eacct.enterprise WHERE enterprise_id = :e4 \gset
SELECT eacct.create_account(:e4, 'none-a');
SELECT eacct.top_up(:ma4, 10);
SELECT eacct.charge(:ma4, 3, 'cash only', NULL, 'none-ch-1');

-- the outbox: some claimed, some of those sent, the rest queued
SELECT eacct.mark_sent(ARRAY(SELECT notification_id FROM eacct.claim_notifications(4)
                              ORDER BY notification_id LIMIT 2));
SELECT * FROM eacct.claim_notifications(1);

-- an application table of the user's, referring to eacct's accounts: its
-- foreign key is created after the data of both is restored
CREATE TABLE public.app_order (
    order_id       integer PRIMARY KEY,
    enterprise_id  bigint NOT NULL,
    account_id     bigint NOT NULL,
    note           text,
    FOREIGN KEY (enterprise_id, account_id) REFERENCES eacct.account (enterprise_id, account_id)
);
INSERT INTO public.app_order
SELECT row_number() OVER (ORDER BY account_id), enterprise_id, account_id, 'order of ' || name
  FROM eacct.account;

-- what the data must show (run.sh fails when this is not so)
SELECT count(*) AS problems FROM eacct.verify() \gset
SELECT
  (SELECT count(*) FROM eacct.verify()) = 0
  AND (SELECT count(DISTINCT credit_status) FROM eacct.enterprise) = 3
  AND EXISTS (SELECT FROM eacct.bill WHERE overdue AND remaining > 0 AND remaining < amount)
  AND EXISTS (SELECT FROM eacct.bill WHERE overdue AND remaining = amount)
  AND EXISTS (SELECT FROM eacct.bill WHERE NOT overdue AND remaining > 0)
  AND EXISTS (SELECT FROM eacct.account WHERE alert_enabled AND alert_status = 'triggered')
  AND EXISTS (SELECT FROM eacct.account WHERE alert_enabled AND alert_status = 'ok')
  AND EXISTS (SELECT FROM eacct.coupon WHERE used_at IS NOT NULL)
  AND EXISTS (SELECT FROM eacct.notification WHERE sent_at IS NOT NULL)
  AND EXISTS (SELECT FROM eacct.notification WHERE claimed_at IS NOT NULL AND sent_at IS NULL)
  AND EXISTS (SELECT FROM eacct.notification WHERE claimed_at IS NULL)
  AND (SELECT count(DISTINCT event) FROM eacct.notification) = 3
  AND (SELECT count(DISTINCT kind) FROM eacct.journal_entry) = 8
  AND (SELECT count(DISTINCT kind) FROM eacct.transfer_record) = 2
  AND (SELECT count(DISTINCT kind) FROM eacct.credit_change) = 3
  AND (SELECT count(*) FROM eacct.request) >= 10
  AND (SELECT count(*) FROM eacct.enterprise_admin) = 4
  AS setup_complete;
