-- Foundation scenario: an operator sets up two enterprises with their
-- member accounts, administrators and contacts; administrators see only
-- their own enterprise in eacct.account_assets.
\set SHOW_CONTEXT never
CREATE EXTENSION eacct;

-- an enterprise comes with its management account (MA)
SELECT eacct.create_enterprise('Acme Cloud', 'acme-ma') AS acme \gset
SELECT eacct.create_enterprise('Globex', 'globex-ma') AS globex \gset
SELECT name, account_center_enabled, credit_status, credit_line,
       payment_term, ma_account_id IS NOT NULL AS has_ma
  FROM eacct.enterprise ORDER BY enterprise_id;

-- member accounts; names are unique within an enterprise only
SELECT eacct.create_account(:acme, 'acme-dev') AS acme_dev \gset
SELECT eacct.create_account(:acme, 'acme-prod') AS acme_prod \gset
SELECT eacct.create_account(:globex, 'acme-dev') AS globex_dev \gset
SELECT eacct.create_account(:acme, 'acme-dev');       -- duplicate name
SELECT eacct.create_enterprise('Acme Cloud', 'other'); -- duplicate enterprise
SELECT eacct.create_account(0, 'orphan');              -- unknown enterprise

SELECT eacct.enable_account_center(:acme);
SELECT eacct.enable_account_center(:globex, false);
SELECT name, account_center_enabled FROM eacct.enterprise ORDER BY enterprise_id;
SELECT eacct.enable_account_center(0);                  -- unknown enterprise

-- exactly one MA per enterprise, created with it
SELECT e.name AS enterprise, a.name AS account, a.is_ma,
       a.account_id = e.ma_account_id AS is_the_ma
  FROM eacct.account a JOIN eacct.enterprise e USING (enterprise_id)
 ORDER BY a.account_id;

-- contacts; repeating one is a no-op
SELECT eacct.add_contact(:acme_dev, 'email', 'ops@acme.example');
SELECT eacct.add_contact(:acme_dev, 'email', 'ops@acme.example');
SELECT eacct.add_contact(:acme_dev, 'sms', '+49 30 1234567');
SELECT eacct.add_contact(:acme_dev, 'fax', '+49 30 1234568');   -- bad channel
SELECT eacct.add_contact(:acme_dev, 'email', 'not-an-address'); -- bad address
SELECT eacct.add_contact(0, 'email', 'ops@acme.example');       -- unknown account
SELECT account_id = :acme_dev AS is_dev, channel, address
  FROM eacct.contact ORDER BY contact_id;

-- every balance is zero until money moves
SELECT account_name, is_ma, available_credit, alert_enabled, alert_threshold,
       alert_status, cash_balance, transfer_book_balance, valid_coupons,
       credit_limit, outstanding, overdue
  FROM eacct.account_assets ORDER BY account_id;

-- administrators see their own enterprise only; others see nothing
CREATE ROLE eacct_regress_acme_admins NOLOGIN;
CREATE ROLE eacct_regress_alice LOGIN IN ROLE eacct_regress_acme_admins;
CREATE ROLE eacct_regress_mallory LOGIN;
SELECT eacct.add_admin(:acme, 'eacct_regress_acme_admins');
SELECT eacct.add_admin(:acme, 'eacct_regress_acme_admins');    -- no-op
SELECT eacct.add_admin(0, 'eacct_regress_alice');              -- unknown enterprise
SET ROLE eacct_regress_alice;
SELECT enterprise_id = :acme AS acme, account_name FROM eacct.account_assets ORDER BY account_id;
SELECT eacct.create_account(:acme, 'by-admin');                -- operator function
RESET ROLE;
SET ROLE eacct_regress_mallory;
SELECT count(*) FROM eacct.account_assets;
SELECT count(*) FROM eacct.account;                            -- tables are private
RESET ROLE;

DROP EXTENSION eacct;
DROP ROLE eacct_regress_alice, eacct_regress_mallory, eacct_regress_acme_admins;
