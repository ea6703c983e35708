-- test/dump/roles.sql — the cluster-wide roles setup.sql grants to (run
-- as a superuser before it, by the dump and pg_upgrade checks): an
-- administrator role with a member, and a role whose name needs quoting.
CREATE ROLE eacct_dump_admins NOLOGIN;
CREATE ROLE eacct_dump_alice IN ROLE eacct_dump_admins;
CREATE ROLE "Eacct Dump Ops";
