-- eacct 0.4.0 -> 0.5.0 — upgrade script
-- Every object is schema-qualified, and created only: never replaced, never
-- created conditionally (CVE-2022-2625).

\echo Use "ALTER EXTENSION eacct UPDATE TO '0.5.0'" to load this file. \quit

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
