# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""What every benchmark scenario shares (not a scenario: its name starts with _).

The scenario scripts import it as ``_common`` (their own folder is on
``sys.path`` when they run as scripts): database setup through Odoo's CLI, the
child process per measured side, the registry and environments of a child,
and :class:`Measure`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

RESULT_MARK = "BENCH_RESULT "
REPO = Path(os.environ.get("MM_REPO") or Path(__file__).resolve().parent.parent)
VAR = REPO / ".var"


class BenchError(Exception):
    """A failure reported in one line, without a traceback."""


def say(message=""):
    print(message, flush=True)


def read_setting(name, default, minimum=1):
    """The whole number in the environment variable ``name`` (``default``
    when unset), at least ``minimum``."""
    try:
        value = int(os.environ.get(name) or default)
    except ValueError:
        value = 0
    if value < minimum:
        raise BenchError(f"{name} must be a whole number, at least {minimum}")
    return value


def base_addons_path():
    path = os.environ.get("MM_ADDONS_PATH")
    if not path:
        raise BenchError("MM_ADDONS_PATH is not set: run `python3 dev/runner.py bench`")
    return path


def odoo_args(addons_path):
    """MM_ODOO_ARGS with the addons path replaced by ``addons_path``."""
    args = shlex.split(os.environ.get("MM_ODOO_ARGS", ""))
    args = [a for a in args if not a.startswith("--addons-path")]
    return [*args, f"--addons-path={addons_path}"]


def data_dir():
    for arg in shlex.split(os.environ.get("MM_ODOO_ARGS", "")):
        if arg.startswith("--data-dir="):
            return Path(arg.split("=", 1)[1])
    return None


def drop_database(dbname):
    """Drop dbname (closing its connections) and its filestore."""
    import psycopg2  # noqa: PLC0415  (Odoo's dependency; PG* come from the env)

    conn = psycopg2.connect(dbname="postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cr:
            cr.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    finally:
        conn.close()
    if data_dir():
        shutil.rmtree(data_dir() / "filestore" / dbname, ignore_errors=True)


def create_database(dbname, module, addons_path):
    """Create dbname with module installed (no demo data), via Odoo's CLI."""
    log_path = VAR / f"bench.{dbname}.log"
    cmd = [sys.executable, "-m", "odoo", *odoo_args(addons_path)]
    cmd += ["-d", dbname, "-i", module, "--stop-after-init", "--no-http"]
    cmd += ["--log-level=warn", f"--logfile={log_path}"]
    say(f"[setup] installing {module} into {dbname} (log: {log_path})")
    start = time.perf_counter()
    # stray prints (docutils rendering descriptions...) are only shown on failure
    proc = subprocess.run(
        cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )
    if proc.returncode:
        tail = log_path.read_text(errors="replace")[-3000:] if log_path.exists() else ""
        output = (proc.stdout + proc.stderr)[-3000:]
        raise BenchError(
            f"installing {module} failed (exit {proc.returncode}):\n{output}{tail}"
        )
    say(f"[setup] {dbname} ready in {time.perf_counter() - start:.0f}s")


def run_side(script, side, dbname, n, number=None):
    """Run ``script`` as ``--side`` in a child process; return its rows.

    ``number`` (a round of a repeated measurement) is passed as ``--round``."""
    cmd = [sys.executable, script, "--side", side, "--db", dbname, "--n", str(n)]
    if number is not None:
        cmd += ["--round", str(number)]
    proc = subprocess.run(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True, check=False
    )
    rows = None
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            rows = json.loads(line[len(RESULT_MARK) :])
        else:
            say(line)
    if proc.returncode or rows is None:
        raise BenchError(f"the {side} measurement failed (exit {proc.returncode})")
    return rows


def per_second(row):
    return row["members"] / row["seconds"] if row["seconds"] else float("inf")


def per_member(row):
    return row["queries"] / row["members"]


def open_registry(dbname, addons_path):
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    args = [*odoo_args(addons_path), "-d", dbname, "--no-http", "--log-level=warn"]
    odoo.tools.config.parse_config(args, setup_logging=True)
    return Registry(dbname)


@contextlib.contextmanager
def environment(registry):
    """A superuser environment on a fresh cursor, committed on success."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})


def ensure_chart(env):
    """Load the generic chart of accounts when the company has no journals."""
    company = env.company
    if not env["account.journal"].search_count(
        [("company_id", "=", company.id), ("type", "=", "sale")]
    ):
        env["account.chart.template"].try_loading(
            "generic_coa", company, install_demo=False
        )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=1),
        ):
            return
        time.sleep(0.5)
    raise BenchError(f"Odoo did not listen on {port}")


def serve(dbname, log, work, extra_args=()):
    """Run Odoo as an HTTP server on ``dbname`` (loopback, no cron, its log
    at info level in ``log``) while ``work(port)`` runs; stopped (its
    connections closed) afterwards. Returns what ``work`` returns."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "odoo", *odoo_args(base_addons_path()),
        "-d", dbname, f"--db-filter=^{dbname}$", "--http-interface=127.0.0.1",
        f"--http-port={port}", "--max-cron-threads=0", *extra_args,
        "--log-level=info", f"--logfile={log}",
    ]  # fmt: skip
    server = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        return work(port)
    finally:
        server.terminate()
        with contextlib.suppress(Exception):
            server.wait(timeout=30)
        time.sleep(2)  # the servers' statistics of the closed connections


def signed_in(port, login):
    """A ``requests`` session signed in as ``login`` (its password is the
    login) on the server at ``port``."""
    import requests  # noqa: PLC0415

    session = requests.Session()
    base = f"http://127.0.0.1:{port}"
    page = session.get(f"{base}/web/login", timeout=60).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    session.post(
        f"{base}/web/login",
        data={"login": login, "password": login, "csrf_token": token},
        timeout=60,
    )
    return session


# Odoo's request log: "GET /path HTTP/1.1" 200 - <queries> <query s> <other s>
REQUEST_LOG = re.compile(r'"GET (\S+) HTTP[^"]*" (\d+) - (\d+) ([\d.]+) ([\d.]+)')


def logged_requests(text):
    """``(path, status, queries, milliseconds)`` of each GET in Odoo's log."""
    return [
        (path, int(status), int(queries), (float(sql) + float(other)) * 1000)
        for path, status, queries, sql, other in REQUEST_LOG.findall(text)
    ]


class Measure:
    """Time (wall clock and this process's CPU) and count the queries of a
    block (all cursors of the process).

    With ``MM_BENCH_PROFILE=1`` a block given a ``profile`` name also runs
    under cProfile: the statistics go to ``.var/bench-<name>.prof`` and the
    30 functions with the most own time are printed (to find where a missed
    target goes)."""

    def __init__(self, profile=None):
        self.profile = profile if os.environ.get("MM_BENCH_PROFILE") == "1" else None
        self._profiler = None

    def __enter__(self):
        from odoo import sql_db  # noqa: PLC0415

        self._sql_db = sql_db
        self.queries = sql_db.sql_counter
        if self.profile:
            import cProfile  # noqa: PLC0415

            self._profiler = cProfile.Profile()
            self._profiler.enable()
        self.seconds = time.perf_counter()
        self.cpu = time.process_time()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.seconds
        # Odoo's own CPU time (not PostgreSQL's): steadier than the wall clock
        # on a shared machine
        self.cpu = time.process_time() - self.cpu
        self.queries = self._sql_db.sql_counter - self.queries
        if self._profiler:
            import pstats  # noqa: PLC0415

            self._profiler.disable()
            path = VAR / f"bench-{self.profile}.prof"
            self._profiler.dump_stats(path)
            say(f"[profile] {path}")
            pstats.Stats(self._profiler, stream=sys.stderr).sort_stats(
                "tottime"
            ).print_stats(30)


def main(doc, sides, child, orchestrate, argv=None):
    """A scenario's command line: without ``--side`` it orchestrates the
    measurements; with it, it is the child process measuring one side and
    ``child(side, dbname, n, number)`` is called. Returns the exit code."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--side", choices=sides, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--round", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so the databases are dropped on the way out
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        if args.side:
            child(args.side, args.db, args.n, args.round)
        else:
            orchestrate()
    except BenchError as exc:
        say(f"FAILED: {exc}")
        return 1
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    return 0
