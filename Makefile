# Developer commands for the membership_management addon; tools/runner.py does
# the work (Odoo from ODOO_PATH or `import odoo`, PostgreSQL from PG* or a
# private cluster in .var/).  `make test TAGS=/membership_management:TestX`
# runs a subset.
PYTHON ?= python3
RUNNER := $(PYTHON) tools/runner.py

.PHONY: run test lint bench

run:
	$(RUNNER) run

# lint runs first; its result is part of the test summary, so the output still
# ends with the "N passed, M failed" line and the exit code fails on either.
test:
	$(RUNNER) test --lint $(if $(TAGS),--tags "$(TAGS)")

lint:
	$(RUNNER) lint

bench:
	$(RUNNER) bench $(BENCH)
