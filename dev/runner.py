#!/usr/bin/env python3
"""Developer runner for the membership_management addon (Python stdlib only).

    python3 dev/runner.py run    install or update the addon, then serve it
    python3 dev/runner.py test   the addon's tests on a fresh database; the output
                                   ends with "N passed, M failed" [--lint]
                                   [--self-test] [--tags]
    python3 dev/runner.py lint   ruff check/format + pylint-odoo mandatory checks
    python3 dev/runner.py bench  run the scenarios in bench/*.py

Odoo comes from ODOO_PATH (a folder holding the ``odoo`` package) or from the
importable ``odoo`` package.  The repository is linked as ``membership_management``
into a temporary addons folder, so the checkout's own name does not matter.

PostgreSQL comes from PGHOST/PGPORT/PGUSER/PGPASSWORD when any of them is set;
otherwise the runner starts a private cluster in .var/pgdata (role ``odoo``,
trust auth, 127.0.0.1 only, port 54329 or MM_PGPORT) and stops it again when the
last runner using it is done.  As root, the ``postgres`` OS user runs it; when
that user cannot enter .var (the checkout is in a private folder such as
/root), the cluster's data and socket folders go to
/var/lib/membership_management-<hash of the checkout's path>/ (/var/tmp/... if
/var/lib cannot be written) instead, while its locks and marks stay in .var.

Other variables: MM_DB and MM_HTTP_PORT (``run``), MEMBERSHIP_ADDON_SRC (link
another addon folder instead of this repository; for the runner's own tests).
``test --self-test`` also runs the runner's own tests, dev/test_runner.py
(``python3 -m unittest dev/test_runner.py`` runs them alone).

Bench scenarios are the files bench/*.py (not starting with ``_``).  Each runs
as a script from the repository root with the PG* variables set and with
MM_ODOO_ARGS (shell-quoted Odoo options: addons path, data dir, database
connection), MM_ADDONS_PATH and MM_REPO; a non-zero exit marks it failed.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import importlib.util
import locale
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest
from dataclasses import dataclass, field
from pathlib import Path

TEST_MODULES = "payment_demo"
# `make run` installs Odoo's demo payment provider too, so that the demo can be
# paid online and save a card (it never reaches a real provider)
DEMO_MODULES = "payment_demo"
ADDON = "membership_management"
# the migration from Odoo's membership app is tested in a database of its own,
# with OCA's membership (and its variable periods) installed with their demo
# data: the wheels go to .var/oca, never into the addon's requirements
LEGACY_TAG = "legacy_migration"
LEGACY_MODULES = "membership,membership_variable_period"
LEGACY_REQUIREMENTS = (
    "odoo-addon-membership==19.0.*",
    "odoo-addon-membership_variable_period==19.0.*",
)
REPO = Path(__file__).resolve().parent.parent
VAR = REPO / ".var"
# the private cluster: see ClusterPaths (its folders may live outside VAR).
# Where it goes when the server user cannot reach VAR: /var/lib first, as
# systemd-tmpfiles deletes files unused for 30 days in /var/tmp (a cluster left
# stopped for a month would lose some of its files).
PG_ELSEWHERE = ("/var/lib", "/var/tmp", "/tmp")
ODOO_DATA = VAR / "odoo-data"  # Odoo's --data-dir (filestore, sessions)
TEST_LOG = VAR / "test.log"
LEGACY_TEST_LOG = VAR / "test-legacy.log"
OCA_DIR = VAR / "oca"
OCA_ADDONS = OCA_DIR / "odoo" / "addons"  # the wheels' namespace layout
SELF_TESTS = Path(__file__).resolve().with_name("test_runner.py")
# not part of the addon: left out of pylint's copy
LINT_SKIP = (
    ".git",
    ".var",
    ".ci",
    "dev",
    "bench",
    "node_modules",
    "__pycache__",
    ".ruff_cache",
)

PG_ENV_OPTIONS = {
    "PGHOST": "--db_host",
    "PGPORT": "--db_port",
    "PGUSER": "--db_user",
    "PGPASSWORD": "--db_password",
}
PG_ROLE = "odoo"  # Odoo refuses to connect as "postgres"
PG_OS_USER = "postgres"  # runs the private cluster when the runner is root
DEFAULT_PG_PORT = 54329

ODOO_MISSING = """\
Odoo 19 was not found. Either
  - set ODOO_PATH to the folder that contains the 'odoo' package
    (e.g. ODOO_PATH=/opt/odoo19), or
  - make `python3 -c "import odoo"` work, e.g. with a .pth file in
    site-packages that names that folder."""


class RunnerError(Exception):
    """A problem the user can fix: printed without a traceback."""

    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def say(message=""):
    """Print and flush, so our lines interleave well with Odoo's output."""
    print(message, flush=True)  # pylint: disable=print-used


def free_port():
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port):
    """Tell whether nothing listens on 127.0.0.1:port."""
    with socket.socket() as sock:
        # like PostgreSQL itself: connections in TIME_WAIT do not block the port
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def stop_process(proc, grace=30):
    """Stop a child: let it react to Ctrl-C, then SIGINT, then SIGKILL."""
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(10)  # from a terminal, Ctrl-C reached the child as well
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def shown(cmd):
    """Shell form of cmd for display, with the database password masked."""
    masked = [
        "--db_password=***" if arg.startswith("--db_password=") else arg for arg in cmd
    ]
    return shlex.join(masked)


def python_tool(module, *plugins):
    """Command running ``python -m module`` if it and plugins are importable."""
    if all(importlib.util.find_spec(name) for name in (module, *plugins)):
        return [sys.executable, "-m", module]
    return None


# ---------------------------------------------------------------------------
# Odoo and the addon link
# ---------------------------------------------------------------------------


def find_odoo():
    """Return (root, addons paths): root is the folder holding ``odoo``."""
    env_path = os.environ.get("ODOO_PATH")
    if env_path:
        root = Path(env_path).expanduser().resolve()
        if not (root / "odoo").is_dir():
            raise RunnerError(
                f"ODOO_PATH={env_path} has no 'odoo' folder.\n" + ODOO_MISSING, 2
            )
    else:
        try:
            spec = importlib.util.find_spec("odoo")
        except (ImportError, ValueError):
            spec = None
        locations = list(spec.submodule_search_locations or []) if spec else []
        if not locations:
            raise RunnerError(ODOO_MISSING, 2)
        root = Path(locations[0]).resolve().parent
    addons = [p for p in (root / "addons", root / "odoo" / "addons") if p.is_dir()]
    return root, addons


def addon_source():
    """The addon folder: this repository, or MEMBERSHIP_ADDON_SRC."""
    source = Path(os.environ.get("MEMBERSHIP_ADDON_SRC") or REPO).resolve()
    if not source.is_dir():
        raise RunnerError(f"Addon folder not found: {source}", 2)
    return source


@contextlib.contextmanager
def linked_addon():
    """Yield a temporary folder with a ``membership_management`` symlink."""
    source = addon_source()
    tmp = Path(tempfile.mkdtemp(prefix="mm-addons-"))
    link = tmp / ADDON
    link.symlink_to(source, target_is_directory=True)
    try:
        yield tmp
    finally:
        with contextlib.suppress(OSError):
            link.unlink()
            tmp.rmdir()


# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------


def _version_key(name):
    return [int(part) for part in re.findall(r"\d+", name)] or [0]


def pg_bindir():
    """Folder holding initdb and pg_ctl: PATH first, then the newest Debian one."""
    candidates = []
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).parent)
    candidates += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: _version_key(p.parent.name),
        reverse=True,
    )
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise RunnerError(
        "PostgreSQL server programs (initdb, pg_ctl) were not found: install "
        "PostgreSQL (apt-get install postgresql), or set PGHOST/PGPORT/PGUSER/"
        "PGPASSWORD to use a running server.",
        2,
    )


def quote_ident(name):
    """SQL identifier literal."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value):
    """SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def server_user():
    """The OS user (a pwd entry) that runs the private cluster; None: ourselves.

    PostgreSQL refuses to run as root, so a root runner uses PG_OS_USER."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(PG_OS_USER)
    except KeyError as exc:
        raise RunnerError(
            f"Running as root needs the '{PG_OS_USER}' OS user to own the "
            "private cluster (install postgresql), or set PG* variables.",
            2,
        ) from exc


def blocking_folder(path, user):
    """The first folder on the way to path that user cannot enter, else None.

    Reads the search (x) bit that applies to user (owner, group or others) of
    every folder from / down to path; folders not made yet are not checked (the
    runner makes them).  ACLs are not read.  None for ourselves or root."""
    if user is None or user.pw_uid == 0:
        return None
    gids = set(os.getgrouplist(user.pw_name, user.pw_gid))
    path = Path(path).resolve()
    for folder in [*reversed(path.parents), path]:
        try:
            info = folder.stat()
        except FileNotFoundError:
            return None
        except OSError:
            return folder
        if info.st_uid == user.pw_uid:
            bit = stat.S_IXUSR
        elif info.st_gid in gids:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not stat.S_ISDIR(info.st_mode) or not info.st_mode & bit:
            return folder
    return None


@dataclass(frozen=True)
class ClusterPaths:
    """Where a checkout's private cluster keeps its files.

    The locks and marks are always in the checkout's .var (``var``), so runners
    of one checkout share them; ``data`` and ``run`` (socket, server log) are in
    .var too unless the server user cannot reach it: then they are in ``base``,
    a folder named after the checkout's path (see cluster_paths)."""

    var: Path
    data: Path
    run: Path
    base: Path | None = None  # the folder outside .var, when used
    note: str = ""  # why the cluster is not in .var

    @property
    def start_lock(self):
        """Held while one runner inits, starts or stops the cluster."""
        return self.var / "pg-start.lock"

    @property
    def users_lock(self):
        """Held shared by every runner using the cluster."""
        return self.var / "pg-users.lock"

    @property
    def started_mark(self):
        """Present while the running server is one a runner started."""
        return self.var / "pg.started-by-runner"

    @property
    def owner_mark(self):
        """Names the cluster outside .var that this .var made (see is_ours)."""
        return self.var / "pg.cluster-dir"

    def is_ours(self):
        """Tell whether the cluster in data belongs to this .var.

        A cluster outside .var outlives a deleted .var (and its Odoo filestore),
        so it is only reused while .var still names it."""
        if self.base is None:
            return True
        try:
            return self.owner_mark.read_text().strip() == str(self.data)
        except FileNotFoundError:
            return False

    def make_base(self):
        """Create base (root's, mode 0755) in a shared folder; refuse a stranger's."""
        if self.base is None:
            return
        with contextlib.suppress(FileExistsError):
            self.base.mkdir()
        info = self.base.lstat()
        if (
            not stat.S_ISDIR(info.st_mode)
            or info.st_uid != os.geteuid()
            or info.st_mode & 0o022
        ):
            raise RunnerError(
                f"{self.base} is not a folder that only this user can write (it "
                "holds the private PostgreSQL cluster of a checkout in a private "
                "folder): remove it and run again.",
                2,
            )
        os.chmod(self.base, 0o755)  # whatever the umask: the server user enters it
        readme = self.base / "checkout"
        if not readme.exists():
            readme.write_text(f"private PostgreSQL cluster of {self.var.parent}\n")


def cluster_paths(var, user, elsewhere=PG_ELSEWHERE):
    """Choose where the private cluster run by user (None: ourselves) lives.

    In var (the checkout's .var) when user can enter it, as before.  Otherwise
    in <folder>/membership_management-<sha1 of the checkout's path>, in the
    first of the elsewhere folders that user can reach: each checkout gets its
    own cluster, and the same one on every run."""
    var = Path(var).resolve()
    blocked = blocking_folder(var, user)
    if blocked is None:
        return ClusterPaths(var, var / "pgdata", var / "pgrun")
    digest = hashlib.sha1(str(var.parent).encode()).hexdigest()[:12]
    mode = stat.filemode(blocked.stat().st_mode) if blocked.exists() else "?"
    for folder in dict.fromkeys(Path(name) for name in elsewhere):
        reachable = folder.is_dir() and blocking_folder(folder, user) is None
        if reachable and os.access(folder, os.W_OK):
            base = folder.resolve() / f"{ADDON}-{digest}"
            note = (
                f"PostgreSQL: the '{user.pw_name}' user cannot enter {blocked} "
                f"({mode}), so the private cluster lives in {base}"
            )
            return ClusterPaths(var, base / "pgdata", base / "pgrun", base, note)
    places = ", ".join(str(name) for name in elsewhere)
    raise RunnerError(
        f"The private PostgreSQL cluster runs as the '{user.pw_name}' OS user when "
        f"the runner is root, and that user cannot enter {blocked} ({mode}) on "
        f"the way to {var}, and none of {places} is both writable and open "
        f"to it. Either let it in (e.g. "
        f"`chmod o+x {blocked}`), move the checkout to a folder others can enter "
        "(e.g. /srv or /opt), or set PGHOST/PGPORT/PGUSER/PGPASSWORD to use a "
        "running server.",
        2,
    )


class Postgres:
    """Database connection: the PG* variables, or a private cluster (see
    ClusterPaths) whose locks and marks are in var, the checkout's .var."""

    def __init__(self, var=VAR):
        self.external = any(name in os.environ for name in PG_ENV_OPTIONS)
        self.var = var
        self.port = None
        self.paths = None  # ClusterPaths, once acquire() has chosen them
        self._bindir = None
        self._user = None  # pwd entry of the server's OS user; None: ourselves
        self._users = None

    # -- what clients get ---------------------------------------------------

    def odoo_args(self):
        """Odoo's database connection options."""
        if self.external:
            return [
                f"{option}={os.environ[var]}"
                for var, option in PG_ENV_OPTIONS.items()
                if os.environ.get(var)
            ]
        return ["--db_host=127.0.0.1", f"--db_port={self.port}", f"--db_user={PG_ROLE}"]

    def client_env(self, base=None):
        """Environment for libpq clients (psql, scenarios)."""
        env = dict(os.environ if base is None else base)
        if not self.external:
            for var in [var for var in env if var.startswith("PG")]:
                del env[var]
            env.update(PGHOST="127.0.0.1", PGPORT=str(self.port), PGUSER=PG_ROLE)
        return env

    def sql(self, query, dbname="postgres"):
        """Run one SQL statement with psql and return its unaligned output."""
        psql = shutil.which("psql")
        if not psql and self._bindir and (self._bindir / "psql").exists():
            psql = str(self._bindir / "psql")
        if not psql:
            raise RunnerError("psql was not found: install postgresql-client.", 2)
        cmd = [psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        proc = subprocess.run(
            [*cmd, "-d", dbname, "-c", query],
            env=self.client_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode:
            raise RunnerError(f"psql: {proc.stderr.strip() or 'failed'}")
        return proc.stdout.strip()

    def db_exists(self, dbname):
        """Tell whether the database exists."""
        query = f"SELECT 1 FROM pg_database WHERE datname = {quote_literal(dbname)}"
        return self.sql(query) == "1"

    def module_state(self, dbname):
        """State of the addon in dbname ('' when unknown there)."""
        query = f"SELECT state FROM ir_module_module WHERE name = '{ADDON}'"
        try:
            return self.sql(query, dbname)
        except RunnerError:
            return ""

    def drop_db(self, dbname):
        """Drop dbname (closing its connections) and its filestore."""
        self.sql(f"DROP DATABASE IF EXISTS {quote_ident(dbname)} WITH (FORCE)")
        shutil.rmtree(ODOO_DATA / "filestore" / dbname, ignore_errors=True)

    # -- private cluster -----------------------------------------------------

    def acquire(self):
        """Make the database reachable: start the private cluster if needed."""
        if self.external:
            say("PostgreSQL: using the server given by the PG* variables.")
            return
        self._bindir = pg_bindir()
        self.var.mkdir(exist_ok=True)
        self._user = server_user()
        # after mkdir: a umask of 077 makes .var itself private
        self.paths = paths = cluster_paths(self.var, self._user)
        if paths.note:
            say(paths.note)
        with self._start_lock():
            paths.make_base()
            if not (paths.data / "PG_VERSION").exists():
                self._initdb()
            elif not paths.is_ours():
                self._discard_stray_cluster()
                self._initdb()
            self.port = self._running_port()
            if self.port is None:
                self._start()
            else:
                say(f"PostgreSQL: reusing the private cluster on port {self.port}.")
            self._users = paths.users_lock.open("a")
            fcntl.flock(self._users, fcntl.LOCK_SH)
        self._wait_ready()

    def release(self):
        """Stop the private cluster if a runner started it and none still uses it."""
        if self._users is None:
            return
        with self._start_lock():
            try:
                # only succeeds when no other runner holds the shared lock
                fcntl.flock(self._users, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                say("PostgreSQL: another runner still uses the private cluster.")
            else:
                mark = self.paths.started_mark
                if mark.exists() and self._running_port() is not None:
                    say("PostgreSQL: stopping the private cluster.")
                    self._pg_ctl("stop", "-m", "fast", "-w", "-t", "60")
                mark.unlink(missing_ok=True)
            finally:
                self._users.close()
                self._users = None

    @contextlib.contextmanager
    def _start_lock(self):
        """Serialise starting and stopping the cluster between runners."""
        with self.paths.start_lock.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _server_cmd(self, program, *args):
        """Command for a server program, as the postgres OS user when root."""
        cmd = [str(self._bindir / program), *args]
        if self._user is not None:
            cmd = ["runuser", "-u", self._user.pw_name, "--", *cmd]
        return cmd

    def _run_server_cmd(self, program, *args, check=True, new_session=False):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        proc = subprocess.run(
            self._server_cmd(program, *args),
            cwd="/",
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            # keep the server out of our process group: Ctrl-C must not reach it
            start_new_session=new_session,
        )
        if check and proc.returncode:
            output = (proc.stdout + proc.stderr).strip()
            raise RunnerError(f"{program} {args[0] if args else ''} failed:\n{output}")
        return proc

    def _pg_ctl(self, *args, **kwargs):
        return self._run_server_cmd(
            "pg_ctl", "-D", str(self.paths.data), *args, **kwargs
        )

    def _discard_stray_cluster(self):
        """Stop and forget a cluster outside .var that this .var did not make."""
        say(
            f"PostgreSQL: {self.paths.data} is not this .var's cluster (made for "
            "an earlier .var, deleted since with its Odoo files, or its initdb did "
            "not finish): starting afresh."
        )
        if self._running_port() is not None:
            self._pg_ctl("stop", "-m", "fast", "-w", "-t", "60")
        self.paths.started_mark.unlink(missing_ok=True)

    def _initdb(self):
        data, run = self.paths.data, self.paths.run
        say(f"PostgreSQL: initialising a private cluster in {data}")
        self.paths.owner_mark.unlink(missing_ok=True)
        shutil.rmtree(data, ignore_errors=True)  # leftovers of a failed initdb
        for folder in (data, run):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self._user is not None:
            for folder in (data, run):
                os.chown(folder, self._user.pw_uid, self._user.pw_gid)
        self._run_server_cmd(
            "initdb",
            "-D",
            str(data),
            "-U",
            PG_ROLE,
            "--auth=trust",
            "--encoding=UTF8",
            f"--locale={self._locale()}",
        )
        socket_dir = str(run)
        if len(socket_dir) > 90:  # unix socket paths are limited to ~107 bytes
            socket_dir = ""  # TCP only; the runner never uses the socket
        settings = [
            "",
            "# membership_management runner: a throwaway developer cluster",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = {quote_literal(socket_dir)}",
            "fsync = off",
            "synchronous_commit = off",
            "full_page_writes = off",
        ]
        with (data / "postgresql.conf").open("a") as conf:
            conf.write("\n".join(settings) + "\n")
        if self.paths.base is not None:
            self.paths.owner_mark.write_text(f"{data}\n")

    @staticmethod
    def _locale():
        """C.UTF-8 where the C library has it (proper case folding), else C."""
        current = locale.setlocale(locale.LC_CTYPE)
        try:
            locale.setlocale(locale.LC_CTYPE, "C.UTF-8")
        except locale.Error:
            return "C"
        finally:
            locale.setlocale(locale.LC_CTYPE, current)
        return "C.UTF-8"

    def _running_port(self):
        """Port of our cluster when its server runs, else None."""
        if not (self.paths.data / "PG_VERSION").exists():
            return None
        if self._pg_ctl("status", check=False).returncode != 0:
            return None
        lines = (self.paths.data / "postmaster.pid").read_text().splitlines()
        return int(lines[3])

    def _start(self):
        port = int(os.environ.get("MM_PGPORT") or DEFAULT_PG_PORT)
        if not port_is_free(port):
            busy, port = port, free_port()
            say(f"PostgreSQL: port {busy} is taken by another program; using {port}.")
        say(f"PostgreSQL: starting the private cluster on 127.0.0.1:{port}")
        log = self.paths.run / "postgres.log"
        proc = self._pg_ctl(
            "start", "-w", "-t", "120", "-l", str(log), "-o", f"-p {port}",
            check=False, new_session=True,
        )  # fmt: skip
        if proc.returncode:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RunnerError(f"pg_ctl start failed:\n{proc.stdout}{proc.stderr}{tail}")
        self.paths.started_mark.touch()
        self.port = port

    def _wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sql("SELECT 1")
                return
            except RunnerError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


# ---------------------------------------------------------------------------
# Environment shared by the subcommands
# ---------------------------------------------------------------------------


@dataclass
class Context:
    """Everything needed to start Odoo against the linked addon."""

    addons_path: str
    pg: Postgres
    env: dict = field(default_factory=dict)

    def odoo_args(self):
        """Odoo options every run needs: addons path, data dir, database."""
        return [
            f"--addons-path={self.addons_path}",
            f"--data-dir={ODOO_DATA}",
            *self.pg.odoo_args(),
        ]

    def odoo_cmd(self, *args):
        """Command line starting Odoo with args."""
        return [sys.executable, "-m", "odoo", *self.odoo_args(), *args]


@contextlib.contextmanager
def environment():
    """Find Odoo, link the addon, make PostgreSQL available; undo on exit."""
    odoo_root, odoo_addons = find_odoo()
    with linked_addon() as addons_dir:
        pg = Postgres()
        try:
            pg.acquire()
            env = dict(os.environ, PYTHONUNBUFFERED="1")
            env["PYTHONPATH"] = os.pathsep.join(
                filter(None, [str(odoo_root), os.environ.get("PYTHONPATH")])
            )
            paths = ",".join(str(p) for p in [addons_dir, *odoo_addons])
            yield Context(paths, pg, env)
        finally:
            pg.release()


# ---------------------------------------------------------------------------
# test: run Odoo, then read its log
# ---------------------------------------------------------------------------

LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ (?P<level>[A-Z]+) \S+ "
    r"(?P<logger>[^\s:]+): (?P<message>.*)$"
)
REPORT = re.compile(
    r"(?P<failures>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<total>\d+) tests "
    r"when loading database '(?P<db>[^']*)'"
)
SKIPPED = re.compile(r"^skipped (?P<test>.+?) : (?P<reason>.*)$")
MENTIONS_ADDON = re.compile(rf"{ADDON}|\bmembership\.[a-z]")
ADDON_LOGGER = f"odoo.addons.{ADDON}"
ADDON_TESTS_LOGGER = f"{ADDON_LOGGER}.tests"
BAD_LEVELS = {"WARNING", "ERROR", "CRITICAL"}
# odoo.modules.loading repeats the test tally per module: already counted
MODULE_TALLY = re.compile(rf"^Module {ADDON}: \d+ failures, \d+ errors of \d+ tests")


@dataclass
class Record:
    """One log record: its first line plus continuation lines (tracebacks)."""

    level: str
    logger: str
    message: str
    extra: list = field(default_factory=list)

    def is_under(self, logger):
        """Tell whether the record comes from logger or one of its children."""
        return self.logger == logger or self.logger.startswith(logger + ".")

    def is_addon_problem(self):
        """A WARNING+ record about the addon that no test result counts."""
        if self.level not in BAD_LEVELS or self.is_under(ADDON_TESTS_LOGGER):
            return False
        if MODULE_TALLY.match(self.message):
            return False
        if self.is_under(ADDON_LOGGER):
            return True
        return bool(MENTIONS_ADDON.search("\n".join([self.message, *self.extra])))


def parse_log(lines):
    """Group Odoo log lines into records; lines before the first are dropped."""
    records = []
    for line in lines:
        match = LOG_LINE.match(line)
        if match:
            records.append(
                Record(match["level"], match["logger"], match["message"].rstrip())
            )
        elif records:
            records[-1].extra.append(line)
    return records


@dataclass
class SelfTests:
    """What the runner's own tests (dev/test_runner.py) gave."""

    run: int = 0
    failed: int = 0
    skipped: list = field(default_factory=list)  # (test id, reason)

    @property
    def passed(self):
        """Tests run minus failed and skipped ones."""
        return self.run - self.failed - len(self.skipped)

    @classmethod
    def execute(cls):
        """Run them in this process; unittest's report goes to stdout.

        A skipped one (e.g. the real cluster test when not root) is listed but
        not counted: it tests a case that this machine does not have."""
        suite = unittest.TestLoader().discover(
            str(SELF_TESTS.parent), pattern=SELF_TESTS.name
        )
        result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
        failed = (
            len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
        )
        skipped = [(test.id(), reason) for test, reason in result.skipped]
        return cls(result.testsRun, failed, skipped)


@dataclass
class TestOutcome:
    """What a test run produced, read from Odoo's log (and the runner's own
    tests, when they ran: their counts are part of the closing line)."""

    returncode: int | None
    total: int | None = None
    failures: int = 0
    errors: int = 0
    skipped: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    self_tests: SelfTests = field(default_factory=SelfTests)

    @classmethod
    def from_log(cls, text, dbname, returncode):
        """Read the final report, skipped tests and problems from the log."""
        outcome = cls(returncode)
        for record in parse_log(text.splitlines()):
            report = REPORT.search(record.message)
            if (
                record.logger == "odoo.tests.result"
                and report
                and report["db"] == dbname
            ):
                outcome.total = int(report["total"])
                outcome.failures = int(report["failures"])
                outcome.errors = int(report["errors"])
            elif record.level == "INFO" and SKIPPED.match(record.message):
                outcome.skipped.append(record)
            elif record.is_addon_problem():
                outcome.problems.append(record)
        return outcome

    def add(self, other):
        """Fold the outcome of a second Odoo run (another database) into this
        one: the closing line counts both."""
        if None in (self.total, other.total):
            self.total = None
        else:
            self.total += other.total
        if other.returncode not in (0, None):
            self.returncode = other.returncode
        self.failures += other.failures
        self.errors += other.errors
        self.skipped += other.skipped
        self.problems += other.problems
        self.notes += other.notes

    @property
    def failed(self):
        """Failures + errors + skipped tests, plus one for each failed check
        outside the tests (lint, addon warnings): the closing line never says
        "0 failed" for a run that fails. 1 when Odoo gave no report. Plus the
        runner's own failed tests."""
        if self.total is None:
            return 1 + self.self_tests.failed
        checks = len(self.notes) + (1 if self.problems else 0)
        odoo = self.failures + self.errors + len(self.skipped)
        return odoo + checks + self.self_tests.failed

    @property
    def passed(self):
        """Tests run minus failed ones (the runner's own ones included)."""
        if self.total is None:
            return self.self_tests.passed
        # a setUpClass skip is counted as skipped but not as run: never below 0
        odoo = max(self.total - self.failures - self.errors - len(self.skipped), 0)
        return odoo + self.self_tests.passed

    def reasons(self):
        """Why the run failed; empty when it is clean."""
        reasons = list(self.notes)
        if self.self_tests.failed:
            reasons.append(f"{self.self_tests.failed} runner self-test(s) failed")
        if self.returncode not in (0, None):
            reasons.append(f"Odoo exited with code {self.returncode}")
        if self.total is None and self.returncode is not None:
            reasons.append(f"Odoo printed no final test report (see {TEST_LOG})")
        elif self.total == 0:
            reasons.append(
                "no test ran (are the test files imported in tests/__init__.py?)"
            )
        if self.failures or self.errors:
            reasons.append(f"{self.failures} failed, {self.errors} error(s)")
        if self.skipped:
            reasons.append(
                f"{len(self.skipped)} skipped test(s): a skipped test counts as "
                "failed here (browser tours need Chromium and websocket-client)"
            )
        if self.problems:
            reasons.append(
                f"{len(self.problems)} warning/error log record(s) about {ADDON}"
            )
        return reasons

    def print_summary(self):
        """Print the summary; its last line is `N passed, M failed`."""
        say()
        say(f"===== {ADDON} test summary =====")
        if self.self_tests.run:
            say(
                f"runner self-tests: {self.self_tests.passed} passed, "
                f"{self.self_tests.failed} failed, "
                f"{len(self.self_tests.skipped)} skipped (not counted)"
            )
            for test, reason in self.self_tests.skipped:
                say(f"  skipped {test}: {reason}")
        if self.total is not None:
            say(
                f"{self.total} tests run: {self.failures} failed, {self.errors} "
                f"error(s), {len(self.skipped)} skipped"
            )
        for record in self.skipped:
            match = SKIPPED.match(record.message)
            say(f"  SKIPPED {match['test']}: {match['reason']}")
        if self.problems:
            say(f"Warnings/errors about {ADDON} (each fails the run):")
            for record in self.problems:
                say(f"  {record.level} {record.logger}: {record.message[:300]}")
                for line in record.extra[:6]:
                    say(f"      {line[:300]}")
        reasons = self.reasons()
        if reasons:
            say("FAILED: " + "; ".join(reasons))
        else:
            say("OK")
        say(f"{self.passed} passed, {self.failed} failed")


def stream(cmd, env, log_path):
    """Run cmd, copying its output live to stdout and into log_path."""
    say(f"$ {shown(cmd)}")
    with (
        log_path.open("wb") as log,
        subprocess.Popen(
            cmd,
            env=env,
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        ) as proc,
    ):
        try:
            for line in proc.stdout:
                sys.stdout.buffer.write(line)
                sys.stdout.buffer.flush()
                log.write(line)
                log.flush()
            return proc.wait()
        except KeyboardInterrupt:
            stop_process(proc)
            raise


def warm_up_browser():
    """Start headless Chromium once before the tours. Odoo gives a browser 10
    seconds to open its devtools port; the first start after an install or on
    a cold disk can take longer, and that tour would be skipped (a failure
    here). Nothing is reported when there is no browser: the tours say so."""
    browser = next(
        (
            shutil.which(name)
            for name in ("chromium", "chromium-browser", "google-chrome")
            if shutil.which(name)
        ),
        None,
    )
    if not browser:
        return
    with tempfile.TemporaryDirectory(prefix="mm-chrome-") as profile:
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--dump-dom",
            "about:blank",
        ]
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(
                command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=60,
                check=False,
            )


def test_phases(tags):
    """The Odoo runs a ``--tags`` filter asks for: ``(phase, tags)`` pairs.
    The default runs the addon's tests, then the migration tests in their own
    database; a filter naming the migration tag runs those only."""
    if LEGACY_TAG in tags:
        return [("legacy", tags)]
    phases = [("main", tags)]
    if tags == f"/{ADDON}":
        phases.append(("legacy", f"{LEGACY_TAG}/{ADDON}"))
    return phases


def ensure_oca_addons():
    """Install the OCA wheels of the migration tests into .var/oca (no
    dependencies: Odoo itself is there) unless they are there."""
    wanted = [name.strip() for name in LEGACY_MODULES.split(",")]
    if all((OCA_ADDONS / name / "__manifest__.py").exists() for name in wanted):
        return
    cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet"]
    cmd += ["--disable-pip-version-check", "--target", str(OCA_DIR)]
    cmd += list(LEGACY_REQUIREMENTS)
    say(f"$ {shown(cmd)}")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode or not all((OCA_ADDONS / name).is_dir() for name in wanted):
        raise RunnerError(
            "Installing OCA's membership for the migration tests failed:\n"
            f"{proc.stdout}{proc.stderr}"
        )


def run_odoo_tests(phase, tags):
    """One Odoo run on a fresh database, dropped afterwards: its outcome."""
    legacy = phase == "legacy"
    dbname = f"mm_test_{'legacy_' if legacy else ''}{secrets.token_hex(4)}"
    # each run writes its own log (runs may overlap); it becomes .var/test.log
    log_path = VAR / f"test.{dbname}.log"
    returncode = None
    notes = []
    try:
        if legacy:
            ensure_oca_addons()
        with environment() as ctx:
            if legacy:
                ctx.addons_path = f"{ctx.addons_path},{OCA_ADDONS}"
            # payment_demo: the online payment tests pay with Odoo's demo
            # provider; it is a test dependency only, not the addon's
            modules = LEGACY_MODULES if legacy else TEST_MODULES
            cmd = ctx.odoo_cmd(
                "-d", dbname,
                "-i", f"{ADDON},{modules}",
                f"--test-tags={tags}",
                "--with-demo",
                "--http-interface=127.0.0.1",
                f"--http-port={free_port()}",
                "--stop-after-init",
                "--log-level=info",
            )  # fmt: skip
            try:
                returncode = stream(cmd, ctx.env, log_path)
            finally:
                try:
                    ctx.pg.drop_db(dbname)
                    say(f"Dropped test database {dbname}.")
                except RunnerError as exc:
                    say(f"Could not drop test database {dbname}: {exc}")
    except RunnerError as exc:
        say(str(exc))
        notes.append(f"the runner could not start the {phase} tests")
    text = ""
    if log_path.exists():
        text = log_path.read_text(errors="replace")
        log_path.replace(LEGACY_TEST_LOG if legacy else TEST_LOG)
    outcome = TestOutcome.from_log(text, dbname, returncode)
    outcome.notes = notes
    return outcome


def cmd_test(args):
    """Run the addon's tests on fresh databases; the last line is the count."""
    notes = []
    self_tests = SelfTests()
    if args.lint:
        say("===== lint =====")
        if cmd_lint(args) != 0:
            notes.append("lint failed (see above)")
    if args.self_test:
        say("===== runner self-tests =====")
        self_tests = SelfTests.execute()
        if not self_tests.run:
            notes.append(f"no runner self-test ran ({SELF_TESTS})")
    if args.lint or args.self_test:
        say("===== tests =====")
    warm_up_browser()
    VAR.mkdir(exist_ok=True)
    outcome = None
    code = None
    try:
        for phase, tags in test_phases(args.tags):
            if phase == "legacy":
                say("===== migration from Odoo's membership (its own database) =====")
            result = run_odoo_tests(phase, tags)
            if outcome is None:
                outcome = result
            else:
                outcome.add(result)
    except KeyboardInterrupt:
        notes.append("interrupted")
        code = 130
        outcome = outcome or TestOutcome(None)
    outcome.notes = notes + outcome.notes
    outcome.self_tests = self_tests
    outcome.print_summary()
    if code is not None:
        return code
    return 1 if outcome.reasons() else 0


# ---------------------------------------------------------------------------
# run, lint, bench
# ---------------------------------------------------------------------------


def run_foreground(cmd, env):
    """Run cmd attached to the terminal; Ctrl-C stops it cleanly."""
    say(f"$ {shown(cmd)}")
    with subprocess.Popen(cmd, env=env, cwd=REPO) as proc:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            stop_process(proc)
            raise


def cmd_run(_args):
    """Install (with demo data) or update the addon, then serve Odoo."""
    dbname = os.environ.get("MM_DB") or "membership"
    port = int(os.environ.get("MM_HTTP_PORT") or 8069)
    try:
        with environment() as ctx:
            if ctx.pg.db_exists(dbname) and ctx.pg.module_state(dbname) == "installed":
                prepare = ["-u", ADDON]
            else:
                prepare = ["-i", f"{ADDON},{DEMO_MODULES}", "--with-demo"]
            rc = run_foreground(
                ctx.odoo_cmd(
                    "-d",
                    dbname,
                    *prepare,
                    "--stop-after-init",
                    "--no-http",
                    "--http-interface=127.0.0.1",
                ),  # fmt: skip
                ctx.env,
            )
            if rc:
                say(f"Installing/updating {ADDON} failed (exit {rc}).")
                return rc
            say()
            say(f"Odoo: http://127.0.0.1:{port}  login: admin  password: admin")
            say(f"Database: {dbname}. Ctrl-C stops Odoo and the private cluster.")
            say()
            serve = ctx.odoo_cmd(
                "-d", dbname,
                f"--db-filter=^{re.escape(dbname)}$",
                "--http-interface=127.0.0.1",
                f"--http-port={port}",
            )  # fmt: skip
            return run_foreground(serve, ctx.env)
    except KeyboardInterrupt:
        say("Stopped.")
        return 130


def cmd_lint(_args):
    """ruff check, ruff format --check, then pylint-odoo's mandatory checks."""
    ruff = python_tool("ruff")
    if not ruff and shutil.which("ruff"):
        ruff = [shutil.which("ruff")]
    pylint = python_tool("pylint", "pylint_odoo")
    missing = [
        name for name, cmd in (("ruff", ruff), ("pylint-odoo", pylint)) if not cmd
    ]
    if missing:
        say(
            f"{' and '.join(missing)} not installed: run "
            f"`{sys.executable} -m pip install -r requirements.txt`"
        )
        return 2
    env = dict(os.environ)
    with contextlib.suppress(RunnerError):  # pylint-odoo does not need Odoo itself
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(find_odoo()[0]), os.environ.get("PYTHONPATH")])
        )
    failed = []
    with tempfile.TemporaryDirectory(prefix="mm-lint-") as tmp:
        # pylint resolves symlinks and would name the package after the checkout
        # folder, so it reads a copy named membership_management instead
        shutil.copytree(
            addon_source(), Path(tmp) / ADDON, ignore=shutil.ignore_patterns(*LINT_SKIP)
        )
        steps = [
            ("ruff check", [*ruff, "check", "."], REPO),
            ("ruff format --check", [*ruff, "format", "--check", "."], REPO),
            (
                "pylint-odoo (.pylintrc-mandatory)",
                [*pylint, f"--rcfile={REPO / '.pylintrc-mandatory'}", ADDON],
                tmp,
            ),
        ]
        for name, cmd, cwd in steps:
            say(f"--- {name}")
            proc = subprocess.run(
                cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, check=False
            )
            if proc.returncode:
                failed.append(name)
    if failed:
        say(f"lint FAILED: {', '.join(failed)}")
        return 1
    say("lint OK")
    return 0


def cmd_bench(args):
    """Run each bench/*.py scenario as a script with the Odoo/PG settings in env.

    ``args.only`` (words) keeps the scenarios whose file name contains one."""
    scenarios = sorted(
        path
        for path in (REPO / "bench").glob("*.py")
        if not path.name.startswith("_")
        and (not args.only or any(word in path.name for word in args.only))
    )
    if not scenarios:
        say("No benchmark scenario matches" if args.only else "No scenarios yet")
        return 0
    failed = []
    with environment() as ctx:
        env = ctx.pg.client_env(ctx.env)
        env.update(
            MM_ODOO_ARGS=shlex.join(ctx.odoo_args()),
            MM_ADDONS_PATH=ctx.addons_path,
            MM_REPO=str(REPO),
        )
        for script in scenarios:
            say(f"===== bench: {script.name}")
            start = time.monotonic()
            rc = subprocess.run(
                [sys.executable, str(script)], env=env, cwd=REPO, check=False
            ).returncode
            status = "ok" if rc == 0 else f"FAILED (exit {rc})"
            say(f"===== {script.name}: {status} in {time.monotonic() - start:.1f}s")
            if rc:
                failed.append(script.name)
    return 1 if failed else 0


# ---------------------------------------------------------------------------


def main(argv=None):
    """Parse the command line and run a subcommand; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="install/update the addon and serve Odoo")
    test = commands.add_parser("test", help="run the tests on a fresh database")
    test.add_argument(
        "--tags",
        default=f"/{ADDON}",
        help="Odoo --test-tags filter (default: %(default)s)",
    )
    test.add_argument("--lint", action="store_true", help="run lint first")
    test.add_argument(
        "--self-test",
        action="store_true",
        help="run the runner's own tests (dev/test_runner.py) first",
    )
    commands.add_parser("lint", help="ruff and pylint-odoo")
    bench = commands.add_parser("bench", help="run the scenarios in bench/*.py")
    bench.add_argument(
        "only", nargs="*", help="run only the scenarios whose file name has one"
    )
    args = parser.parse_args(argv)

    # SIGTERM (CI timeouts, kill) unwinds like Ctrl-C: databases and the
    # private cluster are cleaned up on the way out
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    handler = {"run": cmd_run, "test": cmd_test, "lint": cmd_lint, "bench": cmd_bench}
    try:
        return handler[args.command](args)
    except RunnerError as exc:
        say(str(exc))
        return exc.code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
