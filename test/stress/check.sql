-- test/stress/check.sql — invariants after the stress run; prints the
-- operation count and one line per violated invariant, then a total.
\set ON_ERROR_STOP 1
\pset tuples_only on
\pset format unaligned
CREATE TEMP TABLE violation (what text);

-- conservation: the cash in all accounts, net of debt, equals what was
-- topped up minus what was charged (as logged by the committed operations)
INSERT INTO violation
SELECT format('conservation: balances sum to %s, top-ups minus charges are %s', b.s, l.s)
  FROM (SELECT sum(own_cash + transfer_book - outstanding) AS s FROM eacct.account) b,
       (SELECT sum(CASE op WHEN 'top_up' THEN amount WHEN 'charge' THEN -amount ELSE 0 END) AS s
          FROM stress.log) l
 WHERE b.s IS DISTINCT FROM l.s;

-- the journal agrees with the log: one journal charge / top-up per logged one
INSERT INTO violation
SELECT format('%s: %s logged, %s in the journal', k, l.n, j.n)
  FROM unnest(ARRAY['top_up', 'charge']) AS k,
       LATERAL (SELECT count(*) AS n FROM stress.log WHERE op = k) l,
       LATERAL (SELECT count(*) AS n FROM eacct.journal_entry WHERE kind = k) j
 WHERE l.n <> j.n;

INSERT INTO violation
SELECT format('verify: %s', problem) FROM eacct.verify();

INSERT INTO violation
SELECT format('negative balance on account %s', account_id) FROM eacct.account
 WHERE least(own_cash, transfer_book, credit_limit, outstanding, overdue) < 0;

INSERT INTO violation
SELECT format('available credit negative on account %s', account_id) FROM eacct.account
 WHERE own_cash + transfer_book + credit_limit - outstanding < 0;

INSERT INTO violation
SELECT format('pair %s -> %s: withdrawn %s > transferred %s', source_account, holder_account,
              withdrawn, transferred)
  FROM eacct.transfer_pair WHERE withdrawn > transferred;

INSERT INTO violation
SELECT format('enterprise %s: allocated %s above credit line %s', enterprise_id, allocated, credit_line)
  FROM eacct.enterprise WHERE allocated > credit_line;

SELECT format('stress: %s operations committed (%s ok, %s rejected by a rule), %s violations',
              (SELECT count(*) FROM stress.log) - 80,
              (SELECT count(*) FROM stress.log WHERE outcome = 'ok') - 80,
              (SELECT count(*) FROM stress.log WHERE outcome <> 'ok'),
              (SELECT count(*) FROM violation));
SELECT 'violation: ' || what FROM violation;
SELECT format('stress_violations=%s', count(*)) FROM violation;
