#!/usr/bin/env python3
"""Benchmark: bill N members with our dues run, and with OCA ``membership``.

Run it with ``make bench`` / ``python3 dev/runner.py bench``: the runner sets
the PG* variables and MM_ODOO_ARGS, MM_ADDONS_PATH and MM_REPO.

What is measured
  ours   A paid fixed-period ``membership.plan`` with N ``membership.member``
         records, billed by one ``membership.dues.run``: ``action_start()``
         then ``_cron_process_runs()`` until the run is done, exactly what the
         cron job does (one posted invoice and one dues per member, a commit
         after each batch).  Measured three times on fresh members: with the
         run's default batch size, then with batch sizes 100 and 1,000; the
         target is the same number of queries per member whatever the batch.
         A fourth row bills with ``post_invoices`` off (draft invoices, as the
         peer's wizard leaves them), to compare like with like.
  peer   OCA ``membership`` 19.0 (the ``odoo-addon-membership`` wheel): the
         same N members as contacts, invoiced for a membership product by its
         own wizard, ``membership.invoice.membership_invoice()`` (one draft
         invoice per partner, in one transaction), then, as a second row,
         those invoices posted with ``action_post()`` since ours posts too.

Only the billing is timed (``time.perf_counter``) and counted (the
process-wide ``odoo.sql_db.sql_counter``), not the creation of the members.  A
small unmeasured warm-up fills Odoo's caches first on each side.

Each side has its own fresh database, ``mm_bench_ours`` (``-i
membership_management``) and ``mm_bench_peer`` (``-i membership``), dropped at
the start and at the end.  The peer is a benchmark dependency only: it is
installed with ``pip install --no-deps --target .var/bench-peer`` when missing
and its folder is put on the addons path of the peer's processes only.  Each
side is measured in a child process of this script (``--side``), so the two
never share an addons path or a registry.

Both sides invoice a product with the same taxes: none by default (what our
plans' own products have), or the company's default sale tax (15% in the
generic chart) with MM_BENCH_TAXED=1.  Taxes cost each invoice a tax line.

Environment
  MM_BENCH_N      members billed per measurement (default 2000)
  MM_BENCH_PEER   0 skips the peer (e.g. MM_BENCH_N=20000 MM_BENCH_PEER=0)
  MM_BENCH_TAXED  1 puts the company's default sale tax on both products

The output is a table ending with a ``SUMMARY:`` line; the exit code is 0 when
every measurement billed all N members.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from datetime import date

from _common import (
    RESULT_MARK,
    VAR,
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

OURS_DB = "mm_bench_ours"
PEER_DB = "mm_bench_peer"
OURS_MODULE = "membership_management"
PEER_MODULE = "membership"
PEER_REQUIREMENT = "odoo-addon-membership==19.0.*"
DEFAULT_N = 2000
BATCH_SIZES = (100, 1000)  # measured after the run's default batch size
WARMUP_N = 20
FEE = 100.0
PEER_DIR = VAR / "bench-peer"
PEER_ADDONS = PEER_DIR / "odoo" / "addons"  # the wheel's namespace layout


# ---------------------------------------------------------------------------
# Orchestration (the script as the runner starts it)
# ---------------------------------------------------------------------------


def addons_path(side):
    base = base_addons_path()
    return f"{base},{PEER_ADDONS}" if side == "peer" else base


def measure(side, dbname, n):
    say(f"[{side}] billing {n} members")
    return run_side(__file__, side, dbname, n)


def peer_version():
    infos = sorted(PEER_DIR.glob("odoo_addon_membership-*.dist-info"))
    return infos[-1].name.removesuffix(".dist-info").split("-")[1] if infos else "?"


def ensure_peer():
    """Install the peer's wheel into .var/bench-peer unless it is there."""
    if (PEER_ADDONS / PEER_MODULE / "__manifest__.py").exists():
        return
    say(f"[setup] pip install --no-deps --target {PEER_DIR} '{PEER_REQUIREMENT}'")
    cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet"]
    cmd += ["--disable-pip-version-check", "--target", str(PEER_DIR)]
    proc = subprocess.run(
        [*cmd, PEER_REQUIREMENT], capture_output=True, text=True, check=False
    )
    if proc.returncode or not (PEER_ADDONS / PEER_MODULE).is_dir():
        raise BenchError(f"installing the peer failed:\n{proc.stdout}{proc.stderr}")


def print_report(n, ours, peer):
    header = (
        f"{'side':<5} {'billing':<34} {'batch':>5} {'members':>8} {'seconds':>8} "
        f"{'members/s':>10} {'queries':>9} {'queries/member':>15}"
    )
    say()
    say(f"Dues billing benchmark, N={n} members per row")
    taxes = "the company's default sale tax" if flag("MM_BENCH_TAXED") else "no tax"
    say(f"  ours: {OURS_MODULE} membership.dues.run (posted invoices, dues)")
    if peer:
        say(
            f"  peer: OCA membership {peer_version()} (odoo-addon-membership), "
            "membership.invoice wizard"
        )
    say(f"  both: the membership product has {taxes} (MM_BENCH_TAXED)")
    say()
    say(header)
    say("-" * len(header))
    for row in ours + (peer or []):
        say(
            f"{row['side']:<5} {row['label']:<34} {row['batch'] or '-':>5} "
            f"{row['members']:>8} {row['seconds']:>8.2f} {per_second(row):>10.1f} "
            f"{row['queries']:>9} {per_member(row):>15.2f}"
        )
    say()
    posted_rows = [row for row in ours if row["posted"]]
    draft = next((row for row in ours if not row["posted"]), None)
    by_batch = sorted((row["batch"], per_member(row)) for row in posted_rows)
    values = [q for __, q in by_batch]
    spread = (max(values) - min(values)) / min(values) * 100 if min(values) else 0.0
    say(
        "ours, queries/member by batch size: "
        + ", ".join(f"{batch}: {q:.2f}" for batch, q in by_batch)
        + f" (spread {spread:.1f}%; target: the same whatever the batch size)"
    )
    split = per_batch_split(n, posted_rows)
    if split:
        fixed, marginal = split
        say(
            f"ours, split: {fixed:.0f} queries per batch (select, savepoints, "
            f"flush, commit) + {marginal:.2f} queries per member at every batch size"
        )
    main = posted_rows[0]
    summary = (
        f"SUMMARY: N={n}; ours {per_second(main):.1f} members/s, "
        f"{per_member(main):.2f} queries/member (batch {main['batch']}), "
        + ", ".join(f"{q:.2f} at batch {b}" for b, q in by_batch if b != main["batch"])
    )
    if draft:
        summary += f"; ours draft-only {per_second(draft):.1f} members/s"
    if peer:
        wizard, posted = peer
        summary += (
            f"; peer wizard {per_second(wizard):.1f} members/s, "
            f"{per_member(wizard):.2f} queries/member, with posting "
            f"{per_second(posted):.1f} members/s; ratio ours/peer "
            f"{per_second(main) / per_second(wizard):.2f}x (ours posted, peer draft)"
            f", {per_second(main) / per_second(posted):.2f}x (both posted)"
        )
        if draft:
            summary += f", {per_second(draft) / per_second(wizard):.2f}x (both draft)"
    else:
        summary += "; peer skipped (MM_BENCH_PEER=0)"
    if split:
        fixed, marginal = split
        summary += f"; ours {marginal:.2f} queries per member + {fixed:.0f} per batch"
    say(summary)


def per_batch_split(n, rows):
    """Split our queries into a fixed cost per batch and a cost per member,
    from the rows with the fewest and the most batches:
    ``queries = per_batch * batches + per_member * n``."""
    batches = sorted((-(-n // row["batch"]), row["queries"]) for row in rows)
    (few, q_few), (many, q_many) = batches[0], batches[-1]
    if few == many:
        return None
    per_batch = (q_many - q_few) / (many - few)
    return per_batch, (q_few - per_batch * few) / n


def flag(name, default="0"):
    """An on/off environment setting."""
    value = (os.environ.get(name) or default).strip().lower()
    return value not in ("0", "false", "no", "off", "")


def product_taxes(env):
    """The ``taxes_id`` command both sides give their membership product."""
    from odoo import Command  # noqa: PLC0415

    if flag("MM_BENCH_TAXED"):
        return [Command.set(env.company.account_sale_tax_id.ids)]
    return [Command.clear()]


def check_taxes(env, domain, who):
    """Both sides must bill alike: fail when an invoice's tax is not the
    one MM_BENCH_TAXED asks for."""
    wrong = ("amount_tax", "=" if flag("MM_BENCH_TAXED") else "!=", 0)
    if count := env["account.move"].search_count([*domain, wrong]):
        raise BenchError(f"{who}: {count} invoices not taxed as MM_BENCH_TAXED says")


def orchestrate():
    try:
        n = int(os.environ.get("MM_BENCH_N") or DEFAULT_N)
    except ValueError:
        n = 0
    if n < 1:
        raise BenchError("MM_BENCH_N must be a whole number of members, at least 1")
    with_peer = flag("MM_BENCH_PEER", "1")
    VAR.mkdir(exist_ok=True)
    started = time.perf_counter()
    databases = [OURS_DB, PEER_DB]  # both, in case an earlier run left one
    try:
        for dbname in databases:
            drop_database(dbname)
        create_database(OURS_DB, OURS_MODULE, addons_path("ours"))
        if with_peer:
            ensure_peer()
            create_database(PEER_DB, PEER_MODULE, addons_path("peer"))
        ours = measure("ours", OURS_DB, n)
        peer = measure("peer", PEER_DB, n) if with_peer else None
    finally:
        for dbname in databases:
            with contextlib.suppress(Exception):
                drop_database(dbname)
    say(f"[done] dropped {', '.join(databases)}")
    say(f"[done] total {time.perf_counter() - started:.0f}s")
    print_report(n, ours, peer)


# ---------------------------------------------------------------------------
# Measurements (the script as a child process, inside Odoo)
# ---------------------------------------------------------------------------


def period():
    """This year: the fixed plans start on 1 January."""
    today = date.today()
    return date(today.year, 1, 1), date(today.year, 12, 31)


def contacts(n, prefix):
    return [
        {"name": f"{prefix} Member {i}", "email": f"{prefix.lower()}{i}@bench.example"}
        for i in range(n)
    ]


def bill_ours(registry, n, code, batch_size=None, post=True):
    """Create a plan with n members, bill them with one dues run; one row."""
    from odoo import Command  # noqa: PLC0415

    start, __ = period()
    with environment(registry) as env:
        quiet = env(context={"tracking_disable": True})
        plan = quiet["membership.plan"].create(
            {
                "name": f"Bench {code}",
                "code": f"BENCH-{code}",
                "plan_type": "paid",
                "fee": FEE,
                "period_type": "fixed",
                "period_months": 12,
                "fixed_start_month": 1,
                "fixed_start_day": 1,
            }
        )
        plan._ensure_product()
        plan.product_id.taxes_id = product_taxes(quiet)
        members = quiet["membership.member"].create(
            [dict(vals, plan_id=plan.id, join_date=start) for vals in contacts(n, code)]
        )
        vals = {
            "name": f"Bench {code}",
            "plan_ids": [Command.set(plan.ids)],
            "period_date": start,
            "invoice_date": start,
            "post_invoices": post,
        }
        if batch_size:
            vals["batch_size"] = batch_size
        run_id = env["membership.dues.run"].create(vals).id
        member_ids = members.ids
    with environment(registry) as env:
        run = env["membership.dues.run"].browse(run_id)
        batch = run.batch_size
        with Measure() as measured:
            run.action_start()
            for __ in range(n // batch + 10):  # one call normally does it all
                env["membership.dues.run"]._cron_process_runs()
                run.invalidate_recordset()
                if run.state != "running":
                    break
            env.cr.commit()
        if run.state != "done" or run.billed_count != n:
            raise BenchError(
                f"run {code}: state {run.state}, {run.billed_count} billed, "
                f"{run.skipped_count} skipped, {run.error_count} errors of {n} "
                f"({run.failure_message or 'no failure message'})"
            )
        state = "posted" if post else "draft"
        invoiced = env["account.move"].search_count(
            [
                ("membership_dues_ids.member_id", "in", member_ids),
                ("state", "=", state),
            ]
        )
        if invoiced != n:
            raise BenchError(f"run {code}: {invoiced} {state} invoices for {n} members")
        check_taxes(env, [("membership_dues_ids.member_id", "in", member_ids)], code)
    return {
        "side": "ours",
        "label": "dues run" if post else "dues run, draft invoices",
        "posted": post,
        "batch": batch,
        "members": n,
        "seconds": measured.seconds,
        "queries": measured.queries,
    }


def measure_ours(registry, n):
    with environment(registry) as env:
        ensure_chart(env)
    bill_ours(registry, min(n, WARMUP_N), "WARM", batch_size=WARMUP_N // 2)
    rows = [bill_ours(registry, n, "DEFAULT")]
    rows += [
        bill_ours(registry, n, f"B{size}", batch_size=size) for size in BATCH_SIZES
    ]
    rows[0]["label"] = "dues run (default batch size)"
    rows.append(bill_ours(registry, n, "DRAFT", post=False))
    return rows


def bill_peer(registry, n, prefix):
    """Invoice n new contacts with the peer's wizard, then post the invoices."""
    start, end = period()
    with environment(registry) as env:
        quiet = env(context={"tracking_disable": True})
        product = quiet["product.product"].search(
            [("default_code", "=", "BENCH-MEMBERSHIP")], limit=1
        ) or quiet["product.product"].create(
            {
                "name": "Bench Membership",
                "default_code": "BENCH-MEMBERSHIP",
                "type": "service",
                "membership": True,
                "membership_date_from": start,
                "membership_date_to": end,
                "list_price": FEE,
            }
        )
        product.taxes_id = product_taxes(quiet)
        partner_ids = quiet["res.partner"].create(contacts(n, prefix)).ids
        product_id = product.id
    with environment(registry) as env:
        with Measure() as wizard_measured:
            wizard = (
                env["membership.invoice"]
                .with_context(active_ids=partner_ids, active_model="res.partner")
                .create({"product_id": product_id, "member_price": FEE})
            )
            action = wizard.membership_invoice()
            env.flush_all()
            env.cr.commit()
        invoices = env["account.move"].search(action["domain"])
        lines = env["membership.membership_line"].search_count(
            [("partner_id", "in", partner_ids)]
        )
        if len(invoices) != n or lines != n:
            raise BenchError(
                f"peer wizard: {len(invoices)} invoices, {lines} membership lines "
                f"for {n} partners"
            )
        check_taxes(env, action["domain"], "peer")
        invoice_ids = invoices.ids
    with environment(registry) as env:
        invoices = env["account.move"].browse(invoice_ids)
        with Measure() as post_measured:
            invoices.action_post()
            env.flush_all()
            env.cr.commit()
        if set(invoices.mapped("state")) != {"posted"}:
            raise BenchError("peer: the invoices were not all posted")
    row = {"side": "peer", "batch": None, "members": n}
    return [
        dict(
            row,
            label="membership.invoice wizard (draft)",
            seconds=wizard_measured.seconds,
            queries=wizard_measured.queries,
        ),
        dict(
            row,
            label="wizard + action_post",
            seconds=wizard_measured.seconds + post_measured.seconds,
            queries=wizard_measured.queries + post_measured.queries,
        ),
    ]


def measure_peer(registry, n):
    with environment(registry) as env:
        ensure_chart(env)
    bill_peer(registry, min(n, WARMUP_N), "WARM")
    return bill_peer(registry, n, "PEER")


def child(side, dbname, n, _number=1):
    registry = open_registry(dbname, addons_path(side))
    rows = (measure_ours if side == "ours" else measure_peer)(registry, n)
    print(RESULT_MARK + json.dumps(rows), flush=True)


# ---------------------------------------------------------------------------


def main(argv=None):
    return run_main(__doc__, ["ours", "peer"], child, orchestrate, argv)


if __name__ == "__main__":
    sys.exit(main())
