-- pgTAP: enterprises, accounts, admins, contacts, amounts (SPEC sections 1, 2, 7)
\i test/pgtap/helpers.psql
BEGIN;
SELECT * FROM no_plan();

-- schema shape: enterprise_id leads every key; accounts found by id alone
SELECT col_is_pk('eacct', 'enterprise', ARRAY['enterprise_id'], 'enterprise key');
SELECT col_is_pk('eacct', 'account', ARRAY['enterprise_id', 'account_id'], 'account key leads with enterprise_id');
SELECT col_is_pk('eacct', 'contact', ARRAY['enterprise_id', 'contact_id'], 'contact key leads with enterprise_id');
SELECT col_is_pk('eacct', 'enterprise_admin', ARRAY['enterprise_id', 'admin_role'], 'admin key leads with enterprise_id');
SELECT col_is_pk('eacct', 'coupon', ARRAY['enterprise_id', 'coupon_id'], 'coupon key leads with enterprise_id');
SELECT has_index('eacct', 'account', 'account_account_id_idx', ARRAY['account_id'], 'account_id is indexed');
SELECT is((SELECT count(*) FROM pg_class c
            WHERE c.relnamespace = 'eacct'::regnamespace AND c.relkind = 'r'
              AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                                 AND a.attname = 'enterprise_id' AND a.attnum = 1)),
          0::bigint, 'every table starts with enterprise_id');
-- journal entry ids are drawn under the account's lock, one at a time, so
-- that per account they rise in commit order (verify() chains entries by
-- entry_id); a sequence cache would hand each session its own range
SELECT is((SELECT seqcache FROM pg_sequence WHERE seqrelid = 'eacct.entry_id_seq'::regclass), 1::bigint,
          'entry_id_seq has no cache (CACHE 1)');

-- amounts (SPEC section 1) through eacct.amount_cents
SELECT is(eacct.amount_cents(1.500), 150::bigint, '1.500 is 150 cents');
SELECT is(eacct.amount_cents(0.01), 1::bigint, 'one cent');
SELECT is(eacct.amount_cents(92233720368547758.07), 9223372036854775807, 'largest amount');
SELECT throws_ok('SELECT eacct.amount_cents(1.005)', '22023', 'amount has more than 2 fractional digits', '1.005 rejected');
SELECT throws_ok('SELECT eacct.amount_cents(0.001)', '22023', 'amount has more than 2 fractional digits', '0.001 rejected');
SELECT throws_ok($$SELECT eacct.amount_cents('NaN')$$, '22023', 'amount must be a number', 'NaN rejected');
SELECT throws_ok('SELECT eacct.amount_cents(NULL)', '22023', 'amount must not be null', 'NULL rejected');
SELECT throws_ok('SELECT eacct.amount_cents(1e30)', '22003', 'amount is out of range', '1e30 rejected');
SELECT throws_ok('SELECT eacct.amount_cents(92233720368547758.08)', '22003', 'amount is out of range', 'one cent over the largest amount');
SELECT throws_ok('SELECT eacct.amount_cents(-92233720368547758.09)', '22003', 'amount is out of range', 'below the smallest amount');
SELECT throws_ok($$SELECT eacct.amount_cents('Infinity')$$, '22003', 'amount is out of range', 'Infinity rejected');
SELECT is(pg_temp.error_of($$SELECT eacct.amount_cents('-Infinity')$$), '22003: -Infinity is not an amount.', 'the detail names -Infinity');
SELECT throws_ok($$SELECT eacct.amount_cents(('9' || repeat('0', 131071))::numeric)$$, '22003', 'amount is out of range', 'a numeric near the type''s limit is out of range, not a numeric overflow');
SELECT throws_ok('SELECT eacct.amount_cents(0)', '22023', 'amount must be greater than zero', 'zero is not a money-moving amount');
SELECT throws_ok('SELECT eacct.amount_cents(-0.01)', '22023', 'amount must be greater than zero', 'negative amount rejected');

-- enterprises
SELECT eacct.create_enterprise('Acme Cloud', 'acme-ma') AS acme \gset
SELECT ok(:acme > 0, 'create_enterprise returns the new id');
SELECT is((SELECT count(*) FROM eacct.account WHERE enterprise_id = :acme AND is_ma), 1::bigint,
          'the enterprise comes with exactly one MA account');
SELECT is((SELECT a.name FROM eacct.account a JOIN eacct.enterprise e ON a.account_id = e.ma_account_id
            WHERE e.enterprise_id = :acme), 'acme-ma', 'ma_account_id names the MA account');
SELECT is((SELECT credit_status FROM eacct.enterprise WHERE enterprise_id = :acme), 'none', 'no credit line yet');
SELECT is((SELECT account_center_enabled FROM eacct.enterprise WHERE enterprise_id = :acme), false, 'account center off by default');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_enterprise('Acme Cloud', 'x')$$, '23505', NULL, 'duplicate enterprise name');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_enterprise(NULL, 'x')$$, '22023', 'enterprise name must not be null', 'NULL enterprise name');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_enterprise('New', NULL)$$, '22023', 'account name must not be null', 'NULL MA name');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_enterprise('', 'x')$$, '22023', 'enterprise name must not be empty', 'empty enterprise name');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_enterprise('   ', 'x')$$, '22023', 'enterprise name must not be empty', 'blank enterprise name');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_enterprise(repeat('x', 201), 'x')$$, '22023', 'enterprise name is too long', '201-character name');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_enterprise(repeat('x', 10000), 'x')$$, '22023', 'enterprise name is too long', '10,000-character name');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_enterprise(E'tab\there', 'x')$$, '22023', 'enterprise name contains a control character', 'control character');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_enterprise(E'next\u0085line', 'x')$$, '22023', 'enterprise name contains a control character', 'C1 control character (U+0085)');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_enterprise(E'odd\uFFFF', 'x')$$, '22023', 'enterprise name contains a Unicode noncharacter', 'U+FFFF, which no XML document holds');
SELECT is(pg_temp.error_of($$SELECT eacct.create_enterprise(E'odd\uFFFE', 'x')$$), '22023: Character 4 is U+FFFE.', 'errdetail names U+FFFE');
SELECT is(pg_temp.error_of($$SELECT eacct.create_enterprise(E'\u00e9\u00e9\u00e9\tb', 'x')$$), '22023: Character 4 is 0x09.', 'errdetail counts characters, not bytes');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_enterprise(E'\u00A0\u3000 \u200B', 'x')$$, '22023', 'enterprise name must not be empty', 'Unicode spaces only (no-break, ideographic, zero width) are blank');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_enterprise(E'\u200E\u2028\u2029\u1680\u061C\uFE0F\u2066\U000E0041', 'x')$$, '22023', 'enterprise name must not be empty', 'other invisible characters only (bidi marks, line and paragraph separators, Ogham space, variation selector, tag) are blank');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_account($$ || :acme || $$, E'\u00AD\u3164')$$, '22023', 'account name must not be empty', 'a soft hyphen and a Hangul filler are blank');
SELECT lives_ok($$SELECT eacct.create_enterprise(E'no\u00A0break', 'nb-ma')$$, 'a no-break space between words is fine');
SELECT lives_ok($$SELECT eacct.create_enterprise(E'\u200Fvisible\u200E', 'bidi-ma')$$, 'a visible character between bidi marks is fine');
SELECT lives_ok($$SELECT eacct.create_enterprise(repeat('é', 200), 'ma')$$, '200 characters (multibyte) is fine');

-- accounts
SELECT eacct.create_account(:acme, 'acme-dev') AS dev \gset
SELECT is((SELECT enterprise_id FROM eacct.account WHERE account_id = :dev), :acme::bigint, 'account belongs to its enterprise');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_account($$ || :acme || $$, 'acme-dev')$$, '23505', NULL, 'duplicate account name');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_account($$ || :acme || $$, 'acme-ma')$$, '23505', NULL, 'name of the MA account');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_account(-1, 'x')$$, 'P0002', 'enterprise -1 does not exist', 'unknown enterprise');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_account(NULL, 'x')$$, '22023', 'enterprise_id must not be null', 'NULL enterprise');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_account($$ || :acme || $$, NULL)$$, '22023', 'account name must not be null', 'NULL account name');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_account($$ || :acme || $$, '')$$, '22023', 'account name must not be empty', 'empty account name');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_account($$ || :acme || $$, '   ')$$, '22023', 'account name must not be empty', 'blank account name');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_account($$ || :acme || $$, repeat('x', 201))$$, '22023', 'account name is too long', '201-character account name');
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_account($$ || :acme || $$, E'line\nbreak')$$, '22023', 'account name contains a control character', 'account name with a line break');

-- account center
SELECT lives_ok('SELECT eacct.enable_account_center(' || :acme || ')', 'enable account center');
SELECT is((SELECT account_center_enabled FROM eacct.enterprise WHERE enterprise_id = :acme), true, 'account center on');
SELECT * FROM pg_temp.rejects('SELECT eacct.enable_account_center(-1)', 'P0002', 'enterprise -1 does not exist', 'unknown enterprise (account center)');
SELECT * FROM pg_temp.rejects('SELECT eacct.enable_account_center(' || :acme || ', NULL)', '22023', 'enabled must not be null', 'NULL enabled');

-- admins
CREATE ROLE eacct_tap_admin;
SELECT lives_ok('SELECT eacct.add_admin(' || :acme || $$, 'eacct_tap_admin')$$, 'add admin');
SELECT lives_ok('SELECT eacct.add_admin(' || :acme || $$, 'eacct_tap_admin')$$, 'adding the same admin again is a no-op');
SELECT is((SELECT count(*) FROM eacct.enterprise_admin WHERE enterprise_id = :acme), 1::bigint, 'one admin row');
SELECT * FROM pg_temp.rejects($$SELECT eacct.add_admin(-1, 'eacct_tap_admin')$$, 'P0002', 'enterprise -1 does not exist', 'admin of unknown enterprise');
SELECT * FROM pg_temp.rejects('SELECT eacct.add_admin(' || :acme || ', NULL)', '22023', 'role must not be null', 'NULL role');
SELECT * FROM pg_temp.rejects('SELECT eacct.add_admin(' || :acme || $$, '-')$$, '22023', 'role must name an existing role', 'no role');

-- contacts (channel sms or email, else 22023)
SELECT lives_ok('SELECT eacct.add_contact(' || :dev || $$, 'email', 'ops@acme.example')$$, 'email contact');
SELECT lives_ok('SELECT eacct.add_contact(' || :dev || $$, 'sms', '+1 555-0100')$$, 'sms contact');
SELECT lives_ok('SELECT eacct.add_contact(' || :dev || $$, 'sms', '+1 555-0100')$$, 'same contact again is a no-op');
SELECT is((SELECT count(*) FROM eacct.contact WHERE account_id = :dev), 2::bigint, 'two contacts');
SELECT * FROM pg_temp.rejects('SELECT eacct.add_contact(' || :dev || $$, 'fax', '+1 555-0100')$$, '22023', 'invalid contact channel', 'channel fax');
SELECT * FROM pg_temp.rejects('SELECT eacct.add_contact(' || :dev || $$, 'SMS', '+1 555-0100')$$, '22023', 'invalid contact channel', 'channel names are lower case');
SELECT * FROM pg_temp.rejects('SELECT eacct.add_contact(' || :dev || $$, NULL, '+1 555-0100')$$, '22023', 'channel must not be null', 'NULL channel');
SELECT * FROM pg_temp.rejects('SELECT eacct.add_contact(' || :dev || $$, 'email', 'ops.acme.example')$$, '22023', 'invalid email address', 'email without @');
SELECT * FROM pg_temp.rejects('SELECT eacct.add_contact(' || :dev || $$, 'sms', 'call me')$$, '22023', 'invalid sms address', 'phone without digits');
SELECT * FROM pg_temp.rejects('SELECT eacct.add_contact(' || :dev || $$, 'sms', '12345')$$, '22023', 'invalid sms address', 'phone of 5 digits');
SELECT is(pg_temp.error_of('SELECT eacct.add_contact(' || :dev || $$, 'sms', '12345')$$), '22023: "12345" is not a phone number of 6 to 20 digits.', 'the detail names the digits allowed');
SELECT * FROM pg_temp.rejects('SELECT eacct.add_contact(' || :dev || $$, 'sms', '+123456789012345678901')$$, '22023', 'invalid sms address', 'phone of 21 digits');
SELECT lives_ok('SELECT eacct.add_contact(' || :dev || $$, 'sms', '123456')$$, 'phone of 6 digits');
SELECT lives_ok('SELECT eacct.add_contact(' || :dev || $$, 'sms', '+12345678901234567890')$$, 'phone of 20 digits');
SELECT * FROM pg_temp.rejects('SELECT eacct.add_contact(' || :dev || $$, 'email', repeat('a', 189) || '@example.com')$$, '22023', 'address is too long', '201-character address');
SELECT * FROM pg_temp.rejects('SELECT eacct.add_contact(' || :dev || $$, 'email', E'a\tb@example.com')$$, '22023', 'address contains a control character', 'address with a tab');
SELECT * FROM pg_temp.rejects('SELECT eacct.add_contact(' || :dev || $$, 'email', '')$$, '22023', 'address must not be empty', 'empty address');
SELECT * FROM pg_temp.rejects($$SELECT eacct.add_contact(-1, 'email', 'ops@acme.example')$$, 'P0002', 'account -1 does not exist', 'contact of unknown account');

-- least privilege: operator functions are not for PUBLIC
SELECT ok(NOT has_function_privilege('public', p.oid, 'EXECUTE'), 'PUBLIC cannot execute ' || p.oid::regprocedure)
  FROM pg_proc p
 WHERE p.oid IN ('eacct.create_enterprise(text,text)'::regprocedure, 'eacct.create_account(bigint,text)'::regprocedure,
                 'eacct.enable_account_center(bigint,boolean)'::regprocedure, 'eacct.add_admin(bigint,regrole)'::regprocedure,
                 'eacct.add_contact(bigint,text,text)'::regprocedure)
 ORDER BY p.oid::regprocedure::text;
CREATE ROLE eacct_tap_nobody;
SET ROLE eacct_tap_nobody;
SELECT * FROM pg_temp.rejects($$SELECT eacct.create_enterprise('Sneaky', 'x')$$, '42501', NULL, 'no grant, no enterprise');
SELECT * FROM pg_temp.rejects('SELECT eacct.create_account(' || :acme || $$, 'sneaky')$$, '42501', NULL, 'no grant, no account');
SELECT * FROM pg_temp.rejects('SELECT * FROM eacct.account', '42501', NULL, 'tables are private');
SELECT is((SELECT count(*) FROM eacct.account_assets), 0::bigint, 'a stranger sees no rows');
RESET ROLE;
SET ROLE eacct_tap_admin;
SELECT is((SELECT count(*) FROM eacct.account_assets), 2::bigint, 'the admin sees the two accounts of its enterprise');
SELECT is((SELECT count(*) FROM eacct.account_assets WHERE enterprise_id <> :acme), 0::bigint, 'and nothing else');
RESET ROLE;
GRANT EXECUTE ON FUNCTION eacct.create_account(bigint, text) TO eacct_tap_nobody;
SET ROLE eacct_tap_nobody;
SELECT lives_ok('SELECT eacct.create_account(' || :acme || $$, 'granted')$$, 'an operator the DBA granted can call it');
RESET ROLE;

-- remove_admin; administrator rows left by dropped roles are reported by verify()
SELECT lives_ok('SELECT eacct.remove_admin(' || :acme || $$, 'eacct_tap_admin')$$, 'remove an admin');
SELECT lives_ok('SELECT eacct.remove_admin(' || :acme || $$, 'eacct_tap_admin')$$, 'removing it again is a no-op');
SET ROLE eacct_tap_admin;
SELECT is((SELECT count(*) FROM eacct.account_assets), 0::bigint, 'a removed admin sees nothing');
RESET ROLE;
SELECT * FROM pg_temp.rejects($$SELECT eacct.remove_admin(-1, 'eacct_tap_admin')$$, 'P0002', 'enterprise -1 does not exist', 'remove admin of unknown enterprise');
SELECT * FROM pg_temp.rejects('SELECT eacct.remove_admin(' || :acme || ', NULL)', '22023', 'role must not be null', 'remove NULL role');
CREATE ROLE eacct_tap_gone;
SELECT 'eacct_tap_gone'::regrole::oid AS gone \gset
SELECT eacct.add_admin(:acme, 'eacct_tap_gone');
DROP ROLE eacct_tap_gone;
SELECT is((SELECT count(*) FROM eacct.verify(:acme) WHERE problem LIKE 'administrator role % no longer exists%'),
          1::bigint, 'verify() reports the admin row of a dropped role');
SELECT lives_ok(format('SELECT eacct.remove_admin(%s, %L::regrole)', :acme, :'gone'), 'which remove_admin removes by OID');
SELECT is((SELECT count(*) FROM eacct.verify(:acme)), 0::bigint, 'then verify() is clean');
SELECT ok(NOT has_function_privilege('public', 'eacct.remove_admin(bigint,regrole)', 'EXECUTE'), 'PUBLIC cannot execute remove_admin');

-- add_admin takes only an existing role: regrole reads a number without
-- looking it up, so the dropped role's OID is refused here (42704)
SELECT * FROM pg_temp.rejects(format('SELECT eacct.add_admin(%s, %L::regrole)', :acme, :'gone'), '42704',
                              format('role with OID %s does not exist', :'gone'), 'add_admin of a dropped role''s OID');

-- an administrator row holds the name its role was added with and counts
-- only while the role with that OID still has it (0.5.0)
CREATE ROLE eacct_tap_renamed;
SELECT eacct.add_admin(:acme, 'eacct_tap_renamed');
SELECT is((SELECT admin_name::text FROM eacct.enterprise_admin
            WHERE enterprise_id = :acme AND admin_role = 'eacct_tap_renamed'::regrole),
          'eacct_tap_renamed', 'add_admin records the role''s name');
SELECT count(*) AS acme_accounts FROM eacct.account WHERE enterprise_id = :acme \gset
SET ROLE eacct_tap_renamed;
SELECT is((SELECT count(*) FROM eacct.account_assets), :acme_accounts::bigint, 'the added role sees its enterprise');
RESET ROLE;
ALTER ROLE eacct_tap_renamed RENAME TO eacct_tap_renamed2;
SET ROLE eacct_tap_renamed2;
SELECT is((SELECT count(*) FROM eacct.account_assets), 0::bigint, 'renamed, it sees nothing');
SELECT * FROM pg_temp.rejects(format('SELECT * FROM eacct.verify(%s)', :acme), '42501', format('permission denied for enterprise %s', :acme),
                              'renamed, it is no administrator');
RESET ROLE;
SELECT is((SELECT problem FROM eacct.verify(:acme)),
          'administrator role eacct_tap_renamed2 was added as eacct_tap_renamed; a renamed role administers nothing until eacct.add_admin adds it again',
          'verify() reports the renamed administrator');
SELECT lives_ok(format('SELECT eacct.add_admin(%s, %L)', :acme, 'eacct_tap_renamed2'), 'adding the renamed role again');
SELECT is((SELECT count(*) FROM eacct.enterprise_admin WHERE enterprise_id = :acme AND admin_role = 'eacct_tap_renamed2'::regrole),
          1::bigint, 'keeps one row for the role');
SELECT is((SELECT admin_name::text FROM eacct.enterprise_admin
            WHERE enterprise_id = :acme AND admin_role = 'eacct_tap_renamed2'::regrole),
          'eacct_tap_renamed2', 'with its new name');
SET ROLE eacct_tap_renamed2;
SELECT is((SELECT count(*) FROM eacct.account_assets), :acme_accounts::bigint, 'then it sees its enterprise again');
RESET ROLE;
SELECT is((SELECT count(*) FROM eacct.verify(:acme)), 0::bigint, 'and verify() is clean');
SELECT pg_temp.eacct_state() AS state_before \gset
SELECT lives_ok(format('SELECT eacct.add_admin(%s, %L)', :acme, 'eacct_tap_renamed2'), 'adding it once more');
SELECT is(pg_temp.eacct_state(), :'state_before', 'changes nothing');

-- a row whose OID has come to name another role (OID wrap-around, or a
-- dump restored into another cluster) gives that role nothing
CREATE ROLE eacct_tap_heir;
INSERT INTO eacct.enterprise_admin (enterprise_id, admin_role, admin_name)
VALUES (:acme, 'eacct_tap_heir', 'eacct_tap_ancestor');
SET ROLE eacct_tap_heir;
SELECT is((SELECT count(*) FROM eacct.account_assets), 0::bigint, 'the heir of a dropped admin''s OID sees nothing');
SELECT * FROM pg_temp.rejects(format('SELECT * FROM eacct.verify(%s)', :acme), '42501', format('permission denied for enterprise %s', :acme),
                              'and administers nothing');
RESET ROLE;
SELECT is((SELECT problem FROM eacct.verify(:acme)),
          'administrator role eacct_tap_heir was added as eacct_tap_ancestor; a renamed role administers nothing until eacct.add_admin adds it again',
          'verify() reports the row');

SELECT * FROM finish();
ROLLBACK;
