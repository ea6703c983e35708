-- pgTAP: hostile input (SPEC sections 1, 7, 8, 12; README "Decisions").
-- Every function of schema eacct an application can call (found in
-- pg_proc, so functions added later are covered without editing this file)
-- is called with one hostile value in one argument at a time, the other
-- arguments valid: NULL, signs, zero, overflow, NaN, infinities, three
-- decimals, unknown ids and ids of another enterprise, empty, huge, control
-- and unicode text, NULL/empty/ragged/two-dimensional arrays, infinite and
-- inverted timestamps, negative intervals, role '-', extreme integers.
-- The matrix runs twice: as superuser and as an administrator of enterprise
-- A only.  Every call must end successfully or with a documented SQLSTATE
-- (never XX000, never a crash), and leave role and search_path as they
-- were.  After every call the superuser run accepts, ordinary operations
-- (probes) must still end with documented SQLSTATEs and verify() must find
-- nothing: an accepted value must not poison later calls.  Every call is
-- rolled back.  The per-function and per-argument outcome tables below show
-- any change of behaviour as a diff.
\i test/pgtap/helpers.psql
BEGIN;
SELECT * FROM no_plan();
SET LOCAL statement_timeout = '120s';

-- ---------------------------------------------------------------------------
-- Fixtures: enterprises A and B, each with the account center on, an active
-- credit line of 1000, cash, a transfer, a coupon, a bill and notifications.
-- ---------------------------------------------------------------------------
CREATE ROLE eacct_hostile_admin;      -- administrator of A only
CREATE ROLE eacct_hostile_other;      -- a valid role argument for add_admin
CREATE TEMP TABLE hx_fixture (key text PRIMARY KEY, val bigint NOT NULL);
CREATE FUNCTION pg_temp.hx_enterprise(tag text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    ent bigint := eacct.create_enterprise('hostile ' || tag, tag || '-ma');
    ma bigint := (SELECT ma_account_id FROM eacct.enterprise WHERE enterprise_id = ent);
    x1 bigint := eacct.create_account(ent, tag || '1');
    x2 bigint := eacct.create_account(ent, tag || '2');
BEGIN
    PERFORM eacct.enable_account_center(ent);
    PERFORM eacct.add_contact(ma, 'email', tag || '@hostile.example');
    PERFORM eacct.add_contact(ma, 'sms', '+1 555-0100');
    PERFORM eacct.apply_credit_line(ent, 1000);       -- 2 contract_pending notifications
    PERFORM eacct.confirm_credit_contract(ent);
    PERFORM eacct.top_up(x1, 1000);
    PERFORM eacct.transfer(x1, x2, 100);              -- x1 -> x2: withdrawable
    PERFORM eacct.set_credit_limit(ma, 100);
    PERFORM eacct.charge(ma, 50);                     -- a bill of 50, for mark_overdue
    INSERT INTO hx_fixture VALUES
        ('ent_' || tag, ent), ('ma_' || tag, ma), (tag || '1', x1), (tag || '2', x2),
        ('coupon_' || tag, eacct.grant_coupon(x1, 10, now() + interval '30 days')),
        ('notif1_' || tag, (SELECT min(notification_id) FROM eacct.notification WHERE enterprise_id = ent)),
        ('notif2_' || tag, (SELECT max(notification_id) FROM eacct.notification WHERE enterprise_id = ent));
END
$$;
SELECT pg_temp.hx_enterprise('a') \gset
SELECT pg_temp.hx_enterprise('b') \gset
SELECT eacct.add_admin((SELECT val FROM hx_fixture WHERE key = 'ent_a'), 'eacct_hostile_admin') \gset
SELECT is((SELECT count(*) FROM eacct.verify()), 0::bigint, 'fixtures are consistent');
SELECT is((SELECT count(*) FROM eacct.notification n JOIN hx_fixture f ON f.key LIKE 'notif%' AND f.val = n.notification_id),
          4::bigint, 'two notifications of each enterprise');

-- fixture id as a bigint literal
CREATE FUNCTION pg_temp.hx_id(k text) RETURNS text LANGUAGE sql AS $$
    SELECT format('%s::bigint', (SELECT val FROM hx_fixture WHERE key = k))
$$;

-- ---------------------------------------------------------------------------
-- The generator.  hx_valid: a valid value of argument `arg' of function
-- `fn' (by name where the name says what it is, else by type).  hx_hostile:
-- the hostile values of that argument, (label, expression) in a fixed
-- order.  An argument type the generator does not know is an error.
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.hx_valid(fn text, arg text, typ regtype) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    CASE typ
    WHEN 'bigint'::regtype THEN
        RETURN CASE
            WHEN arg = 'enterprise_id' THEN pg_temp.hx_id('ent_a')
            WHEN arg = 'coupon_id' THEN pg_temp.hx_id('coupon_a')
            -- withdraw*(from_account = holder, to_account = source)
            WHEN fn IN ('withdraw', 'withdrawable') AND arg = 'from_account' THEN pg_temp.hx_id('a2')
            WHEN fn IN ('withdraw', 'withdrawable') AND arg = 'to_account' THEN pg_temp.hx_id('a1')
            WHEN arg = 'to_account' THEN pg_temp.hx_id('a2')
            ELSE pg_temp.hx_id('a1') END;          -- account_id, from_account, any other id
    WHEN 'numeric'::regtype THEN
        RETURN CASE
            WHEN fn = 'apply_credit_line' THEN '2000.00::numeric'
            WHEN arg = 'new_limit' THEN '100.00::numeric'
            WHEN arg IN ('threshold', 'face_value') THEN '10.00::numeric'
            ELSE '1.00::numeric' END;
    WHEN 'text'::regtype THEN
        RETURN CASE arg
            WHEN 'name' THEN $q$'hostile new name'::text$q$
            WHEN 'ma_account_name' THEN $q$'hostile new ma'::text$q$
            WHEN 'channel' THEN $q$'email'::text$q$
            WHEN 'address' THEN $q$'new@hostile.example'::text$q$
            WHEN 'memo' THEN $q$'hostile memo'::text$q$
            WHEN 'request_id' THEN $q$'hostile-request'::text$q$
            ELSE $q$'hostile'::text$q$ END;
    WHEN 'boolean'::regtype THEN
        RETURN 'true';
    WHEN 'integer'::regtype THEN
        RETURN '100::integer';
    WHEN 'regrole'::regtype THEN
        RETURN $q$'eacct_hostile_other'::regrole$q$;
    WHEN 'timestamp with time zone'::regtype THEN
        RETURN CASE arg
            WHEN 'valid_until' THEN $q$(now() + interval '30 days')$q$
            ELSE 'now()' END;
    WHEN 'interval'::regtype THEN
        RETURN $q$'30 days'::interval$q$;
    WHEN 'bigint[]'::regtype THEN
        RETURN CASE arg
            WHEN 'from_accounts' THEN format('ARRAY[%s, %s]', pg_temp.hx_id('a1'), pg_temp.hx_id('a1'))
            WHEN 'to_accounts' THEN format('ARRAY[%s, %s]', pg_temp.hx_id('a2'), pg_temp.hx_id('a2'))
            WHEN 'notification_ids' THEN format('ARRAY[%s, %s]', pg_temp.hx_id('notif1_a'), pg_temp.hx_id('notif2_a'))
            ELSE format('ARRAY[%s, %s]', pg_temp.hx_id('a1'), pg_temp.hx_id('a2')) END;
    WHEN 'numeric[]'::regtype THEN
        RETURN 'ARRAY[1.00, 2.00]::numeric[]';
    WHEN 'text[]'::regtype THEN
        RETURN $q$ARRAY['hostile-r1', 'hostile-r2']::text[]$q$;
    ELSE
        RAISE EXCEPTION 'hostile.sql does not know argument type % (argument % of eacct.%): extend pg_temp.hx_valid and pg_temp.hx_hostile',
            typ, arg, fn;
    END CASE;
END
$$;

-- the id of the same kind in enterprise B
CREATE FUNCTION pg_temp.hx_other(arg text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN arg = 'enterprise_id' THEN pg_temp.hx_id('ent_b')
                WHEN arg = 'coupon_id' THEN pg_temp.hx_id('coupon_b')
                WHEN arg = 'notification_ids' THEN pg_temp.hx_id('notif1_b')
                ELSE pg_temp.hx_id('b1') END
$$;

CREATE FUNCTION pg_temp.hx_hostile(fn text, arg text, typ regtype)
RETURNS TABLE (label text, expr text) LANGUAGE plpgsql AS $$
DECLARE
    base text := pg_temp.hx_valid(fn, arg, typ);   -- raises for unknown types
BEGIN
    RETURN QUERY SELECT 'NULL', format('NULL::%s', typ);
    CASE typ
    WHEN 'bigint'::regtype THEN
        RETURN QUERY VALUES ('0', '0::bigint'), ('-1', '(-1)::bigint'),
                            ('int8 max', '9223372036854775807::bigint'),
                            ('unknown id', '987654321::bigint'),
                            ('other enterprise', pg_temp.hx_other(arg));
        IF arg IN ('from_account', 'to_account') THEN
            RETURN QUERY SELECT 'same account on both sides',
                pg_temp.hx_valid(fn, CASE arg WHEN 'from_account' THEN 'to_account' ELSE 'from_account' END, typ);
        END IF;
    WHEN 'numeric'::regtype THEN
        RETURN QUERY VALUES ('-1', '(-1)::numeric'), ('0', '0::numeric'), ('-0.01', '(-0.01)::numeric'),
                            ('1.005', '1.005::numeric'), ('1.500', '1.500::numeric'),
                            ('1e30', '1e30::numeric'), ('max amount', '92233720368547758.07::numeric'),
                            ('NaN', $q$'NaN'::numeric$q$), ('Infinity', $q$'Infinity'::numeric$q$),
                            ('-Infinity', $q$'-Infinity'::numeric$q$);
    WHEN 'text'::regtype THEN
        RETURN QUERY VALUES ('empty', $q$''::text$q$), ('blank', $q$'   '::text$q$),
                            ('10000 chars', $q$repeat('x', 10000)$q$),
                            ('control char', $q$E'bad\x01value'$q$),
                            ('unicode', $q$'Ünïcødé ✓ 名前 𝄞'::text$q$);
    WHEN 'boolean'::regtype THEN
        RETURN QUERY VALUES ('false', 'false');
    WHEN 'integer'::regtype THEN
        RETURN QUERY VALUES ('0', '0::integer'), ('-1', '(-1)::integer'),
                            ('int4 max', '2147483647::integer'), ('int4 min', '(-2147483648)::integer');
    WHEN 'regrole'::regtype THEN
        RETURN QUERY VALUES ('-', $q$'-'::regrole$q$), ('predefined role', $q$'pg_monitor'::regrole$q$);
    WHEN 'timestamp with time zone'::regtype THEN
        RETURN QUERY VALUES ('infinity', $q$'infinity'::timestamptz$q$),
                            ('-infinity', $q$'-infinity'::timestamptz$q$),
                            ('epoch', $q$'epoch'::timestamptz$q$);
        IF arg = 'valid_until' THEN
            RETURN QUERY SELECT 'before valid_from', $q$(now() - interval '1 day')$q$;
        ELSIF arg = 'valid_from' THEN
            RETURN QUERY SELECT 'after valid_until', $q$(now() + interval '60 days')$q$;
        END IF;
    WHEN 'interval'::regtype THEN
        RETURN QUERY VALUES ('-1 day', $q$'-1 day'::interval$q$), ('0', $q$'0'::interval$q$),
                            ('-1 microsecond', $q$'-1 microsecond'::interval$q$),
                            ('1 month -31 days', $q$'1 month -31 days'::interval$q$),
                            ('huge', $q$'178000000 years'::interval$q$);
    WHEN 'bigint[]'::regtype, 'numeric[]'::regtype, 'text[]'::regtype THEN
        RETURN QUERY VALUES
            ('empty', format($q$'{}'::%s$q$, typ)),
            ('{NULL}', format('ARRAY[NULL]::%s', typ)),
            ('NULL element', format('ARRAY[(%s)[1], NULL]', base)),
            ('one more element', format('(%s) || (%s)[1]', base, base)),
            ('one element less', format('(%s)[1:1]', base)),
            ('two dimensions', format('ARRAY[%s, %s]', base, base)),
            ('lower bound 0', format($q$('[0:1]=' || (%s)::text)::%s$q$, base, typ));
        IF typ = 'bigint[]'::regtype THEN
            RETURN QUERY VALUES
                ('element 0', format('ARRAY[(%s)[1], 0]', base)),
                ('element -1', format('ARRAY[(%s)[1], -1]', base)),
                ('element unknown id', format('ARRAY[(%s)[1], 987654321]', base)),
                ('element of other enterprise', format('ARRAY[(%s)[1], %s]', base, pg_temp.hx_other(arg))),
                ('same element twice', format('ARRAY[(%s)[1], (%s)[1]]', base, base));
        ELSIF typ = 'numeric[]'::regtype THEN
            RETURN QUERY VALUES
                ('element -1', format('ARRAY[(%s)[1], -1]', base)),
                ('element 0', format('ARRAY[(%s)[1], 0]', base)),
                ('element 1.005', format('ARRAY[(%s)[1], 1.005]', base)),
                ('element 1e30', format('ARRAY[(%s)[1], 1e30]', base)),
                ('element max amount', format('ARRAY[(%s)[1], 92233720368547758.07]', base)),
                ('element NaN', format($q$ARRAY[(%s)[1], 'NaN']$q$, base)),
                ('element Infinity', format($q$ARRAY[(%s)[1], 'Infinity']$q$, base));
        ELSE
            RETURN QUERY VALUES
                ('element empty', format($q$ARRAY[(%s)[1], '']$q$, base)),
                ('element 10000 chars', format($q$ARRAY[(%s)[1], repeat('x', 10000)]$q$, base)),
                ('element control char', format($q$ARRAY[(%s)[1], E'bad\x01value']$q$, base)),
                ('element unicode', format($q$ARRAY[(%s)[1], 'Ünïcødé ✓ 名前 𝄞']$q$, base)),
                ('same element twice', format('ARRAY[(%s)[1], (%s)[1]]', base, base));
        END IF;
    END CASE;
END
$$;

-- ---------------------------------------------------------------------------
-- The plan: one row per call, the same for both runs.  Functions come from
-- the catalog: every function of schema eacct but trigger functions and the
-- views' row filter may_view.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE hx_plan (
    id serial PRIMARY KEY,
    fn text NOT NULL,            -- signature, e.g. eacct.transfer(bigint,bigint,numeric,text)
    operator_only boolean NOT NULL,  -- EXECUTE revoked from PUBLIC
    argno integer NOT NULL,      -- 0 for the call with valid arguments only
    argname text NOT NULL,
    ord integer NOT NULL,        -- position of the value in the argument's hostile list
    label text NOT NULL,
    value_expr text,             -- the hostile value, NULL for the valid call
    call text NOT NULL);
DO $$
DECLARE
    f record;
    names text[];
    valid text[];
    args text[];
    h record;
BEGIN
    FOR f IN SELECT p.oid, p.proname::text AS proname, p.oid::regprocedure::text AS sig,
                    p.prokind, p.provariadic, ARRAY(SELECT unnest(p.proargtypes)) AS types,  -- 1-based (oidvector is 0-based)
                    p.proargnames, p.proargmodes, p.pronargs
               FROM pg_proc p
              WHERE p.pronamespace = 'eacct'::regnamespace
                AND p.prorettype <> 'trigger'::regtype
                AND p.proname NOT IN ('may_view', 'account_balances_ok', 'journal_kind_ok',  -- CHECK rules,
                                      'transfer_kind_ok', 'transfer_pair_ok', 'bill_amounts_ok')  -- tested in guards.sql
              ORDER BY p.oid::regprocedure::text COLLATE "C"
    LOOP
        IF f.prokind <> 'f' OR f.provariadic <> 0 THEN
            RAISE EXCEPTION 'hostile.sql cannot call % (prokind %, variadic %)', f.sig, f.prokind, f.provariadic;
        END IF;
        -- names of the input arguments, in order
        names := ARRAY(SELECT coalesce(nullif(u.nm, ''), '$' || u.i)
                         FROM unnest(coalesce(f.proargnames, array_fill(''::text, ARRAY[f.pronargs])),
                                     f.proargmodes) WITH ORDINALITY AS u(nm, mode, i)
                        WHERE coalesce(u.mode, 'i') IN ('i', 'b')
                        ORDER BY u.i);
        IF coalesce(array_length(names, 1), 0) <> f.pronargs THEN
            RAISE EXCEPTION 'hostile.sql: cannot name the arguments of %', f.sig;
        END IF;
        valid := ARRAY(SELECT format('(%s)::%s', pg_temp.hx_valid(f.proname, names[i], f.types[i]::regtype),
                                     format_type(f.types[i], NULL))
                         FROM generate_series(1, f.pronargs) AS i ORDER BY i);
        INSERT INTO hx_plan (fn, operator_only, argno, argname, ord, label, value_expr, call)
        VALUES (f.sig, NOT has_function_privilege('public', f.oid, 'EXECUTE'), 0, '-', 0,
                'valid arguments', NULL,
                format('SELECT count(*) FROM eacct.%I(%s)', f.proname, array_to_string(valid, ', ')));
        FOR i IN 1 .. f.pronargs LOOP
            FOR h IN SELECT x.label, x.expr, x.ord
                       FROM pg_temp.hx_hostile(f.proname, names[i], f.types[i]::regtype) WITH ORDINALITY AS x(label, expr, ord)
            LOOP
                args := valid;
                args[i] := format('(%s)::%s', h.expr, format_type(f.types[i], NULL));
                INSERT INTO hx_plan (fn, operator_only, argno, argname, ord, label, value_expr, call)
                VALUES (f.sig, NOT has_function_privilege('public', f.oid, 'EXECUTE'), i, names[i], h.ord,
                        h.label, args[i],
                        format('SELECT count(*) FROM eacct.%I(%s)', f.proname, array_to_string(args, ', ')));
            END LOOP;
        END LOOP;
    END LOOP;
END
$$;

-- ---------------------------------------------------------------------------
-- Probes: a value eacct accepts must not poison later calls.  In the
-- superuser run, after every successful call and before it is rolled back,
-- these ordinary operations run (each in its own subtransaction) and must
-- end with a documented SQLSTATE, and verify() must still find nothing.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE hx_probe (ord integer PRIMARY KEY, name text NOT NULL, call text NOT NULL,
                            expect text);   -- the result it must return, if any
INSERT INTO hx_probe (ord, name, call, expect) VALUES
    (1, 'charge on credit (A)', format('SELECT eacct.charge(%s, 20.00)', pg_temp.hx_id('ma_a')), NULL),
    (2, 'charge on credit (B)', format('SELECT eacct.charge(%s, 20.00)', pg_temp.hx_id('ma_b')), NULL),
    (3, 'mark_overdue(infinity)', $q$SELECT eacct.mark_overdue('infinity')$q$, NULL),
    (4, 'top_up (A)', format('SELECT eacct.top_up(%s, 1000.00)', pg_temp.hx_id('ma_a')), NULL),
    (5, 'transfer (A)', format('SELECT eacct.transfer(%s, %s, 1.00)', pg_temp.hx_id('a1'), pg_temp.hx_id('a2')), NULL),
    (6, 'withdraw (A)', format('SELECT eacct.withdraw(%s, %s, 1.00)', pg_temp.hx_id('a2'), pg_temp.hx_id('a1')), NULL),
    (7, 'set_credit_limit (A)', format('SELECT eacct.set_credit_limit(%s, 50.00)', pg_temp.hx_id('a2')), NULL),
    (8, 'claim_notifications', 'SELECT count(*) FROM eacct.claim_notifications(1000)', NULL),
    (9, 'export (A)', format('SELECT length(eacct.export_accounts_xlsx(%s))', pg_temp.hx_id('ent_a')), NULL),
    (10, 'charge with the newest coupon (A)',
         format('SELECT eacct.charge(%1$s, 1.00, NULL, (SELECT max(coupon_id) FROM eacct.coupon WHERE account_id = %1$s))',
                pg_temp.hx_id('a1')), NULL),
    (11, 'verify() is empty', 'SELECT count(*) FROM eacct.verify()', '0');

-- ---------------------------------------------------------------------------
-- The runner: each call in its own subtransaction, rolled back by a
-- sentinel exception when it succeeds, so every call starts from the same
-- data.  A value whose own input conversion fails is recorded as phase
-- 'input' and not passed to eacct.  After each call the role and
-- search_path in effect must be what they were before (no leak of the
-- extension owner's identity out of a failed call).
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE hx_calls (
    run text NOT NULL,
    plan_id integer NOT NULL,
    phase text NOT NULL,
    state text NOT NULL,
    message text,
    leak text,
    probes text[],               -- SQLSTATE of each probe, in hx_probe order
    probe_messages text[],
    PRIMARY KEY (run, plan_id));
CREATE FUNCTION pg_temp.hx_run(run_name text, with_probes boolean) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    p record;
    q record;
    ctx_before text;
    ctx_after text;
    v_phase text;
    v_state text;
    v_msg text;
    v_probes text[];
    v_probe_msgs text[];
    s text;
    m text;
    r text;
BEGIN
    FOR p IN SELECT * FROM hx_plan ORDER BY id LOOP
        ctx_before := concat_ws(' / ', current_user, session_user, current_setting('search_path'));
        v_phase := 'call';
        v_state := NULL;
        v_msg := NULL;
        v_probes := NULL;
        v_probe_msgs := NULL;
        IF p.value_expr IS NOT NULL THEN
            BEGIN
                EXECUTE 'SELECT ' || p.value_expr;
            EXCEPTION WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT;
                v_phase := 'input';
            END;
        END IF;
        IF v_phase = 'call' THEN
            BEGIN
                EXECUTE p.call;
                IF with_probes THEN
                    v_probes := '{}';
                    v_probe_msgs := '{}';
                    FOR q IN SELECT * FROM hx_probe ORDER BY ord LOOP
                        BEGIN
                            EXECUTE q.call INTO r;
                            s := '00000';
                            m := NULL;
                            IF q.expect IS NOT NULL AND r IS DISTINCT FROM q.expect THEN
                                s := 'returned ' || coalesce(r, 'NULL');   -- never a documented SQLSTATE
                            END IF;
                        EXCEPTION WHEN OTHERS THEN
                            GET STACKED DIAGNOSTICS s = RETURNED_SQLSTATE, m = MESSAGE_TEXT;
                        END;
                        v_probes := v_probes || s;
                        v_probe_msgs := v_probe_msgs || m;
                    END LOOP;
                END IF;
                RAISE EXCEPTION 'hostile: success, rolled back' USING ERRCODE = 'ZX999';
            EXCEPTION WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT;
            END;
            IF v_state = 'ZX999' THEN
                v_state := '00000';
                v_msg := NULL;
            END IF;
        END IF;
        ctx_after := concat_ws(' / ', current_user, session_user, current_setting('search_path'));
        INSERT INTO hx_calls VALUES (run_name, p.id, v_phase, v_state, v_msg,
                                     CASE WHEN ctx_after IS DISTINCT FROM ctx_before
                                          THEN ctx_before || ' -> ' || ctx_after END,
                                     v_probes, v_probe_msgs);
    END LOOP;
END
$$;
GRANT SELECT ON hx_plan TO eacct_hostile_admin;
GRANT INSERT ON hx_calls TO eacct_hostile_admin;

SELECT pg_temp.hx_run('superuser', true) \gset
SET ROLE eacct_hostile_admin;
SELECT pg_temp.hx_run('admin of A', false) \gset
RESET ROLE;

-- documented outcomes (SPEC section 8, README): success, or one of these;
-- 22P02/22007/22008 only for a value PostgreSQL itself cannot convert
CREATE TEMP TABLE hx_allowed (phase text, state text, PRIMARY KEY (phase, state));
INSERT INTO hx_allowed
SELECT 'call', s FROM unnest(ARRAY['00000', '22023', '22003', 'P0002', '42501', '23505']) AS s
UNION ALL
SELECT 'call', format('UA%s', to_char(i, 'FM000')) FROM generate_series(1, 12) AS i
UNION ALL
SELECT 'input', s FROM unnest(ARRAY['22P02', '22007', '22008']) AS s;
CREATE TEMP VIEW hx_result AS
SELECT c.run, p.*, c.phase, c.state, c.message, c.leak,
       NOT EXISTS (SELECT 1 FROM hx_allowed a WHERE a.phase = c.phase AND a.state = c.state) AS unexpected
  FROM hx_calls c JOIN hx_plan p ON p.id = c.plan_id;

-- ---------------------------------------------------------------------------
-- Assertions
-- ---------------------------------------------------------------------------
SELECT is((SELECT count(DISTINCT fn) FROM hx_plan), 27::bigint, '27 functions under test (from the catalog)');
SELECT is((SELECT count(*) FROM hx_plan), 464::bigint, '464 calls per run');
SELECT is((SELECT count(*) FROM hx_calls), 928::bigint, '928 calls in all (two runs)');
SELECT is((SELECT count(*) FROM hx_result WHERE unexpected), 0::bigint, 'every call succeeds or ends with a documented SQLSTATE');
SELECT diag(format('%s: %s [%s = %s] -> %s %s: %s', run, fn, argname, label, phase, state, message))
  FROM hx_result WHERE unexpected ORDER BY run, id;
SELECT is((SELECT count(*) FROM hx_calls WHERE state = 'XX000'), 0::bigint, 'no internal error (XX000)');
SELECT is((SELECT count(*) FROM hx_calls WHERE state = '54000'), 0::bigint, 'no program_limit_exceeded (54000)');
SELECT is((SELECT count(*) FROM hx_calls WHERE phase = 'input'), 0::bigint,
          'every hostile value is a valid value of its type (eacct sees them all)');
SELECT is((SELECT count(*) FROM hx_calls WHERE leak IS NOT NULL), 0::bigint,
          'role and search_path are the same after every call');
SELECT diag(format('%s: %s [%s = %s] -> %s', run, fn, argname, label, leak))
  FROM hx_result WHERE leak IS NOT NULL ORDER BY run, id;
SELECT is((SELECT count(*) FROM hx_result
            WHERE argno = 0 AND state <> CASE WHEN run = 'superuser' OR NOT operator_only THEN '00000' ELSE '42501' END),
          0::bigint, 'the valid calls succeed (operator functions: 42501 for the administrator)');
SELECT diag(format('%s: %s -> %s: %s', run, call, state, message))
  FROM hx_result
 WHERE argno = 0 AND state <> CASE WHEN run = 'superuser' OR NOT operator_only THEN '00000' ELSE '42501' END
 ORDER BY run, id;
SELECT is((SELECT count(*) FROM hx_result WHERE run = 'admin of A' AND operator_only AND state <> '42501'),
          0::bigint, 'the administrator cannot execute operator functions, whatever the arguments');
SELECT is((SELECT count(*) FROM hx_result
            WHERE run = 'admin of A' AND label IN ('other enterprise', 'element of other enterprise')
              AND state = '00000'),
          0::bigint, 'no call with an id of enterprise B succeeds for the administrator of A');
SELECT diag(format('%s: %s [%s = %s] -> %s', run, fn, argname, label, state))
  FROM hx_result
 WHERE run = 'admin of A' AND label IN ('other enterprise', 'element of other enterprise') AND state = '00000'
 ORDER BY id;
SELECT is((SELECT count(*) FROM hx_result WHERE run = 'admin of A' AND NOT operator_only
             AND label IN ('other enterprise', 'element of other enterprise')
             AND state NOT IN ('42501', 'UA009')),
          0::bigint, 'enterprise B ids give the administrator of A 42501 (or UA009 for a cross-enterprise pair)');

-- accepted hostile values do not poison later calls
CREATE TEMP VIEW hx_probe_result AS
SELECT r.run, r.id, r.fn, r.argname, r.label, q.ord AS probe_ord, q.name AS probe,
       r.probes[q.ord] AS state, r.probe_messages[q.ord] AS message,
       NOT EXISTS (SELECT 1 FROM hx_allowed a WHERE a.phase = 'call' AND a.state = r.probes[q.ord]) AS unexpected
  FROM (SELECT h.*, c.probes, c.probe_messages FROM hx_result h
          JOIN hx_calls c ON c.run = h.run AND c.plan_id = h.id) r
  JOIN hx_probe q ON true
 WHERE r.probes IS NOT NULL;
SELECT is((SELECT count(*) FROM hx_calls WHERE run = 'superuser' AND state = '00000' AND probes IS NULL),
          0::bigint, 'the probes ran after every successful call of the superuser run');
SELECT is((SELECT count(*) FROM hx_probe_result WHERE unexpected), 0::bigint,
          'after every accepted hostile value, ordinary calls end with a documented SQLSTATE and verify() finds nothing');
SELECT diag(format('%s: %s [%s = %s], then %s -> %s: %s', run, fn, argname, label, probe, state, message))
  FROM hx_probe_result WHERE unexpected ORDER BY run, id, probe_ord;

-- outcomes of the probes after the accepted calls: probe | SQLSTATE:count ...
SELECT probe, string_agg(state || ':' || n, ' ' ORDER BY state COLLATE "C")
  FROM (SELECT probe_ord, probe, state, count(*) AS n FROM hx_probe_result GROUP BY 1, 2, 3) s
 GROUP BY probe_ord, probe ORDER BY probe_ord;
-- outcomes per function: run | function | SQLSTATE:count ...
SELECT run, fn, string_agg(state || ':' || n, ' ' ORDER BY state COLLATE "C")
  FROM (SELECT run, fn, state, count(*) AS n FROM hx_result GROUP BY 1, 2, 3) s
 GROUP BY run, fn ORDER BY run COLLATE "C" DESC, fn COLLATE "C";
-- outcomes per argument: run | function | argument | value=SQLSTATE ...
SELECT run, fn, argname, string_agg(label || '=' || state, ', ' ORDER BY ord)
  FROM hx_result GROUP BY run, fn, argno, argname ORDER BY run COLLATE "C" DESC, fn COLLATE "C", argno;

SELECT is((SELECT count(*) FROM eacct.verify()), 0::bigint, 'verify() finds nothing');
SELECT * FROM finish();
ROLLBACK;
