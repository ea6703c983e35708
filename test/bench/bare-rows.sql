-- bare-rows.sql: the rest of the statement of bare-transfer.head and
-- bare-batch.head (transfer.sh joins them): the rows of the transfers in t
m AS (SELECT ent, f AS acct, -amount AS d_cash, 0::bigint AS d_book, t AS cp, rid,
             'transfer_out' AS kind FROM t
      UNION ALL SELECT ent, t, 0, amount, f, rid, 'transfer_in' FROM t),
-- each account once, in account order (no deadlock between two clients);
-- its entries carry its balances after the statement (eacct's, after each)
u AS (UPDATE bare.account a
         SET own_cash = a.own_cash + s.d_cash, transfer_book = a.transfer_book + s.d_book
        FROM (SELECT acct, sum(d_cash)::bigint AS d_cash, sum(d_book)::bigint AS d_book
                FROM m GROUP BY acct ORDER BY acct) s
       WHERE a.enterprise_id = :e + 1 AND a.account_id = s.acct
   RETURNING a.account_id, a.own_cash, a.transfer_book, a.credit_limit, a.outstanding, a.overdue),
j AS (INSERT INTO bare.journal_entry (enterprise_id, entry_id, account_id, kind, amount,
          d_own_cash, d_transfer_book, d_credit_limit, d_outstanding, d_overdue,
          own_cash, transfer_book, credit_limit, outstanding, overdue, counterparty, ref_id, created_by)
      SELECT m.ent, nextval('bare.entry_seq'), m.acct, m.kind, abs(m.d_cash + m.d_book), m.d_cash, m.d_book, 0, 0, 0,
             u.own_cash, u.transfer_book, u.credit_limit, u.outstanding, u.overdue, m.cp, m.rid, current_user
        FROM m JOIN u ON u.account_id = m.acct),
r AS (INSERT INTO bare.transfer_record (enterprise_id, record_id, kind, from_account, to_account, amount, created_by)
      SELECT ent, rid, 'transfer', f, t, amount, current_user FROM t)
INSERT INTO bare.transfer_pair AS p (enterprise_id, source_account, holder_account, transferred)
SELECT ent, f, t, amount FROM t
    ON CONFLICT (enterprise_id, source_account, holder_account)
    DO UPDATE SET transferred = p.transferred + excluded.transferred;
