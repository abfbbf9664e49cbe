#!/usr/bin/env python3
# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Benchmark: the member portal on a read replica (``--db_replica_host``).

Run it with ``make bench BENCH=replica``.

A real streaming replica of the runner's cluster is made on loopback
(``pg_basebackup -R`` into ``.var/replica``, a second PostgreSQL on a free
port, logging every statement), Odoo is started as a server with
``--db_replica_host``/``--db_replica_port``, and N members with dues sign in
to the portal and load its read pages (overview, dues, events, news, visits,
surveys, card). Reported: the pages loaded, the queries Odoo counted for them
(its request log) and the statements the replica ran in that time (its own
log), and how many pages fell back to the primary (a read page that writes).

Environment
  MM_BENCH_REPLICA_N   members signing in (default 20)

The output ends with a ``SUMMARY:`` line; the exit code is 0 when it ran.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _common import (
    RESULT_MARK,
    VAR,
    BenchError,
    base_addons_path,
    create_database,
    drop_database,
    ensure_chart,
    environment,
    free_port,
    logged_requests,
    open_registry,
    read_setting,
    run_side,
    say,
    serve,
    signed_in,
)
from _common import main as run_main

DB = "mm_bench_replica"
MODULE = "membership_management"
DEFAULT_N = 20
PAGES = (
    "/my/membership",
    "/my/membership/dues",
    "/my/membership/events",
    "/my/membership/news",
    "/my/membership/visits",
    "/my/membership/surveys",
    "/my/membership/card.png",
)
TARGET_REPLICA_SHARE = 0.5


def pg_bin():
    """The server programs: Debian's newest, else those on PATH."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"))
    if versions:
        return versions[-1].parent
    found = shutil.which("pg_basebackup")
    if not found:
        raise BenchError("pg_basebackup not found: install PostgreSQL's server")
    return Path(found).parent


def as_server_user(cmd):
    """PostgreSQL refuses to run as root: the cluster's owner runs it."""
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


def run_checked(cmd, **kwargs):
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)
    if proc.returncode:
        raise BenchError(f"{cmd[0]} {' '.join(cmd[1:4])}...: {proc.stderr[-2000:]}")
    return proc


class Replica:
    def __init__(self):
        self.data = VAR / "replica"
        self.port = free_port()
        self.log = self.data / "replica.log"

    def start(self):
        shutil.rmtree(self.data, ignore_errors=True)
        self.data.mkdir(mode=0o700, parents=True)
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.data, user.pw_uid, user.pw_gid)
        binaries = pg_bin()
        env = {**os.environ}
        run_checked(
            as_server_user(
                [
                    str(binaries / "pg_basebackup"),
                    "-h", env.get("PGHOST", "127.0.0.1"),
                    "-p", env.get("PGPORT", "5432"),
                    "-U", env.get("PGUSER", "odoo"),
                    "-D", str(self.data),
                    "-R", "-X", "stream", "-c", "fast",
                ]
            ),
            env=env,
        )  # fmt: skip
        settings = [
            f"port = {self.port}",
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = ''",
            "hot_standby = on",
            "log_statement = 'all'",
            "logging_collector = off",
        ]
        conf = self.data / "postgresql.auto.conf"
        with conf.open("a") as handle:
            handle.write("\n".join(settings) + "\n")
        run_checked(
            as_server_user(
                [
                    str(binaries / "pg_ctl"), "-D", str(self.data), "-l",
                    str(self.log), "-w", "-t", "120", "start",
                ]
            ),
        )  # fmt: skip
        say(f"[replica] streaming replica on 127.0.0.1:{self.port}")

    def statements(self):
        if not self.log.exists():
            return 0
        return self.log.read_text(errors="replace").count("LOG:  statement:")

    def stop(self):
        with contextlib.suppress(Exception):
            subprocess.run(
                as_server_user(
                    [str(pg_bin() / "pg_ctl"), "-D", str(self.data), "-m", "fast",
                     "-w", "stop"]
                ),
                check=False, capture_output=True,
            )  # fmt: skip
        shutil.rmtree(self.data, ignore_errors=True)


def load_pages(port, logins):
    loaded = 0
    for login in logins:
        session = signed_in(port, login)
        for path in PAGES:
            response = session.get(f"http://127.0.0.1:{port}{path}", timeout=60)
            if response.status_code != 200:
                raise BenchError(f"{path} for {login}: HTTP {response.status_code}")
            loaded += 1
    return loaded


def transactions(port=None):
    """Transactions the bench database ran on a server (its statistics,
    complete once the connections that ran them are closed)."""
    import psycopg2  # noqa: PLC0415

    params = {"dbname": "postgres"}
    if port:
        params.update(host="127.0.0.1", port=port)
    conn = psycopg2.connect(**params)
    try:
        with conn.cursor() as cr:
            cr.execute(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database "
                "WHERE datname = %s",
                [DB],
            )
            row = cr.fetchone()
    finally:
        conn.close()
    return row[0] if row else 0


def serve_with_replica(replica, log, work):
    """Run Odoo using ``replica`` for read-only routes while ``work(port)``
    runs."""
    return serve(
        DB,
        log,
        work,
        [
            "--db_replica_host=127.0.0.1",
            f"--db_replica_port={replica.port}",
        ],
    )


def orchestrate():
    n = read_setting("MM_BENCH_REPLICA_N", DEFAULT_N)
    VAR.mkdir(exist_ok=True)
    replica = Replica()
    odoo_log = VAR / "bench.replica-odoo.log"
    try:
        drop_database(DB)
        create_database(DB, MODULE, base_addons_path())
        say(f"[setup] {n} members with dues and portal accounts (ORM)")
        logins = run_side(__file__, "populate", DB, n)
        replica.start()
        odoo_log.unlink(missing_ok=True)
        # a first run fills the assets and the caches of the database
        serve_with_replica(replica, odoo_log, lambda port: load_pages(port, logins[:1]))
        before = (transactions(), transactions(replica.port), replica.statements())
        log_start = odoo_log.stat().st_size
        started = time.perf_counter()
        loaded = serve_with_replica(
            replica, odoo_log, lambda port: load_pages(port, logins)
        )
        seconds = time.perf_counter() - started
        primary = transactions() - before[0]
        standby = transactions(replica.port) - before[1]
        statements = replica.statements() - before[2]
        with odoo_log.open(errors="replace") as handle:
            handle.seek(log_start)
            new_log = handle.read()
        counted = sum(
            queries
            for path, status, queries, __ in logged_requests(new_log)
            if path.startswith("/my/membership") and status == 200
        )
        fallbacks = new_log.count("retrying with a read/write cursor")
    finally:
        replica.stop()
        with contextlib.suppress(Exception):
            drop_database(DB)
    share = standby / (primary + standby) if primary + standby else 0.0
    say()
    say(f"Replica benchmark: {len(logins)} members, {loaded} read pages")
    say(f"  seconds (server start, sign-ins and pages) {seconds:8.1f}")
    say(f"  queries of the read pages (Odoo's count)   {counted:8d}")
    say(f"  statements run by the replica               {statements:8d}")
    say(f"  transactions on the primary                 {primary:8d}")
    say(
        f"  transactions on the replica                 {standby:8d}"
        f"  ({share:.0%}; target {TARGET_REPLICA_SHARE:.0%})"
    )
    say(f"  read pages that fell back to the primary    {fallbacks:8d}  (target 0)")
    say(
        "  (the primary also ran the server start, each sign-in and the session writes)"
    )
    ok = fallbacks == 0 and share >= TARGET_REPLICA_SHARE
    verdict = (
        "all targets met"
        if ok
        else f"MISS: replica share {share:.0%}, fallbacks {fallbacks}"
    )
    say(f"SUMMARY: N={len(logins)}, {verdict}")


def populate(env, n):
    """``n`` members with two paid years of dues (a valid card), each with a
    portal login (its password is the login)."""
    from datetime import timedelta  # noqa: PLC0415

    from odoo import fields  # noqa: PLC0415

    ensure_chart(env)
    plan = env["membership.plan"].create(
        {
            "name": "Replica Plan",
            "code": "R-PLAN",
            "fee": 50.0,
            "period_type": "rolling",
        }
    )
    env["membership.news"].create(
        {"name": "Assembly", "body": "<p>See you there</p>", "is_published": True}
    )
    today = fields.Date.context_today(env["membership.member"])
    portal = env.ref("base.group_portal")
    logins = []
    for i in range(n):
        login = f"replica{i}"
        member = env["membership.member"].create(
            {
                "name": f"Replica Member {i}",
                "email": f"{login}@bench.example",
                "plan_id": plan.id,
                "join_date": today - timedelta(days=400),
            }
        )
        for day in (today - timedelta(days=400), today - timedelta(days=30)):
            moves = member._create_period_dues(day).move_id
            env["account.payment.register"].with_context(
                active_model="account.move", active_ids=moves.ids
            ).create({"payment_date": day})._create_payments()
        env["res.users"].create(
            {
                "login": login,
                "password": login,
                "partner_id": member.partner_id.id,
                "group_ids": [(6, 0, portal.ids)],
            }
        )
        logins.append(login)
    return logins


def child(side, dbname, n, _number):
    import json  # noqa: PLC0415

    registry = open_registry(dbname, base_addons_path())
    with environment(registry) as env:
        logins = populate(env, n)
        env.cr.commit()
    print(RESULT_MARK + json.dumps(logins), flush=True)


if __name__ == "__main__":
    sys.exit(run_main(__doc__, ["populate"], child, orchestrate))
