#!/usr/bin/python3
"""test/export/compare.py WORKBOOK CSV [START END]

Reads an eacct export with openpyxl (an independent reader) and compares
every cell with the same enterprise's rows of eacct.account_assets, given as
CSV (psql \\copy ... CSV HEADER, same column order, without exported_at).
START/END (ISO timestamps, UTC) bound the exported_at cells.  Prints one
line per difference and "compare: N rows, N cells, N differences".
Exit status 0 only when there is no difference.
"""
import csv
import datetime
import re
import sys
from decimal import Decimal

import openpyxl

MONEY = {"available_credit", "alert_threshold", "cash_balance",
         "transfer_book_balance", "credit_limit", "outstanding", "overdue",
         "own_cash"}
INTS = {"enterprise_id", "account_id", "valid_coupons"}
BOOLS = {"is_ma", "alert_enabled"}


def excel_text(s):
    """A cell's text as Excel shows it: _xHHHH_ is the character HHHH
    (openpyxl 3.0 returns cells as written)."""
    if s is None:
        return s
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), s)


def main():
    book, csv_path = sys.argv[1], sys.argv[2]
    start = end = None
    if len(sys.argv) > 4:
        start = datetime.datetime.fromisoformat(sys.argv[3]).replace(tzinfo=None, microsecond=0)
        end = datetime.datetime.fromisoformat(sys.argv[4]).replace(tzinfo=None)
    wb = openpyxl.load_workbook(book, read_only=True)
    ws = wb["Accounts"]
    rows = ws.iter_rows(values_only=True)
    header = list(next(rows))
    with open(csv_path, newline="") as f:
        reader = csv.reader(f)
        expected_header = next(reader) + ["exported_at"]
        expected = list(reader)
    diffs = []
    if header != expected_header:
        diffs.append(f"header {header} != {expected_header}")
    cells = 0
    n = 0
    for n, (got, want) in enumerate(zip(rows, expected), start=1):
        for name, g, w in zip(header, got, want + [None]):
            cells += 1
            if name in MONEY:
                ok = isinstance(g, (int, float)) and Decimal(str(round(g, 2))) == Decimal(w)
            elif name in INTS:
                ok = isinstance(g, (int, float)) and int(g) == int(w)
            elif name in BOOLS:
                ok = g is (w == "t")
            elif name == "exported_at":
                ok = isinstance(g, datetime.datetime) and (
                    start is None or start <= g <= end)
            else:
                ok = excel_text(g) == w
            if not ok:
                diffs.append(f"row {n} {name}: workbook {g!r}, account_assets {w!r}")
    extra = sum(1 for _ in rows)
    if n != len(expected) or extra:
        diffs.append(f"workbook has {n + extra} data rows, account_assets {len(expected)}")
    for d in diffs[:50]:
        print("compare:", d)
    print(f"compare: {n} rows, {cells} cells, {len(diffs)} differences")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
