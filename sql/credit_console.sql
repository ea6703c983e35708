-- Credit console scenario: the billing operator opens an enterprise and
-- applies for its credit line; the enterprise's administrator confirms the
-- contract, allocates credit limits to three member accounts through the
-- allocation panel (eacct.credit_quota) and reads the credit views.
\set SHOW_CONTEXT never
CREATE EXTENSION eacct;

-- roles: the billing operator (the DBA grants it the operator functions),
-- the enterprise's administrators, and an employee who is not one
CREATE ROLE eacct_regress_billing NOLOGIN;
GRANT EXECUTE ON FUNCTION eacct.create_enterprise(text, text),
    eacct.create_account(bigint, text), eacct.enable_account_center(bigint, boolean),
    eacct.add_admin(bigint, regrole), eacct.add_contact(bigint, text, text),
    eacct.apply_credit_line(bigint, numeric) TO eacct_regress_billing;
CREATE ROLE eacct_regress_acme_admins NOLOGIN;
CREATE ROLE eacct_regress_carol LOGIN IN ROLE eacct_regress_acme_admins;
CREATE ROLE eacct_regress_dave LOGIN;

-- 1. the operator opens the enterprise: MA account, three member accounts,
--    contacts, the administrators' role, the account center
SET ROLE eacct_regress_billing;
SELECT eacct.create_enterprise('Acme Cloud', 'acme-ma') AS acme \gset
SELECT eacct.create_account(:acme, 'acme-dev') AS dev \gset
SELECT eacct.create_account(:acme, 'acme-prod') AS prod \gset
SELECT eacct.create_account(:acme, 'acme-test') AS test \gset
RESET ROLE;
SELECT ma_account_id AS ma FROM eacct.enterprise WHERE enterprise_id = :acme \gset
SET ROLE eacct_regress_billing;
SELECT eacct.add_contact(:ma, 'email', 'finance@acme.example');
SELECT eacct.add_contact(:ma, 'sms', '+49 30 5550100');
SELECT eacct.add_contact(:dev, 'email', 'dev-team@acme.example');  -- not the MA: no credit notifications
SELECT eacct.add_admin(:acme, 'eacct_regress_acme_admins');
SELECT eacct.enable_account_center(:acme);

-- 2. the operator applies for a credit line of 10,000: it waits for the contract
SELECT eacct.apply_credit_line(:acme, 10000);
RESET ROLE;

SET ROLE eacct_regress_carol;
SELECT name, credit_status, credit_line, allocated, overdue, allocatable
  FROM eacct.enterprise_credit;
-- nothing can be allocated before the contract is confirmed
SELECT eacct.set_credit_limit(:dev, 1000);
RESET ROLE;

-- 3. only an administrator of the enterprise confirms the contract
SET ROLE eacct_regress_dave;
SELECT eacct.confirm_credit_contract(:acme);
RESET ROLE;
SET ROLE eacct_regress_carol;
SELECT eacct.confirm_credit_contract(:acme);
SELECT eacct.confirm_credit_contract(:acme);   -- again: no-op
SELECT name, credit_status, credit_line, allocated, overdue, allocatable
  FROM eacct.enterprise_credit;

-- 4. the administrator allocates credit limits out of the line
SELECT * FROM eacct.credit_quota(:dev);        -- the panel before allocating
SELECT eacct.set_credit_limit(:dev, 5000) > 0 AS allocated;
SELECT eacct.set_credit_limit(:prod, 3000) > 0 AS allocated;
SELECT eacct.set_credit_limit(:test, 2000.01) > 0 AS allocated;  -- one cent over
SELECT eacct.set_credit_limit(:test, 2000) > 0 AS allocated;     -- exactly the rest
SELECT eacct.set_credit_limit(:test, 0) > 0 AS allocated;        -- would leave no available credit
SELECT eacct.set_credit_limit(:test, 1500) > 0 AS allocated;     -- a decrease that leaves some

-- 5. the allocation panel of each account
SELECT q.*
  FROM eacct.account_assets a, eacct.credit_quota(a.account_id) q
 WHERE NOT a.is_ma
 ORDER BY a.account_id;
SELECT name, credit_status, credit_line, allocated, overdue, allocatable
  FROM eacct.enterprise_credit;
RESET ROLE;

-- 6. later changes of the line take effect at once (and notify the MA contacts)
SET ROLE eacct_regress_billing;
SELECT eacct.apply_credit_line(:acme, 9499.99);  -- one cent below the allocated 9,500
SELECT eacct.apply_credit_line(:acme, 12000);
RESET ROLE;

-- 7. what the administrator reads in the console (the notification payload
--    also repeats event, channel, address and the ids; shown here: its figures)
SET ROLE eacct_regress_carol;
SELECT name, credit_status, credit_line, allocated, overdue, allocatable
  FROM eacct.enterprise_credit;
SELECT account_name, credit_limit, available_credit, cash_balance, outstanding
  FROM eacct.account_assets ORDER BY account_id;
SELECT coalesce(a.account_name, '(enterprise)') AS account, h.kind,
       h.old_limit, h.new_limit, h.changed_by
  FROM eacct.credit_limit_history h
  LEFT JOIN eacct.account_assets a USING (account_id)
 ORDER BY h.change_id;
SELECT n.event, coalesce(a.account_name, '(enterprise)') AS account, n.channel, n.address,
       n.payload - 'notification_id' - 'enterprise_id' - 'account_id'
                 - 'event' - 'channel' - 'address' AS figures,   -- the rest of the payload
       n.sent_at IS NULL AS unsent
  FROM eacct.notifications n
  LEFT JOIN eacct.account_assets a USING (account_id)
 ORDER BY n.notification_id;
RESET ROLE;

-- an employee who is no administrator sees none of it
SET ROLE eacct_regress_dave;
SELECT count(*) FROM eacct.enterprise_credit;
SELECT count(*) FROM eacct.credit_limit_history;
SELECT count(*) FROM eacct.notifications;
SELECT * FROM eacct.credit_quota(:dev);
SELECT eacct.apply_credit_line(:acme, 20000);   -- an operator function
RESET ROLE;

SELECT count(*) AS problems FROM eacct.verify();

DROP EXTENSION eacct;
DROP ROLE eacct_regress_carol, eacct_regress_dave, eacct_regress_acme_admins, eacct_regress_billing;
