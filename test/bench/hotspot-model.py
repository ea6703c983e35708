#!/usr/bin/env python3
"""test/bench/hotspot-model.py — a model of the hot-spot benchmark's lock waits.

Clients run transfers between two random accounts of a small set; each
transfer holds its two accounts for one service time (work + commit flush,
as with synchronous_commit on).  It compares the present locking (both
accounts in ascending order, waiting in FIFO order while holding the
first) with locking both at once or waiting holding nothing.  Prints
transfers per service time for each; not run by `make bench` (it measures
a model, not eacct).  Usage: hotspot-model.py [accounts] [clients]
"""
import heapq
import random
import sys


def run(policy, accounts=10, clients=8, horizon=20000.0, seed=1):
    rnd = random.Random(seed)
    owner = {}                                  # account -> client
    queue = {a: [] for a in range(accounts)}    # ordered: FIFO per account
    waiting = set()                             # at-once: clients waiting
    events = []                                 # (end time, client)
    want = {}                                   # client -> (accounts, held)
    done = 0

    def begin(c):
        a = rnd.randrange(accounts)
        b = (a + 1 + rnd.randrange(accounts - 1)) % accounts
        want[c] = (sorted((a, b)), set())

    def acquire(c, now):
        pair, held = want[c]
        if policy == "ordered":
            for x in pair:
                if x in held:
                    continue
                if x in owner or (queue[x] and queue[x][0] != c):
                    if c not in queue[x]:
                        queue[x].append(c)
                    return False
                if queue[x]:
                    queue[x].pop(0)
                owner[x] = c
                held.add(x)
        else:
            if any(x in owner for x in pair):
                waiting.add(c)
                return False
            waiting.discard(c)
            for x in pair:
                owner[x] = c
                held.add(x)
        heapq.heappush(events, (now + 1.0, c))
        return True

    for c in range(clients):
        begin(c)
        acquire(c, 0.0)
    while events:
        now, c = heapq.heappop(events)
        if now > horizon:
            break
        done += 1
        pair, held = want[c]
        for x in held:
            del owner[x]
        if policy == "ordered":
            for w in [queue[x][0] for x in pair if queue[x]]:
                acquire(w, now)
        else:
            for w in sorted(waiting, key=lambda _: rnd.random()):
                acquire(w, now)
        begin(c)
        acquire(c, now)
    return done / horizon


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    k = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    if n < 2 or k < 1:
        sys.exit("hotspot-model.py: needs at least 2 accounts and 1 client")
    ordered, at_once = run("ordered", n, k), run("at-once", n, k)
    print(f"{n} accounts, {k} clients: transfers per service time")
    print(f"  ordered, waiting while holding: {ordered:.2f}")
    print(f"  both at once or none:           {at_once:.2f} ({at_once / ordered - 1:+.0%})")
