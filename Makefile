# Developer commands for the membership_management addon; dev/runner.py does
# the work (Odoo from ODOO_PATH or `import odoo`, PostgreSQL from PG* or a
# private cluster in .var/, or in /var/lib/ when root's postgres user cannot
# reach .var/).  `make test TAGS=/membership_management:TestX`
# runs a subset.
PYTHON ?= python3
RUNNER := $(PYTHON) dev/runner.py

.PHONY: run test lint bench

run:
	$(RUNNER) run

# lint and the runner's own tests (dev/test_runner.py) run first; their results
# are part of the test summary, so the output still ends with the
# "N passed, M failed" line and the exit code fails on any of them.
test:
	$(RUNNER) test --lint --self-test $(if $(TAGS),--tags "$(TAGS)")

lint:
	$(RUNNER) lint

bench:
	$(RUNNER) bench $(BENCH)
