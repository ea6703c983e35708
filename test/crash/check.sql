-- test/crash/check.sql — after a crash and restart: every call the client
-- saw commit is there, none it saw rejected is, the ledger is consistent.
\set ON_ERROR_STOP 1
\pset tuples_only on
\pset format unaligned
CREATE TEMP TABLE violation (what text);
INSERT INTO violation
SELECT format('committed call %s is missing', l.request_id)
  FROM crash_log l WHERE l.outcome = 'ok'
   AND NOT EXISTS (SELECT 1 FROM eacct.request r WHERE r.request_id = l.request_id);
-- what a committed call answered is what the database holds under its
-- key: the id, and the row of that id with the call's accounts and amount
INSERT INTO violation
SELECT format('committed call %s answered %s, its key holds %s %s',
              l.request_id, l.result, r.operation, r.result)
  FROM crash_log l JOIN eacct.request r USING (request_id)
 WHERE l.outcome = 'ok' AND (r.result, r.operation) IS DISTINCT FROM (l.result, l.op);
INSERT INTO violation
SELECT format('committed %s %s answered record %s, which is not its record', l.op, l.request_id, l.result)
  FROM crash_log l
 WHERE l.outcome = 'ok' AND l.op IN ('transfer', 'withdraw')
   AND NOT EXISTS (SELECT 1 FROM eacct.transfer_record t
                    WHERE t.record_id = l.result AND t.kind = l.op AND t.request_id = l.request_id
                      AND t.from_account = l.from_account AND t.to_account = l.to_account
                      AND t.amount = l.amount * 100);
INSERT INTO violation
SELECT format('committed %s %s answered entry %s, which is not its entry', l.op, l.request_id, l.result)
  FROM crash_log l
 WHERE l.outcome = 'ok' AND l.op IN ('top_up', 'charge')
   AND NOT EXISTS (SELECT 1 FROM eacct.journal_entry j
                    WHERE j.entry_id = l.result AND j.kind = l.op AND j.request_id = l.request_id
                      AND j.account_id = l.from_account AND j.amount = l.amount * 100);
INSERT INTO violation
SELECT format('rejected call %s was applied', l.request_id)
  FROM crash_log l WHERE l.outcome = 'rejected'
   AND EXISTS (SELECT 1 FROM eacct.request r WHERE r.request_id = l.request_id);
INSERT INTO violation
SELECT format('call %s failed with %s', request_id, outcome)
  FROM crash_log WHERE outcome LIKE 'error:%';
INSERT INTO violation
SELECT format('request %s has no journal entry', r.request_id)
  FROM eacct.request r
 WHERE NOT EXISTS (SELECT 1 FROM eacct.journal_entry j
                    WHERE j.enterprise_id = r.enterprise_id AND j.request_id = r.request_id);
INSERT INTO violation SELECT format('verify: %s', problem) FROM eacct.verify();
INSERT INTO violation
SELECT format('conservation: balances %s, top-ups minus charges %s', b.s, j.s)
  FROM (SELECT sum(own_cash + transfer_book - outstanding) AS s FROM eacct.account) b,
       (SELECT sum(CASE kind WHEN 'top_up' THEN amount
                             WHEN 'charge' THEN coupon_used - amount ELSE 0 END) AS s
          FROM eacct.journal_entry) j
 WHERE b.s IS DISTINCT FROM j.s;
SELECT format('crash: round %s: %s committed, %s rejected, %s in flight at the crash; %s violations',
              :round,
              (SELECT count(*) FROM crash_log WHERE round = :round AND outcome = 'ok'),
              (SELECT count(*) FROM crash_log WHERE round = :round AND outcome = 'rejected'),
              (SELECT count(*) FROM crash_log WHERE round = :round AND outcome = 'unknown'),
              (SELECT count(*) FROM violation));
SELECT 'violation: ' || what FROM violation LIMIT 20;
SELECT format('crash_violations=%s', count(*)) FROM violation;
