#!/usr/bin/env bash
# test/lint/run.sh — static checks of the install/upgrade scripts and the C
# sources; needs no server.
#   1. sql/eacct--*.sql (PostgreSQL's rules for safe extension scripts):
#      no CREATE OR REPLACE, no IF NOT EXISTS, no @extschema@ inside a quoted
#      literal, identifier or dollar-quoted body, and every SECURITY DEFINER
#      function (CREATE or ALTER) sets search_path.  Comments and psql
#      meta-commands are ignored, so a comment may name these rules.  The
#      one exception is PostgreSQL's own: an update script may CREATE OR
#      REPLACE a VIEW that the scripts before it on its path created (one
#      known to be a member of the extension already).
#   2. src/*.c: every ereport() at ERROR or above has an errcode() (or
#      errcode_for_file_access() and the like), so every
#      user-facing error carries a SQLSTATE.  elog(ERROR) (SQLSTATE XX000)
#      is listed for information only: it is meant for can't-happen cases.
#   3. cppcheck (warning, performance, portability) over src/*.c.
#   4. docs/scaling.md against the install script of default_version (tables of
#      its Citus layout, index and constraint names, files it names).
#   5. the install and update scripts are ASCII (they install in databases of
#      any encoding).
# The SQL, C and docs checkers first run on known-bad samples, so that a broken one
# cannot pass silently.  Prints "lint: ok" or "lint: FAILED" as its last line.
set -uo pipefail
cd "$(dirname "$0")/../.." || { echo "lint: FAILED"; exit 1; }
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "lint: $*"; failed=1; }

# ---------------------------------------------------------------------------
# 1 and 2: a small lexer for SQL and C (python3 is a dependency of the
# project already, for test/export)
# ---------------------------------------------------------------------------
cat >"$work/lint.py" <<'PY'
import re, sys

def sql_scan(text):
    """Yield (kind, chunk): kind 'code' or 'quoted'; comments and psql
    meta-command lines are dropped."""
    text = '\n'.join('' if l.lstrip().startswith('\\') else l for l in text.split('\n'))
    i, n, code = 0, len(text), []
    while i < n:
        c = text[i]
        if text.startswith('--', i):
            j = text.find('\n', i); i = n if j < 0 else j
        elif text.startswith('/*', i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith('/*', i): depth += 1; i += 2
                elif text.startswith('*/', i): depth -= 1; i += 2
                else: i += 1
            code.append(' ')
        elif c in "'\"":
            j = i + 1
            backslash = c == "'" and i > 0 and text[i - 1] in 'eE' and not (i > 1 and (text[i - 2].isalnum() or text[i - 2] == '_'))
            while j < n:
                if backslash and text[j] == '\\': j += 2; continue
                if text[j] == c:
                    if j + 1 < n and text[j + 1] == c: j += 2; continue
                    break
                j += 1
            yield 'code', ''.join(code); code = []
            yield 'quoted', text[i:j + 1]; code.append(' ')
            i = j + 1
        elif c == '$' and re.match(r'\$([A-Za-z_][A-Za-z_0-9]*)?\$', text[i:]) and not (i > 0 and (text[i - 1].isalnum() or text[i - 1] == '_')):
            tag = re.match(r'\$([A-Za-z_][A-Za-z_0-9]*)?\$', text[i:]).group(0)
            j = text.find(tag, i + len(tag)); j = n if j < 0 else j + len(tag)
            yield 'code', ''.join(code); code = []
            yield 'quoted', text[i:j]; code.append(' ')
            i = j
        else:
            code.append(c); i += 1
    yield 'code', ''.join(code)

def sql_statements(text):
    stmts, cur = [], []
    for kind, chunk in sql_scan(text):
        if kind == 'quoted':
            cur.append(' ')        # bodies do not count as statement words
            continue
        for part in re.split(r'(;)', chunk):
            if part == ';':
                stmts.append(' '.join(' '.join(cur).split())); cur = []
            else:
                cur.append(part)
    stmts.append(' '.join(' '.join(cur).split()))
    return stmts

VIEW_RE = r'CREATE\s+(OR\s+REPLACE\s+)?VIEW\s+eacct\.(\w+)'

def views_before(name, scripts):
    """Views created by the scripts on the path to an update script's
    from-version: the oldest install script, then the updates up to it.
    scripts maps file name to text."""
    def versions(f):
        """(from, to) of an update script, (None, version) of an install
        script, each a tuple of ints; None for another file"""
        m = re.search(r'eacct--(?:([0-9.]+)--)?([0-9.]+)\.sql$', f)
        ver = lambda v: v and tuple(int(x) for x in v.split('.'))
        return m and (ver(m.group(1)), ver(m.group(2)))
    own = versions(name)
    if not own or own[0] is None:
        return set()
    start = own[0]
    found = [(versions(f), f) for f in scripts if versions(f)]
    installs = sorted((v[1], f) for v, f in found if v[0] is None)
    chain = [f for v, f in installs[:1] if v <= start]
    chain += [f for v, f in sorted((v[1], f) for v, f in found
                                   if v[0] is not None and v[1] <= start)]
    made = set()
    for f in chain:
        for st in sql_statements(scripts[f]):
            v = re.match(VIEW_RE, st, re.I)
            if v:
                made.add(v.group(2).lower())
            # a view dropped again (or out of the extension) is no member
            for d in re.findall(r'^(?:ALTER\s+EXTENSION\s+\S+\s+)?DROP\s+VIEW\s+(?:IF\s+EXISTS\s+)?(.*)$',
                                st, re.I | re.S):
                for name in re.findall(r'eacct\.(\w+)', d):
                    made.discard(name.lower())
    return made

def sql_problems(name, text, members=frozenset()):
    probs = ['%s: @extschema@ inside quotes: %s' % (name, chunk[:60].replace('\n', ' '))
             for kind, chunk in sql_scan(text) if kind == 'quoted' and '@extschema@' in chunk]
    for s in sql_statements(text):
        v = re.match(VIEW_RE, s, re.I)
        if re.search(r'\bOR\s+REPLACE\b', s, re.I) and not (v and v.group(2).lower() in members):
            probs.append('%s: CREATE OR REPLACE: %s' % (name, s[:80]))
        if re.search(r'\bIF\s+NOT\s+EXISTS\b', s, re.I):
            probs.append('%s: IF NOT EXISTS: %s' % (name, s[:80]))
        if (re.match(r'(CREATE|ALTER)\b.*\b(FUNCTION|PROCEDURE)\b', s, re.I)
                and re.search(r'\bSECURITY\s+DEFINER\b', s, re.I)
                and not re.search(r'\bSET\s+search_path\b', s, re.I)):
            probs.append('%s: SECURITY DEFINER without SET search_path: %s' % (name, s[:80]))
    return probs

def c_strip(text):
    """C source with comments removed and string/char literals emptied."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith('/*', i):
            j = text.find('*/', i + 2); j = n if j < 0 else j + 2
            out.append(' ' + '\n' * text.count('\n', i, j)); i = j
        elif text.startswith('//', i):
            j = text.find('\n', i); i = n if j < 0 else j
        elif text[i] in '"\'':
            q, j = text[i], i + 1
            while j < n and text[j] != q:
                j += 2 if text[j] == '\\' else 1
            out.append(q + q); i = j + 1
        else:
            out.append(text[i]); i += 1
    return ''.join(out)

def c_calls(text, fn):
    """(line, argument text) of every call of fn in stripped C text."""
    for m in re.finditer(r'\b%s\s*\(' % fn, text):
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {'(': 1, ')': -1}.get(text[j], 0); j += 1
        yield text.count('\n', 0, m.start()) + 1, text[m.end():j - 1]

def c_problems(name, text):
    probs, elogs = [], []
    text = c_strip(text)
    for line, args in c_calls(text, 'ereport'):
        level = args.split(',', 1)[0].strip()
        if level not in ('DEBUG1', 'DEBUG2', 'DEBUG3', 'DEBUG4', 'DEBUG5', 'LOG', 'INFO', 'NOTICE', 'WARNING') \
                and not re.search(r'\berrcode(_for_\w+)?\s*\(', args):
            probs.append('%s:%d: ereport(%s) without errcode()' % (name, line, level))
    for line, args in c_calls(text, 'elog'):
        if args.split(',', 1)[0].strip() in ('ERROR', 'FATAL', 'PANIC'):
            elogs.append('%s:%d' % (name, line))
    return probs, elogs

BAD_SQL = {
    'CREATE OR REPLACE': "CREATE OR REPLACE FUNCTION eacct.f() RETURNS int LANGUAGE sql AS 'select 1';",
    'IF NOT EXISTS': "CREATE TABLE IF NOT EXISTS eacct.t (i int);",
    'quoted': "CREATE FUNCTION eacct.f() RETURNS int LANGUAGE sql AS $$ SELECT @extschema@.g() $$;",
    'literal': "COMMENT ON SCHEMA eacct IS 'in @extschema@';",
    'SECURITY DEFINER': "CREATE FUNCTION eacct.f() RETURNS int LANGUAGE sql SECURITY DEFINER AS $b$ SELECT 1 $b$;",
    'ALTER': "ALTER FUNCTION eacct.f() SECURITY DEFINER;",
}
GOOD_SQL = ("-- no CREATE OR REPLACE, no IF NOT EXISTS, SECURITY DEFINER\n"
            "\\echo Use \"CREATE OR REPLACE\" \\quit\n"
            "/* @extschema@ in a comment */ CREATE FUNCTION eacct.f() RETURNS text LANGUAGE sql\n"
            "SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$ SELECT 'IF NOT EXISTS; or replace' $$;\n"
            "CREATE TABLE eacct.t (i int DEFAULT 1); SELECT @extschema@.f(); SELECT E'it\\'s; OR REPLACE';\n")
BAD_C = ('ereport(ERROR,\n (errmsg("no code (at all)")));\n',
         'ereport(FATAL, errmsg("x"));\n',
         'if (x) ereport(ERROR, (errmsg("a \\"errcode(\\" inside a string")));\n')
GOOD_C = ('/* ereport(ERROR, (errmsg("x"))); */\n'
          'ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("%s (", f(a, (b)))));\n'
          'ereport(WARNING, (errmsg("fine")));\nelog(ERROR, "can\'t happen");\n'
          'ereport(ERROR, (errcode_for_file_access(), errmsg("could not open")));\n')

def self_test():
    ok = True
    for what, s in BAD_SQL.items():
        if not sql_problems('sample', s):
            print('lint: self-test: SQL check misses %s' % what); ok = False
    if sql_problems('sample', GOOD_SQL):
        print('lint: self-test: SQL check flags a good script: %s' % sql_problems('sample', GOOD_SQL)); ok = False
    for s in BAD_C:
        if not c_problems('sample.c', s)[0]:
            print('lint: self-test: C check misses %r' % s); ok = False
    p, e = c_problems('sample.c', GOOD_C)
    if p or e != ['sample.c:4']:
        print('lint: self-test: C check wrong on good code: %s %s' % (p, e)); ok = False
    members = views_before('sql/eacct--1.1--1.2.sql', {
        'sql/eacct--1.0.sql': 'CREATE VIEW eacct.v AS SELECT 1; CREATE VIEW eacct.x AS SELECT 1;'
                              ' CREATE VIEW eacct.y AS SELECT 1;',
        'sql/eacct--1.0--1.1.sql': 'DROP VIEW eacct.x; ALTER EXTENSION eacct DROP VIEW eacct.y;',
        'sql/eacct--1.2--1.3.sql': 'CREATE VIEW eacct.w AS SELECT 1;',
        'sql/eacct--1.1--1.2.sql': ''})
    if members != {'v'}:
        print('lint: self-test: views before an update wrong: %s' % members); ok = False
    if sql_problems('sample', 'CREATE OR REPLACE VIEW eacct.w AS SELECT 2;', members) == [] or \
            sql_problems('sample', 'CREATE OR REPLACE VIEW eacct.v AS SELECT 2;', members) != []:
        print('lint: self-test: CREATE OR REPLACE VIEW of a member view misjudged'); ok = False
    return ok

mode, files = sys.argv[1], sys.argv[2:]
if not self_test():
    sys.exit(2)
bad = 0
texts = dict((f, open(f, encoding='utf-8').read()) for f in files)
for f in files:
    text = texts[f]
    if mode == 'sql':
        probs = sql_problems(f, text, views_before(f, texts))
    else:
        probs, elogs = c_problems(f, text)
        if elogs:
            print('lint: elog(ERROR) (internal errors, XX000) at %s' % ', '.join(elogs))
    for p in probs:
        print('lint: ' + p)
    bad += len(probs)
print('lint: %d %s file(s) checked, %d problem(s)' % (len(files), mode, bad))
sys.exit(1 if bad else 0)
PY

shopt -s nullglob
sql_files=(sql/eacct--*.sql)
c_files=(src/*.c)
[ ${#sql_files[@]} -gt 0 ] || fail "no sql/eacct--*.sql"
[ ${#c_files[@]} -gt 0 ] || fail "no src/*.c"
/usr/bin/python3 "$work/lint.py" sql "${sql_files[@]}" || fail "install/upgrade scripts"
/usr/bin/python3 "$work/lint.py" c "${c_files[@]}" || fail "C sources"

# ---------------------------------------------------------------------------
# 3. cppcheck
# Left alone, cppcheck tries every combination of the #ifdefs it meets in
# PostgreSQL's headers (over 8 minutes, and then checks only 12 of them).
# Defining the compiler (__GNUC__, __x86_64__) pins the one configuration
# the server is built with (no assertions, like Debian's packages): about
# 20 s with two jobs.  __GNUC__ also gives pg_attribute_noreturn() its
# meaning, so elog(ERROR)/ereport(ERROR) end a path as they do at run time.
#
# missingIncludeSystem (information, not an error: <stdio.h> and friends
# are not on the include path, on purpose) is left out of the output.
# No finding is suppressed: src/ is kept clean instead.
# ---------------------------------------------------------------------------
if ! command -v cppcheck >/dev/null; then
	fail "cppcheck is not installed (scripts/common.sh installs it)"
elif ! includedir=$("$PG_CONFIG" --includedir-server); then
	fail "$PG_CONFIG --includedir-server failed"
else
	cppcheck -j "$(nproc 2>/dev/null || echo 2)" --error-exitcode=1 \
		--enable=warning,performance,portability,information \
		--std=c11 --quiet -D__GNUC__=12 -D__x86_64__ \
		-I src -I "$includedir" "${c_files[@]}" >"$work/cppcheck.out" 2>&1
	rc=$?
	grep -v -e missingIncludeSystem -e '^$' "$work/cppcheck.out" | sed 's/^/lint: cppcheck: /'
	if grep -q 'unmatchedSuppression' "$work/cppcheck.out"; then
		fail "a cppcheck suppression no longer matches anything: remove it"
	fi
	if grep -v -e unmatchedSuppression -e missingIncludeSystem "$work/cppcheck.out" | grep -q '\[[A-Za-z]*\]$'; then
		fail "cppcheck found problems"
	elif [ $rc -ne 0 ]; then
		fail "cppcheck exited with status $rc"
	else
		echo "lint: cppcheck: ${#c_files[@]} files, no finding"
	fi
fi

# ---------------------------------------------------------------------------
# 4. docs/scaling.md against the install script of default_version: the tables its
# Citus layout distributes are exactly the schema's tables ("All twelve"
# counted too), every index or constraint name it cites exists, the
# directory tables it proposes do not exist yet (it says they are not
# made), and every file it names is in the tree.
# ---------------------------------------------------------------------------
cat >"$work/docs.py" <<'PY'
import os, re, sys

NUMBERS = dict((w, i) for i, w in enumerate(
    'zero one two three four five six seven eight nine ten eleven twelve thirteen '
    'fourteen fifteen sixteen seventeen eighteen nineteen twenty'.split()))
PROPOSED = ('account_directory', 'enterprise_directory')

def problems(doc, script):
    out = []
    tables = set(re.findall(r'CREATE\s+(?:UNLOGGED\s+)?TABLE\s+eacct\.(\w+)', script))
    names = set(re.findall(r'CONSTRAINT\s+(\w+)', script)) | \
        set(re.findall(r'CREATE\s+(?:UNIQUE\s+)?INDEX\s+(\w+)', script))
    blocks = [b for b in re.findall(r'```sql\n(.*?)```', doc, re.S) if 'create_distributed_table' in b]
    if len(blocks) != 1 or not tables:
        return ['not one Citus layout block in the page, or no table in the script']
    laid = set(re.findall(r"'eacct\.(\w+)'", blocks[0]))
    for t in sorted(tables - laid):
        out.append('table eacct.%s is missing from the Citus layout' % t)
    for t in sorted(laid - tables):
        out.append('the Citus layout names eacct.%s, which the schema does not have' % t)
    count = re.search(r'All (\w+) tables', doc)
    if count and NUMBERS.get(count.group(1).lower(), count.group(1)) not in (len(tables), str(len(tables))):
        out.append('"All %s tables", but the schema has %d' % (count.group(1), len(tables)))
    for n in sorted(set(re.findall(r'`(\w+_(?:idx|key|pkey|fkey|check))\b', doc))):
        if n not in names:
            out.append('`%s` is not an index or constraint of the schema' % n)
    for n in PROPOSED:
        if n in tables:
            out.append('eacct.%s exists now: the page still proposes it' % n)
    for f in sorted(set(re.findall(r'`((?:src|sql|test|scripts)/[\w./-]+)`', doc))):
        if not os.path.exists(f):
            out.append('`%s` is not in the tree' % f)
    return out

SAMPLE_SCRIPT = ('CREATE TABLE eacct.a (x int, CONSTRAINT a_pkey PRIMARY KEY (x));\n'
                 'CREATE TABLE eacct.b (x int);\nCREATE INDEX b_x_idx ON eacct.b (x);\n')
GOOD_DOC = "```sql\nSELECT create_distributed_table('eacct.a', 'x');\n'eacct.b'\n```\nAll two tables; `a_pkey`, `b_x_idx`, `src/eacct.h`.\n"
BAD_DOCS = [GOOD_DOC.replace("'eacct.b'", "'eacct.c'"), GOOD_DOC.replace('two', 'three'),
            GOOD_DOC.replace('`a_pkey`', '`a_name_key UNIQUE (x)`'), GOOD_DOC.replace('eacct.h', 'nothere.c'),
            "```sql\nSELECT 'eacct.b';\n```\n" + GOOD_DOC.replace("'eacct.b'", "")]
if problems(GOOD_DOC.replace('two', '2'), SAMPLE_SCRIPT):
    print('lint: self-test: the docs check is broken'); sys.exit(2)
if problems(GOOD_DOC, SAMPLE_SCRIPT) or not all(problems(d, SAMPLE_SCRIPT) for d in BAD_DOCS) \
        or not problems(GOOD_DOC, SAMPLE_SCRIPT.replace('eacct.b', 'eacct.account_directory')):
    print('lint: self-test: the docs check is broken'); sys.exit(2)
doc, script = sys.argv[1], sys.argv[2]
probs = problems(open(doc, encoding='utf-8').read(), open(script, encoding='utf-8').read())
for p in probs:
    print('lint: %s: %s' % (doc, p))
print('lint: %s checked against %s, %d problem(s)' % (doc, script, len(probs)))
sys.exit(1 if probs else 0)
PY
# the script a fresh CREATE EXTENSION runs
version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" eacct.control)
if [ ! -f "sql/eacct--$version.sql" ]; then
	fail "no full install script sql/eacct--$version.sql for default_version '$version'"
else
	/usr/bin/python3 "$work/docs.py" docs/scaling.md "sql/eacct--$version.sql" || fail "docs/scaling.md"
fi

# 5. the install and update scripts are ASCII: PostgreSQL reads a script
# without an `encoding' in the control file as text of the database's
# encoding, where other bytes may be invalid (EUC_JP) or, declared UTF8,
# may have no equivalent (LATIN1); either way CREATE EXTENSION fails
printf -- '-- a sample \xe2\x80\x94 that must be flagged\n' >"$work/nonascii-sample.sql"
LC_ALL=C grep -q '[^[:print:][:space:]]' "$work/nonascii-sample.sql" \
	|| fail "self-test: the ASCII check does not flag a UTF-8 dash"
if LC_ALL=C grep -n '[^[:print:][:space:]]' sql/eacct--*.sql >"$work/nonascii.out"; then
	sed 's/^/lint: not ASCII: /' "$work/nonascii.out"
	fail "install or update scripts hold characters that are not ASCII"
fi

if [ $failed -eq 0 ]; then echo "lint: ok"; else echo "lint: FAILED"; fi
[ $failed -eq 0 ]
