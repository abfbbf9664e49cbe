#!/usr/bin/env python3
# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Benchmark: the whole app on N members with three years of history (scale).

Run it with ``make bench BENCH=scale`` / ``python3 dev/runner.py bench scale``.

Population: the dashboard scenario's (SQL ``INSERT ... SELECT`` clones of a
member billed through the ORM, not timed): N members over a fixed-period and
a rolling plan, with three years of status history and yearly posted dues
invoices in five stories (see ``bench_dashboard.py``). Event registrations
and campaign deliveries are not populated yet.

What is measured, as an officer, each after one unmeasured call that fills
Odoo's caches:
  state job, no boundary   ``_cron_update_states()`` when nobody's state
                           changes today (target 50 ms: it must not read all
                           members)
  state job, 1 % boundary  the same with 1 % of the members at a boundary
                           (its cost per member changed is shown)
  segment <name>           each shipped segment's count (target 100 ms) and
                           its first page (80 rows)
  member list              the member list's first page and count, and its
                           group-by status (target 300 ms)
  create 1,000 members     through the ORM (welcome mail and history
                           included), in members per second, beside Odoo
                           creating 1,000 contacts (target: 25 % of that)

Environment
  MM_BENCH_SCALE_N   members (default 100000)

The output is a table ending with a ``SUMMARY:`` line that names the misses;
the exit code is 0 when every measurement ran.
"""

from __future__ import annotations

import contextlib
import sys
import time
from unittest.mock import patch

from _common import (
    RESULT_MARK,
    VAR,
    Measure,
    base_addons_path,
    create_database,
    drop_database,
    environment,
    open_registry,
    read_setting,
    run_side,
    say,
)
from _common import main as run_main
from bench_dashboard import OFFICER, populate

DB = "mm_bench_scale"
MODULE = "membership_management"
DEFAULT_N = 100000
CREATED = 1000
TARGET_STATE_IDLE_MS = 50
TARGET_SEGMENT_COUNT_MS = 100
TARGET_LIST_MS = 300
TARGET_CREATE_RATIO = 0.25
LIST_COLUMNS = [
    "member_number",
    "name",
    "email",
    "plan_id",
    "join_date",
    "date_end",
    "state",
]


# ---------------------------------------------------------------------------
# Orchestration
# ---------------------------------------------------------------------------


def print_report(n, rows):
    say()
    say(f"Scale benchmark: {n} members, three years of history")
    header = f"{'what':<48} {'ms':>9} {'queries':>8} {'target':>12} {'verdict':>8}"
    say(header)
    say("-" * len(header))
    misses = []
    for row in rows:
        target = row.get("target")
        ok = row.get("ok", target is None or row["ms"] <= target)
        if not ok:
            misses.append(row["label"])
        shown_target = row.get("target_text") or (f"{target} ms" if target else "-")
        say(
            f"{row['label']:<48} {row['ms']:>9.1f} {row['queries']:>8} "
            f"{shown_target:>12} {'ok' if ok else 'MISS':>8}"
        )
        if row.get("note"):
            say(f"    {row['note']}")
    say()
    verdict = "all targets met" if not misses else "MISS: " + ", ".join(misses)
    say(f"SUMMARY: N={n}, {verdict}")


def orchestrate():
    n = read_setting("MM_BENCH_SCALE_N", DEFAULT_N, minimum=100)
    VAR.mkdir(exist_ok=True)
    started = time.perf_counter()
    rows = []
    try:
        drop_database(DB)
        create_database(DB, MODULE, base_addons_path())
        say(f"[setup] populating {n} members (SQL clones)")
        start = time.perf_counter()
        run_side(__file__, "populate", DB, n)
        say(f"[setup] populated in {time.perf_counter() - start:.0f}s")
        say("[ours] measuring")
        rows += run_side(__file__, "ours", DB, n)
    finally:
        with contextlib.suppress(Exception):
            drop_database(DB)
    say(f"[done] dropped {DB}")
    say(f"[done] total {time.perf_counter() - started:.0f}s")
    print_report(n, rows)


# ---------------------------------------------------------------------------
# Measurements (a child process, inside Odoo)
# ---------------------------------------------------------------------------


def timed(label, func, target=None, warm=True, **extra):
    if warm:
        func()  # fills the caches
    with Measure(profile=label.replace(" ", "-")) as measure:
        func()
    return {
        "label": label,
        "ms": measure.seconds * 1000,
        "queries": measure.queries,
        "target": target,
        **extra,
    }


def measure_state_job(env):
    """The daily state job, idle then with 1 % of the members at a boundary
    (its commits are kept out: everything is rolled back afterwards)."""
    Member = env["membership.member"]
    cr = env.cr
    rows = []
    with patch.object(type(cr), "commit", lambda self: None):
        rows.append(
            timed(
                "state job, no boundary today",
                Member._cron_update_states,
                TARGET_STATE_IDLE_MS,
            )
        )
        cr.execute(
            "UPDATE membership_member SET state_next_date = CURRENT_DATE "
            "WHERE id %% %s = 0 AND member_number LIKE %s",
            [100, "B%"],
        )
        changed = cr.rowcount
        env.invalidate_all()
        row = timed(
            "state job, 1 % at a boundary",
            Member._cron_update_states,
            warm=False,
        )
        row["note"] = (
            f"{changed} members at a boundary: "
            f"{row['ms'] / max(changed, 1):.2f} ms and "
            f"{row['queries'] / max(changed, 1):.2f} queries per member"
        )
        rows.append(row)
    cr.rollback()
    return rows


def measure_segments(user_env):
    rows = []
    Member = user_env["membership.member"]
    for segment in user_env["membership.segment"].search([]):
        domain = segment._get_domain()
        rows.append(
            timed(
                f"segment {segment.name[:34]} count",
                lambda d=domain: Member.search_count(d),
                TARGET_SEGMENT_COUNT_MS,
            )
        )
        rows.append(
            timed(
                f"segment {segment.name[:34]} page",
                lambda d=domain: Member.search_fetch(d, LIST_COLUMNS, limit=80),
                TARGET_LIST_MS,
            )
        )
    return rows


def measure_member_list(user_env):
    Member = user_env["membership.member"]
    return [
        timed(
            "member list first page and count",
            lambda: (
                Member.search_fetch([], LIST_COLUMNS, limit=80),
                Member.search_count([]),
            ),
            TARGET_LIST_MS,
        ),
        timed(
            "member list grouped by status",
            lambda: Member._read_group([], ["state"], ["__count"]),
            TARGET_LIST_MS,
        ),
    ]


def measure_creation(env, user_env):
    """1,000 members, then 1,000 contacts, through the ORM (rolled back)."""
    plan = env["membership.plan"].search([("code", "=", "B-REG")], limit=1)
    cr = env.cr

    def members():
        user_env["membership.member"].create(
            [
                {
                    "name": f"Scale New {i}",
                    "email": f"scale.new{i}@bench.example",
                    "plan_id": plan.id,
                }
                for i in range(CREATED)
            ]
        )
        user_env.flush_all()

    def contacts():
        user_env["res.partner"].create(
            [
                {"name": f"Scale Contact {i}", "email": f"scale.c{i}@bench.example"}
                for i in range(CREATED)
            ]
        )
        user_env.flush_all()

    ours = timed(f"create {CREATED} members (ORM)", members, warm=False)
    cr.rollback()
    peer = timed(f"create {CREATED} contacts (peer)", contacts, warm=False)
    cr.rollback()
    ours_rate = CREATED / (ours["ms"] / 1000)
    peer_rate = CREATED / (peer["ms"] / 1000)
    ratio = ours_rate / peer_rate
    ours.update(
        note=f"{ours_rate:.0f} members/s vs {peer_rate:.0f} contacts/s: "
        f"ratio {ratio:.2f}",
        ok=ratio >= TARGET_CREATE_RATIO,
        target_text=f"ratio {TARGET_CREATE_RATIO}",
    )
    peer.update(note=f"{peer_rate:.0f} contacts/s", ok=True)
    return [ours, peer]


def measure_ours(env):
    officer = env["res.users"].search([("login", "=", OFFICER)])
    user_env = env(user=officer)
    rows = measure_state_job(env)
    rows += measure_segments(user_env)
    rows += measure_member_list(user_env)
    rows += measure_creation(env, user_env)
    return rows


def child(side, dbname, n, _number):
    import json  # noqa: PLC0415

    registry = open_registry(dbname, base_addons_path())
    rows = []
    with environment(registry) as env:
        if side == "populate":
            populate(env, n)
            env.cr.commit()
        else:
            rows = measure_ours(env)
            env.cr.rollback()
    print(RESULT_MARK + json.dumps(rows), flush=True)


if __name__ == "__main__":
    sys.exit(run_main(__doc__, ["populate", "ours"], child, orchestrate))
