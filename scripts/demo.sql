-- scripts/demo.sql — the demo enterprise loaded by `make demo`
\set ON_ERROR_STOP 1
CREATE DATABASE eacct_demo;
\c eacct_demo
CREATE EXTENSION eacct;
\o /dev/null
-- an enterprise with its management account and three member accounts
SELECT eacct.create_enterprise('Acme Cloud', 'acme-ma') AS ent \gset
SELECT eacct.enable_account_center(:ent);
SELECT eacct.create_account(:ent, 'acme-dev') AS dev \gset
SELECT eacct.create_account(:ent, 'acme-test') AS test \gset
SELECT eacct.create_account(:ent, 'acme-prod') AS prod \gset
SELECT ma_account_id AS ma FROM eacct.enterprise WHERE enterprise_id = :ent \gset
CREATE ROLE acme_admin LOGIN;
SELECT eacct.add_admin(:ent, 'acme_admin');
SELECT eacct.add_contact(:ma, 'email', 'billing@acme.example');
SELECT eacct.add_contact(:ma, 'sms', '+1 555 0100');
-- a credit line of 10,000.00, confirmed by the enterprise's administrator
SELECT eacct.apply_credit_line(:ent, 10000);
SET ROLE acme_admin;
SELECT eacct.confirm_credit_contract(:ent);
SELECT eacct.set_credit_limit(:dev, 2000);
SELECT eacct.set_credit_limit(:prod, 5000);
RESET ROLE;
-- cash: the MA tops up and funds the member accounts
SELECT eacct.top_up(:ma, 3000);
SET ROLE acme_admin;
SELECT eacct.transfer(:ma, :dev, 500);
SELECT eacct.transfer(:ma, :test, 250);
SELECT eacct.withdraw(:test, :ma, 50);
RESET ROLE;
-- usage: dev spends its transfer book and some credit; a coupon for test
SELECT eacct.charge(:dev, 650, 'compute, November');
SELECT eacct.grant_coupon(:test, 20, now() + interval '90 days');
\o

\echo
\echo Account assets of Acme Cloud (eacct.account_assets):
\pset footer off
SELECT account_id, account_name, is_ma, available_credit, cash_balance,
       transfer_book_balance, credit_limit, outstanding, overdue,
       valid_coupons, alert_status
  FROM eacct.account_assets
 WHERE enterprise_id = :ent
 ORDER BY account_id;
\echo Enterprise credit (eacct.enterprise_credit):
SELECT name, credit_status, credit_line, allocated, overdue, allocatable
  FROM eacct.enterprise_credit WHERE enterprise_id = :ent;
