-- test/export/setup.sql — an enterprise with varied balances to export
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION eacct;
DROP ROLE IF EXISTS eacct_export_admin;
CREATE ROLE eacct_export_admin;
SELECT eacct.create_enterprise('Export Ltd', 'export-ma') AS e \gset
SELECT eacct.add_admin(:e, 'eacct_export_admin');
SELECT eacct.enable_account_center(:e);
SELECT eacct.apply_credit_line(:e, 90000000000);
SELECT eacct.confirm_credit_contract(:e);
SELECT ma_account_id AS ma FROM eacct.enterprise WHERE enterprise_id = :e \gset
-- names with quotes, commas, non-ASCII; large and odd-cent amounts
SELECT eacct.create_account(:e, n) FROM unnest(ARRAY[
    'plain', 'with, comma', 'with "quotes"', 'ünïcödé 账户', '=SUM(A1)', '  spaced  ',
    '_x0041_ looks escaped', '_x005F_', '''quoted']) n;
SELECT eacct.create_account(:e, 'acct-' || g) FROM generate_series(1, 200) g;
SELECT eacct.top_up(:ma, 12345678901.23);
SELECT eacct.set_credit_limit(account_id, (account_id * 7919 % 100000) / 100.0)
  FROM eacct.account WHERE enterprise_id = :e AND NOT is_ma ORDER BY account_id;
SELECT eacct.top_up(account_id, (account_id * 104729 % 1000000) / 100.0 + 0.01)
  FROM eacct.account WHERE enterprise_id = :e AND account_id % 3 = 0 ORDER BY account_id;
SELECT eacct.transfer(:ma, account_id, (account_id * 31 % 5000) / 100.0 + 0.01)
  FROM eacct.account WHERE enterprise_id = :e AND account_id % 4 = 0 ORDER BY account_id;
SELECT eacct.charge(account_id, (account_id * 17 % 9000) / 100.0 + 0.99)
  FROM eacct.account WHERE enterprise_id = :e AND account_id % 5 = 0 ORDER BY account_id;
SELECT eacct.grant_coupon(account_id, 10, now() + interval '1 day')
  FROM eacct.account WHERE enterprise_id = :e AND account_id % 6 = 0;
SELECT eacct.set_low_balance_alert(ARRAY(SELECT account_id FROM eacct.account
  WHERE enterprise_id = :e AND account_id % 7 = 0), 123.45, true);
