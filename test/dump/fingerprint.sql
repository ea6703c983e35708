-- test/dump/fingerprint.sql — one line per object of schema eacct, equal
-- between a database and its restored copy when nothing was lost:
--   every table and view: row count and md5 of all its rows (as text, in
--   one order), read as superuser and again as the two administrator roles
--   (the views filter rows by enterprise_admin, a regrole column);
--   every sequence: last_value and is_called;
--   the extension's version and config tables, the columns without
--   statistics (a statistics target of 0), triggers (with their
--   enabled state), and the ACLs of its functions, tables and views.
-- The tables of schema public (an application's) are compared too.
-- Run with psql -X -q -At -v ON_ERROR_STOP=1.
SET client_min_messages = warning;

SELECT format($q$SELECT %L || '|' || count(*) || '|' || md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text COLLATE "C"), '')) FROM %s t$q$,
              CASE c.relkind WHEN 'r' THEN 'table ' ELSE 'view ' END || c.oid::regclass::text,
              c.oid::regclass)
  FROM pg_catalog.pg_class c
 WHERE c.relnamespace IN ('eacct'::regnamespace, 'public'::regnamespace) AND c.relkind IN ('r', 'v')
 ORDER BY c.relname \gexec

SELECT format($q$SELECT %L || '|' || last_value || '|' || is_called FROM %s$q$,
              'sequence ' || c.oid::regclass::text, c.oid::regclass)
  FROM pg_catalog.pg_class c
 WHERE c.relnamespace = 'eacct'::regnamespace AND c.relkind = 'S'
 ORDER BY c.relname \gexec

SET ROLE eacct_dump_alice;
SELECT format($q$SELECT %L || '|' || count(*) || '|' || md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text COLLATE "C"), '')) FROM %s t$q$,
              'as eacct_dump_alice: view ' || c.oid::regclass::text, c.oid::regclass)
  FROM pg_catalog.pg_class c
 WHERE c.relnamespace = 'eacct'::regnamespace AND c.relkind = 'v'
 ORDER BY c.relname \gexec
RESET ROLE;
SET ROLE "Eacct Dump Ops";
SELECT format($q$SELECT %L || '|' || count(*) || '|' || md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text COLLATE "C"), '')) FROM %s t$q$,
              'as Eacct Dump Ops: view ' || c.oid::regclass::text, c.oid::regclass)
  FROM pg_catalog.pg_class c
 WHERE c.relnamespace = 'eacct'::regnamespace AND c.relkind = 'v'
 ORDER BY c.relname \gexec
RESET ROLE;

SELECT 'extension|' || extversion || '|' || extrelocatable || '|'
       || (SELECT string_agg(x::regclass::text, ',' ORDER BY x::regclass::text) FROM unnest(extconfig) x)
  FROM pg_catalog.pg_extension WHERE extname = 'eacct';
SELECT 'trigger|' || tgrelid::regclass::text || '|' || tgname || '|' || tgenabled::text || '|' || pg_get_triggerdef(oid)
  FROM pg_catalog.pg_trigger
 WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM pg_catalog.pg_class WHERE relnamespace = 'eacct'::regnamespace)
 ORDER BY 1;
SELECT 'function acl|' || oid::regprocedure::text || '|' || coalesce(proacl::text, 'default') || '|' || prosecdef
  FROM pg_catalog.pg_proc WHERE pronamespace = 'eacct'::regnamespace
 ORDER BY 1;
SELECT 'relation acl|' || oid::regclass::text || '|' || relkind::text || '|' || coalesce(relacl::text, 'default')
  FROM pg_catalog.pg_class WHERE relnamespace = 'eacct'::regnamespace AND relkind IN ('r', 'v', 'S')
 ORDER BY 1;
SELECT 'constraint|' || conrelid::regclass::text || '|' || conname || '|' || pg_get_constraintdef(oid)
  FROM pg_catalog.pg_constraint WHERE connamespace = 'eacct'::regnamespace
 ORDER BY 1;
SELECT 'no statistics|' || string_agg(a.attrelid::regclass::text || '.' || a.attname, ',' ORDER BY a.attrelid::regclass::text, a.attname)
  FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = 'eacct'::regnamespace AND a.attnum > 0 AND a.attstattarget = 0;
SELECT 'index|' || pg_get_indexdef(indexrelid)
  FROM pg_catalog.pg_index WHERE indrelid IN (SELECT oid FROM pg_catalog.pg_class WHERE relnamespace = 'eacct'::regnamespace)
 ORDER BY 1;
