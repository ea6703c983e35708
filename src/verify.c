/*
 * verify.c — eacct.verify(enterprise_id): check every materialized balance
 * and total against the journal and history it is derived from, like
 * amcheck checks an index against its heap.  One row per mismatch; empty
 * when everything matches.  It checks:
 *  - each account's balances against the sums of its journal deltas, its
 *    last entry, its bills and its last credit change; each entry against
 *    the one before it, and against what its kind moves;
 *  - the history against the journal, both ways: transfer records against
 *    their two entries, allocations against their credit_limit entries,
 *    bills against the charges that made them, coupons against the
 *    charges that used them (once, within value, validity and account);
 *  - each chain of credit changes, and an enterprise's credit line, status
 *    and totals against them and its accounts; its MA;
 *  - transfer pairs against the records, administrators against their
 *    roles;
 *  - request keys against what they answer, and the journal entries and
 *    records that carry a request_id against their keys;
 *  - rows of accounts or enterprises that no longer exist, and coupons a
 *    charge used that no longer exist;
 *  - that no sequence of eacct's would give an id its table (the
 *    enterprise's rows, or all) already has;
 *  - without an enterprise_id: that eacct's guard triggers are ENABLE
 *    ALWAYS (a data-only pg_restore --disable-triggers leaves them ENABLE).
 *
 * The query runs with search_path pinned to pg_catalog, pg_temp (call.c),
 * so its operators and functions resolve to pg_catalog's.
 */
#include "eacct.h"

#include "miscadmin.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(eacct_verify);

/*
 * The sequence check's row for eacct.<col>_seq: its name, col, the largest
 * id `top' (a scalar query) finds, and the sequence's state; SEQ_TOP_OF
 * takes the largest col of the enterprise's rows (or all) in a table.
 */
#define SEQ_TOP(col, top) \
	"SELECT 'eacct." col "_seq'::regclass, '" col "', (" top ")," \
	" q.last_value, q.is_called FROM eacct." col "_seq q"
#define SEQ_TOP_OF(col, table) \
	SEQ_TOP(col, "SELECT max(" col ") FROM eacct." table \
			" WHERE $1 IS NULL OR enterprise_id = $1")

/*
 * admin_name: the column with the name each administrator was added with,
 * or NULL on a schema before 0.5.0 (access.c), where only dropped roles
 * are reported.
 */
#define VERIFY_QUERY(admin_name) \
	"WITH acc AS (" \
	"  SELECT * FROM eacct.account WHERE $1 IS NULL OR enterprise_id = $1)," \
	/* the journal, read once: each entry with the balances before it */ \
	" chain AS (" \
	"  SELECT enterprise_id, account_id, entry_id, kind, amount, coupon_id, coupon_used," \
	"    counterparty, ref_id, request_id, created_at," \
	"    ARRAY[own_cash, transfer_book, credit_limit, outstanding, overdue] AS after," \
	"    ARRAY[d_own_cash, d_transfer_book, d_credit_limit, d_outstanding, d_overdue] AS d," \
	"    lag(ARRAY[own_cash, transfer_book, credit_limit, outstanding, overdue]," \
	"        1, ARRAY[0,0,0,0,0]::bigint[]) OVER w AS before," \
	"    lead(entry_id) OVER w IS NULL AS is_last" \
	"  FROM eacct.journal_entry WHERE $1 IS NULL OR enterprise_id = $1" \
	"  WINDOW w AS (PARTITION BY enterprise_id, account_id ORDER BY entry_id))," \
	/* per account: the sums of its deltas and its last entry's balances (hashed) */ \
	" j AS (" \
	"  SELECT enterprise_id, account_id, count(*) AS n, sum(d[1]) AS own_cash," \
	"    sum(d[2]) AS transfer_book, sum(d[3]) AS credit_limit," \
	"    sum(d[4]) AS outstanding, sum(d[5]) AS overdue," \
	"    max(after) FILTER (WHERE is_last) AS last, max(entry_id) AS top" \
	"  FROM chain GROUP BY enterprise_id, account_id)," \
	" bills AS (" \
	"  SELECT enterprise_id, account_id, count(*) AS n, sum(remaining) AS outstanding," \
	"    sum(remaining) FILTER (WHERE overdue) AS overdue, max(bill_id) AS top" \
	"  FROM eacct.bill WHERE $1 IS NULL OR enterprise_id = $1" \
	"  GROUP BY enterprise_id, account_id)," \
	" rec AS (" \
	"  SELECT enterprise_id, kind, from_account, to_account, count(*) AS n, sum(amount) AS s," \
	"    max(record_id) AS top" \
	"  FROM eacct.transfer_record WHERE $1 IS NULL OR enterprise_id = $1" \
	"  GROUP BY enterprise_id, kind, from_account, to_account)," \
	" pairs AS (" \
	"  SELECT p.enterprise_id, p.source_account, p.holder_account, p.transferred, p.withdrawn," \
	"    coalesce(t.s, 0) AS t, coalesce(w.s, 0) AS w" \
	"  FROM eacct.transfer_pair p" \
	"  LEFT JOIN rec t ON t.kind = 'transfer' AND t.enterprise_id = p.enterprise_id" \
	"    AND t.from_account = p.source_account AND t.to_account = p.holder_account" \
	"  LEFT JOIN rec w ON w.kind = 'withdraw' AND w.enterprise_id = p.enterprise_id" \
	"    AND w.from_account = p.holder_account AND w.to_account = p.source_account" \
	"  WHERE $1 IS NULL OR p.enterprise_id = $1" \
	"  UNION ALL" \
	"  SELECT r.enterprise_id, r.from_account, r.to_account, 0, 0, r.s, 0 FROM rec r" \
	"  WHERE r.kind = 'transfer' AND NOT EXISTS (SELECT 1 FROM eacct.transfer_pair p" \
	"    WHERE p.enterprise_id = r.enterprise_id AND p.source_account = r.from_account" \
	"      AND p.holder_account = r.to_account))," \
	" coupons_used AS (" \
	"  SELECT enterprise_id, coupon_id, count(*) AS n, min(entry_id) AS first," \
	"    max(coupon_used) AS most, min(account_id) AS lo, max(account_id) AS hi," \
	"    min(created_at) AS earliest, max(created_at) AS latest" \
	"  FROM chain WHERE coupon_id IS NOT NULL GROUP BY enterprise_id, coupon_id)," \
	" orphans AS (" \
	"  SELECT enterprise_id, account_id, n, 'journal entries' AS what FROM j" \
	"  UNION ALL SELECT enterprise_id, account_id, n, 'bills' FROM bills" \
	"  UNION ALL SELECT enterprise_id, account_id, count(*), 'coupons' FROM eacct.coupon" \
	"    WHERE $1 IS NULL OR enterprise_id = $1 GROUP BY enterprise_id, account_id" \
	"  UNION ALL SELECT enterprise_id, account_id, count(*), 'contacts' FROM eacct.contact" \
	"    WHERE $1 IS NULL OR enterprise_id = $1 GROUP BY enterprise_id, account_id" \
	"  UNION ALL SELECT enterprise_id, account_id, count(*), 'credit changes'" \
	"    FROM eacct.credit_change WHERE account_id IS NOT NULL" \
	"      AND ($1 IS NULL OR enterprise_id = $1) GROUP BY enterprise_id, account_id" \
	"  UNION ALL SELECT r.enterprise_id, s.account_id, sum(r.n), 'transfer records'" \
	"    FROM rec r CROSS JOIN LATERAL (VALUES (r.from_account), (r.to_account)) s(account_id)" \
	"    GROUP BY r.enterprise_id, s.account_id" \
	"  UNION ALL SELECT p.enterprise_id, s.account_id, count(*), 'transfer pairs'" \
	"    FROM eacct.transfer_pair p" \
	"    CROSS JOIN LATERAL (VALUES (p.source_account), (p.holder_account)) s(account_id)" \
	"    WHERE $1 IS NULL OR p.enterprise_id = $1 GROUP BY p.enterprise_id, s.account_id)" \
	" SELECT a.enterprise_id, a.account_id, p.problem" \
	"   FROM acc a" \
	"   LEFT JOIN j ON j.enterprise_id = a.enterprise_id AND j.account_id = a.account_id" \
	"   LEFT JOIN bills b ON b.enterprise_id = a.enterprise_id AND b.account_id = a.account_id" \
	"   LEFT JOIN LATERAL (SELECT c.new_limit FROM eacct.credit_change c" \
	"       WHERE c.enterprise_id = a.enterprise_id AND c.account_id = a.account_id" \
	"       ORDER BY c.change_id DESC LIMIT 1) l ON true" \
	"   CROSS JOIN LATERAL (VALUES" \
	"     ('own_cash', a.own_cash, coalesce(j.own_cash, 0), coalesce(j.last[1], 0))," \
	"     ('transfer_book', a.transfer_book, coalesce(j.transfer_book, 0), coalesce(j.last[2], 0))," \
	"     ('credit_limit', a.credit_limit, coalesce(j.credit_limit, 0), coalesce(j.last[3], 0))," \
	"     ('outstanding', a.outstanding, coalesce(j.outstanding, 0), coalesce(j.last[4], 0))," \
	"     ('overdue', a.overdue, coalesce(j.overdue, 0), coalesce(j.last[5], 0))" \
	"   ) AS v(col, bal, sum_d, last_after)" \
	"   CROSS JOIN LATERAL (VALUES" \
	"     (CASE WHEN v.bal <> v.sum_d THEN format('%s is %s but the journal deltas sum to %s'," \
	"        v.col, v.bal * 0.01, v.sum_d * 0.01) END)," \
	"     (CASE WHEN v.bal <> v.last_after THEN format('%s is %s but the last journal entry says %s'," \
	"        v.col, v.bal * 0.01, v.last_after * 0.01) END)," \
	"     (CASE WHEN v.col = 'outstanding' AND v.bal <> coalesce(b.outstanding, 0)" \
	"        THEN format('outstanding is %s but open bills sum to %s'," \
	"        v.bal * 0.01, coalesce(b.outstanding, 0) * 0.01) END)," \
	"     (CASE WHEN v.col = 'overdue' AND v.bal <> coalesce(b.overdue, 0)" \
	"        THEN format('overdue is %s but overdue bills sum to %s'," \
	"        v.bal * 0.01, coalesce(b.overdue, 0) * 0.01) END)," \
	"     (CASE WHEN v.bal < 0 THEN format('%s is negative: %s', v.col, v.bal * 0.01) END)," \
	"     (CASE WHEN v.col = 'credit_limit' AND v.bal <> coalesce(l.new_limit, 0)" \
	"        THEN format('credit_limit is %s but the credit history says %s'," \
	"        v.bal * 0.01, coalesce(l.new_limit, 0) * 0.01) END)" \
	"   ) AS p(problem)" \
	"  WHERE p.problem IS NOT NULL" \
	" UNION ALL" \
	" SELECT c.enterprise_id, c.account_id," \
	"   format('journal entry %s does not follow from the entry before it', c.entry_id)" \
	"   FROM chain c" \
	"  WHERE c.after <> ARRAY[c.before[1] + c.d[1], c.before[2] + c.d[2], c.before[3] + c.d[3]," \
	"                         c.before[4] + c.d[4], c.before[5] + c.d[5]]" \
	/* an entry_id given twice (its sequence set back): the key allows it across accounts */ \
	" UNION ALL" \
	" SELECT min(c.enterprise_id), min(c.account_id)," \
	"   format('journal entry %s is in %s accounts: %s', c.entry_id, count(*)," \
	"          string_agg(c.account_id::text, ', ' ORDER BY c.account_id))" \
	"   FROM chain c GROUP BY c.entry_id HAVING count(*) > 1" \
	" UNION ALL" \
	" SELECT e.enterprise_id, NULL::bigint, p.problem" \
	"   FROM eacct.enterprise e" \
	"   LEFT JOIN LATERAL (SELECT coalesce(sum(credit_limit), 0) AS allocated," \
	"       coalesce(sum(overdue), 0) AS overdue" \
	"       FROM eacct.account a WHERE a.enterprise_id = e.enterprise_id) s ON true" \
	/* the enterprise's credit history: its last line, and the status it gives */ \
	"   LEFT JOIN LATERAL (SELECT (array_agg(c.new_limit ORDER BY c.change_id DESC))[1] AS new_limit," \
	"         CASE WHEN NOT coalesce(bool_or(c.kind = 'apply'), false) THEN 'none'" \
	"         WHEN bool_or(c.kind = 'confirm') THEN 'active'" \
	"         ELSE 'pending_confirmation' END AS status" \
	"       FROM eacct.credit_change c" \
	"       WHERE c.enterprise_id = e.enterprise_id AND c.account_id IS NULL) l ON true" \
	"   CROSS JOIN LATERAL (VALUES" \
	"     (CASE WHEN e.allocated <> s.allocated THEN format(" \
	"        'allocated is %s but the credit limits of its accounts sum to %s'," \
	"        e.allocated * 0.01, s.allocated * 0.01) END)," \
	"     (CASE WHEN e.overdue <> s.overdue THEN format(" \
	"        'overdue is %s but the overdue debt of its accounts sums to %s'," \
	"        e.overdue * 0.01, s.overdue * 0.01) END)," \
	"     (CASE WHEN e.credit_line <> coalesce(l.new_limit, 0) THEN format(" \
	"        'credit_line is %s but the credit history says %s'," \
	"        e.credit_line * 0.01, coalesce(l.new_limit, 0) * 0.01) END)," \
	"     (CASE WHEN e.credit_status <> l.status THEN format(" \
	"        'credit_status is %s but the credit history says %s'," \
	"        e.credit_status, l.status) END)," \
	"     (CASE WHEN e.credit_status = 'active' AND e.allocated > e.credit_line THEN format(" \
	"        'allocated %s exceeds the credit line %s'," \
	"        e.allocated * 0.01, e.credit_line * 0.01) END)," \
	"     (CASE WHEN NOT EXISTS (SELECT 1 FROM eacct.account m" \
	"          WHERE m.enterprise_id = e.enterprise_id AND m.account_id = e.ma_account_id" \
	"            AND m.is_ma) THEN format(" \
	"        'ma_account_id %s is not an account of the enterprise marked is_ma'," \
	"        e.ma_account_id) END)" \
	"   ) AS p(problem)" \
	"  WHERE ($1 IS NULL OR e.enterprise_id = $1) AND p.problem IS NOT NULL" \
	" UNION ALL" \
	" SELECT ea.enterprise_id, NULL::bigint," \
	"   CASE WHEN r.oid IS NULL THEN format(" \
	"     'administrator role %s no longer exists; remove it with eacct.remove_admin'," \
	"     ea.admin_role::oid)" \
	"   ELSE format('administrator role %s was added as %s; a renamed role administers" \
	" nothing until eacct.add_admin adds it again', r.rolname, an.n) END" \
	"   FROM eacct.enterprise_admin ea" \
	"   CROSS JOIN LATERAL (SELECT " admin_name ") AS an(n)" \
	"   LEFT JOIN pg_catalog.pg_roles r ON r.oid = ea.admin_role::oid" \
	"  WHERE ($1 IS NULL OR ea.enterprise_id = $1)" \
	"    AND (r.oid IS NULL OR r.rolname <> an.n)" \
	" UNION ALL" \
	" SELECT q.enterprise_id, NULL::bigint," \
	"   format('request_id %s answers %s %s, which the %s does not hold', q.request_id," \
	"          q.operation, q.result," \
	"          CASE WHEN q.operation IN ('top_up', 'charge') THEN 'journal with its arguments'" \
	"               ELSE 'transfer history with its arguments' END)" \
	"   FROM eacct.request q" \
	"  WHERE ($1 IS NULL OR q.enterprise_id = $1)" \
	"    AND CASE WHEN q.operation IN ('top_up', 'charge') THEN NOT EXISTS (" \
	"          SELECT 1 FROM eacct.journal_entry je WHERE je.enterprise_id = q.enterprise_id" \
	"             AND je.entry_id = q.result AND je.kind = q.operation" \
	/* args: "account,amount[,...]" since 0.5.0, "amount[,...]" before (the amount has a point) */ \
	"             AND CASE WHEN split_part(q.args, ',', 1) ~ '^[0-9]+$'" \
	"               THEN split_part(q.args, ',', 1) = je.account_id::text" \
	"                AND split_part(q.args, ',', 2) = (je.amount * 0.01)::numeric(30, 2)::text" \
	"               ELSE split_part(q.args, ',', 1) = (je.amount * 0.01)::numeric(30, 2)::text END)" \
	"        ELSE NOT EXISTS (" \
	"          SELECT 1 FROM eacct.transfer_record tr WHERE tr.enterprise_id = q.enterprise_id" \
	"             AND tr.record_id = q.result AND tr.kind = q.operation" \
	"             AND q.args = format('%s,%s,%s', tr.from_account, tr.to_account," \
	"                                 (tr.amount * 0.01)::numeric(30, 2)))" \
	"        END" \
	/* the other way: answers whose key is gone (a retry would run them again) */ \
	" UNION ALL" \
	" SELECT c.enterprise_id, c.account_id," \
	"   format('journal entry %s (%s) has request_id %s, but no request key answers with it'," \
	"          c.entry_id, c.kind, c.request_id)" \
	"   FROM chain c WHERE c.request_id IS NOT NULL AND c.kind IN ('top_up', 'charge')" \
	"    AND NOT EXISTS (SELECT 1 FROM eacct.request q WHERE q.enterprise_id = c.enterprise_id" \
	"      AND q.request_id = c.request_id AND q.operation = c.kind AND q.result = c.entry_id)" \
	" UNION ALL" \
	" SELECT r.enterprise_id, r.from_account," \
	"   format('%s record %s has request_id %s, but no request key answers with it'," \
	"          r.kind, r.record_id, r.request_id)" \
	"   FROM eacct.transfer_record r" \
	"  WHERE ($1 IS NULL OR r.enterprise_id = $1) AND r.request_id IS NOT NULL" \
	"    AND NOT EXISTS (SELECT 1 FROM eacct.request q WHERE q.enterprise_id = r.enterprise_id" \
	"      AND q.request_id = r.request_id AND q.operation = r.kind AND q.result = r.record_id)" \
	" UNION ALL" \
	" SELECT a.enterprise_id, a.account_id," \
	"   format('account %s belongs to enterprise %s, which does not exist'," \
	"          a.account_id, a.enterprise_id)" \
	"   FROM acc a WHERE NOT EXISTS (SELECT 1 FROM eacct.enterprise e" \
	"     WHERE e.enterprise_id = a.enterprise_id)" \
	/* the API finds accounts by account_id alone: one sequence keeps it unique */ \
	" UNION ALL" \
	" SELECT a.enterprise_id, a.account_id," \
	"   format('account id %s is also an account of enterprise %s'," \
	"          a.account_id, o.enterprise_id)" \
	"   FROM acc a JOIN eacct.account o ON o.account_id = a.account_id" \
	"    AND o.enterprise_id <> a.enterprise_id" \
	" UNION ALL" \
	" SELECT o.enterprise_id, o.account_id, format('account %s, which does not exist, has %s: %s'," \
	"   o.account_id, o.what, sum(o.n))" \
	"   FROM orphans o WHERE NOT EXISTS (SELECT 1 FROM eacct.account a" \
	"     WHERE a.enterprise_id = o.enterprise_id AND a.account_id = o.account_id)" \
	"  GROUP BY o.enterprise_id, o.account_id, o.what" \
	" UNION ALL" \
	" SELECT o.enterprise_id, NULL::bigint," \
	"   format('enterprise %s, which does not exist, has %s: %s', o.enterprise_id, o.what, o.n)" \
	"   FROM (SELECT enterprise_id, count(*) AS n, 'credit changes' AS what" \
	"           FROM eacct.credit_change GROUP BY enterprise_id" \
	"         UNION ALL SELECT enterprise_id, count(*), 'request keys'" \
	"           FROM eacct.request GROUP BY enterprise_id" \
	"         UNION ALL SELECT enterprise_id, count(*), 'administrators'" \
	"           FROM eacct.enterprise_admin GROUP BY enterprise_id) o" \
	"  WHERE $1 IS NULL AND NOT EXISTS (SELECT 1 FROM eacct.enterprise e" \
	"     WHERE e.enterprise_id = o.enterprise_id)" \
	" UNION ALL" \
	" SELECT c.enterprise_id, c.account_id," \
	"   format('credit change %s starts from %s but the change before it ended at %s'," \
	"          c.change_id, c.old_limit * 0.01, c.prev * 0.01)" \
	"   FROM (SELECT enterprise_id, account_id, change_id, old_limit," \
	"           lag(new_limit, 1, 0::bigint) OVER (PARTITION BY enterprise_id, account_id" \
	"             ORDER BY change_id) AS prev" \
	"         FROM eacct.credit_change WHERE $1 IS NULL OR enterprise_id = $1) c" \
	"  WHERE c.old_limit <> c.prev" \
	" UNION ALL" \
	" SELECT c.enterprise_id, c.account_id," \
	"   format('journal entry %s (%s of %s) does not change the balances as a %s does'," \
	"          c.entry_id, c.kind, c.amount * 0.01, c.kind)" \
	"   FROM chain c WHERE NOT coalesce(CASE c.kind" \
	"     WHEN 'transfer_out' THEN c.d = ARRAY[-c.amount, 0, 0, 0, 0]" \
	"     WHEN 'transfer_in' THEN c.d = ARRAY[0, c.amount, 0, 0, 0]" \
	"     WHEN 'withdraw_out' THEN c.d = ARRAY[0, -c.amount, 0, 0, 0]" \
	"     WHEN 'withdraw_in' THEN c.d = ARRAY[c.amount, 0, 0, 0, 0]" \
	"     WHEN 'overdue' THEN c.d = ARRAY[0, 0, 0, 0, c.amount]" \
	"     WHEN 'credit_limit' THEN c.d[1] = 0 AND c.d[2] = 0 AND c.d[4] = 0 AND c.d[5] = 0" \
	"       AND abs(c.d[3]) = c.amount" \
	"     WHEN 'charge' THEN c.d[1] <= 0 AND c.d[2] <= 0 AND c.d[3] = 0 AND c.d[4] >= 0" \
	"       AND c.d[5] = 0 AND c.coupon_used - c.d[1] - c.d[2] + c.d[4] = c.amount" \
	"     WHEN 'top_up' THEN c.d[1] >= 0 AND c.d[2] = 0 AND c.d[3] = 0 AND c.d[4] <= 0" \
	"       AND c.d[5] <= 0 AND c.d[5] >= c.d[4] AND c.d[1] - c.d[4] = c.amount" \
	"     END, false)" \
	" UNION ALL" \
	" SELECT coalesce(x.enterprise_id, c.enterprise_id), coalesce(x.account_id, c.account_id)," \
	"   CASE WHEN c.entry_id IS NULL THEN format('%s record %s has no %s journal entry'," \
	"          x.kind, x.record_id, x.entry_kind)" \
	"     WHEN x.record_id IS NULL THEN format('journal entry %s (%s) has no record %s'," \
	"          c.entry_id, c.kind, c.ref_id)" \
	"     ELSE format('journal entry %s (%s of %s with account %s) disagrees with %s record %s" \
	" (%s with account %s)', c.entry_id, c.kind, c.amount * 0.01, c.counterparty, x.kind," \
	"          x.record_id, x.amount * 0.01, x.counterparty) END" \
	"   FROM (SELECT r.enterprise_id, r.record_id, r.kind, r.amount, s.account_id," \
	"           r.kind || s.side AS entry_kind, s.counterparty" \
	"         FROM eacct.transfer_record r CROSS JOIN LATERAL (VALUES" \
	"           (r.from_account, '_out', r.to_account), (r.to_account, '_in', r.from_account))" \
	"           s(account_id, side, counterparty)" \
	"         WHERE $1 IS NULL OR r.enterprise_id = $1) x" \
	"   FULL JOIN (SELECT * FROM chain" \
	"       WHERE kind IN ('transfer_out', 'transfer_in', 'withdraw_out', 'withdraw_in')) c" \
	"     ON c.enterprise_id = x.enterprise_id AND c.account_id = x.account_id" \
	"    AND c.ref_id = x.record_id AND c.kind = x.entry_kind" \
	"  WHERE c.entry_id IS NULL OR x.record_id IS NULL OR c.amount <> x.amount" \
	"     OR c.counterparty IS DISTINCT FROM x.counterparty" \
	" UNION ALL" \
	" SELECT coalesce(x.enterprise_id, c.enterprise_id), coalesce(x.account_id, c.account_id)," \
	"   CASE WHEN c.entry_id IS NULL THEN format('credit change %s (%s to %s) has no journal entry'," \
	"          x.change_id, x.old_limit * 0.01, x.new_limit * 0.01)" \
	"     WHEN x.change_id IS NULL THEN format('journal entry %s (credit_limit) has no credit change %s'," \
	"          c.entry_id, c.ref_id)" \
	"     ELSE format('journal entry %s moves credit_limit by %s but credit change %s by %s'," \
	"          c.entry_id, c.d[3] * 0.01, x.change_id, (x.new_limit - x.old_limit) * 0.01) END" \
	"   FROM (SELECT * FROM eacct.credit_change WHERE kind = 'allocate'" \
	"           AND new_limit <> old_limit AND ($1 IS NULL OR enterprise_id = $1)) x" \
	"   FULL JOIN (SELECT * FROM chain WHERE kind = 'credit_limit') c" \
	"     ON c.enterprise_id = x.enterprise_id AND c.account_id = x.account_id" \
	"    AND c.ref_id = x.change_id" \
	"  WHERE c.entry_id IS NULL OR x.change_id IS NULL OR c.d[3] <> x.new_limit - x.old_limit" \
	" UNION ALL" \
	" SELECT coalesce(x.enterprise_id, c.enterprise_id), coalesce(x.account_id, c.account_id)," \
	"   CASE WHEN c.entry_id IS NULL THEN format('bill %s of %s has no charge in the journal'," \
	"          x.bill_id, x.amount * 0.01)" \
	"     WHEN x.bill_id IS NULL THEN format('journal entry %s (charge) put %s on credit" \
	" without a bill', c.entry_id, c.d[4] * 0.01)" \
	"     ELSE format('bill %s is %s but journal entry %s put %s on credit', x.bill_id," \
	"          x.amount * 0.01, c.entry_id, c.d[4] * 0.01) END" \
	"   FROM (SELECT * FROM eacct.bill WHERE $1 IS NULL OR enterprise_id = $1) x" \
	"   FULL JOIN (SELECT * FROM chain WHERE kind = 'charge' AND d[4] > 0) c" \
	"     ON c.enterprise_id = x.enterprise_id AND c.account_id = x.account_id" \
	"    AND c.entry_id = x.entry_id AND c.ref_id = x.bill_id" \
	"  WHERE c.entry_id IS NULL OR x.bill_id IS NULL OR c.d[4] <> x.amount" \
	" UNION ALL" \
	" SELECT k.enterprise_id, k.account_id, p.problem" \
	"   FROM eacct.coupon k" \
	"   LEFT JOIN coupons_used u ON u.enterprise_id = k.enterprise_id AND u.coupon_id = k.coupon_id" \
	"   CROSS JOIN LATERAL (VALUES" \
	"     (CASE WHEN u.n > 1 THEN format('coupon %s was used by %s journal entries'," \
	"        k.coupon_id, u.n) END)," \
	"     (CASE WHEN u.n > 0 AND k.used_at IS NULL THEN format(" \
	"        'coupon %s is not marked used, but journal entry %s used it', k.coupon_id, u.first) END)," \
	"     (CASE WHEN u.n IS NULL AND k.used_at IS NOT NULL THEN format(" \
	"        'coupon %s is marked used, but no journal entry used it', k.coupon_id) END)," \
	"     (CASE WHEN u.most > k.face_value THEN format(" \
	"        'coupon %s is worth %s, but a journal entry used %s of it'," \
	"        k.coupon_id, k.face_value * 0.01, u.most * 0.01) END)," \
	"     (CASE WHEN u.lo <> k.account_id OR u.hi <> k.account_id THEN format(" \
	"        'coupon %s of account %s was used by a charge of another account'," \
	"        k.coupon_id, k.account_id) END)," \
	"     (CASE WHEN u.earliest < k.valid_from OR u.latest >= k.valid_until THEN format(" \
	"        'coupon %s was used outside its validity', k.coupon_id) END)" \
	"   ) AS p(problem)" \
	"  WHERE ($1 IS NULL OR k.enterprise_id = $1) AND p.problem IS NOT NULL" \
	" UNION ALL" \
	" SELECT u.enterprise_id, u.lo," \
	"   format('journal entry %s used coupon %s, which does not exist', u.first, u.coupon_id)" \
	"   FROM coupons_used u WHERE NOT EXISTS (SELECT 1 FROM eacct.coupon k" \
	"     WHERE k.enterprise_id = u.enterprise_id AND k.coupon_id = u.coupon_id)" \
	" UNION ALL" \
	" SELECT p.enterprise_id, p.holder_account, format(" \
	"   'transfers from account %s: transferred %s and withdrawn %s, records say %s and %s'," \
	"   p.source_account, p.transferred * 0.01, p.withdrawn * 0.01, p.t * 0.01, p.w * 0.01)" \
	"   FROM pairs p WHERE p.transferred <> p.t OR p.withdrawn <> p.w" \
	/* \
	 * a sequence that would give an id the rows (of the enterprise, or all) \
	 * already have: set back by setval() or a restore into a used database \
	 */ \
	" UNION ALL" \
	" SELECT NULL::bigint, NULL::bigint," \
	"   format('sequence %s gives %s next, but %s %s exists: SELECT setval(%L, %s)'," \
	"          s.seq, n.next, s.what, s.top, s.seq::text, s.top)" \
	/* each sequence's next value (as nextval would give it) and the largest id */ \
	"   FROM (" \
	"     " SEQ_TOP("enterprise_id", "SELECT max(enterprise_id) FROM acc") \
	"     UNION ALL " SEQ_TOP("account_id", "SELECT max(account_id) FROM acc") \
	"     UNION ALL " SEQ_TOP("entry_id", "SELECT max(top) FROM j") \
	"     UNION ALL " SEQ_TOP("record_id", "SELECT max(top) FROM rec") \
	"     UNION ALL " SEQ_TOP("bill_id", "SELECT max(top) FROM bills") \
	"     UNION ALL " SEQ_TOP_OF("change_id", "credit_change") \
	"     UNION ALL " SEQ_TOP_OF("coupon_id", "coupon") \
	"     UNION ALL " SEQ_TOP_OF("contact_id", "contact") \
	"     UNION ALL " SEQ_TOP_OF("notification_id", "notification") \
	"   ) AS s(seq, what, top, last_value, is_called)" \
	"   JOIN pg_catalog.pg_sequence q ON q.seqrelid = s.seq" \
	"   CROSS JOIN LATERAL (SELECT CASE WHEN s.is_called" \
	"     THEN s.last_value::numeric + q.seqincrement ELSE s.last_value END AS next) n" \
	"  WHERE n.next <= s.top" \
	/* the whole database: guard triggers that do not fire in every session */ \
	" UNION ALL" \
	" SELECT NULL::bigint, NULL::bigint," \
	"   format('trigger %s on %s is %s: ALTER TABLE %s ENABLE ALWAYS TRIGGER %s'," \
	"          quote_ident(t.tgname), t.tgrelid::regclass," \
	"          CASE t.tgenabled WHEN 'D' THEN 'disabled'" \
	"            WHEN 'R' THEN 'ENABLE REPLICA, so ordinary sessions pass it'" \
	"            ELSE 'ENABLE, not ENABLE ALWAYS, so sessions in replica mode pass it' END," \
	"          t.tgrelid::regclass, quote_ident(t.tgname))" \
	"   FROM pg_catalog.pg_trigger t" \
	"  WHERE $1 IS NULL AND NOT t.tgisinternal AND t.tgenabled <> 'A'" \
	/* eacct's table and eacct's function: not a DBA's trigger */ \
	"    AND 2 = (SELECT count(*) FROM pg_catalog.pg_depend d" \
	"      JOIN pg_catalog.pg_extension x ON x.oid = d.refobjid AND x.extname = 'eacct'" \
	"     WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass" \
	"       AND d.deptype = 'e'" \
	"       AND (d.classid, d.objid) IN (('pg_catalog.pg_proc'::pg_catalog.regclass, t.tgfoid)," \
	"                                    ('pg_catalog.pg_class'::pg_catalog.regclass, t.tgrelid)))" \
	" ORDER BY 1, 2, 3"

/* planned per call: a generic plan cannot use "$1 IS NULL OR enterprise_id = $1" as an index condition */
static EacctPlan verify_query = {VERIFY_QUERY("ea.admin_name"), 1, {INT8OID}, NULL, CURSOR_OPT_CUSTOM_PLAN};
static EacctPlan verify_query_unnamed = {VERIFY_QUERY("NULL::pg_catalog.name"), 1, {INT8OID}, NULL, CURSOR_OPT_CUSTOM_PLAN};

/*
 * verify(enterprise_id bigint default null) -> table(enterprise_id bigint,
 *     account_id bigint, problem text)
 *
 * Administrators of the enterprise; all enterprises (NULL) only for
 * superusers.
 */
Datum
eacct_verify(PG_FUNCTION_ARGS)
{
	EacctCall	call;
	Datum		values[1];
	char		nulls[1] = {' '};

	eacct_check_srf(fcinfo);
	values[0] = PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0);
	nulls[0] = PG_ARGISNULL(0) ? 'n' : ' ';

	eacct_enter(&call, fcinfo);
	if (PG_ARGISNULL(0))
	{
		if (!superuser_arg(call.caller))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied to verify all enterprises"),
					 errdetail("Only superusers may call verify() without an enterprise_id.")));
	}
	else
	{
		Datum		v[1] = {values[0]};
		static EacctPlan exists = {
			"SELECT 1 FROM eacct.enterprise e WHERE e.enterprise_id OPERATOR(pg_catalog.=) $1",
			1, {INT8OID}
		};

		if (eacct_exec(&exists, v, NULL, true, 0) != 1)
			eacct_enterprise_not_found(DatumGetInt64(values[0]));
		eacct_check_admin(&call, DatumGetInt64(values[0]));
	}

	eacct_exec(eacct_admin_names() ? &verify_query : &verify_query_unnamed,
			   values, nulls, true, 0);
	eacct_return_spi_rows(fcinfo);
	eacct_leave(&call);
	return (Datum) 0;
}
