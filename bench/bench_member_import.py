#!/usr/bin/env python3
"""Benchmark: import a member list, beside Odoo's own importer of contacts.

Run it with ``make bench`` / ``python3 dev/runner.py bench``: the runner sets
the PG* variables and MM_ODOO_ARGS, MM_ADDONS_PATH and MM_REPO.

What is measured
  ours   a CSV list of N rows with Japanese headers (name, reading, e-mail,
         phone, postal code, prefecture, address, plan, join date, paid
         through), read and checked by ``membership.member.import`` (the dry
         run), then imported (members, carried-over coverage, history), as
         *Check File* and *Import* do.
  peer   the same rows (name, e-mail, phone, postal code, address) loaded into
         ``res.partner`` by Odoo's own importer (``base_import.import``, the
         *Import records* screen's ``execute_import``) in one run, once
         before ours and once after: the machine's speed drifts, the mean of
         the two is compared.

Target: the import of members (check and import together) at least half the
speed of the stock contact import, in rows per second. Beside it, the same
ratio by the Odoo process's CPU time, which a busy machine disturbs less.

Environment
  MM_BENCH_IMPORT_N   rows (default 20000)
  MM_BENCH_PROFILE    1 profiles the check and the import (.var/bench-*.prof)

The output is a table ending with a ``SUMMARY:`` line; the exit code is 0 when
both sides imported all N rows.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import json
import os
import sys
import time
from datetime import date

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
    run_side,
    say,
)
from _common import main as run_main

DB = "mm_bench_import"
MODULES = "membership_management,base_import"
DEFAULT_N = 20000
TARGET_RATIO = 0.5
HEADERS = [
    "氏名",
    "フリガナ",
    "メール",
    "携帯",
    "郵便番号",
    "都道府県",
    "住所",
    "会員種別",
    "入会日",
    "有効期限",
]


def rows(n):
    year = date.today().year
    for i in range(n):
        yield [
            f"会員 {i}",
            "かいいん",
            f"member{i}@bench.example",
            f"090-{i // 10000:04d}-{i % 10000:04d}",
            f"〒100-{i % 10000:04d}",
            "東京都",
            f"千代田区{i}",
            "BENCH",
            f"{year - 1}/4/1",
            f"{year + 1}/3/31",
        ]


def csv_data(n):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows(n))
    return buffer.getvalue().encode("utf-8")


def orchestrate():
    try:
        n = int(os.environ.get("MM_BENCH_IMPORT_N") or DEFAULT_N)
    except ValueError:
        n = 0
    if n < 1:
        raise BenchError("MM_BENCH_IMPORT_N must be a whole number, at least 1")
    started = time.perf_counter()
    try:
        drop_database(DB)
        create_database(DB, MODULES, base_addons_path())
        say(f"[bench] importing {n} rows, ours then Odoo's contact import")
        result = run_side(__file__, "ours", DB, n)
    finally:
        with contextlib.suppress(Exception):
            drop_database(DB)
    say(f"[done] dropped {DB}; total {time.perf_counter() - started:.0f}s")
    print_report(n, result)


def print_report(n, result):
    header = (
        f"{'side':<5} {'step':<34} {'rows':>7} {'seconds':>8} {'rows/s':>8} "
        f"{'Odoo CPU s':>10} {'queries':>9} {'queries/row':>12}"
    )
    say()
    say(f"Member import benchmark, N={n} rows")
    say()
    say(header)
    say("-" * len(header))
    for row in result:
        rate = row["rows"] / row["seconds"] if row["seconds"] else float("inf")
        say(
            f"{row['side']:<5} {row['label']:<34} {row['rows']:>7} "
            f"{row['seconds']:>8.2f} {rate:>8.1f} {row['cpu']:>10.2f} "
            f"{row['queries']:>9} {row['queries'] / row['rows']:>12.2f}"
        )
    peers = [r for r in result if r["side"] == "peer"]
    ours = sum(r["seconds"] for r in result if r["side"] == "ours")
    peer = sum(r["seconds"] for r in peers) / len(peers)
    ratio = (n / ours) / (n / peer) if ours and peer else 0.0
    ours_cpu = sum(r["cpu"] for r in result if r["side"] == "ours")
    peer_cpu = sum(r["cpu"] for r in peers) / len(peers)
    cpu_ratio = peer_cpu / ours_cpu if ours_cpu else 0.0
    verdict = "met" if ratio >= TARGET_RATIO else "MISSED"
    say()
    say(
        f"SUMMARY: N={n}; ours (check + import) {n / ours:.1f} rows/s, Odoo's contact "
        f"import {n / peer:.1f} rows/s (mean of before and after); ratio {ratio:.2f} "
        f"(target >= {TARGET_RATIO}: {verdict}); by Odoo's CPU time {cpu_ratio:.2f}"
    )


def measure(registry, n):
    data = csv_data(n)
    out = [peer_import(registry, n, "before")]
    with environment(registry) as env:
        ensure_chart(env)
        env["membership.plan"].create(
            {
                "name": "Bench Import",
                "code": "BENCH",
                "fee": 100.0,
                "period_type": "fixed",
                "fixed_start_month": 4,
                "fixed_start_day": 1,
            }
        )
        import_id = (
            env["membership.member.import"]
            .create({"file": base64.b64encode(data), "file_name": "bench.csv"})
            .id
        )
    with environment(registry) as env:
        record = env["membership.member.import"].browse(import_id)
        with Measure(profile="import-check") as checked:
            record.action_dry_run()
            env.cr.commit()
        if record.create_count != n:
            raise BenchError(f"check: {record.create_count} rows to create of {n}")
    out.append(dict(side="ours", label="check (dry run)", rows=n, **vars_of(checked)))
    with environment(registry) as env:
        record = env["membership.member.import"].browse(import_id)
        with Measure(profile="import-write") as imported:
            record.action_import()
            while record.state == "running":
                record._run_batches()
            env.cr.commit()
        if record.done_count != n:
            raise BenchError(f"import: {record.done_count} rows imported of {n}")
    out.append(dict(side="ours", label="import", rows=n, **vars_of(imported)))
    out.append(peer_import(registry, n, "after"))
    return out


def peer_import(registry, n, when):
    """The same rows as contacts, with Odoo's own importer (run before and
    after ours: the machine's speed drifts, the mean of the two is compared)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["name", "email", "phone", "zip", "street"])
    for row in rows(n):
        writer.writerow([f"Contact {row[0]}", when + row[2], row[3], row[4], row[6]])
    with environment(registry) as env:
        wizard = env["base_import.import"].create(
            {
                "res_model": "res.partner",
                "file": buffer.getvalue().encode(),
                "file_name": "contacts.csv",
                "file_type": "text/csv",
            }
        )
        options = {"has_headers": True, "quoting": '"', "separator": ",", "limit": n}
        with Measure() as peer:
            result = wizard.execute_import(
                ["name", "email", "phone", "zip", "street"],
                ["name", "email", "phone", "zip", "street"],
                options,
            )
            env.cr.commit()
        if result.get("messages") or len(result.get("ids") or []) != n:
            raise BenchError(f"Odoo's import: {result.get('messages')}")
    label = f"Odoo import of res.partner ({when})"
    return dict(side="peer", label=label, rows=n, **vars_of(peer))


def vars_of(measured):
    return {
        "seconds": measured.seconds,
        "cpu": measured.cpu,
        "queries": measured.queries,
    }


def child(side, dbname, n, _number=1):
    registry = open_registry(dbname, base_addons_path())
    print(RESULT_MARK + json.dumps(measure(registry, n)), flush=True)


def main(argv=None):
    return run_main(__doc__, ["ours"], child, orchestrate, argv)


if __name__ == "__main__":
    sys.exit(main())
