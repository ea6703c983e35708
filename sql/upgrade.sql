-- Upgrade path: a database created at 0.1.0 with money in it is updated
-- with ALTER EXTENSION eacct UPDATE; its data and behaviour survive, and
-- the upgraded schema equals a fresh install of the new version.
\set SHOW_CONTEXT never
CREATE EXTENSION eacct VERSION '0.1.0';
SELECT extversion FROM pg_extension WHERE extname = 'eacct';

SELECT eacct.create_enterprise('Upgrade Co', 'up-ma') AS ent \gset
SELECT eacct.create_account(:ent, 'up-a') AS a \gset
SELECT eacct.create_account(:ent, 'up-b') AS b \gset
SELECT ma_account_id AS ma FROM eacct.enterprise WHERE enterprise_id = :ent \gset
SELECT eacct.enable_account_center(:ent);
SELECT eacct.apply_credit_line(:ent, 1000);
SELECT eacct.confirm_credit_contract(:ent);
SELECT eacct.set_credit_limit(:a, 300) > 0 AS allocated;
SELECT eacct.top_up(:ma, 500, 'up-1') > 0 AS topped_up;
SELECT eacct.transfer(:ma, :a, 200, 'up-2') > 0 AS transferred;
SELECT eacct.transfer(:ma, :b, 100) > 0 AS transferred;
SELECT eacct.charge(:a, 250, 'before the upgrade') > 0 AS charged;
SELECT eacct.withdraw(:b, :ma, 40) > 0 AS withdrawn;
-- two administrators, added by the new library on the 0.1.0 schema (it
-- goes by the role's OID alone there); one role is dropped before the
-- update, which removes its row with a WARNING (0.5.0)
CREATE ROLE eacct_up_admin;
CREATE ROLE eacct_up_gone;
SELECT eacct.add_admin(:ent, 'eacct_up_admin');
SELECT eacct.add_admin(:ent, 'eacct_up_gone');
SET ROLE eacct_up_admin;
SELECT eacct.transferable(:ma) AS admin_on_old_schema, count(*) AS rows_seen FROM eacct.account_assets;
RESET ROLE;
DROP ROLE eacct_up_gone;
SELECT count(*) AS dropped_admin_reported FROM eacct.verify() WHERE problem LIKE 'administrator role % no longer exists%';

-- a fingerprint of the user data, before and after
CREATE FUNCTION pg_temp.fingerprints() RETURNS TABLE (what text, fp text) LANGUAGE sql AS $$
SELECT 'assets' AS what, md5(string_agg(t::text, '|' ORDER BY t.account_id)) AS fp
  FROM (SELECT account_id, account_name, available_credit, cash_balance, transfer_book_balance,
               credit_limit, outstanding, overdue FROM eacct.account_assets) t
UNION ALL
SELECT 'journal', md5(string_agg(t::text, '|' ORDER BY t.entry_id)) FROM eacct.journal t
UNION ALL
SELECT 'records', md5(string_agg(t::text, '|' ORDER BY t.record_id)) FROM eacct.transfer_records t
UNION ALL
SELECT 'history', md5(string_agg(t::text, '|' ORDER BY t.change_id)) FROM eacct.credit_limit_history t
$$;
CREATE TEMP TABLE before AS SELECT * FROM pg_temp.fingerprints();
-- statistics of the text the views show as stored: 0.5.0 deletes them and
-- gathers none (a role that sees no row read them off EXPLAIN's estimates)
CREATE FUNCTION pg_temp.view_text_statistics() RETURNS bigint LANGUAGE sql AS $$
SELECT count(*) FROM pg_statistic s JOIN pg_attribute a ON a.attrelid = s.starelid AND a.attnum = s.staattnum
 WHERE (a.attrelid, a.attname) IN (('eacct.account'::regclass, 'name'), ('eacct.enterprise'::regclass, 'name'),
                                   ('eacct.journal_entry'::regclass, 'memo'),
                                   ('eacct.journal_entry'::regclass, 'created_by'))
$$;
ANALYZE eacct.account, eacct.enterprise, eacct.journal_entry;
SELECT pg_temp.view_text_statistics() AS view_text_statistics_before;

\set VERBOSITY terse
ALTER EXTENSION eacct UPDATE;
\set VERBOSITY default
SELECT extversion FROM pg_extension WHERE extname = 'eacct';
-- the remaining administrator keeps its enterprise, under its name
SELECT admin_role, admin_name FROM eacct.enterprise_admin ORDER BY 1;
SET ROLE eacct_up_admin;
SELECT eacct.transferable(:ma) AS admin_after_update, count(*) AS rows_seen FROM eacct.account_assets;
RESET ROLE;

SELECT b.what, b.fp = a.fp AS unchanged
  FROM before b JOIN pg_temp.fingerprints() a USING (what)
 ORDER BY b.what;
SELECT pg_temp.view_text_statistics() AS view_text_statistics_after_update;
ANALYZE eacct.account, eacct.enterprise, eacct.journal_entry;
SELECT pg_temp.view_text_statistics() AS view_text_statistics_after_analyze;
SELECT count(*) AS problems FROM eacct.verify();

-- 0.4.0 adds its CHECK constraints NOT VALID, so that the update does not
-- read the history under an exclusive lock; the README's VALIDATE step
-- (SHARE UPDATE EXCLUSIVE, writes go on) marks them validated
SELECT conrelid::regclass AS "table", conname FROM pg_constraint
 WHERE connamespace = 'eacct'::regnamespace AND NOT convalidated ORDER BY 1, 2;
-- 0.5.0 refuses a direct INSERT into a table that has rows (UA011 for
-- history); past that guard, the constraints, not yet validated, already
-- check new rows (23514)
\set VERBOSITY terse
INSERT INTO eacct.journal_entry (enterprise_id, entry_id, account_id, kind, amount, d_own_cash,
    d_transfer_book, d_credit_limit, d_outstanding, d_overdue, own_cash, transfer_book,
    credit_limit, outstanding, overdue, created_by)
VALUES (:ent, nextval('eacct.entry_id_seq'), :a, 'top_up', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'dba');
ALTER TABLE eacct.journal_entry DISABLE TRIGGER journal_entry_guard_insert;
ALTER TABLE eacct.transfer_record DISABLE TRIGGER transfer_record_guard_insert;
INSERT INTO eacct.journal_entry (enterprise_id, entry_id, account_id, kind, amount, d_own_cash,
    d_transfer_book, d_credit_limit, d_outstanding, d_overdue, own_cash, transfer_book,
    credit_limit, outstanding, overdue, created_by)
VALUES (:ent, nextval('eacct.entry_id_seq'), :a, 'refund', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'dba');
INSERT INTO eacct.transfer_record (enterprise_id, record_id, kind, from_account, to_account, amount, created_by)
VALUES (:ent, nextval('eacct.record_id_seq'), 'gift', :a, :b, 1, 'dba');
ALTER TABLE eacct.journal_entry ENABLE ALWAYS TRIGGER journal_entry_guard_insert;
ALTER TABLE eacct.transfer_record ENABLE ALWAYS TRIGGER transfer_record_guard_insert;
\set VERBOSITY default
ALTER TABLE eacct.journal_entry VALIDATE CONSTRAINT journal_entry_kind_check;
ALTER TABLE eacct.transfer_record VALIDATE CONSTRAINT transfer_record_kind_check;
ALTER TABLE eacct.transfer_pair VALIDATE CONSTRAINT transfer_pair_check;
ALTER TABLE eacct.bill VALIDATE CONSTRAINT bill_amount_check;
SELECT count(*) AS not_validated FROM pg_constraint
 WHERE connamespace = 'eacct'::regnamespace AND NOT convalidated;

-- behaviour after the upgrade: the rules still hold, idempotency keys
-- issued before the upgrade still answer
SELECT eacct.transfer(:ma, :a, 200, 'up-2') = (SELECT record_id FROM eacct.transfer_records WHERE request_id = 'up-2') AS same_answer;
SELECT eacct.transfer(:ma, :a, 201, 'up-2');             -- UA012
SELECT eacct.transfer(:a, :b, 1);                        -- a's cash went to its charge: UA003
SELECT eacct.withdraw(:a, :ma, 0.01);                    -- a spent all of it: UA004
SELECT eacct.top_up(:a, 100) > 0 AS topped_up;           -- pays a's 50.00 debt first
SELECT account_name, available_credit, cash_balance, transfer_book_balance, outstanding
  FROM eacct.account_assets ORDER BY account_id;
UPDATE eacct.account SET own_cash = 0;                   -- UA010, guards still in place
SELECT count(*) AS problems FROM eacct.verify();

-- the upgraded schema is a fresh install's: same functions (and the C
-- symbols they call), tables, columns and their defaults, indexes,
-- constraints, triggers, grants (of columns too) and row-level security
CREATE FUNCTION pg_temp.schema_objects() RETURNS SETOF text LANGUAGE sql AS $$
SELECT pg_describe_object(classid, objid, objsubid)
  FROM pg_depend WHERE refclassid = 'pg_extension'::regclass
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'eacct')
UNION ALL
SELECT format('%s.%s %s %s statistics %s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
              a.attnotnull, a.attstattarget)
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = 'eacct'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT format('%s.%s default %s', c.relname, a.attname, pg_get_expr(d.adbin, d.adrelid))
  FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
  JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
 WHERE c.relnamespace = 'eacct'::regnamespace
UNION ALL
SELECT pg_get_indexdef(indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
 WHERE c.relnamespace = 'eacct'::regnamespace
UNION ALL
SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
 WHERE connamespace = 'eacct'::regnamespace
UNION ALL
SELECT tgname || ' ' || tgenabled::text || ' ' || pg_get_triggerdef(oid) FROM pg_trigger
 WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'eacct'::regnamespace)
UNION ALL
SELECT p.oid::regprocedure::text || ' ' || coalesce(p.proacl::text, 'default') FROM pg_proc p
 WHERE p.pronamespace = 'eacct'::regnamespace
UNION ALL
SELECT format('%s is %s %s', p.oid::regprocedure, p.probin, p.prosrc) FROM pg_proc p
 WHERE p.pronamespace = 'eacct'::regnamespace
UNION ALL
SELECT format('%s returns %s (%s) secdef %s config %s volatile %s parallel %s strict %s leakproof %s cost %s rows %s',
              p.oid::regprocedure, pg_get_function_result(p.oid), pg_get_function_arguments(p.oid),
              p.prosecdef, p.proconfig, p.provolatile, p.proparallel, p.proisstrict, p.proleakproof,
              p.procost, p.prorows)
  FROM pg_proc p WHERE p.pronamespace = 'eacct'::regnamespace
UNION ALL
SELECT format('%s kind %s options %s acl %s', c.relname, c.relkind, c.reloptions, coalesce(c.relacl::text, 'default'))
  FROM pg_class c WHERE c.relnamespace = 'eacct'::regnamespace
UNION ALL
SELECT format('%s.%s acl %s', c.relname, a.attname, a.attacl)
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = 'eacct'::regnamespace AND a.attacl IS NOT NULL
UNION ALL
SELECT format('%s row security %s forced %s', c.relname, c.relrowsecurity, c.relforcerowsecurity)
  FROM pg_class c WHERE c.relnamespace = 'eacct'::regnamespace AND c.relkind IN ('r', 'p')
UNION ALL
SELECT format('policy %s on %s for %s to %s permissive %s using %s check %s', p.polname, c.relname,
              p.polcmd, p.polroles::text, p.polpermissive, pg_get_expr(p.polqual, p.polrelid),
              pg_get_expr(p.polwithcheck, p.polrelid))
  FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE c.relnamespace = 'eacct'::regnamespace
UNION ALL
SELECT format('sequence %s %s start %s increment %s min %s max %s cache %s cycle %s', c.relname,
              s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle)
  FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid WHERE c.relnamespace = 'eacct'::regnamespace
UNION ALL
SELECT format('view %s %s', c.relname, pg_get_viewdef(c.oid)) FROM pg_class c
 WHERE c.relnamespace = 'eacct'::regnamespace AND c.relkind = 'v'
UNION ALL
SELECT format('dumped %s where %s', t.tab::regclass, t.cond)
  FROM pg_extension x, unnest(x.extconfig, x.extcondition) AS t(tab, cond) WHERE x.extname = 'eacct'
UNION ALL
SELECT format('comment on %s: %s', pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description)
  FROM pg_description d JOIN pg_depend m ON m.classid = d.classoid AND m.objid = d.objoid
 WHERE m.refclassid = 'pg_extension'::regclass AND m.deptype = 'e'
   AND m.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'eacct')
UNION ALL
SELECT format('schema eacct owner superuser %s acl %s', r.rolsuper, coalesce(n.nspacl::text, 'default'))
  FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE n.nspname = 'eacct'
$$;
CREATE TEMP TABLE upgraded AS SELECT * FROM pg_temp.schema_objects() AS object;
DROP EXTENSION eacct;
CREATE EXTENSION eacct;
SELECT extversion FROM pg_extension WHERE extname = 'eacct';
CREATE TEMP TABLE fresh AS SELECT * FROM pg_temp.schema_objects() AS object;
SELECT 'only after upgrade' AS side, object FROM (SELECT object FROM upgraded EXCEPT ALL SELECT object FROM fresh) d
UNION ALL
SELECT 'only in fresh install', object FROM (SELECT object FROM fresh EXCEPT ALL SELECT object FROM upgraded) d
ORDER BY 1, 2;
SELECT count(*) > 100 AS compared_many_objects FROM fresh;
-- the same session moves money in the fresh install: what the library
-- remembered of the dropped one's tables (their OIDs) is forgotten
SELECT eacct.create_enterprise('fresh-co', 'fresh-ma') AS fe \gset
SELECT eacct.create_account(:fe, 'fresh-a') AS fa \gset
SELECT eacct.enable_account_center(:fe);
SELECT eacct.top_up(:fa, 10) > 0 AS topped_up;
SELECT eacct.transfer(:fa, account_id, 4) > 0 AS transferred FROM eacct.account WHERE enterprise_id = :fe AND is_ma;
SELECT account_name, cash_balance, transfer_book_balance FROM eacct.account_assets WHERE enterprise_id = :fe ORDER BY account_name;
SELECT count(*) AS problems FROM eacct.verify();
DROP EXTENSION eacct;
DROP ROLE eacct_up_admin;
