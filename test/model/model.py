#!/usr/bin/python3
"""test/model/model.py — differential (model-based) test of eacct.

usage: model.py DBNAME SEED NCALLS [-v]   (-v: outcomes per function)
       MODEL_INSTALL_FROM=0.1.0 model.py ...  (installs that version, then updates)

Installs eacct afresh in DBNAME (DROP/CREATE EXTENSION), builds three
enterprises, then makes NCALLS random calls of the money-moving and
money-reading API (SPEC sections 3-5), each one also applied to a Python
model written from SPEC.md and the README's decisions.  After every call it
compares the SQLSTATE (or the result), then every account's balances, alert
and valid coupons, transferable(), credit_quota(), withdrawable() of every
pair, the enterprise figures, bills, transfer pairs, coupons, notifications
and the row counts of the history tables.  On the first difference it
prints the seed, the call number, the call and the differing fields, and
exits 1.  verify() must stay empty.
"""
import os
import sys
import random
import datetime
from collections import Counter
from decimal import Decimal

import psycopg2

UTC = datetime.timezone.utc
DAY = datetime.timedelta(days=1)
INT64 = 2 ** 63


def d(c):
    """cents -> Decimal with two places"""
    return (Decimal(c) / 100).quantize(Decimal('0.01'))


class Mismatch(Exception):
    pass


class Expect(Exception):
    """the model's verdict: the call fails with this SQLSTATE"""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def amount_cents(raw, positive=True):
    """SPEC section 1 / README Amounts: int cents, or raise Expect"""
    if isinstance(raw, int):
        c = raw
    else:
        if raw is None:
            raise Expect('22023')
        x = Decimal(raw)
        if x.is_nan():
            raise Expect('22023')
        if x.is_infinite():
            raise Expect('22003')
        if (x * 100) % 1 != 0:
            raise Expect('22023')
        c = int(x * 100)
        if abs(c) >= INT64:
            raise Expect('22003')
    if c < 0 or (positive and c == 0):
        raise Expect('22023')
    return c


def sql_amount(raw):
    """what is sent for an amount: a numeric literal as text, or NULL"""
    if raw is None:
        return None
    if isinstance(raw, int):
        return str(d(raw))
    return str(raw)


class Acct:
    def __init__(s, id, ent, name, is_ma):
        s.id, s.ent, s.name, s.is_ma = id, ent, name, is_ma
        s.own = s.tb = s.cl = s.out = s.ovd = 0
        s.thr, s.en, s.trig = 0, False, False
        s.contacts = []           # (channel, address)

    def avail(s):
        return s.own + s.tb + s.cl - s.out

    def transferable(s):
        return max(0, min(s.avail(), s.own))


class Ent:
    def __init__(s, id, ma):
        s.id, s.ma = id, ma
        s.accts = [ma]
        s.line, s.status, s.center = 0, 'none', False
        s.term = datetime.timedelta(days=30)


class Bill:
    def __init__(s, seq, acct, due, amount):
        s.seq, s.acct, s.due, s.rem, s.overdue = seq, acct, due, amount, False


class Model:
    def __init__(s, seed, db, ncalls):
        s.seed, s.ncalls = seed, ncalls
        s.rng = random.Random(seed)
        s.accts, s.ents = {}, {}
        s.bills, s.coupons, s.pairs, s.keys = [], {}, {}, {}
        s.notif = Counter()          # (account_id or None, event, channel, address)
        s.rows = Counter()           # journal, records, changes, requests
        s.last = Counter()           # highest id returned: entry, record, change
        s.ncall = 0
        s.rid_n = 0
        s.stats = Counter()
        s.conn = psycopg2.connect(dbname=db, options='-c timezone=UTC -c client_min_messages=warning')
        s.conn.autocommit = True
        s.cur = s.conn.cursor()
        s.q("DROP EXTENSION IF EXISTS eacct CASCADE")
        s.q("DROP SCHEMA IF EXISTS eacct CASCADE")
        frm = os.environ.get('MODEL_INSTALL_FROM')
        if frm:
            # the objects an update makes must behave as the ones an install makes
            s.q("CREATE EXTENSION eacct VERSION %s", (frm,))
            s.q("ALTER EXTENSION eacct UPDATE")
        else:
            s.q("CREATE EXTENSION eacct")
        s.call_text = ''

    # ------------------------------------------------------------ plumbing
    def q(s, sql, args=None):
        s.cur.execute(sql, args)
        return s.cur.fetchall() if s.cur.description else None

    def run(s, sql, args=None):
        """one call in its own transaction: (rows, None) or (None, sqlstate)"""
        s.call_text = s.cur.mogrify(sql, args).decode()
        try:
            s.cur.execute(sql, args)
            return s.cur.fetchall(), None
        except psycopg2.Error as e:
            if e.pgcode is None:
                raise
            return None, (e.pgcode, e.diag.message_detail or '')

    def mismatch(s, what):
        raise Mismatch(what)

    def outcome(s, err, exp_code, label):
        """compare the SQLSTATE with the model's; True when both succeeded"""
        s.stats[label + ':' + (exp_code or 'ok')] += 1
        got = err[0] if err else None
        if got != exp_code:
            s.mismatch('SQLSTATE: eacct %s, model %s%s' % (got or 'success', exp_code or 'success',
                                                          (' (detail: %s)' % err[1]) if err else ''))
        return exp_code is None

    def new_id(s, kind, got):
        if got is None or got <= s.last[kind]:
            s.mismatch('returned %s id %s, expected a new one above %s' % (kind, got, s.last[kind]))
        s.last[kind] = got

    def rid(s, ent, op):
        """a request_id: none, fresh, or one used before in this or another enterprise"""
        r = s.rng.random()
        if r < 0.55:
            return None
        if r < 0.8 or not s.keys:
            s.rid_n += 1
            return 'k%d' % s.rid_n
        if r < 0.97:
            return s.rng.choice(list(s.keys))[1]
        return s.rng.choice(['', ' ', 'x' * 201])          # 22023

    def check_rid(s, rid):
        if rid is not None and (rid.strip() == '' or len(rid) > 200):
            raise Expect('22023')

    def key_lookup(s, ent, rid, op, args):
        """None (no key, or a new one), or the first result; Expect UA012"""
        if rid is None:
            return None
        k = s.keys.get((ent, rid))
        if k is None:
            return None
        if k[0] == op and k[1] == args:
            return k[2]
        raise Expect('UA012')

    def repeated(s, prev, got):
        """True when the call repeated a keyed one: it must answer the first result"""
        if prev is None:
            return False
        if got != prev:
            s.mismatch('repeat returned %s, first result %s' % (got, prev))
        return True

    def remember_key(s, ent, rid, op, args, got):
        """a new request_id's row: later calls with it answer got"""
        if rid is not None:
            s.keys[(ent, rid)] = (op, args, got)
            s.rows['requests'] += 1

    def moved(s, ent, rid, op, args, got, frm, to):
        """a transfer or withdrawal frm -> to answered got: its record, its two
        journal entries, its key, and both accounts' alerts"""
        s.new_id('record', got)
        s.rows['journal'] += 2
        s.rows['records'] += 1
        s.remember_key(ent, rid, op, args, got)
        s.alert(frm)
        s.alert(to)

    def amount(s, target, positive=True, bad=0.06):
        """an amount around target (cents), sometimes a bad one"""
        r = s.rng.random()
        if r < bad:
            return s.rng.choice([Decimal('12.345'), Decimal('0.001'), Decimal('-1.00'), Decimal('NaN'),
                                 Decimal('Infinity'), Decimal('1E+18'), None, Decimal('100.005')]
                                + ([Decimal('0')] if positive else []))
        if r < bad + 0.04:
            # three decimals ending in 0 are fine
            c = max(1, target)
            return Decimal(c) / 100 + Decimal('0.000')
        t = max(0, target)
        c = s.rng.choice([t, t, t + 1, t - 1, 1, s.rng.randint(1, max(1, t)), t // 2, t + 100])
        if c <= 0:
            c = 0 if not positive else s.rng.choice([1, 1, 1, 0])
        return c

    def alert(s, A):
        """SPEC rule 9, README Alerts: evaluated after every change"""
        if not A.en:
            A.trig = False
            return
        av = A.avail()
        if not A.trig and av < A.thr:
            A.trig = True
            who = A if A.contacts else s.accts[s.ents[A.ent].ma]
            for ch, ad in who.contacts:
                s.notif[(A.id, 'low_balance', ch, ad)] += 1
        elif A.trig and av >= A.thr:
            A.trig = False

    def notify_ma(s, ent, acct_id, event):
        for ch, ad in s.accts[s.ents[ent].ma].contacts:
            s.notif[(acct_id, event, ch, ad)] += 1

    def acct(s, id):
        if id not in s.accts:
            raise Expect('P0002')
        return s.accts[id]

    def pick(s, ent=None, unknown=0.02):
        if s.rng.random() < unknown:
            return s.rng.choice([0, -3, 10 ** 9])
        E = s.ents[ent] if ent else s.rng.choice(list(s.ents.values()))
        return s.rng.choice(E.accts)

    def now(s):
        return s.q("SELECT now()")[0][0]

    # ------------------------------------------------------------ setup
    def setup(s):
        rng = s.rng
        plan = [  # (accounts, center, credit status, line, MA contacts)
            (5, True, 'active', 200000, 2),
            (4, True, 'active', 50000, 1),
            (3, False, 'none', 0, 0),
        ]
        n = 0
        for i, (size, center, status, line, mac) in enumerate(plan):
            eid = s.q("SELECT eacct.create_enterprise(%s, %s)", ('ent%d' % i, 'ma%d' % i))[0][0]
            ma = s.q("SELECT ma_account_id FROM eacct.enterprise WHERE enterprise_id = %s", (eid,))[0][0]
            E = Ent(eid, ma)
            s.ents[eid] = E
            s.accts[ma] = Acct(ma, eid, 'ma%d' % i, True)
            for j in range(size - 1):
                a = s.q("SELECT eacct.create_account(%s, %s)", (eid, 'a%d' % j))[0][0]
                s.accts[a] = Acct(a, eid, 'a%d' % j, False)
                E.accts.append(a)
            for a in E.accts:
                k = mac if a == ma else rng.choice([0, 0, 1, 2])
                for c in range(k):
                    n += 1
                    ch, ad = (('sms', '+1555000%04d' % n) if c % 2 else ('email', 'c%d@x.example' % n))
                    s.q("SELECT eacct.add_contact(%s, %s, %s)", (a, ch, ad))
                    s.accts[a].contacts.append((ch, ad))
            if center:
                s.q("SELECT eacct.enable_account_center(%s)", (eid,))
                E.center = True
            if status == 'active':
                s.q("SELECT eacct.apply_credit_line(%s, %s)", (eid, d(line)))
                s.notify_ma(eid, None, 'contract_pending')
                s.q("SELECT eacct.confirm_credit_contract(%s)", (eid,))
                s.rows['changes'] += 2
                E.line, E.status = line, 'active'
                for a in E.accts:                       # some credit to charge into
                    lim = rng.choice([0, 5000, 10000])
                    s.q("SELECT eacct.set_credit_limit(%s, %s)", (a, d(lim)))
                    s.rows['changes'] += 1
                    if lim:
                        s.accts[a].cl = lim
                        s.rows['journal'] += 1
                        s.notify_ma(eid, a, 'credit_limit_changed')
        s.compare()

    # ------------------------------------------------------------ comparison
    def compare(s):
        m = s
        diffs = []
        rows = s.q("""
            SELECT v.account_id, v.enterprise_id, v.own_cash, v.transfer_book_balance, v.credit_limit,
                   v.outstanding, v.overdue, v.available_credit, v.cash_balance, v.alert_enabled,
                   v.alert_threshold, v.alert_status, v.valid_coupons, v.is_ma,
                   eacct.transferable(v.account_id), q.max_quota_allocable, q.current_credit_limit,
                   q.available_quota, q.allocation_account
              FROM eacct.account_assets v, LATERAL eacct.credit_quota(v.account_id) q""")
        if len(rows) != len(m.accts):
            diffs.append('account_assets has %d rows, model %d' % (len(rows), len(m.accts)))
        now = s.now()
        names = ('enterprise', 'own_cash', 'transfer_book', 'credit_limit', 'outstanding', 'overdue',
                 'available_credit', 'cash_balance', 'alert_enabled', 'alert_threshold', 'alert_status',
                 'valid_coupons', 'is_ma', 'transferable()', 'credit_quota.max_quota_allocable',
                 'credit_quota.current_credit_limit', 'credit_quota.available_quota',
                 'credit_quota.allocation_account')
        for r in rows:
            A = m.accts.get(r[0])
            if A is None:
                diffs.append('unknown account %s' % r[0])
                continue
            E = m.ents[A.ent]
            vc = sum(1 for c in m.coupons.values()
                     if c[0] == A.id and not c[4] and c[2] <= now < c[3])
            exp = (A.ent, d(A.own), d(A.tb), d(A.cl), d(A.out), d(A.ovd), d(A.avail()), d(A.own + A.tb),
                   A.en, d(A.thr), 'triggered' if A.trig else 'ok', vc, A.is_ma, d(A.transferable()),
                   d(s.allocatable(E)), d(A.cl), d(A.avail()), A.name)
            for nm, g, e in zip(names, r[1:], exp):
                if g != e:
                    diffs.append('account %d %s: eacct %s, model %s' % (A.id, nm, g, e))
        rows = s.q("SELECT enterprise_id, credit_status, credit_line, allocated, overdue, allocatable,"
                   " account_center_enabled, payment_term FROM eacct.enterprise_credit")
        names = ('credit_status', 'credit_line', 'allocated', 'overdue', 'allocatable',
                 'account_center_enabled', 'payment_term')
        for r in rows:
            E = m.ents[r[0]]
            exp = (E.status, d(E.line), d(sum(m.accts[a].cl for a in E.accts)),
                   d(sum(m.accts[a].ovd for a in E.accts)), d(s.allocatable(E)), E.center, E.term)
            for nm, g, e in zip(names, r[1:], exp):
                if g != e:
                    diffs.append('enterprise %d %s: eacct %s, model %s' % (E.id, nm, g, e))
        # withdrawable of every pair the model knows, and of a few that never transferred
        pl = list(m.pairs)
        for _ in range(3):
            E = s.rng.choice(list(m.ents.values()))
            a, b = s.rng.sample(E.accts, 2)
            pl.append((a, b))
        rows = s.q("SELECT s, h, eacct.withdrawable(h, s) FROM unnest(%s::bigint[], %s::bigint[]) u(s, h)",
                   ([p[0] for p in pl], [p[1] for p in pl]))
        for (sa, ha, w) in rows:
            H = m.accts[ha]
            p = m.pairs.get((sa, ha))
            exp = max(0, min(H.tb, H.avail(), p[0] - p[1])) if p else 0
            if d(exp) != w:
                diffs.append('withdrawable(%d, %d): eacct %s, model %s' % (ha, sa, w, d(exp)))
        rows = s.q("SELECT source_account, holder_account, transferred, withdrawn FROM eacct.transfer_pair")
        dbp = {(r[0], r[1]): [r[2], r[3]] for r in rows}
        if dbp != m.pairs:
            diffs += ['transfer_pair %s: eacct %s, model %s' % (k, dbp.get(k), m.pairs.get(k))
                      for k in set(dbp) | set(m.pairs) if dbp.get(k) != m.pairs.get(k)]
        rows = s.q("SELECT account_id, remaining, overdue, due_at FROM eacct.bill ORDER BY bill_id")
        exp = [(b.acct, b.rem, b.overdue, b.due) for b in m.bills]
        if len(rows) != len(exp):
            diffs.append('bills: eacct has %d, model %d' % (len(rows), len(exp)))
        show = lambda r: '(account %s, remaining %s, overdue %s, due %s)' % (r[0], d(r[1]), r[2], r[3].isoformat())
        diffs += ['bill #%d: eacct %s, model %s' % (i + 1, show(g), show(e))
                  for i, (g, e) in enumerate(zip(rows, exp)) if g != e]
        rows = s.q("SELECT coupon_id, used_at IS NOT NULL FROM eacct.coupon")
        dbc = {r[0]: r[1] for r in rows}
        mc = {k: v[4] for k, v in m.coupons.items()}
        if dbc != mc:
            diffs.append('coupons used: eacct %s, model %s' % (dbc, mc))
        rows = s.q("SELECT account_id, event, channel, address, count(*) FROM eacct.notification"
                   " GROUP BY 1, 2, 3, 4")
        dbn = Counter({(r[0], r[1], r[2], r[3]): r[4] for r in rows})
        if dbn != +m.notif:
            diffs += ['notifications %s: eacct %d, model %d' % (k, dbn[k], m.notif[k])
                      for k in set(dbn) | set(m.notif) if dbn[k] != m.notif[k]]
        r = s.q("SELECT (SELECT count(*) FROM eacct.journal_entry), (SELECT count(*) FROM eacct.transfer_record),"
                " (SELECT count(*) FROM eacct.credit_change), (SELECT count(*) FROM eacct.request)")[0]
        exp = (m.rows['journal'], m.rows['records'], m.rows['changes'], m.rows['requests'])
        if r != exp:
            diffs.append('rows (journal, transfer_record, credit_change, request): eacct %s, model %s' % (r, exp))
        if diffs:
            s.mismatch('\n  '.join(['state differs after the call:'] + diffs[:20]))

    def allocatable(s, E):
        return max(0, E.line - sum(s.accts[a].cl for a in E.accts) - sum(s.accts[a].ovd for a in E.accts))

    # ------------------------------------------------------------ operations
    def op_top_up(s):
        rng = s.rng
        A0 = s.accts[s.pick(unknown=0)]
        if A0.out and rng.random() < 0.6:
            target = rng.choice([A0.ovd, A0.out, A0.ovd + 1, A0.out - 1, A0.out + 1])
        else:
            target = rng.choice([100, 1000, 5000, 25000])
        aid = s.pick(unknown=0.02) if rng.random() < 0.03 else A0.id
        raw = s.amount(max(1, target))
        rid = s.rid(A0.ent, 'top_up')
        rows, err = s.run("SELECT eacct.top_up(%s, %s::numeric, %s)", (aid, sql_amount(raw), rid))
        try:
            amt = amount_cents(raw)
            s.check_rid(rid)
            A = s.acct(aid)
            prev = s.key_lookup(A.ent, rid, 'top_up', (aid, amt))
            code = None
        except Expect as e:
            code = e.code
        if not s.outcome(err, code, 'top_up'):
            return
        got = rows[0][0]
        if s.repeated(prev, got):
            return
        s.new_id('entry', got)
        pay = amt
        for b in sorted((b for b in s.bills if b.acct == A.id and b.rem > 0),
                        key=lambda b: (not b.overdue, b.due, b.seq)):
            if pay == 0:
                break
            x = min(pay, b.rem)
            b.rem -= x
            pay -= x
            A.out -= x
            if b.overdue:
                A.ovd -= x
        A.own += pay
        s.rows['journal'] += 1
        s.remember_key(A.ent, rid, 'top_up', (aid, amt), got)
        s.alert(A)

    def op_grant_coupon(s):
        rng = s.rng
        A = s.accts[s.pick(unknown=0)]
        face = rng.choice([1, 50, 500, 3000, 20000])
        kind = rng.choice(['valid', 'valid', 'valid', 'expired', 'future'])
        off = {'valid': (-1, 10), 'expired': (-3, -1), 'future': (2, 5)}[kind]
        rows, err = s.run("SELECT eacct.grant_coupon(%s, %s, now() + %s * interval '1 day',"
                          " now() + %s * interval '1 day'), now()", (A.id, d(face), off[1], off[0]))
        if not s.outcome(err, None, 'grant_coupon'):
            return
        cid, now = rows[0]
        s.coupons[cid] = [A.id, face, now + off[0] * DAY, now + off[1] * DAY, False]

    def op_charge(s, in_txn_coupon=False):
        rng = s.rng
        A0 = s.accts[s.pick(unknown=0)]
        coupon = None
        edge = None
        if in_txn_coupon:
            # a coupon whose validity starts or ends exactly at now(), used in the same transaction
            edge = rng.choice(['starts_now', 'ends_now'])
            s.q("BEGIN")
            frm, until = (("now()", "now() + interval '1 day'") if edge == 'starts_now'
                          else ("now() - interval '1 day'", "now()"))
            face0 = rng.choice([100, 700])
            cid, txn_now = s.q("SELECT eacct.grant_coupon(%s, %s, " + until + ", " + frm + "), now()",
                               (A0.id, d(face0)))[0]
            s.coupons[cid] = [A0.id, face0, txn_now if edge == 'starts_now' else txn_now - DAY,
                              txn_now + DAY if edge == 'starts_now' else txn_now, False]
            coupon = cid
        elif rng.random() < 0.3 and s.coupons:
            mine = [k for k, c in s.coupons.items() if c[0] == A0.id]
            r = rng.random()
            if mine and r < 0.75:
                coupon = rng.choice(mine)
            elif r < 0.9:
                coupon = rng.choice(list(s.coupons))       # maybe another account's
            else:
                coupon = rng.choice([0, 10 ** 9])
        face = s.coupons[coupon][1] if coupon in s.coupons else 0
        av = A0.avail()
        cash = A0.tb + A0.own
        if av > cash and rng.random() < 0.6:
            target = cash + rng.randint(1, av - cash)                     # into credit: a bill
        else:
            target = rng.choice([av + face, av + face, cash, A0.tb, face, max(1, av // 3)])
        raw = s.amount(max(1, target))
        memo = rng.choice([None] * 6 + ['memo', 'line\nbreak', 'x' * 1000, 'x' * 1001, ''])
        rid = s.rid(A0.ent, 'charge')
        rows, err = s.run("SELECT eacct.charge(%s, %s::numeric, %s, %s, %s), now()",
                          (A0.id, sql_amount(raw), memo, coupon, rid))
        if in_txn_coupon:
            s.q("COMMIT")           # a ROLLBACK when the charge failed: the coupon is gone too
        try:
            amt = amount_cents(raw)
            if memo is not None and not 1 <= len(memo) <= 1000:
                raise Expect('22023')
            s.check_rid(rid)
            A = A0
            prev = s.key_lookup(A.ent, rid, 'charge', (A.id, amt, memo, coupon))
            if prev is None:
                used = 0
                if coupon is not None:
                    c = s.coupons.get(coupon)
                    if c is None or c[0] != A.id:
                        raise Expect('P0002')
                    if c[4]:
                        raise Expect('22023')
                    # the call's now(); when it failed, a time near it (other coupons' margins are days)
                    t = txn_now if in_txn_coupon else rows[0][1] if rows else s.now()
                    if not (c[2] <= t < c[3]):
                        raise Expect('22023')
                    used = min(c[1], amt)
                if amt - used > A.avail():
                    raise Expect('UA006')
            code = None
        except Expect as e:
            code = e.code
        if in_txn_coupon and err:
            del s.coupons[coupon]
        if not s.outcome(err, code, 'charge' + (('(coupon %s)' % edge if edge else '(coupon)') if coupon is not None else '')):
            return
        got, now = rows[0]
        if s.repeated(prev, got):
            return
        s.new_id('entry', got)
        if coupon is not None:
            s.coupons[coupon][4] = True
        rest = amt - used
        p = min(rest, A.tb)
        A.tb -= p
        rest -= p
        p = min(rest, A.own)
        A.own -= p
        rest -= p
        if rest > 0:
            A.out += rest
            s.bills.append(Bill(len(s.bills), A.id, now + s.ents[A.ent].term, rest))
        s.rows['journal'] += 1
        s.remember_key(A.ent, rid, 'charge', (A.id, amt, memo, coupon), got)
        s.alert(A)

    def op_coupon_edge(s):
        s.op_charge(in_txn_coupon=True)

    def move_checks(s, a, b, ent_of_a):
        A = s.acct(a)
        B = s.acct(b)
        if a == b:
            raise Expect('22023')
        if A.ent != B.ent:
            raise Expect('UA009')
        return A, B

    def op_transfer(s):
        rng = s.rng
        E = rng.choice(list(s.ents.values()))
        a = s.pick(E.id)
        r = rng.random()
        b = (a if r < 0.03 else s.pick() if r < 0.07 else s.pick(E.id, unknown=0.02))
        if a == b and r >= 0.03:
            b = rng.choice(E.accts)
        t = s.accts[a].transferable() if a in s.accts else 100
        raw = s.amount(max(1, t))
        rid = s.rid(E.id, 'transfer')
        rows, err = s.run("SELECT eacct.transfer(%s, %s, %s::numeric, %s)", (a, b, sql_amount(raw), rid))
        try:
            amt = amount_cents(raw)
            s.check_rid(rid)
            A, B = s.move_checks(a, b, E.id)
            prev = s.key_lookup(A.ent, rid, 'transfer', (a, b, amt))
            if prev is None:
                if not s.ents[A.ent].center:
                    raise Expect('UA008')
                if amt > A.transferable():
                    raise Expect('UA003')
            code = None
        except Expect as e:
            code = e.code
        if not s.outcome(err, code, 'transfer'):
            return
        got = rows[0][0]
        if s.repeated(prev, got):
            return
        A.own -= amt
        B.tb += amt
        s.pairs.setdefault((a, b), [0, 0])[0] += amt
        s.moved(A.ent, rid, 'transfer', (a, b, amt), got, A, B)

    def op_withdraw(s):
        rng = s.rng
        live = [p for p, v in s.pairs.items()
                if min(s.accts[p[1]].tb, s.accts[p[1]].avail(), v[0] - v[1]) > 0]
        if live and rng.random() < 0.7:
            src, hold = rng.choice(live)
        elif s.pairs and rng.random() < 0.85:
            src, hold = rng.choice(list(s.pairs))
        else:
            E = rng.choice(list(s.ents.values()))
            src, hold = s.pick(E.id), s.pick(E.id)
        if rng.random() < 0.03:
            src = s.pick()
        H = s.accts.get(hold)
        p = s.pairs.get((src, hold))
        w = max(0, min(H.tb, H.avail(), p[0] - p[1])) if H and p else 100
        raw = s.amount(max(1, w))
        ent = H.ent if H else None
        rid = s.rid(ent, 'withdraw')
        rows, err = s.run("SELECT eacct.withdraw(%s, %s, %s::numeric, %s)", (hold, src, sql_amount(raw), rid))
        try:
            amt = amount_cents(raw)
            s.check_rid(rid)
            Hh, S = s.move_checks(hold, src, ent)
            prev = s.key_lookup(Hh.ent, rid, 'withdraw', (hold, src, amt))
            if prev is None:
                if not s.ents[Hh.ent].center:
                    raise Expect('UA008')
                if p is None:
                    raise Expect('UA005')
                if amt > w:
                    raise Expect('UA004')
            code = None
        except Expect as e:
            code = e.code
        if not s.outcome(err, code, 'withdraw'):
            return
        got = rows[0][0]
        if s.repeated(prev, got):
            return
        Hh.tb -= amt
        S.own += amt
        p[1] += amt
        s.moved(Hh.ent, rid, 'withdraw', (hold, src, amt), got, Hh, S)

    def op_set_credit_limit(s):
        rng = s.rng
        aid = s.pick(unknown=0.02)
        A0 = s.accts.get(aid)
        if A0:
            E = s.ents[A0.ent]
            r = rng.random()
            if r < 0.45:
                target = A0.cl + s.allocatable(E)                        # increase up to allocatable
                target = rng.choice([target, target + 1, A0.cl + rng.randint(0, max(0, target - A0.cl))])
            elif r < 0.85:
                floor = A0.out - A0.own - A0.tb                           # decrease: new > floor
                target = rng.choice([floor, floor + 1, floor + 2, A0.cl // 2, 0])
            else:
                target = A0.cl
            target = max(0, target)
        else:
            target = 1000
        raw = s.amount(target, positive=False)
        if raw == 0 and rng.random() < 0.5:
            raw = Decimal('0.00')
        rows, err = s.run("SELECT eacct.set_credit_limit(%s, %s::numeric)", (aid, sql_amount(raw)))
        try:
            new = amount_cents(raw, positive=False)
            A = s.acct(aid)
            E = s.ents[A.ent]
            if not E.center:
                raise Expect('UA008')
            if E.status != 'active':
                raise Expect('UA007')
            if new > A.cl and new - A.cl > s.allocatable(E):
                raise Expect('UA001')
            if new < A.cl and not A.own + A.tb + new - A.out > 0:
                raise Expect('UA002')
            code = None
        except Expect as e:
            code = e.code
        if not s.outcome(err, code, 'set_credit_limit'):
            return
        s.new_id('change', rows[0][0])
        s.rows['changes'] += 1
        if new != A.cl:
            A.cl = new
            s.rows['journal'] += 1
            s.notify_ma(A.ent, A.id, 'credit_limit_changed')
            s.alert(A)

    def op_apply_credit_line(s):
        rng = s.rng
        E = rng.choice(list(s.ents.values()))
        eid = E.id if rng.random() > 0.03 else 10 ** 9
        alloc = sum(s.accts[a].cl for a in E.accts)
        target = rng.choice([alloc, alloc - 1, alloc + 1, E.line, E.line + 10000, E.line * 2, 30000])
        raw = s.amount(max(0, target), positive=False)
        rows, err = s.run("SELECT eacct.apply_credit_line(%s, %s::numeric)", (eid, sql_amount(raw)))
        try:
            amt = amount_cents(raw, positive=False)
            if eid not in s.ents:
                raise Expect('P0002')
            if E.status == 'active' and amt < alloc:
                raise Expect('UA001')
            code = None
        except Expect as e:
            code = e.code
        if not s.outcome(err, code, 'apply_credit_line'):
            return
        s.rows['changes'] += 1
        if E.status == 'active':
            if amt != E.line:
                s.notify_ma(E.id, None, 'credit_limit_changed')
        else:
            E.status = 'pending_confirmation'
            s.notify_ma(E.id, None, 'contract_pending')
        E.line = amt
        if rows[0][0] != E.status:
            s.mismatch('apply_credit_line returned %s, model %s' % (rows[0][0], E.status))

    def op_confirm(s):
        E = s.rng.choice(list(s.ents.values()))
        rows, err = s.run("SELECT eacct.confirm_credit_contract(%s)", (E.id,))
        code = 'UA007' if E.status == 'none' else None
        if not s.outcome(err, code, 'confirm_credit_contract'):
            return
        if E.status == 'pending_confirmation':
            E.status = 'active'
            s.rows['changes'] += 1

    def op_center(s):
        E = s.rng.choice(list(s.ents.values()))
        on = s.rng.random() < 0.75
        rows, err = s.run("SELECT eacct.enable_account_center(%s, %s)", (E.id, on))
        if s.outcome(err, None, 'enable_account_center'):
            E.center = on

    def op_alert(s):
        rng = s.rng
        multi = rng.random() < 0.3
        E = rng.choice(list(s.ents.values()))
        if multi:
            ids = [s.pick(E.id if rng.random() < 0.8 else None, unknown=0.02)
                   for _ in range(rng.randint(1, 4))]
        else:
            ids = [s.pick(E.id, unknown=0.02)]
        A0 = s.accts.get(ids[0])
        av = A0.avail() if A0 else 0
        r = rng.random()
        if r < 0.7:
            target = rng.choice([av, av + 1, av - 1, av + 1000, 0])     # at the edge: equal is ok
        else:
            target = rng.randint(0, 50000)
        raw = s.amount(max(0, target), positive=False)
        en = rng.random() < 0.8
        if multi:
            rows, err = s.run("SELECT eacct.set_low_balance_alert(%s::bigint[], %s::numeric, %s)",
                              (ids, sql_amount(raw), en))
        else:
            rows, err = s.run("SELECT eacct.set_low_balance_alert(%s, %s::numeric, %s)",
                              (ids[0], sql_amount(raw), en))
        try:
            thr = amount_cents(raw, positive=False)
            uniq = sorted(set(ids))
            accs = [s.acct(i) for i in uniq]
            for A in accs:
                if not s.ents[A.ent].center:
                    raise Expect('UA008')
            code = None
        except Expect as e:
            code = e.code
        if not s.outcome(err, code, 'set_low_balance_alert' + ('[]' if multi else '')):
            return
        if multi and rows[0][0] != len(uniq):
            s.mismatch('set_low_balance_alert(bigint[]) returned %s, model %d' % (rows[0][0], len(uniq)))
        for A in accs:
            A.thr, A.en = thr, en
            s.alert(A)

    def op_term(s):
        E = s.rng.choice(list(s.ents.values()))
        t = s.rng.choice([datetime.timedelta(days=x, hours=h) for x in (1, 2, 7, 30, 45) for h in (0, 6)]
                         + [datetime.timedelta(0)])
        rows, err = s.run("SELECT eacct.set_payment_term(%s, %s)", (E.id, t))
        if s.outcome(err, '22023' if t <= datetime.timedelta(0) else None, 'set_payment_term'):
            E.term = t

    def op_mark_overdue(s):
        rng = s.rng
        open_ = [b for b in s.bills if b.rem > 0 and not b.overdue]
        if open_ and rng.random() < 0.7:
            b = rng.choice(open_)
            as_of = b.due + rng.choice([datetime.timedelta(0), datetime.timedelta(microseconds=1),
                                        datetime.timedelta(microseconds=-1), datetime.timedelta(hours=1)])
        else:
            as_of = s.now() + rng.choice([-1, 0.5, 3, 40, 400]) * DAY
        rows, err = s.run("SELECT eacct.mark_overdue(%s)", (as_of,))
        if not s.outcome(err, None, 'mark_overdue'):
            return
        moved = 0
        touched = set()
        for b in s.bills:
            if b.rem > 0 and not b.overdue and b.due < as_of:
                b.overdue = True
                s.accts[b.acct].ovd += b.rem
                moved += 1
                touched.add(b.acct)
        s.rows['journal'] += len(touched)       # one journal entry per account whose overdue changed
        if rows[0][0] != moved:
            s.mismatch('mark_overdue returned %s, model moved %d' % (rows[0][0], moved))

    def op_batch(s):
        rng = s.rng
        E = rng.choice(list(s.ents.values()))
        n = rng.choice([1, 2, 3, 4, 6, 10])
        own = {a: s.accts[a].own for a in E.accts}
        elems = []
        for i in range(n):
            a = s.pick(E.id, unknown=0.01)
            if a in own and own[a] <= 0 and rng.random() < 0.8:
                a = max(E.accts, key=lambda x: (own[x], x))                   # a source with cash
            b = s.pick(E.id if rng.random() > 0.03 else None, unknown=0.01)
            if a == b and rng.random() < 0.9:
                b = rng.choice([x for x in E.accts if x != a])
            A = s.accts.get(a)
            t = max(0, min(own[a], A.avail() - (A.own - own[a]))) if A and a in own else 100
            if t > 0 and rng.random() < 0.7:
                raw = rng.randint(1, t) if rng.random() < 0.8 else t
            else:
                raw = s.amount(max(1, t), bad=0.02)
            if isinstance(raw, int) and a in own and b in own and raw <= t:
                own[a] -= raw
            rid = s.rid(E.id, 'transfer') if rng.random() < 0.5 else None
            if elems and rng.random() < 0.08:
                j = rng.randrange(len(elems))                      # a key repeated inside the batch
                rid = elems[j][3] or rid
                if rng.random() < 0.6:
                    a, b, raw = elems[j][0], elems[j][1], elems[j][2]
            elems.append((a, b, raw, rid))
        rids = [e[3] for e in elems]
        rows, err = s.run("SELECT eacct.transfer_batch(%s::bigint[], %s::bigint[], %s::numeric[], %s::text[])",
                          ([e[0] for e in elems], [e[1] for e in elems], [sql_amount(e[2]) for e in elems],
                           rids if any(r is not None for r in rids) or rng.random() < 0.5 else None))
        # the model: elements in order against the balances the earlier ones left
        bal = {}           # id -> [own, tb]
        newkeys = {}
        results = []
        pairs = Counter()
        alerts = []
        code = idx = None
        for i, (a, b, raw, rid) in enumerate(elems, 1):
            try:
                amt = amount_cents(raw)
                s.check_rid(rid)
                A, B = s.move_checks(a, b, E.id)
                args = (a, b, amt)
                k = (A.ent, rid)
                prev = None
                if rid is not None:
                    if k in newkeys:
                        if newkeys[k][0] != args:
                            raise Expect('UA012')
                        prev = ('elem', newkeys[k][1])
                    else:
                        p = s.key_lookup(A.ent, rid, 'transfer', args)
                        if p is not None:
                            prev = ('old', p)
                if prev is not None:
                    results.append(prev)
                    continue
                if not s.ents[A.ent].center:
                    raise Expect('UA008')
                for x in (A, B):
                    bal.setdefault(x.id, [x.own, x.tb])
                av = bal[a][0] + bal[a][1] + A.cl - A.out
                if amt > max(0, min(av, bal[a][0])):
                    raise Expect('UA003')
                bal[a][0] -= amt
                bal[b][1] += amt
                pairs[(a, b)] += amt
                alerts.append((a, b, tuple(bal[a]), tuple(bal[b])))
                if rid is not None:
                    newkeys[k] = (args, i)
                results.append(('new', i))
            except Expect as e:
                code, idx = e.code, i
                break
        if not s.outcome(err, code, 'transfer_batch'):
            return
        if err:
            if not (err[1].startswith('Element %d:' % idx) or err[1] == 'Element %d failed.' % idx):
                s.mismatch('transfer_batch failed at element %d (%s), detail "%s"' % (idx, code, err[1]))
            return
        got = rows[0][0]
        if len(got) != len(elems):
            s.mismatch('transfer_batch returned %d ids for %d elements' % (len(got), len(elems)))
        ids = {}
        for i, (kind, v) in enumerate(results, 1):
            if kind == 'new':
                s.new_id('record', got[i - 1])
                ids[i] = got[i - 1]
            else:
                exp = ids[v] if kind == 'elem' else v
                if got[i - 1] != exp:
                    s.mismatch('transfer_batch element %d repeats a key: returned %s, first result %s'
                               % (i, got[i - 1], exp))
        # apply, with the alerts evaluated element by element
        for (a, b, ba, bb) in alerts:
            for x, bl in ((a, ba), (b, bb)):
                X = s.accts[x]
                X.own, X.tb = bl
                s.alert(X)
        for p, amt in pairs.items():
            s.pairs.setdefault(p, [0, 0])[0] += amt
        for (ent, rid), (args, i) in newkeys.items():
            s.remember_key(ent, rid, 'transfer', args, ids[i])
        s.rows['journal'] += 2 * len(ids)
        s.rows['records'] += len(ids)

    def op_repeat(s):
        """a keyed call again: the same arguments answer the first result and change nothing
        (also with the account center off, and a used coupon); other arguments are UA012"""
        rng = s.rng
        if not s.keys:
            return s.op_top_up()
        (ent, rid), (op, args, first) = rng.choice(sorted(s.keys.items(), key=lambda kv: (kv[0][0], kv[0][1])))
        same = rng.random() < 0.7
        amt = args[1] if op in ('top_up', 'charge') else args[2]
        amt = amt if same else amt + rng.choice([1, -1 if amt > 1 else 2])
        if op == 'top_up':
            sql, a = "SELECT eacct.top_up(%s, %s, %s)", (args[0], d(amt), rid)
        elif op == 'charge':
            sql, a = "SELECT eacct.charge(%s, %s, %s, %s, %s)", (args[0], d(amt), args[2], args[3], rid)
        elif op == 'transfer' and rng.random() < 0.3:
            sql, a = ("SELECT (eacct.transfer_batch(ARRAY[%s]::bigint[], ARRAY[%s]::bigint[],"
                      " ARRAY[%s]::numeric[], ARRAY[%s]))[1]", (args[0], args[1], d(amt), rid))
        else:
            sql, a = "SELECT eacct.%s(%%s, %%s, %%s, %%s)" % op, (args[0], args[1], d(amt), rid)
        rows, err = s.run(sql, a)
        if s.outcome(err, None if same else 'UA012', 'repeat ' + op) and rows[0][0] != first:
            s.mismatch('repeat returned %s, first result %s' % (rows[0][0], first))

    def op_verify(s):
        rows, err = s.run("SELECT * FROM eacct.verify()")
        if err or rows:
            s.mismatch('verify() reports %s' % (err or rows[:5],))

    # ------------------------------------------------------------ main loop
    def main(s):
        s.setup()
        ops = [(s.op_top_up, 12), (s.op_charge, 14), (s.op_coupon_edge, 1), (s.op_grant_coupon, 4),
               (s.op_transfer, 16), (s.op_withdraw, 10), (s.op_batch, 8), (s.op_set_credit_limit, 10),
               (s.op_apply_credit_line, 3), (s.op_confirm, 2), (s.op_center, 3), (s.op_alert, 8),
               (s.op_term, 2), (s.op_mark_overdue, 6), (s.op_repeat, 5)]
        total = sum(w for _, w in ops)
        for n in range(1, s.ncalls + 1):
            s.ncall = n
            x = s.rng.uniform(0, total)
            for f, w in ops:
                x -= w
                if x <= 0:
                    break
            s.call_text = '(setup)'
            f()
            s.compare()
            if n % 50 == 0:
                s.op_verify()
        s.op_verify()


def run():
    db, seed, ncalls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    m = Model(seed, db, ncalls)
    try:
        m.main()
    except Mismatch as e:
        print('model: seed %d, call %d: %s' % (seed, m.ncall, m.call_text))
        print('model:   %s' % e)
        sys.exit(1)
    ev = Counter()
    for (a, e, ch, ad), n in m.notif.items():
        ev[e] += n
    codes = Counter()
    for k, n in m.stats.items():
        codes[k.rsplit(':', 1)[1]] += n
    print('model: seed %d: %d calls agreed (%s); %d bills (%d overdue), %d coupons, %d request keys, '
          'notifications %s' % (seed, ncalls, ' '.join('%s %d' % kv for kv in sorted(codes.items())),
                                len(m.bills), sum(b.overdue for b in m.bills), len(m.coupons), len(m.keys),
                                ' '.join('%s %d' % kv for kv in sorted(ev.items()))))
    if len(sys.argv) > 4:
        print(' '.join('%s=%d' % kv for kv in sorted(m.stats.items())))

if __name__ == '__main__':
    run()
