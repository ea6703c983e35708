-- eacct 0.4.0 -> 0.5.0 - upgrade script
-- Every object is schema-qualified, and created only: never replaced, never
-- created conditionally (CVE-2022-2625).

\echo Use "ALTER EXTENSION eacct UPDATE TO '0.5.0'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- Schema eacct must belong to a superuser, and so must everything in it.
-- CREATE EXTENSION uses a schema eacct that exists already; one owned by
-- another role (a database owner may create it before a superuser installs
-- eacct) lets that role rename it and put objects of its own under eacct's
-- name, and an object another role put in it (a function overloading one
-- of eacct's, say) would run as whoever calls it, eacct's C code included.
-- ---------------------------------------------------------------------------
DO $eacct_schema_owner$
DECLARE
    owner_name name;
    owner_is_superuser boolean;
    foreign_object text;
BEGIN
    SELECT r.rolname, r.rolsuper INTO owner_name, owner_is_superuser
      FROM pg_catalog.pg_namespace n
      JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
     WHERE n.nspname OPERATOR(pg_catalog.=) 'eacct';
    IF NOT owner_is_superuser THEN
        RAISE EXCEPTION 'schema eacct is owned by role %, which is not a superuser', owner_name
            USING ERRCODE = '42501',
                  DETAIL = 'Its owner could replace eacct''s objects, and eacct runs them as the extension owner.',
                  HINT = 'Give the schema to a superuser and drop what other roles own in it, then update again.';
    END IF;
    SELECT pg_catalog.format('%s %s of role %s', o.kind, o.name, r.rolname) INTO foreign_object
      FROM (SELECT 'relation'::text, c.relname::text, c.relowner FROM pg_catalog.pg_class c
             WHERE c.relnamespace OPERATOR(pg_catalog.=) 'eacct'::pg_catalog.regnamespace
            UNION ALL
            SELECT 'function', p.proname::text, p.proowner FROM pg_catalog.pg_proc p
             WHERE p.pronamespace OPERATOR(pg_catalog.=) 'eacct'::pg_catalog.regnamespace
            UNION ALL
            SELECT 'type', t.typname::text, t.typowner FROM pg_catalog.pg_type t
             WHERE t.typnamespace OPERATOR(pg_catalog.=) 'eacct'::pg_catalog.regnamespace
            UNION ALL
            SELECT 'operator', o.oprname::text, o.oprowner FROM pg_catalog.pg_operator o
             WHERE o.oprnamespace OPERATOR(pg_catalog.=) 'eacct'::pg_catalog.regnamespace
            UNION ALL
            SELECT 'collation', l.collname::text, l.collowner FROM pg_catalog.pg_collation l
             WHERE l.collnamespace OPERATOR(pg_catalog.=) 'eacct'::pg_catalog.regnamespace
            UNION ALL
            SELECT 'conversion', v.conname::text, v.conowner FROM pg_catalog.pg_conversion v
             WHERE v.connamespace OPERATOR(pg_catalog.=) 'eacct'::pg_catalog.regnamespace
            UNION ALL
            SELECT 'operator family', f.opfname::text, f.opfowner FROM pg_catalog.pg_opfamily f
             WHERE f.opfnamespace OPERATOR(pg_catalog.=) 'eacct'::pg_catalog.regnamespace
            UNION ALL
            SELECT 'operator class', k.opcname::text, k.opcowner FROM pg_catalog.pg_opclass k
             WHERE k.opcnamespace OPERATOR(pg_catalog.=) 'eacct'::pg_catalog.regnamespace
            UNION ALL
            SELECT 'text search dictionary', d.dictname::text, d.dictowner FROM pg_catalog.pg_ts_dict d
             WHERE d.dictnamespace OPERATOR(pg_catalog.=) 'eacct'::pg_catalog.regnamespace
            UNION ALL
            SELECT 'text search configuration', g.cfgname::text, g.cfgowner FROM pg_catalog.pg_ts_config g
             WHERE g.cfgnamespace OPERATOR(pg_catalog.=) 'eacct'::pg_catalog.regnamespace
            UNION ALL
            SELECT 'statistics object', x.stxname::text, x.stxowner FROM pg_catalog.pg_statistic_ext x
             WHERE x.stxnamespace OPERATOR(pg_catalog.=) 'eacct'::pg_catalog.regnamespace
           ) AS o(kind, name, owner)
      JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) o.owner
     WHERE NOT r.rolsuper
     ORDER BY 1
     LIMIT 1;
    IF foreign_object IS NOT NULL THEN
        RAISE EXCEPTION 'schema eacct holds %, which is not a superuser''s', foreign_object
            USING ERRCODE = '42501',
                  DETAIL = 'An object of another role in eacct''s schema could stand in for one of eacct''s.',
                  HINT = 'Give the schema to a superuser and drop what other roles own in it, then update again.';
    END IF;
END
$eacct_schema_owner$;

-- ---------------------------------------------------------------------------
-- Every table this update changes, locked before the first change.  The
-- update below takes its locks table by table, in its own order, while a
-- call holds locks on several tables, taken in the call's order: under
-- traffic one of them ended with 40P01.  Here the update takes them all
-- first, in the order most calls take them (the account first), giving
-- them back whenever one of them is not free within 100 ms (so a call
-- that holds one table and waits for another one the update holds waits
-- at most that long, never for a deadlock), and tries again after up to
-- 100 ms, 600 times at most (about a minute and a half).  Once they are
-- all held no call is inside these tables and none can enter until the
-- update commits: the rest of the update waits for nobody.
-- ---------------------------------------------------------------------------
DO $eacct_lock_tables$
DECLARE
    old_timeout text := pg_catalog.current_setting('lock_timeout');
    tries integer := 0;
BEGIN
    PERFORM pg_catalog.set_config('lock_timeout', '100ms', true);
    LOOP
        BEGIN
            LOCK TABLE eacct.account, eacct.enterprise, eacct.enterprise_admin,
                       eacct.request, eacct.credit_change, eacct.notification,
                       eacct.bill, eacct.coupon, eacct.journal_entry,
                       eacct.transfer_record, eacct.transfer_pair, eacct.journal
                IN ACCESS EXCLUSIVE MODE;
            EXIT;
        EXCEPTION WHEN lock_not_available THEN
            tries := tries OPERATOR(pg_catalog.+) 1;
            IF tries OPERATOR(pg_catalog.>=) 600 THEN
                RAISE EXCEPTION 'eacct''s tables stayed busy for % tries of 100 ms', tries
                    USING ERRCODE = '55P03',
                          DETAIL = 'The update locks all of them at once before it changes any.',
                          HINT = 'Stop the calls that keep them busy, or retry the update.';
            END IF;
            PERFORM pg_catalog.pg_sleep(0.1 OPERATOR(pg_catalog.*) pg_catalog.random());
        END;
    END LOOP;
    PERFORM pg_catalog.set_config('lock_timeout', old_timeout, true);
END
$eacct_lock_tables$;

-- An administrator row named its role by OID alone.  The OID of a dropped
-- role can come back as another role's: after OID wrap-around, or in a
-- cluster the rows are restored into (pg_dump writes the OID of a role
-- that no longer exists as a number, and restoring it names whatever role
-- has that OID there).  From 0.5.0 a row keeps the name its role had when
-- it was added, and counts only while the role with that OID still has it.
ALTER TABLE eacct.enterprise_admin ADD COLUMN admin_name name;
UPDATE eacct.enterprise_admin ea
   SET admin_name = r.rolname
  FROM pg_catalog.pg_roles r
 WHERE r.oid OPERATOR(pg_catalog.=) ea.admin_role::pg_catalog.oid;

-- Rows whose role is gone (verify() has reported them since 0.2.0) name
-- nobody and are removed, each with a WARNING (an extension script runs
-- with client_min_messages at WARNING at least).
DO $$
DECLARE
    gone record;
BEGIN
    FOR gone IN
        SELECT ea.enterprise_id, ea.admin_role::pg_catalog.oid AS role_oid
          FROM eacct.enterprise_admin ea
         WHERE ea.admin_name IS NULL
         ORDER BY 1, 2
    LOOP
        RAISE WARNING 'removing an administrator of enterprise % whose role no longer exists',
            gone.enterprise_id
            USING DETAIL = pg_catalog.format('The row names role OID %s.', gone.role_oid);
    END LOOP;
END
$$;
DELETE FROM eacct.enterprise_admin ea WHERE ea.admin_name IS NULL;
ALTER TABLE eacct.enterprise_admin ALTER COLUMN admin_name SET NOT NULL;

-- the views' row filter finds the rows of the roles the caller belongs to
-- (src/access.c), not every enterprise's
CREATE INDEX enterprise_admin_role_idx ON eacct.enterprise_admin (admin_role, enterprise_id);

-- an account's open bills in the order top_up() pays them (overdue first,
-- then by due date), so that it reads only the ones it pays
DROP INDEX eacct.bill_open_idx;
CREATE INDEX bill_open_idx ON eacct.bill (enterprise_id, account_id, overdue DESC, due_at, bill_id)
    WHERE remaining > 0;

-- an account's unused coupons by the end of their validity, so that counting
-- its valid ones does not read the expired ones
DROP INDEX eacct.coupon_unused_idx;
CREATE INDEX coupon_unused_idx ON eacct.coupon (enterprise_id, account_id, valid_until)
    WHERE used_at IS NULL;

-- an account's notifications by its account_id alone (the view's filters,
-- a support desk's lookups); enterprise events have none
CREATE INDEX notification_account_idx ON eacct.notification (account_id, notification_id)
    WHERE account_id IS NOT NULL;

-- The journal view finds an account's entries from its account_id alone:
-- through the account's row (account_account_id_idx) to its enterprise,
-- then the journal's key, instead of every entry of every enterprise.
-- Same columns, so views a DBA built on it stay (the view is a member of
-- the extension since 0.1.0, which is when CREATE OR REPLACE is safe).
CREATE OR REPLACE VIEW eacct.journal WITH (security_barrier) AS
SELECT j.entry_id, j.enterprise_id, j.account_id, j.kind,
       j.amount::pg_catalog.numeric OPERATOR(pg_catalog.*) 0.01 AS amount,
       j.own_cash::pg_catalog.numeric OPERATOR(pg_catalog.*) 0.01 AS own_cash,
       j.transfer_book::pg_catalog.numeric OPERATOR(pg_catalog.*) 0.01 AS transfer_book,
       j.credit_limit::pg_catalog.numeric OPERATOR(pg_catalog.*) 0.01 AS credit_limit,
       j.outstanding::pg_catalog.numeric OPERATOR(pg_catalog.*) 0.01 AS outstanding,
       j.overdue::pg_catalog.numeric OPERATOR(pg_catalog.*) 0.01 AS overdue,
       (j.own_cash::pg_catalog.numeric OPERATOR(pg_catalog.+) j.transfer_book::pg_catalog.numeric
        OPERATOR(pg_catalog.+) j.credit_limit::pg_catalog.numeric
        OPERATOR(pg_catalog.-) j.outstanding::pg_catalog.numeric)
        OPERATOR(pg_catalog.*) 0.01 AS available_credit,
       j.coupon_id,
       j.coupon_used::pg_catalog.numeric OPERATOR(pg_catalog.*) 0.01 AS coupon_used,
       j.counterparty, j.ref_id, j.memo, j.request_id, j.created_at, j.created_by
  FROM eacct.journal_entry j
 WHERE EXISTS (SELECT FROM eacct.account a
                WHERE a.enterprise_id OPERATOR(pg_catalog.=) j.enterprise_id
                  AND a.account_id OPERATOR(pg_catalog.=) j.account_id)
   AND eacct.may_view(j.enterprise_id);

-- A row without admin_name (from a dump made before 0.5.0, restored where
-- CREATE EXTENSION installed 0.5.0) gets its role's name, as the update to
-- 0.5.0 named the rows it found (src/access.c).
CREATE FUNCTION eacct.admin_name_default()
RETURNS trigger
AS 'MODULE_PATHNAME', 'eacct_admin_name_default'
LANGUAGE C;
CREATE TRIGGER enterprise_admin_name BEFORE INSERT ON eacct.enterprise_admin
    FOR EACH ROW EXECUTE FUNCTION eacct.admin_name_default();
ALTER TABLE eacct.enterprise_admin ENABLE ALWAYS TRIGGER enterprise_admin_name;

-- A direct INSERT into a table that holds money or history is refused
-- (UA010, UA011) unless the table is empty, as when a restore loads it;
-- eacct's own statements pass (src/guard.c).
CREATE TRIGGER account_guard_insert BEFORE INSERT ON eacct.account
    FOR EACH STATEMENT EXECUTE FUNCTION eacct.guard_balances();
CREATE TRIGGER enterprise_guard_insert BEFORE INSERT ON eacct.enterprise
    FOR EACH STATEMENT EXECUTE FUNCTION eacct.guard_balances();
CREATE TRIGGER transfer_pair_guard_insert BEFORE INSERT ON eacct.transfer_pair
    FOR EACH STATEMENT EXECUTE FUNCTION eacct.guard_balances();
CREATE TRIGGER bill_guard_insert BEFORE INSERT ON eacct.bill
    FOR EACH STATEMENT EXECUTE FUNCTION eacct.guard_balances();
CREATE TRIGGER coupon_guard_insert BEFORE INSERT ON eacct.coupon
    FOR EACH STATEMENT EXECUTE FUNCTION eacct.guard_balances();
CREATE TRIGGER journal_entry_guard_insert BEFORE INSERT ON eacct.journal_entry
    FOR EACH STATEMENT EXECUTE FUNCTION eacct.guard_history();
CREATE TRIGGER transfer_record_guard_insert BEFORE INSERT ON eacct.transfer_record
    FOR EACH STATEMENT EXECUTE FUNCTION eacct.guard_history();
CREATE TRIGGER credit_change_guard_insert BEFORE INSERT ON eacct.credit_change
    FOR EACH STATEMENT EXECUTE FUNCTION eacct.guard_history();
CREATE TRIGGER request_guard_insert BEFORE INSERT ON eacct.request
    FOR EACH STATEMENT EXECUTE FUNCTION eacct.guard_history();
ALTER TABLE eacct.account ENABLE ALWAYS TRIGGER account_guard_insert;
ALTER TABLE eacct.enterprise ENABLE ALWAYS TRIGGER enterprise_guard_insert;
ALTER TABLE eacct.transfer_pair ENABLE ALWAYS TRIGGER transfer_pair_guard_insert;
ALTER TABLE eacct.bill ENABLE ALWAYS TRIGGER bill_guard_insert;
ALTER TABLE eacct.coupon ENABLE ALWAYS TRIGGER coupon_guard_insert;
ALTER TABLE eacct.journal_entry ENABLE ALWAYS TRIGGER journal_entry_guard_insert;
ALTER TABLE eacct.transfer_record ENABLE ALWAYS TRIGGER transfer_record_guard_insert;
ALTER TABLE eacct.credit_change ENABLE ALWAYS TRIGGER credit_change_guard_insert;
ALTER TABLE eacct.request ENABLE ALWAYS TRIGGER request_guard_insert;

-- An alert's threshold and switch change only through
-- set_low_balance_alert(), which evaluates the alert at once (SPEC rule 9);
-- a direct UPDATE of them left alert_status as it was.  Which account is
-- the enterprise's MA (exactly one, created with it: is_ma and
-- enterprise.ma_account_id) does not change at all.  The guard's column
-- list is in the trigger's arguments, so the triggers are created again.
DROP TRIGGER enterprise_guard ON eacct.enterprise;
CREATE TRIGGER enterprise_guard BEFORE UPDATE OR DELETE ON eacct.enterprise
    FOR EACH ROW EXECUTE FUNCTION eacct.guard_balances(
        'enterprise_id', 'credit_line', 'credit_status', 'allocated', 'overdue',
        'ma_account_id');
ALTER TABLE eacct.enterprise ENABLE ALWAYS TRIGGER enterprise_guard;
DROP TRIGGER account_guard ON eacct.account;
CREATE TRIGGER account_guard BEFORE UPDATE OR DELETE ON eacct.account
    FOR EACH ROW EXECUTE FUNCTION eacct.guard_balances(
        'enterprise_id', 'account_id', 'own_cash', 'transfer_book', 'credit_limit',
        'outstanding', 'overdue', 'alert_status', 'alert_threshold', 'alert_enabled',
        'is_ma');
ALTER TABLE eacct.account ENABLE ALWAYS TRIGGER account_guard;

-- A bill's due date decides when mark_overdue() takes its debt out of the
-- enterprise's allocatable credit, and a coupon's validity whether it pays
-- a charge: both change only through eacct's operations now.
DROP TRIGGER bill_guard ON eacct.bill;
CREATE TRIGGER bill_guard BEFORE UPDATE OR DELETE ON eacct.bill
    FOR EACH ROW EXECUTE FUNCTION eacct.guard_balances(
        'enterprise_id', 'account_id', 'amount', 'remaining', 'overdue', 'due_at');
ALTER TABLE eacct.bill ENABLE ALWAYS TRIGGER bill_guard;
DROP TRIGGER coupon_guard ON eacct.coupon;
CREATE TRIGGER coupon_guard BEFORE UPDATE OR DELETE ON eacct.coupon
    FOR EACH ROW EXECUTE FUNCTION eacct.guard_balances(
        'enterprise_id', 'account_id', 'face_value', 'used_at', 'valid_from', 'valid_until');
ALTER TABLE eacct.coupon ENABLE ALWAYS TRIGGER coupon_guard;

-- ---------------------------------------------------------------------------
-- No statistics for the text the views show as stored.  A view query's
-- estimates come from its table's column statistics, which cover every
-- enterprise's rows, and plain EXPLAIN shows them to any role: a role that
-- sees no row could read other enterprises' names, memos, request ids,
-- role names and contact addresses off the row estimates of range
-- conditions (and their notification payloads, were jsonb's comparisons
-- leakproof).  Conditions on these columns are estimated with
-- PostgreSQL's defaults instead.
-- ---------------------------------------------------------------------------
ALTER TABLE eacct.enterprise ALTER COLUMN name SET STATISTICS 0;
ALTER TABLE eacct.account ALTER COLUMN name SET STATISTICS 0;
ALTER TABLE eacct.journal_entry ALTER COLUMN memo SET STATISTICS 0;
ALTER TABLE eacct.journal_entry ALTER COLUMN request_id SET STATISTICS 0;
ALTER TABLE eacct.journal_entry ALTER COLUMN created_by SET STATISTICS 0;
ALTER TABLE eacct.transfer_record ALTER COLUMN request_id SET STATISTICS 0;
ALTER TABLE eacct.transfer_record ALTER COLUMN created_by SET STATISTICS 0;
ALTER TABLE eacct.credit_change ALTER COLUMN changed_by SET STATISTICS 0;
ALTER TABLE eacct.notification ALTER COLUMN address SET STATISTICS 0;
ALTER TABLE eacct.notification ALTER COLUMN payload SET STATISTICS 0;
-- statistics ANALYZE gathered before stay until deleted: those of every
-- column of eacct's tables whose statistics target is now 0
DELETE FROM pg_catalog.pg_statistic s
 USING pg_catalog.pg_attribute a, pg_catalog.pg_class c
 WHERE s.starelid OPERATOR(pg_catalog.=) a.attrelid AND s.staattnum OPERATOR(pg_catalog.=) a.attnum
   AND c.oid OPERATOR(pg_catalog.=) a.attrelid
   AND c.relnamespace OPERATOR(pg_catalog.=) 'eacct'::pg_catalog.regnamespace
   AND a.attnum OPERATOR(pg_catalog.>) 0 AND a.attstattarget OPERATOR(pg_catalog.=) 0;

-- The names are shown through || '', which is not leakproof: a caller's
-- condition on them then runs after the row filter and is never an index
-- condition, so EXPLAIN ANALYZE's "Rows Removed by Filter" of an index scan
-- cannot count the names of other enterprises in a range.
CREATE OR REPLACE VIEW eacct.account_assets WITH (security_barrier) AS
SELECT a.enterprise_id,
       a.account_id,
       a.name OPERATOR(pg_catalog.||) '' AS account_name,
       a.is_ma,
       (a.own_cash::pg_catalog.numeric OPERATOR(pg_catalog.+) a.transfer_book::pg_catalog.numeric
        OPERATOR(pg_catalog.+) a.credit_limit::pg_catalog.numeric
        OPERATOR(pg_catalog.-) a.outstanding::pg_catalog.numeric)
        OPERATOR(pg_catalog.*) 0.01 AS available_credit,
       a.alert_enabled,
       a.alert_threshold::pg_catalog.numeric OPERATOR(pg_catalog.*) 0.01 AS alert_threshold,
       a.alert_status,
       (a.own_cash::pg_catalog.numeric OPERATOR(pg_catalog.+) a.transfer_book::pg_catalog.numeric)
        OPERATOR(pg_catalog.*) 0.01 AS cash_balance,
       a.transfer_book::pg_catalog.numeric OPERATOR(pg_catalog.*) 0.01 AS transfer_book_balance,
       (SELECT pg_catalog.count(*) FROM eacct.coupon c
         WHERE c.enterprise_id OPERATOR(pg_catalog.=) a.enterprise_id
           AND c.account_id OPERATOR(pg_catalog.=) a.account_id
           AND c.used_at IS NULL
           AND c.valid_from OPERATOR(pg_catalog.<=) pg_catalog.now()
           AND c.valid_until OPERATOR(pg_catalog.>) pg_catalog.now()) AS valid_coupons,
       a.credit_limit::pg_catalog.numeric OPERATOR(pg_catalog.*) 0.01 AS credit_limit,
       a.outstanding::pg_catalog.numeric OPERATOR(pg_catalog.*) 0.01 AS outstanding,
       a.overdue::pg_catalog.numeric OPERATOR(pg_catalog.*) 0.01 AS overdue,
       a.own_cash::pg_catalog.numeric OPERATOR(pg_catalog.*) 0.01 AS own_cash
  FROM eacct.account a
 WHERE eacct.may_view(a.enterprise_id);

CREATE OR REPLACE VIEW eacct.enterprise_credit WITH (security_barrier) AS
SELECT e.enterprise_id,
       e.name OPERATOR(pg_catalog.||) '' AS name,
       e.credit_status,
       e.credit_line::pg_catalog.numeric OPERATOR(pg_catalog.*) 0.01 AS credit_line,
       e.allocated::pg_catalog.numeric OPERATOR(pg_catalog.*) 0.01 AS allocated,
       e.overdue::pg_catalog.numeric OPERATOR(pg_catalog.*) 0.01 AS overdue,
       pg_catalog.numeric_larger(0,
           e.credit_line::pg_catalog.numeric OPERATOR(pg_catalog.-) e.allocated::pg_catalog.numeric
           OPERATOR(pg_catalog.-) e.overdue::pg_catalog.numeric) OPERATOR(pg_catalog.*) 0.01 AS allocatable,
       e.account_center_enabled,
       e.payment_term
  FROM eacct.enterprise e
 WHERE eacct.may_view(e.enterprise_id);
