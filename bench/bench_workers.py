#!/usr/bin/env python3
# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Benchmark: one dues run worked by one, then by two Odoo processes (workers).

Run it with ``make bench BENCH=workers`` / ``python3 dev/runner.py bench
workers``.

Population (not timed): N members on a fixed-period plan (ORM ``create`` in
batches, tracking off), then four copies of that database (PostgreSQL
``CREATE DATABASE ... TEMPLATE``), so every measurement bills the same members
from the same state.

What is measured: one ``membership.dues.run`` over the N members (batch size
200), started, then worked by K separate Odoo processes (K = 1 and K = 2), each
calling the job's own method ``_cron_process_runs()`` in a loop until the run
is done, as two cron workers or two servers on one database would. The
processes load Odoo first and start together; the time is from the first start
to the last end. Twice: with the invoices posted (the default), and left in
draft.

Each run is then checked: done, N results and N billed, no error, one live
dues per member, N invoices. The speed-up of two workers is printed beside
what the run did before batches claimed their own members (the run's row was
locked per batch, so a second worker waited its turn: 1.0).

Why posted invoices gain less: Odoo numbers posted invoices of a journal
without gaps, so a transaction that posted an invoice holds the journal's next
number until it commits (``sequence.mixin._locked_increment``); the second
worker's posting waits for the first one's commit. Preparing the dues and the
invoices still runs side by side.

Environment
  MM_BENCH_WORKERS_N   members (default 20000)

The output ends with a ``SUMMARY:`` line; the exit code is 0 when every run
billed all N members exactly once.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from datetime import date

from _common import (
    RESULT_MARK,
    VAR,
    BenchError,
    base_addons_path,
    create_database,
    drop_database,
    ensure_chart,
    environment,
    open_registry,
    read_setting,
    run_side,
    say,
)
from _common import main as run_main

DB = "mm_bench_workers"
MODULE = "membership_management"
DEFAULT_N = 20000
CREATE_BATCH = 2000
BATCH_SIZE = 200
PLAN_CODE = "BENCH-WORKERS"
READY = "WORKER_READY"
CASES = [(True, 1), (True, 2), (False, 1), (False, 2)]  # (posted, workers)
BEFORE_SPEEDUP = 1.0


# ---------------------------------------------------------------------------
# Orchestration
# ---------------------------------------------------------------------------


def copy_database(template, dbname):
    import psycopg2  # noqa: PLC0415  (Odoo's dependency; PG* come from the env)

    drop_database(dbname)
    conn = psycopg2.connect(dbname="postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cr:
            cr.execute(f'CREATE DATABASE "{dbname}" TEMPLATE "{template}"')
    finally:
        conn.close()


def work(dbname, n, workers):
    """Start ``workers`` processes on the run of ``dbname``, let them go
    together, and return their rows."""
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                *("--side", "work", "--db", dbname, "--n", str(n)),
                *("--round", str(number)),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for number in range(1, workers + 1)
    ]
    try:
        for proc in procs:  # each has loaded Odoo
            for line in proc.stdout:
                if line.startswith(READY):
                    break
                say(line.rstrip())
            else:
                raise BenchError("a worker ended before it was ready")
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        rows = []
        for proc in procs:
            proc.stdin.close()
            out = proc.stdout.read()
            proc.wait()
            for line in out.splitlines():
                if line.startswith(RESULT_MARK):
                    rows.append(json.loads(line[len(RESULT_MARK) :]))
                else:
                    say(line)
            if proc.returncode:
                raise BenchError(f"a worker failed (exit {proc.returncode})")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    return rows


def print_report(n, results):
    say()
    say(f"Workers benchmark: one dues run over {n} members, batches of {BATCH_SIZE}")
    header = (
        f"{'invoices':<10} {'workers':>7} {'seconds':>9} {'members/s':>10} "
        f"{'speed-up':>9} {'before':>7}"
    )
    say(header)
    say("-" * len(header))
    speedups = {}
    for posted in (True, False):
        alone = results[(posted, 1)]["seconds"]
        for workers in (1, 2):
            seconds = results[(posted, workers)]["seconds"]
            speedup = alone / seconds if seconds else 0.0
            speedups[(posted, workers)] = speedup
            say(
                f"{'posted' if posted else 'draft':<10} {workers:>7} {seconds:>9.1f} "
                f"{n / seconds:>10.0f} {speedup:>8.2f}x {BEFORE_SPEEDUP:>6.1f}x"
            )
    say()
    say(
        f"SUMMARY: N={n}, two workers {speedups[(True, 2)]:.2f}x with posted "
        f"invoices, {speedups[(False, 2)]:.2f}x with draft invoices "
        f"(before: {BEFORE_SPEEDUP:.1f}x); every member billed once"
    )


def orchestrate():
    n = read_setting("MM_BENCH_WORKERS_N", DEFAULT_N, minimum=10)
    VAR.mkdir(exist_ok=True)
    started = time.perf_counter()
    copies = {case: f"{DB}_{'p' if case[0] else 'd'}{case[1]}" for case in CASES}
    results = {}
    try:
        drop_database(DB)
        create_database(DB, MODULE, base_addons_path())
        say(f"[setup] creating {n} members (ORM)")
        start = time.perf_counter()
        run_side(__file__, "populate", DB, n)
        say(f"[setup] created in {time.perf_counter() - start:.0f}s")
        for (posted, workers), dbname in copies.items():
            copy_database(DB, dbname)
            run_side(__file__, "start-posted" if posted else "start-draft", dbname, n)
            say(f"[run] {workers} worker(s), {'posted' if posted else 'draft'}")
            rows = work(dbname, n, workers)
            seconds = max(r["end"] for r in rows) - min(r["start"] for r in rows)
            run_side(__file__, "check", dbname, n)
            results[(posted, workers)] = {"seconds": seconds}
            say(f"[run] {seconds:.1f}s")
            drop_database(dbname)
    finally:
        for dbname in [DB, *copies.values()]:
            with contextlib.suppress(Exception):
                drop_database(dbname)
    say(f"[done] total {time.perf_counter() - started:.0f}s")
    print_report(n, results)


# ---------------------------------------------------------------------------
# Children (inside Odoo)
# ---------------------------------------------------------------------------


def populate(env, n):
    ensure_chart(env)
    start = date(date.today().year, 1, 1)
    quiet = env(
        context={
            "tracking_disable": True,
            "mail_create_nolog": True,
            "mail_create_nosubscribe": True,
        }
    )
    plan = quiet["membership.plan"].create(
        {
            "name": "Bench workers",
            "code": PLAN_CODE,
            "plan_type": "paid",
            "fee": 50.0,
            "period_type": "fixed",
            "period_months": 12,
            "fixed_start_month": 1,
            "fixed_start_day": 1,
        }
    )
    for first in range(0, n, CREATE_BATCH):
        quiet["membership.member"].create(
            [
                {
                    "name": f"Worker Bench {i}",
                    "email": f"worker.bench{i}@bench.example",
                    "plan_id": plan.id,
                    "join_date": start,
                }
                for i in range(first, min(first + CREATE_BATCH, n))
            ]
        )
        env.cr.commit()


def start_run(env, post):
    from odoo import Command  # noqa: PLC0415

    plan = env["membership.plan"].search([("code", "=", PLAN_CODE)])
    start = date(date.today().year, 1, 1)
    env["membership.dues.run"].create(
        {
            "name": "Bench workers",
            "plan_ids": [Command.set(plan.ids)],
            "period_date": start,
            "invoice_date": start,
            "post_invoices": post,
            "batch_size": BATCH_SIZE,
        }
    ).action_start()


def work_run(registry, number):
    """Wait for the go, then work the run to its end as the job does."""
    with environment(registry) as env:
        Run = env["membership.dues.run"]
        run = Run.search([("state", "=", "running")])
        env.cr.commit()
        print(READY, flush=True)
        sys.stdin.readline()
        start = time.time()
        while run.state == "running":
            Run._cron_process_runs()
            run.invalidate_recordset()
            if run.state == "running":
                time.sleep(0.02)  # the last batches are the other worker's
        env.cr.commit()
        end = time.time()
    return {"worker": number, "start": start, "end": end}


def check_run(env, n):
    run = env["membership.dues.run"].search([], limit=1)
    if (run.state, run.billed_count, run.error_count) != ("done", n, 0):
        raise BenchError(
            f"run: state {run.state}, {run.billed_count} billed, "
            f"{run.skipped_count} skipped, {run.error_count} errors of {n} "
            f"({run.failure_message or 'no failure message'})"
        )
    env.cr.execute(
        "SELECT count(*), count(DISTINCT member_id), count(DISTINCT move_id) "
        "FROM membership_dues WHERE run_id = %s AND state != 'cancelled'",
        [run.id],
    )
    dues, members, moves = env.cr.fetchone()
    if not dues == members == moves == n:
        raise BenchError(f"{dues} dues for {members} members, {moves} invoices of {n}")


def child(side, dbname, n, number):
    registry = open_registry(dbname, base_addons_path())
    rows = []
    if side == "work":
        rows = work_run(registry, number)
    else:
        with environment(registry) as env:
            if side == "populate":
                populate(env, n)
            elif side == "check":
                check_run(env, n)
            else:
                start_run(env, post=side == "start-posted")
    print(RESULT_MARK + json.dumps(rows), flush=True)


if __name__ == "__main__":
    sys.exit(
        run_main(
            __doc__,
            ["populate", "start-posted", "start-draft", "work", "check"],
            child,
            orchestrate,
        )
    )
