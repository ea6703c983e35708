-- pgTAP: export_accounts_xlsx — who may export, what comes back
-- (test/export/run.sh reads the workbook back and compares every cell)
\i test/pgtap/helpers.psql
BEGIN;
SELECT * FROM no_plan();

SELECT eacct.create_enterprise('Acme', 'acme-ma') AS acme \gset
SELECT eacct.create_enterprise('Globex', 'globex-ma') AS globex \gset
SELECT eacct.create_account(:acme, 'dev') AS dev \gset
CREATE ROLE eacct_tap_acme_admin;
CREATE ROLE eacct_tap_globex_admin;
SELECT eacct.add_admin(:acme, 'eacct_tap_acme_admin');
SELECT eacct.add_admin(:globex, 'eacct_tap_globex_admin');

SELECT eacct.export_accounts_xlsx(:acme) AS book \gset
SELECT is(substr(:'book'::bytea, 1, 4), '\x504b0304'::bytea, 'the export is a zip container (xlsx)');
SELECT ok(length(:'book'::bytea) > 1000, 'with content');
SELECT ok(position(convert_to('xl/worksheets/sheet1.xml', 'UTF8') IN :'book'::bytea) > 0,
          'holding a worksheet');

SET ROLE eacct_tap_acme_admin;
SELECT lives_ok('SELECT eacct.export_accounts_xlsx(' || :acme || ')', 'an administrator exports its enterprise');
SELECT * FROM pg_temp.rejects('SELECT eacct.export_accounts_xlsx(' || :globex || ')', '42501',
    'permission denied for enterprise ' || :globex, 'but not another enterprise');
RESET ROLE;
CREATE ROLE eacct_tap_stranger;
SET ROLE eacct_tap_stranger;
SELECT * FROM pg_temp.rejects('SELECT eacct.export_accounts_xlsx(' || :acme || ')', '42501',
    'permission denied for enterprise ' || :acme, 'a stranger exports nothing');
RESET ROLE;
SELECT * FROM pg_temp.rejects('SELECT eacct.export_accounts_xlsx(-1)', 'P0002',
    'enterprise -1 does not exist', 'unknown enterprise');
SELECT * FROM pg_temp.rejects('SELECT eacct.export_accounts_xlsx(NULL)', '22023',
    'enterprise_id must not be null', 'NULL enterprise');
SELECT is((SELECT count(*) FROM pg_ls_tmpdir() WHERE name LIKE 'pgsql_tmp_eacct%'), 0::bigint,
          'no temporary file is left behind');
-- a name longer than a cell holds (written past the API's 200-character
-- limit by a superuser's UPDATE): the error names the account
SAVEPOINT long_name;
UPDATE eacct.account SET name = repeat('x', 40000) WHERE account_id = :dev;
SELECT * FROM pg_temp.rejects('SELECT eacct.export_accounts_xlsx(' || :acme || ')', '54000',
    'the name of account ' || :dev || ' is too long for a workbook cell', 'a name longer than a cell');
SELECT is(pg_temp.error_of('SELECT eacct.export_accounts_xlsx(' || :acme || ')'),
    '54000: It has 40000 characters, 40000 as the workbook stores it (with each _xHHHH_ escaped); a cell holds at most 32767.',
    'the detail gives its length and the limit');
-- escaped, a shorter name can be too long as well: the detail says so
UPDATE eacct.account SET name = repeat('_x0041_', 4000) WHERE account_id = :dev;
SELECT is(pg_temp.error_of('SELECT eacct.export_accounts_xlsx(' || :acme || ')'),
    '54000: It has 28000 characters, 52000 as the workbook stores it (with each _xHHHH_ escaped); a cell holds at most 32767.',
    'the detail gives the escaped length too');
ROLLBACK TO SAVEPOINT long_name;
SELECT is((SELECT count(*) FROM pg_ls_tmpdir() WHERE name LIKE 'pgsql_tmp_eacct%'), 0::bigint,
          'no temporary file is left behind by the failed export');

SELECT * FROM finish();
ROLLBACK;
