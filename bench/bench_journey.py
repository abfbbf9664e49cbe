#!/usr/bin/env python3
# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Benchmark: enrol N members in a journey and queue its first step.

Run it with ``make bench`` / ``python3 dev/runner.py bench``: the runner sets
the PG* variables and MM_ODOO_ARGS, MM_ADDONS_PATH and MM_REPO.

What is measured
  ours   A running ``membership.campaign`` journey on a segment of N
         ``membership.member`` records (a free plan, joined today) with one
         step, "joined + 0 days", mailing a ``mail.template``.  One call of
         ``_cron_process_campaigns()``, exactly what the cron job does: the
         members are enrolled with one INSERT ... SELECT, then the deliveries
         are mailed in batches through a mass-mail composer on the step's own
         ``mailing.mailing`` (a commit after each batch).  Afterwards N
         deliveries must be "sent" and the step's mailing must have N
         ``mailing.trace`` records.
  stock  ``mass_mailing`` on its own: a ``mailing.mailing`` on
         ``membership.member`` whose domain selects the same N members, with
         the same subject and body as the template, queued by
         ``action_send_mail()`` (one ``mail.mail`` and one trace per member; it
         commits after each batch outside tests).  N traces are required.

Both sides only queue the mails (``mail.mail`` in the outgoing state); nothing
is sent over SMTP.  The journey's composer never sends at once; for stock the
setup sets ``mail.mail.force.send.limit`` to 0, since its composer would
otherwise send a batch of at most 100 recipients at once (the warm-up, a small
N).  At N=20,000 stock mass mailing queues anyway.

Fairness.  Both sides mail the very same N members (created once; each round
uses a new campaign or a new mailing, so nobody counts as already mailed).
The timings of one run vary by a third on a small machine (commits, autovacuum,
checkpoints), so each side is measured in several rounds, in the order ours,
stock, stock, ours, ... (drift cancels out), each in its own process, after
``ANALYZE`` and a small unmeasured warm-up (20 other members) that fills
Odoo's caches.  The report shows every round and compares the medians.

Only the queueing is timed (``time.perf_counter``) and counted (the
process-wide ``odoo.sql_db.sql_counter``), not the creation of the members,
the template, the campaign or the mailing.  The target: ours no slower than
stock, and no query per member in the journey's own code (ours minus stock
queries/member is shown as an indication).

Both sides share one fresh database, ``mm_bench_journey`` (``-i
membership_management``, which depends on ``mass_mailing``, no demo data),
dropped at the start and at the end.

Environment
  MM_BENCH_JOURNEY_N       members per measurement (default 20000)
  MM_BENCH_JOURNEY_ROUNDS  measurements per side (default 3)

The output is a table ending with a ``SUMMARY:`` line; the exit code is 0 when
every measurement queued the mail for all N members.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
import time

from _common import (
    RESULT_MARK,
    VAR,
    BenchError,
    Measure,
    base_addons_path,
    create_database,
    drop_database,
    environment,
    open_registry,
    per_member,
    per_second,
    read_setting,
    run_side,
    say,
)
from _common import main as run_main

DB = "mm_bench_journey"
MODULE = "membership_management"
DEFAULT_N = 20000
DEFAULT_ROUNDS = 3
WARMUP_N = 20
CREATE_CHUNK = 2000  # members created per call (and commit) in the setup
SUBJECT = "Welcome {{ object.name }}"
BODY = '<p>Hello <t t-out="object.name"/></p>'
BENCH_PLAN = "BENCH-MAIN"
WARM_PLAN = "BENCH-WARM"


# ---------------------------------------------------------------------------
# Orchestration (the script as the runner starts it)
# ---------------------------------------------------------------------------


def side_order(rounds):
    """ours, stock, stock, ours, ours, stock, ...: drift hits both alike."""
    order = []
    for number in range(rounds):
        pair = ["ours", "stock"] if number % 2 == 0 else ["stock", "ours"]
        order += pair
    return order


def print_report(n, ours, stock):
    header = (
        f"{'side':<5} {'round':>5} {'what':<36} {'members':>8} {'mails':>8} "
        f"{'seconds':>8} {'members/s':>10} {'queries':>9} {'queries/member':>15}"
    )
    say()
    say(f"Journey benchmark, N={n} members per row (mails queued, not sent)")
    say(f"  ours:  {MODULE} journey, one 'joined + 0 days' step")
    say("  stock: mass_mailing mailing.mailing.action_send_mail(), same mail")
    say()
    say(header)
    say("-" * len(header))
    for row in ours + stock:
        say(
            f"{row['side']:<5} {row['round']:>5} {row['label']:<36} "
            f"{row['members']:>8} {row['mails']:>8} {row['seconds']:>8.2f} "
            f"{per_second(row):>10.1f} {row['queries']:>9} {per_member(row):>15.2f}"
        )
    say()
    ours_rate = statistics.median(per_second(row) for row in ours)
    stock_rate = statistics.median(per_second(row) for row in stock)
    ours_queries = statistics.median(per_member(row) for row in ours)
    stock_queries = statistics.median(per_member(row) for row in stock)
    say(
        f"ours - stock: {ours_queries - stock_queries:+.2f} queries/member "
        "(the journey's own code; target: no query per member)"
    )
    say(
        f"SUMMARY: N={n}, {len(ours)} rounds, medians: ours {ours_rate:.1f} "
        f"members/s, {ours_queries:.2f} queries/member; stock mass_mailing "
        f"{stock_rate:.1f} mails/s, {stock_queries:.2f} queries/member: "
        f"ratio ours/stock {ours_rate / stock_rate:.2f}x"
    )


def orchestrate():
    n = read_setting("MM_BENCH_JOURNEY_N", DEFAULT_N)
    rounds = read_setting("MM_BENCH_JOURNEY_ROUNDS", DEFAULT_ROUNDS)
    VAR.mkdir(exist_ok=True)
    started = time.perf_counter()
    rows = {"ours": [], "stock": []}
    try:
        drop_database(DB)  # in case an earlier run left it
        create_database(DB, MODULE, base_addons_path())
        say(f"[setup] creating {n} + {WARMUP_N} members")
        run_side(__file__, "setup", DB, n)
        for side in side_order(rounds):
            number = len(rows[side]) + 1
            say(f"[{side}] round {number}: queueing one mail for {n} members")
            rows[side] += run_side(__file__, side, DB, n, number)
    finally:
        with contextlib.suppress(Exception):
            drop_database(DB)
    say(f"[done] dropped {DB}")
    say(f"[done] total {time.perf_counter() - started:.0f}s")
    print_report(n, rows["ours"], rows["stock"])


# ---------------------------------------------------------------------------
# Measurements (the script as a child process, inside Odoo)
# ---------------------------------------------------------------------------


def today(env):
    """Today as the cron sees it (the superuser's time zone)."""
    from odoo import fields  # noqa: PLC0415

    return fields.Date.context_today(env["membership.campaign"])


def create_members(env, n, code):
    """A free plan with n new members who joined today."""
    quiet = env(context={"tracking_disable": True})
    plan = quiet["membership.plan"].create(
        {
            "name": f"Bench {code}",
            "code": code,
            "plan_type": "free",
            "period_type": "rolling",
        }
    )
    day = today(env)
    prefix = code.lower().replace("-", "")
    for first in range(0, n, CREATE_CHUNK):
        quiet["membership.member"].create(
            [
                {
                    "name": f"Member {prefix} {i}",
                    "email": f"{prefix}{i}@bench.example",
                    "plan_id": plan.id,
                    "join_date": day,
                }
                for i in range(first, min(first + CREATE_CHUNK, n))
            ]
        )
        env.cr.commit()
        env.invalidate_all()


def setup(registry, n):
    """Both sides' members, and mail queued, never sent at once over SMTP."""
    with environment(registry) as env:
        env["ir.config_parameter"].sudo().set_param("mail.mail.force.send.limit", 0)
        create_members(env, n, BENCH_PLAN)
        create_members(env, WARMUP_N, WARM_PLAN)
    return []


def plan_id(env, code):
    return env["membership.plan"].search([("code", "=", code)]).id


def analyze(registry):
    """Fresh planner statistics before each measurement, for both sides."""
    with environment(registry) as env:
        env.cr.execute("ANALYZE")


def count_mailing(env, mailing_id):
    """(traces, outgoing traces, mails) of a mailing."""
    Trace = env["mailing.trace"]
    traces = Trace.search_count([("mass_mailing_id", "=", mailing_id)])
    outgoing = Trace.search_count(
        [("mass_mailing_id", "=", mailing_id), ("trace_status", "=", "outgoing")]
    )
    mails = env["mail.mail"].search_count([("mailing_id", "=", mailing_id)])
    return traces, outgoing, mails


def journey_ours(registry, n, code, label):
    """Enrol the members of plan ``code`` in a new journey and queue its step."""
    from odoo import Command  # noqa: PLC0415

    with environment(registry) as env:
        quiet = env(context={"tracking_disable": True})
        template = quiet["mail.template"].create(
            {
                "name": f"Bench welcome ({label})",
                "model_id": env["ir.model"]._get_id("membership.member"),
                "subject": SUBJECT,
                "body_html": BODY,
                "use_default_to": True,
            }
        )
        segment = quiet["membership.segment"].create(
            {
                "name": f"Bench {label}",
                "domain": f"[('plan_id', '=', {plan_id(env, code)})]",
            }
        )
        campaign = quiet["membership.campaign"].create(
            {
                "name": f"Bench journey ({label})",
                "campaign_type": "journey",
                "segment_id": segment.id,
                "start_date": today(env),
                "step_ids": [
                    Command.create(
                        {
                            "name": "Welcome",
                            "trigger": "joined",
                            "offset_days": 0,
                            "mail_template_id": template.id,
                        }
                    )
                ],
            }
        )
        campaign.action_start()
        running = quiet["membership.campaign"].search(
            [("state", "=", "running"), ("id", "!=", campaign.id)]
        )
        if running:
            raise BenchError(f"ours: other campaigns are running: {running.ids}")
        campaign_id = campaign.id
    analyze(registry)
    with environment(registry) as env:
        with Measure() as measured:
            env["membership.campaign"]._cron_process_campaigns()
            env.flush_all()
            env.cr.commit()
    with environment(registry) as env:
        campaign = env["membership.campaign"].browse(campaign_id)
        Delivery = env["membership.campaign.delivery"]
        deliveries = Delivery.search_count([("campaign_id", "=", campaign_id)])
        sent = Delivery.search_count(
            [("campaign_id", "=", campaign_id), ("state", "=", "sent")]
        )
        mailing = campaign.step_ids.mailing_id
        traces, outgoing, mails = count_mailing(env, mailing.id)
        if deliveries != n or sent != n or traces != n or outgoing != n:
            raise BenchError(
                f"ours ({label}): {deliveries} deliveries, {sent} sent, "
                f"{traces} traces ({outgoing} outgoing), {mails} mails "
                f"for {n} members"
            )
        # the next measurement runs the cron again: this journey is finished
        campaign.action_stop()
    return {
        "side": "ours",
        "label": "journey: _cron_process_campaigns()",
        "members": n,
        "mails": mails,
        "seconds": measured.seconds,
        "queries": measured.queries,
    }


def mailing_stock(registry, n, code, label):
    """Queue the same mail to the members of plan ``code`` with mass mailing."""
    with environment(registry) as env:
        quiet = env(context={"tracking_disable": True})
        mailing = quiet["mailing.mailing"].create(
            {
                "subject": SUBJECT,
                "mailing_model_id": env["ir.model"]._get_id("membership.member"),
                "mailing_domain": f"[('plan_id', '=', {plan_id(env, code)})]",
                "body_arch": BODY,
                "body_html": BODY,
            }
        )
        mailing_id = mailing.id
    analyze(registry)
    with environment(registry) as env:
        mailing = env["mailing.mailing"].browse(mailing_id)
        with Measure() as measured:
            mailing.action_send_mail()
            env.flush_all()
            env.cr.commit()
    with environment(registry) as env:
        traces, outgoing, mails = count_mailing(env, mailing_id)
        if traces != n or outgoing != n:
            raise BenchError(
                f"stock ({label}): {traces} traces ({outgoing} outgoing), "
                f"{mails} mails for {n} members"
            )
    return {
        "side": "stock",
        "label": "mass_mailing: action_send_mail()",
        "members": n,
        "mails": mails,
        "seconds": measured.seconds,
        "queries": measured.queries,
    }


def child(side, dbname, n, number):
    registry = open_registry(dbname, base_addons_path())
    if side == "setup":
        rows = setup(registry, n)
    else:
        measure = journey_ours if side == "ours" else mailing_stock
        measure(registry, WARMUP_N, WARM_PLAN, f"warm-up {number}")
        rows = [measure(registry, n, BENCH_PLAN, f"round {number}")]
        rows[0]["round"] = number
    print(RESULT_MARK + json.dumps(rows), flush=True)


# ---------------------------------------------------------------------------


def main(argv=None):
    return run_main(__doc__, ["setup", "ours", "stock"], child, orchestrate, argv)


if __name__ == "__main__":
    sys.exit(main())
