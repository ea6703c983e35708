-- CREATE EXTENSION eacct uses a schema eacct that exists already.  One
-- owned by a role that is not a superuser (a database owner can create it
-- before a superuser installs eacct) would let that role replace eacct's
-- objects, which eacct's C code runs as the extension owner: the install
-- refuses it (42501) and creates nothing.  In a database of its own.
\set SHOW_CONTEXT never
\set regress_db :DBNAME
CREATE ROLE eacct_schema_squatter;
CREATE DATABASE eacct_squatted OWNER eacct_schema_squatter;
\c eacct_squatted
SET ROLE eacct_schema_squatter;
CREATE SCHEMA eacct;
RESET ROLE;
CREATE EXTENSION eacct;
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'eacct';
SELECT count(*) AS objects_in_eacct FROM pg_class
 WHERE relnamespace = 'eacct'::regnamespace;
-- given to a superuser, the schema still holds what its owner put there
-- (here a function that could stand in for one of eacct's): refused too
SET ROLE eacct_schema_squatter;
CREATE FUNCTION eacct.add_admin(bigint, text) RETURNS void LANGUAGE sql AS '';
CREATE SEQUENCE eacct.squat_seq;
RESET ROLE;
ALTER SCHEMA eacct OWNER TO CURRENT_USER;
CREATE EXTENSION eacct;
-- without the function, its owner's sequence (which has no row type) is refused as well
DROP FUNCTION eacct.add_admin(bigint, text);
CREATE EXTENSION eacct;
-- emptied, it is fine
DROP SEQUENCE eacct.squat_seq;
CREATE EXTENSION eacct;
SELECT extversion FROM pg_extension WHERE extname = 'eacct';
-- a schema given away after the install stops every call
SELECT eacct.create_enterprise('Squat Co', 'squat-ma') AS ent \gset
ALTER SCHEMA eacct OWNER TO eacct_schema_squatter;
SELECT eacct.create_account(:ent, 'squat-a');
SELECT count(*) AS accounts FROM eacct.account;
ALTER SCHEMA eacct OWNER TO CURRENT_USER;
SELECT eacct.create_account(:ent, 'squat-a') > 0 AS created;
-- and an update refuses it the same way
DROP EXTENSION eacct;
CREATE EXTENSION eacct VERSION '0.4.0';
ALTER SCHEMA eacct OWNER TO eacct_schema_squatter;
ALTER EXTENSION eacct UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'eacct';
ALTER SCHEMA eacct OWNER TO CURRENT_USER;
ALTER EXTENSION eacct UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'eacct';

-- the install and update scripts run DO blocks (PL/pgSQL): eacct requires
-- plpgsql, so CREATE EXTENSION ... CASCADE installs it and it cannot be
-- dropped from under eacct
DROP EXTENSION eacct;
DROP EXTENSION plpgsql;
CREATE EXTENSION eacct;
CREATE EXTENSION eacct CASCADE;
SELECT extname FROM pg_extension WHERE extname IN ('eacct', 'plpgsql') ORDER BY extname;
DROP EXTENSION plpgsql;

-- eacct's checks of the triggers a superuser's statement fires run in
-- every database once the library is loaded (shared_preload_libraries, or
-- LOAD, as here): in a database without the extension a schema that
-- happens to be named eacct is not eacct's, and its tables' triggers are
-- the DBA's business
DROP EXTENSION eacct;
DROP SCHEMA eacct;
LOAD 'eacct';
CREATE SCHEMA eacct;
CREATE TABLE eacct.orders (id int);
CREATE FUNCTION public.orders_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
ALTER FUNCTION public.orders_audit() OWNER TO eacct_schema_squatter;
CREATE TRIGGER orders_audit BEFORE INSERT ON eacct.orders FOR EACH ROW EXECUTE FUNCTION public.orders_audit();
INSERT INTO eacct.orders VALUES (1);
SELECT count(*) AS orders FROM eacct.orders;
DROP SCHEMA eacct CASCADE;
DROP FUNCTION public.orders_audit();

\c :regress_db
DROP DATABASE eacct_squatted;
DROP ROLE eacct_schema_squatter;
