#!/usr/bin/python3
"""test/crash/client.py PREFIX SECONDS LOGFILE

Worker threads run random eacct operations (transfer, withdraw, charge,
top_up), each with a unique request_id PREFIX-<thread>-<n>, in autocommit
mode, until SECONDS pass or the server goes away.  Every outcome the client
saw is written to LOGFILE, one line per call:
    ok <request_id> <call>        the call returned: it committed
    rejected <request_id> <call>  a rule rejected it (UA0xx): it did not commit
    unknown <request_id> <call>   the connection broke before an answer
where <call> is the operation, its from and to accounts (to is \\N for
charge and top_up), its amount and the id it returned (\\N unless ok).
Connection settings come from the environment (PGHOST, PGPORT, ...).
Odd-numbered threads run with eacct.early_lock_release on: their commits
release their locks before the flush, which must not lose one they saw.
"""
import random
import sys
import threading
import time

import psycopg2

PREFIX, SECONDS, LOGFILE = sys.argv[1], float(sys.argv[2]), sys.argv[3]
THREADS = 6
lines = []
lock = threading.Lock()


def worker(t):
    rng = random.Random(hash((PREFIX, t)))
    try:
        conn = psycopg2.connect(dbname="eacct_crash")
    except psycopg2.Error:
        return
    conn.autocommit = True
    cur = conn.cursor()
    if t % 2 == 1:
        cur.execute("SET eacct.early_lock_release = on")
    cur.execute("SELECT array_agg(account_id ORDER BY account_id) FROM eacct.account GROUP BY enterprise_id")
    groups = [g[0] for g in cur.fetchall()]
    deadline = time.time() + SECONDS
    n = 0
    while time.time() < deadline:
        n += 1
        rid = f"{PREFIX}-{t}-{n}"
        accts = rng.choice(groups)
        a, b = rng.sample(accts, 2)
        amount = f"{rng.randint(1, 50000) / 100:.2f}"
        op = rng.choice(["transfer", "transfer", "withdraw", "charge", "top_up"])
        # withdraw(b, a): from the holder b back to the source a
        src, dst = {"transfer": (a, b), "withdraw": (b, a)}.get(op, (a, None))
        sql = {
            "transfer": ("SELECT eacct.transfer(%s, %s, %s, %s)", (a, b, amount, rid)),
            "withdraw": ("SELECT eacct.withdraw(%s, %s, %s, %s)", (b, a, amount, rid)),
            "charge": ("SELECT eacct.charge(%s, %s, NULL, NULL, %s)", (a, amount, rid)),
            "top_up": ("SELECT eacct.top_up(%s, %s, %s)", (a, amount, rid)),
        }[op]
        result = None
        try:
            cur.execute(*sql)
            result = cur.fetchone()[0]
            outcome = "ok"
        except psycopg2.Error as e:
            if e.pgcode and e.pgcode.startswith("UA"):
                outcome = "rejected"
            elif e.pgcode and e.pgcode not in ("57P01", "57P02", "57P03"):
                outcome = f"error:{e.pgcode}"
            else:
                outcome = "unknown"
        with lock:
            lines.append(" ".join(str(v) if v is not None else "\\N"
                                  for v in (outcome, rid, op, src, dst, amount, result)) + "\n")
        if outcome == "unknown" or outcome.startswith("error"):
            break


threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
for th in threads:
    th.start()
for th in threads:
    th.join()
with open(LOGFILE, "w") as f:
    f.writelines(lines)
