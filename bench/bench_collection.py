#!/usr/bin/env python3
"""Benchmark: renewal run, 口座振替 collection and saved-card charges.

Run it with ``make bench`` / ``python3 dev/runner.py bench``: the runner sets
the PG* variables and MM_ODOO_ARGS, MM_ADDONS_PATH and MM_REPO.

What is measured (ours only: OCA ``membership`` 19.0, the peer of the dues run
benchmark, has no automatic renewal, no direct debit and no saved-card
charges; the reference row is our own dues run billing the same members)
  dues run      N members of an auto-renewing rolling plan, their first
                period billed by one ``membership.dues.run`` (the reference).
  renewal run   once those are paid and their coverage ends within the lead
                days, ``_cron_member_renewals()`` (what ``ir_cron_member_renewals``
                runs) creates the renewal run and bills the next period of all N.
  collect       a ``membership.direct.debit.batch`` takes the N renewal invoices
                of members with an active mandate (``action_collect()``).
  export        the Zengin 種別 91 request file (``action_export()``).
  import        the bank's result file with 3 % failures (``_import_result()``):
                97 % paid and reconciled, 3 % logged as not debited.
  card charges  C other members' due invoices charged to their saved card by
                ``_cron_charge_saved_cards()`` with Odoo's ``payment_demo``
                provider (a transaction, a payment and a reconciliation each).

Only the measured step is timed and counted (the process-wide
``odoo.sql_db.sql_counter``); creating members, paying the first period and
writing the result file are not. Targets: the renewal run within 1.5x the dues
run's queries per member (it bills the same invoice), each collection step
under 15 queries per member, the card charge under 200 queries per member.

Environment
  MM_BENCH_COLLECTION_N   members renewed and debited (default 10000)
  MM_BENCH_CARD_N         members charged on a saved card (default 500)

The output is a table ending with a ``SUMMARY:`` line; the exit code is 0 when
every step handled all its members.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from datetime import date, timedelta

from _common import (
    RESULT_MARK,
    BenchError,
    Measure,
    base_addons_path,
    create_database,
    drop_database,
    ensure_chart,
    environment,
    open_registry,
    per_member,
    per_second,
    run_side,
    say,
)
from _common import main as run_main

DB = "mm_bench_collection"
MODULES = "membership_management,payment_demo"
DEFAULT_N = 10000
DEFAULT_CARD_N = 500
FAILURE_EVERY = 33  # one debit in 33 fails: 3 %
FEE = 3000.0
TARGETS = {  # queries per member
    "collect": 15,
    "export": 15,
    "import results": 15,
    "card charges": 200,
}
RENEWAL_FACTOR = 1.5  # the renewal run against the dues run


def env_int(name, default):
    try:
        value = int(os.environ.get(name) or default)
    except ValueError:
        value = 0
    if value < 1:
        raise BenchError(f"{name} must be a whole number, at least 1")
    return value


# ---------------------------------------------------------------------------
# Orchestration
# ---------------------------------------------------------------------------


def orchestrate():
    n = env_int("MM_BENCH_COLLECTION_N", DEFAULT_N)
    card_n = env_int("MM_BENCH_CARD_N", DEFAULT_CARD_N)
    started = time.perf_counter()
    try:
        drop_database(DB)
        create_database(DB, MODULES, base_addons_path())
        say(f"[ours] renewing and debiting {n} members, charging {card_n} cards")
        rows = run_side(__file__, "ours", DB, n, number=card_n)
    finally:
        with contextlib.suppress(Exception):
            drop_database(DB)
    say(f"[done] dropped {DB}; total {time.perf_counter() - started:.0f}s")
    print_report(n, card_n, rows)


def print_report(n, card_n, rows):
    header = (
        f"{'step':<16} {'members':>8} {'seconds':>8} {'members/s':>10} "
        f"{'queries':>9} {'queries/member':>15} {'target':>12} {'peer':>6}"
    )
    say()
    say(
        f"Renewal and collection benchmark: N={n} members renewed and debited "
        f"(3 % of debits fail), {card_n} saved cards charged"
    )
    say("  peer: OCA membership has no renewal run, direct debit or card charges")
    say()
    say(header)
    say("-" * len(header))
    reference = next(row for row in rows if row["label"] == "dues run")
    missed = []
    for row in rows:
        target = TARGETS.get(row["label"])
        if row["label"] == "renewal run":
            target = per_member(reference) * RENEWAL_FACTOR
        shown = f"<= {target:.1f}" if target else "reference"
        if target and per_member(row) > target:
            missed.append(row["label"])
            shown += " MISS"
        say(
            f"{row['label']:<16} {row['members']:>8} {row['seconds']:>8.2f} "
            f"{per_second(row):>10.1f} {row['queries']:>9} "
            f"{per_member(row):>15.2f} {shown:>12} {'n/a':>6}"
        )
    say()
    say(
        "SUMMARY: "
        + "; ".join(
            f"{row['label']} {per_second(row):.1f} members/s, "
            f"{per_member(row):.2f} queries/member"
            for row in rows
        )
        + ("; targets missed: " + ", ".join(missed) if missed else "; all targets met")
    )


# ---------------------------------------------------------------------------
# Measurements (the child process, inside Odoo)
# ---------------------------------------------------------------------------


def ensure_setup(env):
    """The generic chart and the company's 口座振替 data."""
    ensure_chart(env)
    env.company.write(
        {
            "membership_debit_consignor_code": "1234567890",
            "membership_debit_consignor_name": "ﾍﾞﾝﾁｷﾖｳｶｲ",
            "membership_debit_bank_code": "0001",
            "membership_debit_branch_code": "001",
            "membership_debit_account_number": "1234567",
        }
    )


def create_plan(env, name, code, **vals):
    """A yearly rolling plan whose product bills no tax."""
    from odoo import Command  # noqa: PLC0415

    plan = env["membership.plan"].create(
        {
            "name": name,
            "code": code,
            "fee": FEE,
            "period_type": "rolling",
            "period_months": 12,
            **vals,
        }
    )
    plan._ensure_product()
    plan.product_id.taxes_id = [Command.clear()]
    return plan


def row(label, n, measured):
    return {
        "label": label,
        "members": n,
        "seconds": measured.seconds,
        "queries": measured.queries,
    }


def create_members(env, plan, n, join, prefix):
    quiet = env(context={"tracking_disable": True, "mail_create_nolog": True})
    return quiet["membership.member"].create(
        [
            {
                "name": f"{prefix} Member {i}",
                "email": f"{prefix.lower()}{i}@bench.example",
                "plan_id": plan.id,
                "join_date": join,
            }
            for i in range(n)
        ]
    )


def run_until_done(env, run, n):
    for __ in range(n // max(run.batch_size, 1) + 10):
        env["membership.dues.run"]._cron_process_runs()
        run.invalidate_recordset()
        if run.state != "running":
            break


def pay(env, moves, day):
    journal = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", env.company.id)], limit=1
    )
    env["account.payment.register"].with_context(
        active_model="account.move", active_ids=moves.ids
    ).create(
        {"payment_date": day, "journal_id": journal.id, "group_payment": False}
    )._create_payments()


def result_file(request):
    """The bank's answer to ``request``: every FAILURE_EVERY-th debit fails
    (資金不足), the trailer says so."""
    from odoo.addons.membership_management.tools import zengin_debit as z  # noqa: PLC0415

    records = z.split_records(request)
    out, paid, failed = [], [0, 0], [0, 0]
    data_number = 0
    for number, record in enumerate(records, 1):
        kind, values = z.parse_record(record, number)
        if kind == "2":
            data_number += 1
            code = 1 if data_number % FAILURE_EVERY == 0 else 0
            values.update(record_type=2, result_code=code)
            bucket = failed if code else paid
            bucket[0] += 1
            bucket[1] += values["amount"]
            out.append(z.format_record(z.DATA, values))
        elif kind == "8":
            values.update(
                record_type=8,
                paid_count=paid[0],
                paid_amount=paid[1],
                failed_count=failed[0],
                failed_amount=failed[1],
            )
            out.append(z.format_record(z.TRAILER, values))
        else:
            values["record_type"] = int(kind)
            if kind == "1":
                values["kind"] = 91
            out.append(z.format_record(z.LAYOUTS[kind], values))
    return b"\r\n".join(out) + b"\r\n", failed[0]


def measure_renewal_and_collection(registry, n):
    from odoo import Command  # noqa: PLC0415

    today = date.today()
    join = today - timedelta(days=355)  # coverage ends in 10 days
    rows = []
    with environment(registry) as env:
        ensure_setup(env)
        plan = create_plan(
            env, "Bench Renewal", "BENCH-RENEW", auto_renew=True, renewal_lead_days=30
        )
        members = create_members(env, plan, n, join, "Renew")
        run = env["membership.dues.run"].create(
            {
                "name": "Bench first period",
                "plan_ids": [Command.set(plan.ids)],
                "period_date": join,
                "invoice_date": join,
            }
        )
        plan_id, run_id, member_ids = plan.id, run.id, members.ids
    with environment(registry) as env:
        run = env["membership.dues.run"].browse(run_id)
        with Measure() as measured:
            run.action_start()
            run_until_done(env, run, n)
            env.cr.commit()
        if run.billed_count != n:
            raise BenchError(f"dues run: {run.billed_count} billed of {n}")
        rows.append(row("dues run", n, measured))
    say("[ours] paying the first period (not measured)")
    with environment(registry) as env:
        moves = env["membership.dues"].search([("run_id", "=", run_id)]).move_id
        pay(env, moves, join)
        Mandate = env["membership.direct.debit.mandate"]
        Mandate.create(
            [
                {
                    "member_id": member_id,
                    "bank_code": "0005",
                    "branch_code": "123",
                    "account_number": f"{i % 10_000_000:07d}",
                    "holder_name": "ﾍﾞﾝﾁ ﾀﾛｳ",
                    "state": "active",
                }
                for i, member_id in enumerate(member_ids)
            ]
        )
    with environment(registry) as env:
        Run = env["membership.dues.run"]
        with Measure() as measured:
            Run._cron_member_renewals()
            renewal = Run.search([("renewal_plan_id", "=", plan_id)], limit=1)
            run_until_done(env, renewal, n)
            env.cr.commit()
        if renewal.billed_count != n:
            raise BenchError(
                f"renewal run: {renewal.billed_count} billed of {n} "
                f"({renewal.error_count} errors)"
            )
        rows.append(row("renewal run", n, measured))
        debit_date = today + timedelta(days=40)
        journal = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", env.company.id)], limit=1
        )
        batch_id = (
            env["membership.direct.debit.batch"]
            .create({"debit_date": debit_date, "journal_id": journal.id})
            .id
        )
    with environment(registry) as env:
        batch = env["membership.direct.debit.batch"].browse(batch_id)
        with Measure() as measured:
            batch.action_collect()
            env.cr.commit()
        if len(batch.line_ids) != n:
            raise BenchError(f"collect: {len(batch.line_ids)} debits of {n}")
        rows.append(row("collect", n, measured))
    with environment(registry) as env:
        batch = env["membership.direct.debit.batch"].browse(batch_id)
        with Measure() as measured:
            batch.action_export()
            env.cr.commit()
        rows.append(row("export", n, measured))
        answer, failures = result_file(batch.request_attachment_id.raw)
    with environment(registry) as env:
        batch = env["membership.direct.debit.batch"].browse(batch_id)
        with Measure() as measured:
            batch._import_result(answer)
            env.cr.commit()
        unpaid = env["membership.dues"].search_count(
            [
                ("member_id", "in", member_ids),
                ("state", "in", ("invoiced", "partial")),
            ]
        )
        if unpaid != failures:
            raise BenchError(f"import: {unpaid} dues unpaid, {failures} failed debits")
        rows.append(row("import results", n, measured))
    return rows


def measure_card_charges(registry, card_n):
    from odoo import Command  # noqa: PLC0415

    today = date.today()
    with environment(registry) as env:
        plan = create_plan(env, "Bench Card", "BENCH-CARD")
        members = create_members(env, plan, card_n, today, "Card")
        run = env["membership.dues.run"].create(
            {
                "name": "Bench card period",
                "plan_ids": [Command.set(plan.ids)],
                "period_date": today,
                "invoice_date": today,
                "invoice_date_due": today,
            }
        )
        run.action_start()
        run_until_done(env, run, card_n)
        provider = env.ref("payment.payment_provider_demo")
        method = env.ref("payment_demo.payment_method_demo")
        tokens = env["payment.token"].create(
            [
                {
                    "provider_id": provider.id,
                    "payment_method_id": method.id,
                    "partner_id": member.partner_id.id,
                    "payment_details": "4242",
                    "provider_ref": f"bench-{member.id}",
                    "demo_simulated_state": "done",
                }
                for member in members
            ]
        )
        now = env.cr.now()
        for member, token in zip(members, tokens, strict=True):
            member.write(
                {"auto_charge_token_id": token.id, "auto_charge_consent_date": now}
            )
        member_ids = members.ids
    with environment(registry) as env:
        with Measure() as measured:
            env["membership.dues"]._cron_charge_saved_cards()
            env.cr.commit()
        paid = env["membership.dues"].search_count(
            [("member_id", "in", member_ids), ("state", "=", "paid")]
        )
        if paid != card_n:
            raise BenchError(f"card charges: {paid} dues paid of {card_n}")
    return [row("card charges", card_n, measured)]


def child(side, dbname, n, card_n=DEFAULT_CARD_N):
    registry = open_registry(dbname, base_addons_path())
    rows = measure_renewal_and_collection(registry, n)
    rows += measure_card_charges(registry, card_n)
    print(RESULT_MARK + json.dumps(rows), flush=True)


# ---------------------------------------------------------------------------


def main(argv=None):
    return run_main(__doc__, ["ours"], child, orchestrate, argv)


if __name__ == "__main__":
    sys.exit(main())
