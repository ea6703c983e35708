-- scripts/demo.sql — the demo enterprise loaded by `make demo`
CREATE DATABASE eacct_demo;
\c eacct_demo
CREATE EXTENSION eacct;

SELECT eacct.create_enterprise('Acme Cloud', 'acme-ma') AS ent \gset
SELECT eacct.enable_account_center(:ent);
SELECT eacct.create_account(:ent, name)
  FROM unnest(ARRAY['acme-dev', 'acme-test', 'acme-prod']) AS name;
CREATE ROLE acme_admin LOGIN;
SELECT eacct.add_admin(:ent, 'acme_admin');
SELECT eacct.add_contact(account_id, 'email', 'billing@acme.example')
  FROM eacct.account_assets WHERE enterprise_id = :ent AND is_ma;
SELECT eacct.add_contact(account_id, 'sms', '+1 555 0100')
  FROM eacct.account_assets WHERE enterprise_id = :ent AND is_ma;

\echo
\echo Account assets of Acme Cloud (eacct.account_assets):
\pset footer off
SELECT account_id, account_name, is_ma, available_credit, cash_balance,
       transfer_book_balance, credit_limit, outstanding, overdue,
       valid_coupons, alert_enabled, alert_threshold, alert_status
  FROM eacct.account_assets
 WHERE enterprise_id = :ent
 ORDER BY account_id;
