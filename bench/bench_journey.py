#!/usr/bin/env python3
# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Benchmark: enrol N members in a journey and queue its first step.

Run it with ``make bench`` / ``python3 tools/runner.py bench``: the runner sets
the PG* variables and MM_ODOO_ARGS, MM_ADDONS_PATH and MM_REPO.

What is measured
  ours   A running ``membership.campaign`` journey on a segment of N new
         ``membership.member`` records (a free plan, joined today) with one
         step, "joined + 0 days", mailing a ``mail.template``.  One call of
         ``_cron_process_campaigns()``, exactly what the cron job does: the
         members are enrolled with one INSERT ... SELECT, then the deliveries
         are mailed in batches through a mass-mail composer on the step's own
         ``mailing.mailing`` (a commit after each batch).  Afterwards N
         deliveries must be "sent" and the step's mailing must have N
         ``mailing.trace`` records.
  stock  ``mass_mailing`` on its own: a ``mailing.mailing`` on
         ``membership.member`` whose domain selects N other new members, with
         the same subject and body as the template, queued by
         ``action_send_mail()`` (one ``mail.mail`` and one trace per member; it
         commits after each batch outside tests).  N traces are required.

Both sides only queue the mails (``mail.mail`` in the outgoing state); nothing
is sent over SMTP.  The journey's composer never sends at once; for stock the
setup sets ``mail.mail.force.send.limit`` to 0, since its composer would
otherwise send a batch of at most 100 recipients at once (the warm-up, a small
N).  At N=20,000 stock mass mailing queues anyway.

Only the queueing is timed (``time.perf_counter``) and counted (the
process-wide ``odoo.sql_db.sql_counter``), not the creation of the members,
the template, the campaign or the mailing.  A small unmeasured warm-up
(20 members) fills Odoo's caches first on each side.  The target: ours no
slower than stock, and no query per member in the journey's own code (ours
minus stock queries/member is shown as an indication).

Both sides share one fresh database, ``mm_bench_journey`` (``-i
membership_management``, which depends on ``mass_mailing``, no demo data),
dropped at the start and at the end.  Each side is measured in a child process
of this script (``--side``), one after the other.

Environment
  MM_BENCH_JOURNEY_N   members per measurement (default 20000)

The output is a table ending with a ``SUMMARY:`` line; the exit code is 0 when
every measurement queued the mail for all N members.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
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
    run_side,
    say,
)

DB = "mm_bench_journey"
MODULE = "membership_management"
DEFAULT_N = 20000
WARMUP_N = 20
CREATE_CHUNK = 2000  # members created per call (and commit) in the setup
SUBJECT = "Welcome {{ object.name }}"
BODY = '<p>Hello <t t-out="object.name"/></p>'


# ---------------------------------------------------------------------------
# Orchestration (the script as the runner starts it)
# ---------------------------------------------------------------------------


def measure(side, dbname, n):
    say(f"[{side}] queueing one mail for {n} members")
    return run_side(__file__, side, dbname, n)


def print_report(n, ours, stock):
    header = (
        f"{'side':<5} {'what':<36} {'members':>8} {'mails':>8} {'seconds':>8} "
        f"{'members/s':>10} {'queries':>9} {'queries/member':>15}"
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
            f"{row['side']:<5} {row['label']:<36} {row['members']:>8} "
            f"{row['mails']:>8} {row['seconds']:>8.2f} {per_second(row):>10.1f} "
            f"{row['queries']:>9} {per_member(row):>15.2f}"
        )
    say()
    main, peer = ours[0], stock[0]
    extra = per_member(main) - per_member(peer)
    say(
        f"ours - stock: {extra:+.2f} queries/member (the journey's own code; "
        "target: no query per member)"
    )
    say(
        f"SUMMARY: N={n}; ours {per_second(main):.1f} members/s, "
        f"{per_member(main):.2f} queries/member; stock mass_mailing "
        f"{per_second(peer):.1f} mails/s, {per_member(peer):.2f} queries/member: "
        f"ratio ours/stock {per_second(main) / per_second(peer):.2f}x"
    )


def orchestrate():
    try:
        n = int(os.environ.get("MM_BENCH_JOURNEY_N") or DEFAULT_N)
    except ValueError:
        n = 0
    if n < 1:
        raise BenchError(
            "MM_BENCH_JOURNEY_N must be a whole number of members, at least 1"
        )
    VAR.mkdir(exist_ok=True)
    started = time.perf_counter()
    try:
        drop_database(DB)  # in case an earlier run left it
        create_database(DB, MODULE, base_addons_path())
        ours = measure("ours", DB, n)
        stock = measure("stock", DB, n)
    finally:
        with contextlib.suppress(Exception):
            drop_database(DB)
    say(f"[done] dropped {DB}")
    say(f"[done] total {time.perf_counter() - started:.0f}s")
    print_report(n, ours, stock)


# ---------------------------------------------------------------------------
# Measurements (the script as a child process, inside Odoo)
# ---------------------------------------------------------------------------


def queue_only(env):
    """Never send at once over SMTP: every batch goes to the mail queue."""
    env["ir.config_parameter"].sudo().set_param("mail.mail.force.send.limit", 0)


def today(env):
    """Today as the cron sees it (the superuser's time zone)."""
    from odoo import fields  # noqa: PLC0415

    return fields.Date.context_today(env["membership.campaign"])


def create_members(env, n, prefix):
    """A free plan with n new members who joined today; return the plan's id."""
    quiet = env(context={"tracking_disable": True})
    code = f"BENCH-{prefix.upper()}"
    plan = quiet["membership.plan"].create(
        {
            "name": f"Bench {prefix}",
            "code": code,
            "plan_type": "free",
            "period_type": "rolling",
        }
    )
    day = today(env)
    for first in range(0, n, CREATE_CHUNK):
        quiet["membership.member"].create(
            [
                {
                    "name": f"{prefix.title()} {i}",
                    "email": f"{prefix}{i}@bench.example",
                    "plan_id": plan.id,
                    "join_date": day,
                }
                for i in range(first, min(first + CREATE_CHUNK, n))
            ]
        )
        env.cr.commit()
        env.invalidate_all()
    return plan.id


def count_mailing(env, mailing_id):
    """(traces, outgoing traces, mails) of a mailing."""
    Trace = env["mailing.trace"]
    traces = Trace.search_count([("mass_mailing_id", "=", mailing_id)])
    outgoing = Trace.search_count(
        [("mass_mailing_id", "=", mailing_id), ("trace_status", "=", "outgoing")]
    )
    mails = env["mail.mail"].search_count([("mailing_id", "=", mailing_id)])
    return traces, outgoing, mails


def journey_ours(registry, n, prefix):
    """Enrol n new members in a new journey and queue its step; one row."""
    from odoo import Command  # noqa: PLC0415

    with environment(registry) as env:
        queue_only(env)
        say(f"[ours] creating {n} members ({prefix})")
        plan_id = create_members(env, n, prefix)
        quiet = env(context={"tracking_disable": True})
        template = quiet["mail.template"].create(
            {
                "name": f"Bench welcome ({prefix})",
                "model_id": env["ir.model"]._get_id("membership.member"),
                "subject": SUBJECT,
                "body_html": BODY,
                "use_default_to": True,
            }
        )
        segment = quiet["membership.segment"].create(
            {"name": f"Bench {prefix}", "domain": f"[('plan_id', '=', {plan_id})]"}
        )
        campaign = quiet["membership.campaign"].create(
            {
                "name": f"Bench journey ({prefix})",
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
                f"ours ({prefix}): {deliveries} deliveries, {sent} sent, "
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


def measure_ours(registry, n):
    journey_ours(registry, min(n, WARMUP_N), "warm")
    return [journey_ours(registry, n, "bench")]


def mailing_stock(registry, n, prefix):
    """Queue the same mail to n new members with stock mass mailing; one row."""
    with environment(registry) as env:
        queue_only(env)
        say(f"[stock] creating {n} members ({prefix})")
        plan_id = create_members(env, n, prefix)
        quiet = env(context={"tracking_disable": True})
        mailing = quiet["mailing.mailing"].create(
            {
                "subject": SUBJECT,
                "mailing_model_id": env["ir.model"]._get_id("membership.member"),
                "mailing_domain": f"[('plan_id', '=', {plan_id})]",
                "body_arch": BODY,
                "body_html": BODY,
            }
        )
        mailing_id = mailing.id
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
                f"stock ({prefix}): {traces} traces ({outgoing} outgoing), "
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


def measure_stock(registry, n):
    mailing_stock(registry, min(n, WARMUP_N), "stockwarm")
    return [mailing_stock(registry, n, "stock")]


def child(side, dbname, n):
    registry = open_registry(dbname, base_addons_path())
    rows = (measure_ours if side == "ours" else measure_stock)(registry, n)
    print(RESULT_MARK + json.dumps(rows), flush=True)


# ---------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=["ours", "stock"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so the database is dropped on the way out
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        if args.side:
            child(args.side, args.db, args.n)
        else:
            orchestrate()
    except BenchError as exc:
        say(f"FAILED: {exc}")
        return 1
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
