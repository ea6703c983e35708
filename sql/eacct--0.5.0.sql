-- eacct 0.5.0 - install script (0.1.0 plus the upgrade scripts to 0.5.0;
-- sql/upgrade.sql proves an upgraded database equals a fresh install)
-- Every object is schema-qualified, and created only: never replaced, never
-- created conditionally (CVE-2022-2625).
-- Amount columns of the tables are bigint minor units (cents); the views
-- and the API speak numeric.

\echo Use "CREATE EXTENSION eacct" to load this file. \quit

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
                  HINT = 'Drop the schema with all it holds, then create the extension again.';
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
                  HINT = 'Drop the schema with all it holds, then create the extension again.';
    END IF;
END
$eacct_schema_owner$;

-- ---------------------------------------------------------------------------
-- The rules of the CHECK constraints, in C (src/checks.c).  PostgreSQL
-- re-reads and plans a table's CHECK expressions in every statement that
-- writes to it; one function call costs a fraction of the comparisons and
-- lists of words it stands for.  EXECUTE stays with PUBLIC: whoever writes
-- a table runs its CHECK, and the functions are pure.  Each rule is frozen:
-- a new rule is a new function and a new constraint in an upgrade script.
-- ---------------------------------------------------------------------------

CREATE FUNCTION eacct.account_balances_ok(own_cash bigint, transfer_book bigint,
    credit_limit bigint, outstanding bigint, overdue bigint, alert_threshold bigint,
    alert_status text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'eacct_account_balances_ok'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION eacct.account_balances_ok(bigint, bigint, bigint, bigint, bigint, bigint, text) IS
    'CHECK of eacct.account: balances and threshold >= 0, overdue <= outstanding, alert_status ok or triggered';

CREATE FUNCTION eacct.journal_kind_ok(kind text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'eacct_journal_kind_ok'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION eacct.journal_kind_ok(text) IS
    'CHECK of eacct.journal_entry: kind is top_up, charge, transfer_out, transfer_in, withdraw_out, withdraw_in, credit_limit or overdue';

CREATE FUNCTION eacct.transfer_kind_ok(kind text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'eacct_transfer_kind_ok'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION eacct.transfer_kind_ok(text) IS
    'CHECK of eacct.transfer_record: kind is transfer or withdraw';

CREATE FUNCTION eacct.transfer_pair_ok(transferred bigint, withdrawn bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'eacct_transfer_pair_ok'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION eacct.transfer_pair_ok(bigint, bigint) IS
    'CHECK of eacct.transfer_pair: 0 <= withdrawn <= transferred';

CREATE FUNCTION eacct.bill_amounts_ok(amount bigint, remaining bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'eacct_bill_amounts_ok'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION eacct.bill_amounts_ok(bigint, bigint) IS
    'CHECK of eacct.bill: amount > 0 and 0 <= remaining <= amount';

-- ---------------------------------------------------------------------------
-- Tables.  enterprise_id leads every key so that the tables can be
-- distributed and co-located by it (SPEC section 9).
-- ---------------------------------------------------------------------------

CREATE SEQUENCE eacct.enterprise_id_seq;
CREATE SEQUENCE eacct.account_id_seq;
CREATE SEQUENCE eacct.contact_id_seq;
CREATE SEQUENCE eacct.coupon_id_seq;
CREATE SEQUENCE eacct.entry_id_seq;
CREATE SEQUENCE eacct.record_id_seq;
CREATE SEQUENCE eacct.change_id_seq;
CREATE SEQUENCE eacct.bill_id_seq;
CREATE SEQUENCE eacct.notification_id_seq;

CREATE TABLE eacct.enterprise (
    enterprise_id           bigint NOT NULL
                            DEFAULT pg_catalog.nextval('eacct.enterprise_id_seq'::pg_catalog.regclass),
    name                    text NOT NULL,
    ma_account_id           bigint NOT NULL,
    account_center_enabled  boolean NOT NULL DEFAULT false,
    credit_line             bigint NOT NULL DEFAULT 0,
    credit_status           text NOT NULL DEFAULT 'none',
    allocated               bigint NOT NULL DEFAULT 0,
    overdue                 bigint NOT NULL DEFAULT 0,
    payment_term            interval NOT NULL DEFAULT '30 days',
    created_at              timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT enterprise_pkey PRIMARY KEY (enterprise_id),
    CONSTRAINT enterprise_name_key UNIQUE (name),
    CONSTRAINT enterprise_credit_status_check
        CHECK (credit_status IN ('none', 'pending_confirmation', 'active')),
    CONSTRAINT enterprise_amounts_check
        CHECK (credit_line >= 0 AND allocated >= 0 AND overdue >= 0)
) WITH (fillfactor = 80);

COMMENT ON TABLE eacct.enterprise IS
    'Enterprises; credit_line, allocated (sum of account credit limits) and overdue (sum of account overdue) in cents';

CREATE TABLE eacct.account (
    enterprise_id    bigint NOT NULL,
    account_id       bigint NOT NULL
                     DEFAULT pg_catalog.nextval('eacct.account_id_seq'::pg_catalog.regclass),
    name             text NOT NULL,
    is_ma            boolean NOT NULL DEFAULT false,
    own_cash         bigint NOT NULL DEFAULT 0,
    transfer_book    bigint NOT NULL DEFAULT 0,
    credit_limit     bigint NOT NULL DEFAULT 0,
    outstanding      bigint NOT NULL DEFAULT 0,
    overdue          bigint NOT NULL DEFAULT 0,
    alert_threshold  bigint NOT NULL DEFAULT 0,
    alert_enabled    boolean NOT NULL DEFAULT false,
    alert_status     text NOT NULL DEFAULT 'ok',
    created_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT account_pkey PRIMARY KEY (enterprise_id, account_id),
    CONSTRAINT account_enterprise_id_name_key UNIQUE (enterprise_id, name),
    CONSTRAINT account_enterprise_fkey FOREIGN KEY (enterprise_id)
        REFERENCES eacct.enterprise (enterprise_id),
    CONSTRAINT account_balances_check
        CHECK (eacct.account_balances_ok(own_cash, transfer_book, credit_limit,
                                         outstanding, overdue, alert_threshold, alert_status))
) WITH (fillfactor = 80);

COMMENT ON TABLE eacct.account IS
    'Member accounts; every balance column is in cents and written only by the extension';

-- the API addresses accounts by account_id alone
CREATE INDEX account_account_id_idx ON eacct.account (account_id);
-- exactly one management account per enterprise
CREATE UNIQUE INDEX account_one_ma_idx ON eacct.account (enterprise_id) WHERE is_ma;

-- A row counts while its role still has the name it was added with
-- (admin_name): the OID of a dropped role can come back as another role's,
-- after OID wrap-around or in a cluster the rows are restored into
-- (pg_dump writes a dropped role's OID as a number).
CREATE TABLE eacct.enterprise_admin (
    enterprise_id  bigint NOT NULL,
    admin_role     regrole NOT NULL,
    added_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
    admin_name     name NOT NULL,
    CONSTRAINT enterprise_admin_pkey PRIMARY KEY (enterprise_id, admin_role),
    CONSTRAINT enterprise_admin_enterprise_fkey FOREIGN KEY (enterprise_id)
        REFERENCES eacct.enterprise (enterprise_id)
);

-- the views' row filter finds the rows of the roles the caller belongs to
-- (src/access.c), not every enterprise's
CREATE INDEX enterprise_admin_role_idx ON eacct.enterprise_admin (admin_role, enterprise_id);

CREATE TABLE eacct.contact (
    enterprise_id  bigint NOT NULL,
    contact_id     bigint NOT NULL
                   DEFAULT pg_catalog.nextval('eacct.contact_id_seq'::pg_catalog.regclass),
    account_id     bigint NOT NULL,
    channel        text NOT NULL,
    address        text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT contact_pkey PRIMARY KEY (enterprise_id, contact_id),
    CONSTRAINT contact_unique_key UNIQUE (enterprise_id, account_id, channel, address),
    CONSTRAINT contact_account_fkey FOREIGN KEY (enterprise_id, account_id)
        REFERENCES eacct.account (enterprise_id, account_id),
    CONSTRAINT contact_channel_check CHECK (channel IN ('sms', 'email'))
);

CREATE TABLE eacct.coupon (
    enterprise_id  bigint NOT NULL,
    coupon_id      bigint NOT NULL
                   DEFAULT pg_catalog.nextval('eacct.coupon_id_seq'::pg_catalog.regclass),
    account_id     bigint NOT NULL,
    face_value     bigint NOT NULL,
    valid_from     timestamptz NOT NULL,
    valid_until    timestamptz NOT NULL,
    used_at        timestamptz,
    created_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT coupon_pkey PRIMARY KEY (enterprise_id, coupon_id),
    CONSTRAINT coupon_account_fkey FOREIGN KEY (enterprise_id, account_id)
        REFERENCES eacct.account (enterprise_id, account_id),
    CONSTRAINT coupon_face_value_check CHECK (face_value > 0),
    CONSTRAINT coupon_validity_check CHECK (valid_until > valid_from)
);

-- an account's unused coupons by the end of their validity, so that counting
-- its valid ones does not read the expired ones
CREATE INDEX coupon_unused_idx ON eacct.coupon (enterprise_id, account_id, valid_until)
    WHERE used_at IS NULL;

-- The journal: one entry per change of an account's balances, with the
-- deltas and the balances after.  It is the truth; the balance columns of
-- eacct.account are a cache of it that eacct.verify() checks.
CREATE TABLE eacct.journal_entry (
    enterprise_id    bigint NOT NULL,
    entry_id         bigint NOT NULL,
    account_id       bigint NOT NULL,
    kind             text NOT NULL,
    amount           bigint NOT NULL,
    d_own_cash       bigint NOT NULL,
    d_transfer_book  bigint NOT NULL,
    d_credit_limit   bigint NOT NULL,
    d_outstanding    bigint NOT NULL,
    d_overdue        bigint NOT NULL,
    own_cash         bigint NOT NULL,
    transfer_book    bigint NOT NULL,
    credit_limit     bigint NOT NULL,
    outstanding      bigint NOT NULL,
    overdue          bigint NOT NULL,
    coupon_id        bigint,
    coupon_used      bigint NOT NULL DEFAULT 0,
    counterparty     bigint,
    ref_id           bigint,
    memo             text,
    request_id       text,
    created_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
    created_by       text NOT NULL,
    CONSTRAINT journal_entry_pkey PRIMARY KEY (enterprise_id, account_id, entry_id),
    CONSTRAINT journal_entry_kind_check CHECK (eacct.journal_kind_ok(kind))
);

-- transfers and withdrawals between accounts of one enterprise
CREATE TABLE eacct.transfer_record (
    enterprise_id  bigint NOT NULL,
    record_id      bigint NOT NULL,
    kind           text NOT NULL,
    from_account   bigint NOT NULL,
    to_account     bigint NOT NULL,
    amount         bigint NOT NULL,
    request_id     text,
    created_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    created_by     text NOT NULL,
    CONSTRAINT transfer_record_pkey PRIMARY KEY (enterprise_id, record_id),
    CONSTRAINT transfer_record_kind_check CHECK (eacct.transfer_kind_ok(kind)),
    CONSTRAINT transfer_record_amount_check CHECK (amount > 0)
);

-- what each source has put into each holder's transfer book, net of
-- withdrawals: net_transferred(source -> holder) = transferred - withdrawn
CREATE TABLE eacct.transfer_pair (
    enterprise_id   bigint NOT NULL,
    source_account  bigint NOT NULL,
    holder_account  bigint NOT NULL,
    transferred     bigint NOT NULL DEFAULT 0,
    withdrawn       bigint NOT NULL DEFAULT 0,
    CONSTRAINT transfer_pair_pkey PRIMARY KEY (enterprise_id, source_account, holder_account),
    CONSTRAINT transfer_pair_check CHECK (eacct.transfer_pair_ok(transferred, withdrawn))
) WITH (fillfactor = 80);

-- credit line and credit limit changes
CREATE TABLE eacct.credit_change (
    enterprise_id  bigint NOT NULL,
    change_id      bigint NOT NULL,
    account_id     bigint,
    kind           text NOT NULL,
    old_limit      bigint NOT NULL,
    new_limit      bigint NOT NULL,
    changed_by     text NOT NULL,
    changed_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT credit_change_pkey PRIMARY KEY (enterprise_id, change_id),
    CONSTRAINT credit_change_kind_check CHECK (kind IN ('apply', 'confirm', 'allocate'))
);
CREATE INDEX credit_change_account_idx ON eacct.credit_change (enterprise_id, account_id, change_id);

-- debt: the part of a charge paid with credit, due after the payment term
CREATE TABLE eacct.bill (
    enterprise_id  bigint NOT NULL,
    bill_id        bigint NOT NULL,
    account_id     bigint NOT NULL,
    amount         bigint NOT NULL,
    remaining      bigint NOT NULL,
    overdue        boolean NOT NULL DEFAULT false,
    entry_id       bigint NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    due_at         timestamptz NOT NULL,
    CONSTRAINT bill_pkey PRIMARY KEY (enterprise_id, bill_id),
    CONSTRAINT bill_amount_check CHECK (eacct.bill_amounts_ok(amount, remaining))
) WITH (fillfactor = 80);
-- an account's open bills in the order top_up() pays them (overdue first,
-- then by due date), so that it reads only the ones it pays
CREATE INDEX bill_open_idx ON eacct.bill (enterprise_id, account_id, overdue DESC, due_at, bill_id)
    WHERE remaining > 0;
CREATE INDEX bill_due_idx ON eacct.bill (due_at) WHERE remaining > 0 AND NOT overdue;

-- idempotency keys of money-moving calls (SPEC rule 11)
CREATE TABLE eacct.request (
    enterprise_id  bigint NOT NULL,
    request_id     text NOT NULL,
    operation      text NOT NULL,
    args           text NOT NULL,
    result         bigint NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT request_pkey PRIMARY KEY (enterprise_id, request_id)
);

-- the notification outbox
CREATE TABLE eacct.notification (
    enterprise_id    bigint NOT NULL,
    notification_id  bigint NOT NULL,
    account_id       bigint,
    event            text NOT NULL,
    channel          text NOT NULL,
    address          text NOT NULL,
    payload          jsonb NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
    claimed_at       timestamptz,
    sent_at          timestamptz,
    CONSTRAINT notification_pkey PRIMARY KEY (enterprise_id, notification_id),
    CONSTRAINT notification_event_check CHECK (event IN
        ('credit_limit_changed', 'contract_pending', 'low_balance'))
);
CREATE INDEX notification_unsent_idx ON eacct.notification (notification_id)
    WHERE sent_at IS NULL;
-- an account's notifications by its account_id alone (the view's filters,
-- a support desk's lookups); enterprise events have none
CREATE INDEX notification_account_idx ON eacct.notification (account_id, notification_id)
    WHERE account_id IS NOT NULL;

-- user data survives pg_dump
SELECT pg_catalog.pg_extension_config_dump('eacct.enterprise', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.account', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.enterprise_admin', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.contact', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.coupon', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.enterprise_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.account_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.contact_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.coupon_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.journal_entry', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.transfer_record', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.transfer_pair', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.credit_change', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.bill', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.request', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.notification', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.entry_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.record_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.change_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.bill_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('eacct.notification_id_seq', '');

-- ---------------------------------------------------------------------------
-- Functions.  None is SECURITY DEFINER in the catalog: each C entry point
-- records its caller, then runs its statements as the extension owner with
-- search_path pinned to pg_catalog, pg_temp (see src/call.c).
-- ---------------------------------------------------------------------------

CREATE FUNCTION eacct.amount_cents(amount numeric)
RETURNS bigint
AS 'MODULE_PATHNAME', 'eacct_amount_cents'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION eacct.amount_cents(numeric) IS
    'cents eacct stores for a money-moving amount, or the error it raises for it';

CREATE FUNCTION eacct.may_view(enterprise_id bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'eacct_may_view'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION eacct.may_view(bigint) IS
    'row filter of the eacct views: superuser, extension owner or administrator of the enterprise';

-- operator functions
CREATE FUNCTION eacct.create_enterprise(name text, ma_account_name text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'eacct_create_enterprise'
LANGUAGE C VOLATILE;

CREATE FUNCTION eacct.create_account(enterprise_id bigint, name text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'eacct_create_account'
LANGUAGE C VOLATILE;

CREATE FUNCTION eacct.enable_account_center(enterprise_id bigint, enabled boolean DEFAULT true)
RETURNS void
AS 'MODULE_PATHNAME', 'eacct_enable_account_center'
LANGUAGE C VOLATILE;

CREATE FUNCTION eacct.add_admin(enterprise_id bigint, role regrole)
RETURNS void
AS 'MODULE_PATHNAME', 'eacct_add_admin'
LANGUAGE C VOLATILE;

CREATE FUNCTION eacct.add_contact(account_id bigint, channel text, address text)
RETURNS void
AS 'MODULE_PATHNAME', 'eacct_add_contact'
LANGUAGE C VOLATILE;

REVOKE ALL ON FUNCTION eacct.create_enterprise(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION eacct.create_account(bigint, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION eacct.enable_account_center(bigint, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION eacct.add_admin(bigint, regrole) FROM PUBLIC;
REVOKE ALL ON FUNCTION eacct.add_contact(bigint, text, text) FROM PUBLIC;

-- administrator functions: executable by PUBLIC, they check add_admin
-- membership themselves (42501)
CREATE FUNCTION eacct.confirm_credit_contract(enterprise_id bigint)
RETURNS void
AS 'MODULE_PATHNAME', 'eacct_confirm_credit_contract'
LANGUAGE C VOLATILE;

CREATE FUNCTION eacct.set_credit_limit(account_id bigint, new_limit numeric)
RETURNS bigint
AS 'MODULE_PATHNAME', 'eacct_set_credit_limit'
LANGUAGE C VOLATILE;

CREATE FUNCTION eacct.credit_quota(account_id bigint)
RETURNS TABLE (allocation_account text, max_quota_allocable numeric,
               current_credit_limit numeric, available_quota numeric)
AS 'MODULE_PATHNAME', 'eacct_credit_quota'
LANGUAGE C STABLE ROWS 1;

CREATE FUNCTION eacct.transfer(from_account bigint, to_account bigint, amount numeric,
                               request_id text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'eacct_transfer'
LANGUAGE C VOLATILE;

CREATE FUNCTION eacct.withdraw(from_account bigint, to_account bigint, amount numeric,
                               request_id text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'eacct_withdraw'
LANGUAGE C VOLATILE;

CREATE FUNCTION eacct.transferable(account_id bigint)
RETURNS numeric
AS 'MODULE_PATHNAME', 'eacct_transferable'
LANGUAGE C STABLE;

CREATE FUNCTION eacct.withdrawable(from_account bigint, to_account bigint)
RETURNS numeric
AS 'MODULE_PATHNAME', 'eacct_withdrawable'
LANGUAGE C STABLE;

CREATE FUNCTION eacct.transfer_batch(from_accounts bigint[], to_accounts bigint[],
                                     amounts numeric[], request_ids text[] DEFAULT NULL)
RETURNS bigint[]
AS 'MODULE_PATHNAME', 'eacct_transfer_batch'
LANGUAGE C VOLATILE;

CREATE FUNCTION eacct.export_accounts_xlsx(enterprise_id bigint)
RETURNS bytea
AS 'MODULE_PATHNAME', 'eacct_export_accounts_xlsx'
LANGUAGE C STABLE;

CREATE FUNCTION eacct.verify(enterprise_id bigint DEFAULT NULL)
RETURNS TABLE (enterprise_id bigint, account_id bigint, problem text)
AS 'MODULE_PATHNAME', 'eacct_verify'
LANGUAGE C STABLE;

CREATE FUNCTION eacct.set_low_balance_alert(account_id bigint, threshold numeric, enabled boolean)
RETURNS void
AS 'MODULE_PATHNAME', 'eacct_set_low_balance_alert'
LANGUAGE C VOLATILE;

CREATE FUNCTION eacct.set_low_balance_alert(account_ids bigint[], threshold numeric, enabled boolean)
RETURNS integer
AS 'MODULE_PATHNAME', 'eacct_set_low_balance_alert_batch'
LANGUAGE C VOLATILE;

-- the outbox, for dispatchers (operator functions)
CREATE FUNCTION eacct.claim_notifications(max_rows integer DEFAULT 100)
RETURNS TABLE (notification_id bigint, enterprise_id bigint, account_id bigint,
               event text, channel text, address text, payload jsonb,
               created_at timestamptz)
AS 'MODULE_PATHNAME', 'eacct_claim_notifications'
LANGUAGE C VOLATILE;

CREATE FUNCTION eacct.mark_sent(notification_ids bigint[])
RETURNS integer
AS 'MODULE_PATHNAME', 'eacct_mark_sent'
LANGUAGE C VOLATILE;

REVOKE ALL ON FUNCTION eacct.claim_notifications(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION eacct.mark_sent(bigint[]) FROM PUBLIC;

-- operator functions of credit and billing
CREATE FUNCTION eacct.apply_credit_line(enterprise_id bigint, amount numeric)
RETURNS text
AS 'MODULE_PATHNAME', 'eacct_apply_credit_line'
LANGUAGE C VOLATILE;

CREATE FUNCTION eacct.top_up(account_id bigint, amount numeric, request_id text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'eacct_top_up'
LANGUAGE C VOLATILE;

CREATE FUNCTION eacct.charge(account_id bigint, amount numeric, memo text DEFAULT NULL,
                             coupon_id bigint DEFAULT NULL, request_id text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'eacct_charge'
LANGUAGE C VOLATILE;

CREATE FUNCTION eacct.grant_coupon(account_id bigint, face_value numeric,
                                   valid_until timestamptz,
                                   valid_from timestamptz DEFAULT pg_catalog.now())
RETURNS bigint
AS 'MODULE_PATHNAME', 'eacct_grant_coupon'
LANGUAGE C VOLATILE;

CREATE FUNCTION eacct.mark_overdue(as_of timestamptz DEFAULT pg_catalog.now())
RETURNS integer
AS 'MODULE_PATHNAME', 'eacct_mark_overdue'
LANGUAGE C VOLATILE;

CREATE FUNCTION eacct.set_payment_term(enterprise_id bigint, term interval)
RETURNS void
AS 'MODULE_PATHNAME', 'eacct_set_payment_term'
LANGUAGE C VOLATILE;

REVOKE ALL ON FUNCTION eacct.apply_credit_line(bigint, numeric) FROM PUBLIC;
REVOKE ALL ON FUNCTION eacct.top_up(bigint, numeric, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION eacct.charge(bigint, numeric, text, bigint, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION eacct.grant_coupon(bigint, numeric, timestamptz, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION eacct.mark_overdue(timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION eacct.set_payment_term(bigint, interval) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Guards (src/guard.c): balance columns change only through eacct's
-- operations (UA010); history is append-only (UA011).  ENABLE ALWAYS so
-- that session_replication_role = replica cannot silence them.
-- ---------------------------------------------------------------------------

CREATE FUNCTION eacct.guard_balances()
RETURNS trigger
AS 'MODULE_PATHNAME', 'eacct_guard_balances'
LANGUAGE C;

CREATE FUNCTION eacct.guard_history()
RETURNS trigger
AS 'MODULE_PATHNAME', 'eacct_guard_history'
LANGUAGE C;

CREATE TRIGGER account_guard BEFORE UPDATE OR DELETE ON eacct.account
    FOR EACH ROW EXECUTE FUNCTION eacct.guard_balances(
        'enterprise_id', 'account_id', 'own_cash', 'transfer_book', 'credit_limit',
        'outstanding', 'overdue', 'alert_status', 'alert_threshold', 'alert_enabled',
        'is_ma');
CREATE TRIGGER account_guard_truncate BEFORE TRUNCATE ON eacct.account
    FOR EACH STATEMENT EXECUTE FUNCTION eacct.guard_balances();
CREATE TRIGGER enterprise_guard BEFORE UPDATE OR DELETE ON eacct.enterprise
    FOR EACH ROW EXECUTE FUNCTION eacct.guard_balances(
        'enterprise_id', 'credit_line', 'credit_status', 'allocated', 'overdue',
        'ma_account_id');
CREATE TRIGGER enterprise_guard_truncate BEFORE TRUNCATE ON eacct.enterprise
    FOR EACH STATEMENT EXECUTE FUNCTION eacct.guard_balances();
CREATE TRIGGER transfer_pair_guard BEFORE UPDATE OR DELETE ON eacct.transfer_pair
    FOR EACH ROW EXECUTE FUNCTION eacct.guard_balances(
        'enterprise_id', 'source_account', 'holder_account', 'transferred', 'withdrawn');
CREATE TRIGGER transfer_pair_guard_truncate BEFORE TRUNCATE ON eacct.transfer_pair
    FOR EACH STATEMENT EXECUTE FUNCTION eacct.guard_balances();
CREATE TRIGGER bill_guard BEFORE UPDATE OR DELETE ON eacct.bill
    FOR EACH ROW EXECUTE FUNCTION eacct.guard_balances(
        'enterprise_id', 'account_id', 'amount', 'remaining', 'overdue', 'due_at');
CREATE TRIGGER bill_guard_truncate BEFORE TRUNCATE ON eacct.bill
    FOR EACH STATEMENT EXECUTE FUNCTION eacct.guard_balances();
CREATE TRIGGER coupon_guard BEFORE UPDATE OR DELETE ON eacct.coupon
    FOR EACH ROW EXECUTE FUNCTION eacct.guard_balances(
        'enterprise_id', 'account_id', 'face_value', 'used_at', 'valid_from', 'valid_until');
CREATE TRIGGER coupon_guard_truncate BEFORE TRUNCATE ON eacct.coupon
    FOR EACH STATEMENT EXECUTE FUNCTION eacct.guard_balances();

CREATE TRIGGER journal_entry_guard BEFORE UPDATE OR DELETE ON eacct.journal_entry
    FOR EACH ROW EXECUTE FUNCTION eacct.guard_history();
CREATE TRIGGER journal_entry_guard_truncate BEFORE TRUNCATE ON eacct.journal_entry
    FOR EACH STATEMENT EXECUTE FUNCTION eacct.guard_history();
CREATE TRIGGER transfer_record_guard BEFORE UPDATE OR DELETE ON eacct.transfer_record
    FOR EACH ROW EXECUTE FUNCTION eacct.guard_history();
CREATE TRIGGER transfer_record_guard_truncate BEFORE TRUNCATE ON eacct.transfer_record
    FOR EACH STATEMENT EXECUTE FUNCTION eacct.guard_history();
CREATE TRIGGER credit_change_guard BEFORE UPDATE OR DELETE ON eacct.credit_change
    FOR EACH ROW EXECUTE FUNCTION eacct.guard_history();
CREATE TRIGGER credit_change_guard_truncate BEFORE TRUNCATE ON eacct.credit_change
    FOR EACH STATEMENT EXECUTE FUNCTION eacct.guard_history();
CREATE TRIGGER request_guard BEFORE UPDATE OR DELETE ON eacct.request
    FOR EACH ROW EXECUTE FUNCTION eacct.guard_history();
CREATE TRIGGER request_guard_truncate BEFORE TRUNCATE ON eacct.request
    FOR EACH STATEMENT EXECUTE FUNCTION eacct.guard_history();

ALTER TABLE eacct.account ENABLE ALWAYS TRIGGER account_guard;
ALTER TABLE eacct.account ENABLE ALWAYS TRIGGER account_guard_truncate;
ALTER TABLE eacct.enterprise ENABLE ALWAYS TRIGGER enterprise_guard;
ALTER TABLE eacct.enterprise ENABLE ALWAYS TRIGGER enterprise_guard_truncate;
ALTER TABLE eacct.transfer_pair ENABLE ALWAYS TRIGGER transfer_pair_guard;
ALTER TABLE eacct.transfer_pair ENABLE ALWAYS TRIGGER transfer_pair_guard_truncate;
ALTER TABLE eacct.bill ENABLE ALWAYS TRIGGER bill_guard;
ALTER TABLE eacct.bill ENABLE ALWAYS TRIGGER bill_guard_truncate;
ALTER TABLE eacct.coupon ENABLE ALWAYS TRIGGER coupon_guard;
ALTER TABLE eacct.coupon ENABLE ALWAYS TRIGGER coupon_guard_truncate;
ALTER TABLE eacct.journal_entry ENABLE ALWAYS TRIGGER journal_entry_guard;
ALTER TABLE eacct.journal_entry ENABLE ALWAYS TRIGGER journal_entry_guard_truncate;
ALTER TABLE eacct.transfer_record ENABLE ALWAYS TRIGGER transfer_record_guard;
ALTER TABLE eacct.transfer_record ENABLE ALWAYS TRIGGER transfer_record_guard_truncate;
ALTER TABLE eacct.credit_change ENABLE ALWAYS TRIGGER credit_change_guard;
ALTER TABLE eacct.credit_change ENABLE ALWAYS TRIGGER credit_change_guard_truncate;
ALTER TABLE eacct.request ENABLE ALWAYS TRIGGER request_guard;
ALTER TABLE eacct.request ENABLE ALWAYS TRIGGER request_guard_truncate;

-- INSERT: rows come only from eacct's operations, or into an empty table
-- (a restore loads each table with one COPY); statement triggers, so the
-- ledger's own row writes (src/rows.c) pay nothing for them (0.5.0)
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

-- ---------------------------------------------------------------------------
-- Views: numeric amounts, rows filtered by eacct.may_view().
-- ---------------------------------------------------------------------------

-- The names are shown through || '', which is not leakproof: a caller's
-- condition on them then runs after the row filter and is never an index
-- condition, so EXPLAIN ANALYZE's "Rows Removed by Filter" of an index scan
-- cannot count the names of other enterprises in a range.
CREATE VIEW eacct.account_assets WITH (security_barrier) AS
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

CREATE VIEW eacct.enterprise_credit WITH (security_barrier) AS
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

CREATE VIEW eacct.transfer_records WITH (security_barrier) AS
SELECT r.record_id, r.enterprise_id, r.kind, r.from_account, r.to_account,
       r.amount::pg_catalog.numeric OPERATOR(pg_catalog.*) 0.01 AS amount,
       r.request_id, r.created_at, r.created_by
  FROM eacct.transfer_record r
 WHERE eacct.may_view(r.enterprise_id);

CREATE VIEW eacct.credit_limit_history WITH (security_barrier) AS
SELECT c.change_id, c.enterprise_id, c.account_id, c.kind,
       c.old_limit::pg_catalog.numeric OPERATOR(pg_catalog.*) 0.01 AS old_limit,
       c.new_limit::pg_catalog.numeric OPERATOR(pg_catalog.*) 0.01 AS new_limit,
       c.changed_by, c.changed_at
  FROM eacct.credit_change c
 WHERE eacct.may_view(c.enterprise_id);

CREATE VIEW eacct.notifications WITH (security_barrier) AS
SELECT n.notification_id, n.enterprise_id, n.account_id, n.event, n.channel,
       n.address, n.payload, n.created_at, n.claimed_at, n.sent_at
  FROM eacct.notification n
 WHERE eacct.may_view(n.enterprise_id);

-- The EXISTS finds an account's entries from its account_id alone (through
-- account_account_id_idx to the enterprise, then the journal's key); every
-- entry's account exists (accounts are never deleted).
CREATE VIEW eacct.journal WITH (security_barrier) AS
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

GRANT USAGE ON SCHEMA eacct TO PUBLIC;
GRANT SELECT ON eacct.account_assets, eacct.enterprise_credit, eacct.transfer_records,
    eacct.credit_limit_history, eacct.notifications, eacct.journal TO PUBLIC;

-- an administrator can be removed again (also one whose role was dropped,
-- given by OID); verify() reports administrator rows of dropped and of
-- renamed roles
CREATE FUNCTION eacct.remove_admin(enterprise_id bigint, role regrole)
RETURNS void
AS 'MODULE_PATHNAME', 'eacct_remove_admin'
LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION eacct.remove_admin(bigint, regrole) FROM PUBLIC;
