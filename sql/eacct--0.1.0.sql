-- eacct 0.1.0 — install script
-- Every object is schema-qualified; no CREATE OR REPLACE, no IF NOT EXISTS.
-- Amount columns of the tables are bigint minor units (cents); the views
-- and the API speak numeric.

\echo Use "CREATE EXTENSION eacct" to load this file. \quit

-- ---------------------------------------------------------------------------
-- Tables.  enterprise_id leads every key so that the tables can be
-- distributed and co-located by it (SPEC section 9).
-- ---------------------------------------------------------------------------

CREATE SEQUENCE eacct.enterprise_id_seq;
CREATE SEQUENCE eacct.account_id_seq;
CREATE SEQUENCE eacct.contact_id_seq;
CREATE SEQUENCE eacct.coupon_id_seq;

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
        CHECK (own_cash >= 0 AND transfer_book >= 0 AND credit_limit >= 0
               AND outstanding >= 0 AND overdue >= 0 AND overdue <= outstanding
               AND alert_threshold >= 0),
    CONSTRAINT account_alert_status_check CHECK (alert_status IN ('ok', 'triggered'))
) WITH (fillfactor = 80);

COMMENT ON TABLE eacct.account IS
    'Member accounts; every balance column is in cents and written only by the extension';

-- the API addresses accounts by account_id alone
CREATE INDEX account_account_id_idx ON eacct.account (account_id);
-- exactly one management account per enterprise
CREATE UNIQUE INDEX account_one_ma_idx ON eacct.account (enterprise_id) WHERE is_ma;

CREATE TABLE eacct.enterprise_admin (
    enterprise_id  bigint NOT NULL,
    admin_role     regrole NOT NULL,
    added_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT enterprise_admin_pkey PRIMARY KEY (enterprise_id, admin_role),
    CONSTRAINT enterprise_admin_enterprise_fkey FOREIGN KEY (enterprise_id)
        REFERENCES eacct.enterprise (enterprise_id)
);

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

CREATE INDEX coupon_unused_idx ON eacct.coupon (enterprise_id, account_id)
    WHERE used_at IS NULL;

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

-- ---------------------------------------------------------------------------
-- Views: numeric amounts, rows filtered by eacct.may_view().
-- ---------------------------------------------------------------------------

CREATE VIEW eacct.account_assets WITH (security_barrier) AS
SELECT a.enterprise_id,
       a.account_id,
       a.name AS account_name,
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

GRANT USAGE ON SCHEMA eacct TO PUBLIC;
GRANT SELECT ON eacct.account_assets TO PUBLIC;
