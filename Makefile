# eacct — PGXS build.  `make demo` and `make test` are the two README commands.

EXTENSION    = eacct
MODULE_big   = eacct
OBJS         = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
DATA         = $(sort $(wildcard sql/eacct--*.sql))
PG_CPPFLAGS  = -I$(srcdir)/src
SHLIB_LINK   = -lxlsxwriter
PG_CFLAGS    = -Werror -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
PG_CONFIG   ?= pg_config

# pg_regress suites: readable scenarios in sql/ with their outputs in expected/
REGRESS      = $(basename $(notdir $(filter-out sql/eacct--%,$(sort $(wildcard sql/*.sql)))))
REGRESS_OPTS = --outputdir=results/regress --dbname=eacct_regress
# pgTAP suites, one per capability (run by scripts/test.sh through pg_regress)
PGTAP_TESTS  = $(basename $(notdir $(sort $(wildcard test/pgtap/sql/*.sql))))
# isolation specs
ISOLATION    = $(basename $(notdir $(sort $(wildcard test/isolation/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=results/isolation

EXTRA_CLEAN  = results regression.diffs regression.out

# PGXS is only there once postgresql-server-dev is installed; `make demo` and
# `make test` install it first, so they must work without it.
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
endif

.PHONY: demo demo-stop test bench export-accounts pgtapcheck
demo:
	scripts/demo.sh
demo-stop:
	scripts/demo.sh stop
test:
	scripts/test.sh
bench:
	scripts/bench.sh
# make export-accounts ENTERPRISE=1 [DIR=.]: accounts.xlsx and accounts.csv from the demo cluster
export-accounts:
	scripts/export.sh $(ENTERPRISE) $(or $(DIR),.)

# pgTAP suites through pg_regress against the server in PGHOST/PGPORT
pgtapcheck:
	$(pg_regress_installcheck) --inputdir=test/pgtap --outputdir=results/pgtap \
		--dbname=eacct_pgtap --load-extension=pgtap --load-extension=eacct $(PGTAP_TESTS)

# pg_regress makes its --outputdir, not the directory above it (results/
# is not in a fresh clone)
installcheck pgtapcheck: | results
results:
	mkdir -p results

# every object depends on the shared header
$(OBJS): src/eacct.h
