#!/usr/bin/env python3
# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Benchmark: the dashboard and the reports on N members with three years of history.

Run it with ``make bench BENCH=dashboard`` / ``python3 dev/runner.py bench
dashboard``: the runner sets the PG* variables and MM_ODOO_ARGS,
MM_ADDONS_PATH and MM_REPO.

Population (SQL, not the ORM, and not timed): one real member is created and
billed through the ORM; its contact, member, posted invoice and dues rows are
then cloned by ``INSERT ... SELECT`` (every column copied, the varying ones
overridden), so the rows are what Odoo writes. Each member joined on a day of
the last three years and has the status history and yearly dues (posted
invoices) of one of five stories: renewing every year (60 %), lapsed after a
year (20 %), withdrawn after 200 days (7 %), renewal invoiced and unpaid
(8 %), applicant (5 %). The monthly figures are then computed from that
history (the install/upgrade backfill, timed and shown).

What is measured, as an officer, at N/10 members and then at N (the same
database grown), each after one unmeasured call that fills Odoo's caches:
  dashboard         ``membership.dashboard.get_dashboard_data()`` (all of it)
  <report> graph    the report's first graph load (its ``read_group``)
  <report> list     its first list page: 80 rows (the list's columns) and the count
  daily refresh     ``membership.report.monthly._refresh()`` (the current month)
Each in milliseconds and queries; the queries must not grow with N. The peer
is Odoo's own contact list on the same N contacts (first page and count), the
cost of showing *any* list of that size.

Environment
  MM_BENCH_DASHBOARD_N   members (default 100000)

The output is a table ending with a ``SUMMARY:`` line; the exit code is 0 when
every measurement ran.
"""

from __future__ import annotations

import contextlib
import sys
import time

from _common import (
    RESULT_MARK,
    VAR,
    Measure,
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

DB = "mm_bench_dashboard"
MODULE = "membership_management"
DEFAULT_N = 100000
TARGET_DASHBOARD_MS = 1500
TARGET_REPORT_MS = 500
TARGET_REFRESH_MS = 3000
OFFICER = "bench_officer"
# the member's next yearly anniversary of joining (coverage ends the day before)
NEXT_ANNIVERSARY = "s.join_date + 365 * (1 + (CURRENT_DATE - s.join_date) / 365)"

REPORTS = [
    # (label, model, graph groupby, graph aggregates, list order, list columns)
    (
        "members by status",
        "membership.report.monthly",
        ["month:month", "state"],
        ["member_count:sum"],
        "month desc",
        ["month", "plan_id", "state", "member_count"],
    ),
    (
        "joins and departures",
        "membership.report.movement",
        ["date:month", "kind"],
        ["__count"],
        "date desc",
        ["date", "member_id", "kind", "plan_id"],
    ),
    (
        "dues collection",
        "membership.report.dues",
        ["date:month"],
        ["amount_billed:sum", "amount_collected:sum"],
        "date desc",
        [
            "date",
            "member_id",
            "move_id",
            "amount_billed",
            "amount_collected",
            "amount_due",
        ],
    ),
    (
        "cohort retention",
        "membership.report.cohort",
        ["cohort_month:month", "months_since"],
        ["retention_rate:avg"],
        "cohort_month desc, months_since",
        ["cohort_month", "months_since", "cohort_size", "retained", "retention_rate"],
    ),
]


# ---------------------------------------------------------------------------
# Orchestration
# ---------------------------------------------------------------------------


def print_report(sizes, rows):
    small, large = sizes
    by_key = {(row["label"], row["n"]): row for row in rows}
    labels = list(dict.fromkeys(row["label"] for row in rows if row["label"] != "peer"))
    peer = by_key.get(("peer", large))
    header = (
        f"{'what':<30} {'ms @' + str(small):>11} {'q':>4} {'ms @' + str(large):>12} "
        f"{'q':>4} {'target ms':>10} {'peer ms':>8} {'verdict':>8}"
    )
    say()
    say(f"Dashboard benchmark: {small} then {large} members, three years of history")
    say("  peer: Odoo's contact list on the same contacts (first page and count)")
    say()
    say(header)
    say("-" * len(header))
    misses = []
    for label in labels:
        a, b = by_key[(label, small)], by_key[(label, large)]
        target = b["target"]
        ok = (target is None or b["ms"] <= target) and (
            b["queries"] <= a["queries"] or not b["fixed_queries"]
        )
        if not ok:
            misses.append(label)
        peer_ms = f"{peer['ms']:.0f}" if peer and label != "monthly backfill" else "-"
        say(
            f"{label:<30} {a['ms']:>11.0f} {a['queries']:>4} {b['ms']:>12.0f} "
            f"{b['queries']:>4} {target if target else '-':>10} "
            f"{peer_ms:>8} {'ok' if ok else 'MISS':>8}"
        )
    say()
    say(
        "Queries must not grow with the members (the backfill excepted: it is "
        "one statement per month)."
    )
    verdict = "all targets met" if not misses else "MISS: " + ", ".join(misses)
    say(f"SUMMARY: N={large}, {verdict}")


def orchestrate():
    large = read_setting("MM_BENCH_DASHBOARD_N", DEFAULT_N, minimum=100)
    small = max(large // 10, 100)
    VAR.mkdir(exist_ok=True)
    started = time.perf_counter()
    rows = []
    try:
        drop_database(DB)
        create_database(DB, MODULE, base_addons_path())
        for n in (small, large):
            say(f"[setup] growing the database to {n} members (SQL)")
            rows += run_side(__file__, "populate", DB, n)
            say(f"[ours] measuring at {n} members")
            rows += run_side(__file__, "ours", DB, n)
            rows += run_side(__file__, "peer", DB, n)
    finally:
        with contextlib.suppress(Exception):
            drop_database(DB)
    say(f"[done] dropped {DB}")
    say(f"[done] total {time.perf_counter() - started:.0f}s")
    print_report((small, large), rows)


# ---------------------------------------------------------------------------
# Population (a child process, inside Odoo)
# ---------------------------------------------------------------------------


def columns(cr, table):
    cr.execute(
        """
        SELECT column_name FROM information_schema.columns
         WHERE table_name = %s AND column_name != 'id'
         ORDER BY ordinal_position
        """,
        [table],
    )
    return [row[0] for row in cr.fetchall()]


def clone(cr, table, template_id, source, overrides, params):
    """Copy the row ``template_id`` of ``table`` once per row of ``source``
    (a FROM clause aliased ``s``), with ``overrides`` (column: SQL)."""
    names = columns(cr, table)
    values = [overrides.get(name, f't."{name}"') for name in names]
    cr.execute(
        f"""
        INSERT INTO "{table}" ({", ".join(f'"{n}"' for n in names)})
        SELECT {", ".join(values)}
          FROM "{table}" t, {source}
         WHERE t.id = %(template)s
        """,
        {**params, "template": template_id},
    )
    return cr.rowcount


def setup_templates(env):
    """Plans, a tier, the officer and one member billed through the ORM."""
    from datetime import timedelta  # noqa: PLC0415

    from odoo import fields  # noqa: PLC0415

    ensure_chart(env)
    quiet = env(context={"tracking_disable": True, "mail_create_nolog": True})
    Plan = quiet["membership.plan"]
    regular = Plan.create(
        {
            "name": "Bench Regular",
            "code": "B-REG",
            "fee": 120.0,
            "period_type": "fixed",
            "fixed_start_month": 4,
            "fixed_start_day": 1,
            "grace_days": 30,
        }
    )
    Plan.create(
        {
            "name": "Bench Student",
            "code": "B-STU",
            "fee": 40.0,
            "period_type": "rolling",
        }
    )
    quiet["membership.tier"].create({"name": "Bench Silver", "min_points": 100})
    officer = quiet["res.users"].create(
        {
            "name": "Bench Officer",
            "login": OFFICER,
            "group_ids": [
                (4, env.ref("base.group_user").id),
                (4, env.ref("membership_management.group_membership_user").id),
            ],
        }
    )
    today = fields.Date.context_today(officer)
    member = quiet["membership.member"].create(
        {
            "name": "Bench Template",
            "email": "template@bench.example",
            "plan_id": regular.id,
            "join_date": today - timedelta(days=30),
        }
    )
    dues = member._create_period_dues(today)
    env.flush_all()
    return member, dues


def populate(env, n):
    """Grow the database to ``n`` cloned members with their history and dues."""
    cr = env.cr
    template = env["membership.member"].search([("name", "=", "Bench Template")])
    if not template:
        template, dues = setup_templates(env)
    else:
        dues = template.dues_ids[:1]
    cr.execute("SELECT COUNT(*) FROM membership_member WHERE member_number LIKE 'B%%'")
    first = cr.fetchone()[0] + 1
    if first > n:
        return
    plans = env["membership.plan"].search([("code", "in", ["B-REG", "B-STU"])])
    tier = env["membership.tier"].search([("name", "=", "Bench Silver")], limit=1)
    cr.execute(
        """
        CREATE TEMP TABLE bench_people AS
        SELECT g AS n,
               CURRENT_DATE - ((g * 7919) %% 1095) AS join_date,
               (g * 31) %% 100 AS fate,
               CASE WHEN g %% 4 = 0 THEN %(student)s ELSE %(regular)s END AS plan_id
          FROM generate_series(%(first)s, %(last)s) g
        """,
        {
            "first": first,
            "last": n,
            "regular": plans.filtered(lambda p: p.code == "B-REG").id,
            "student": plans.filtered(lambda p: p.code == "B-STU").id,
        },
    )
    # the story of each member: state now, coverage, history
    cr.execute(
        """
        ALTER TABLE bench_people ADD COLUMN state varchar,
                                 ADD COLUMN partner_id int,
                                 ADD COLUMN member_id int;
        UPDATE bench_people SET state = CASE
            WHEN fate < 60 THEN 'active'
            WHEN fate < 80 AND join_date + 395 <= CURRENT_DATE THEN 'lapsed'
            WHEN fate < 80 AND join_date + 365 <= CURRENT_DATE THEN 'grace'
            WHEN fate < 87 AND join_date + 200 <= CURRENT_DATE THEN 'withdrawn'
            WHEN fate < 95 AND join_date + 365 <= CURRENT_DATE THEN 'waiting'
            WHEN fate >= 95 THEN 'draft'
            ELSE 'active' END
        """
    )
    clone(
        cr,
        "res_partner",
        template.partner_id.id,
        "bench_people s",
        {
            "name": "'Bench Member ' || s.n",
            "complete_name": "'Bench Member ' || s.n",
            "email": "'member' || s.n || '@bench.example'",
            "ref": "'bench-' || s.n",
        },
        {},
    )
    cr.execute(
        """
        UPDATE bench_people b SET partner_id = p.id
          FROM res_partner p WHERE p.ref = 'bench-' || b.n
        """
    )
    clone(
        cr,
        "membership_member",
        template.id,
        "bench_people s",
        {
            "partner_id": "s.partner_id",
            "member_number": "'B' || lpad(s.n::text, 7, '0')",
            "join_date": "s.join_date",
            "plan_id": "s.plan_id",
            "tier_id": f"CASE WHEN mod(s.n, 5) = 0 THEN {tier.id} ELSE NULL END",
            "state": "s.state",
            "card_uuid": "md5('bench' || s.n)",
            "date_start": "s.join_date",
            "date_end": f"{NEXT_ANNIVERSARY} - 1",
            "withdrawal_date": "CASE WHEN s.state = 'withdrawn' "
            "THEN s.join_date + 200 ELSE NULL END",
            "state_next_date": NEXT_ANNIVERSARY,
        },
        {},
    )
    cr.execute(
        """
        UPDATE bench_people b SET member_id = m.id
          FROM membership_member m
         WHERE m.member_number = 'B' || lpad(b.n::text, 7, '0')
        """
    )
    history_rows(cr, env.uid)
    dues_rows(cr, dues)
    cr.execute("DROP TABLE bench_people")
    cr.execute("ANALYZE")


def history_rows(cr, uid):
    """Status history of each story, dated when it happened."""
    cr.execute(
        """
        WITH changes AS (
            SELECT member_id, join_date AS day, NULL AS old, 'draft' AS new
              FROM bench_people
            UNION ALL
            SELECT member_id, join_date + 3, 'draft', 'active'
              FROM bench_people WHERE state != 'draft'
            UNION ALL
            SELECT member_id, join_date + 365, 'active', 'grace'
              FROM bench_people WHERE state IN ('grace', 'lapsed')
            UNION ALL
            SELECT member_id, join_date + 395, 'grace', 'lapsed'
              FROM bench_people WHERE state = 'lapsed'
            UNION ALL
            SELECT member_id, join_date + 200, 'active', 'withdrawn'
              FROM bench_people WHERE state = 'withdrawn'
            UNION ALL
            SELECT member_id, join_date + 365, 'active', 'waiting'
              FROM bench_people WHERE state = 'waiting'
        )
        INSERT INTO membership_status_history (
            member_id, partner_id, company_id, date, effective_date, old_state,
            new_state, reason_data, source, user_id,
            create_uid, create_date, write_uid, write_date)
        SELECT c.member_id, m.partner_id, m.company_id, c.day + time '09:00',
               c.day, c.old, c.new, '{"code": "state.applied", "args": {}}'::jsonb,
               'system', %(uid)s, %(uid)s, NOW(), %(uid)s, NOW()
          FROM changes c JOIN membership_member m ON m.id = c.member_id
        """,
        {"uid": uid},
    )


def dues_rows(cr, template_dues):
    """A posted invoice and its dues for each year of each story."""
    cr.execute(
        """
        CREATE TEMP TABLE bench_years AS
        SELECT b.member_id, b.partner_id, b.plan_id, b.state, k,
               b.join_date + 365 * k AS start,
               CASE WHEN k = 0 OR b.state = 'active' THEN 'paid'
                    ELSE 'not_paid' END AS payment
          FROM bench_people b, generate_series(0, 2) k
         WHERE b.state != 'draft'
           AND b.join_date + 365 * k <= CURRENT_DATE
           AND (k = 0 OR b.state IN ('active', 'waiting'))
           AND NOT (b.state = 'waiting' AND k > 1)
        """
    )
    clone(
        cr,
        "account_move",
        template_dues.move_id.id,
        "bench_years s",
        {
            "name": "'BENCH/' || s.member_id || '/' || s.k",
            "ref": "'bench-dues-' || s.member_id || '-' || s.k",
            "partner_id": "s.partner_id",
            "commercial_partner_id": "s.partner_id",
            "date": "s.start",
            "invoice_date": "s.start",
            "invoice_date_due": "s.start + 30",
            "payment_state": "s.payment",
            "amount_residual": "CASE WHEN s.payment = 'paid' THEN 0 "
            "ELSE t.amount_total END",
            "amount_residual_signed": "CASE WHEN s.payment = 'paid' THEN 0 "
            "ELSE t.amount_total_signed END",
        },
        {},
    )
    clone(
        cr,
        "membership_dues",
        template_dues.id,
        "bench_years s JOIN account_move mv "
        "ON mv.ref = 'bench-dues-' || s.member_id || '-' || s.k",
        {
            "member_id": "s.member_id",
            "partner_id": "s.partner_id",
            "plan_id": "s.plan_id",
            "date_start": "s.start",
            "date_end": "s.start + 364",
            "move_id": "mv.id",
            "state": "CASE WHEN s.payment = 'paid' THEN 'paid' ELSE 'invoiced' END",
            "name": "'Bench ' || s.start",
            "date_due": "s.start + 30",
            "run_id": "NULL",
        },
        {},
    )
    cr.execute("DROP TABLE bench_years")


# ---------------------------------------------------------------------------
# Measurements (a child process, inside Odoo)
# ---------------------------------------------------------------------------


def measured(label, n, func, target=None, fixed_queries=True):
    func()  # fills the caches
    with Measure(profile=label.replace(" ", "-")) as measure:
        func()
    return {
        "label": label,
        "n": n,
        "ms": measure.seconds * 1000,
        "queries": measure.queries,
        "target": target,
        "fixed_queries": fixed_queries,
    }


def measure_ours(env, n):
    officer = env["res.users"].search([("login", "=", OFFICER)])
    user_env = env(user=officer)
    rows = [
        measured(
            "dashboard",
            n,
            lambda: user_env["membership.dashboard"].get_dashboard_data({}),
            TARGET_DASHBOARD_MS,
        )
    ]
    for label, model, groupby, aggregates, order, names in REPORTS:
        Model = user_env[model]
        rows.append(
            measured(
                f"{label} graph",
                n,
                lambda M=Model, g=groupby, a=aggregates: M._read_group([], g, a),
                TARGET_REPORT_MS,
            )
        )
        rows.append(
            measured(
                f"{label} list",
                n,
                lambda M=Model, o=order, f=names: (
                    M.search_fetch([], f, limit=80, order=o),
                    M.search_count([]),
                ),
                TARGET_REPORT_MS,
            )
        )
    rows.append(
        measured(
            "daily refresh",
            n,
            lambda: env["membership.report.monthly"]._refresh(),
            TARGET_REFRESH_MS,
        )
    )
    return rows


def measure_peer(env, n):
    officer = env["res.users"].search([("login", "=", OFFICER)])
    Partner = env(user=officer)["res.partner"]
    return [
        measured(
            "peer",
            n,
            lambda: (
                Partner.search_fetch([], ["display_name"], limit=80),
                Partner.search_count([]),
            ),
        )
    ]


def child(side, dbname, n, _number):
    import json  # noqa: PLC0415

    registry = open_registry(dbname, base_addons_path())
    rows = []
    with environment(registry) as env:
        if side == "populate":
            populate(env, n)
            env.cr.commit()
            # as at install or upgrade: every month from the history
            env.cr.execute("DELETE FROM membership_report_monthly")
            with Measure() as measure:
                env["membership.report.monthly"]._refresh()
            rows.append(
                {
                    "label": "monthly backfill",
                    "n": n,
                    "ms": measure.seconds * 1000,
                    "queries": measure.queries,
                    "target": None,
                    "fixed_queries": False,
                }
            )
        elif side == "ours":
            rows = measure_ours(env, n)
        else:
            rows = measure_peer(env, n)
        if side != "populate":
            env.cr.rollback()  # the measured refresh wrote the current month
    print(RESULT_MARK + json.dumps(rows), flush=True)


if __name__ == "__main__":
    sys.exit(run_main(__doc__, ["populate", "ours", "peer"], child, orchestrate))
