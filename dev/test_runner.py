"""Tests of the developer runner, dev/runner.py (stdlib unittest).

    python3 -m unittest dev/test_runner.py       from the repository root
    python3 dev/runner.py test --self-test ...   (``make test`` does this)

They build fake checkouts in temporary folders; none of them touches the
repository's own .var.  RealClusterTest needs root, the ``postgres`` OS user and
PostgreSQL's server programs: it runs initdb and a server for a few seconds.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

# the runner is a script, not a package module: load it from its file
_SPEC = importlib.util.spec_from_file_location(
    "mm_runner", Path(__file__).resolve().with_name("runner.py")
)
runner = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = runner  # dataclasses look their module up
_SPEC.loader.exec_module(runner)

IS_ROOT = os.geteuid() == 0


def other_user():
    """A user other than us to run the server: postgres, else nobody."""
    for name in (runner.PG_OS_USER, "nobody"):
        with contextlib.suppress(KeyError):
            user = pwd.getpwnam(name)
            if user.pw_uid not in (0, os.geteuid()):
                return user
    return None


def can_enter(user, path):
    """Tell whether user can reach and enter the folder path.

    As root this asks the kernel (``test -x`` run as user: it fails unless
    every folder on the way can be searched); otherwise it reads the x bit of
    each folder, as the kernel would for that user."""
    if IS_ROOT and shutil.which("runuser"):
        cmd = ["runuser", "-u", user.pw_name, "--", "test", "-x", str(path)]
        return subprocess.run(cmd, check=False).returncode == 0
    gids = set(os.getgrouplist(user.pw_name, user.pw_gid))
    path = Path(path).resolve()
    for folder in [*reversed(path.parents), path]:
        info = folder.stat()
        if info.st_uid == user.pw_uid:
            mask = stat.S_IXUSR
        elif info.st_gid in gids:
            mask = stat.S_IXGRP
        else:
            mask = stat.S_IXOTH
        if not info.st_mode & mask:
            return False
    return True


class FakeCheckouts(unittest.TestCase):
    """Fake checkouts under a temporary folder of /tmp."""

    def setUp(self):
        self.user = other_user()
        if self.user is None:
            self.skipTest("no user other than us (postgres, nobody) to run as")
        self.tmp = Path(tempfile.mkdtemp(prefix="mm-runner-test-", dir="/tmp"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.tmp.chmod(0o755)  # mkdtemp makes it private

    def fake_var(self, name="home", private=True, var_mode=0o755):
        """REPO/.var of a checkout in tmp/name/src/repo; name is 0700 if private."""
        top = self.tmp / name
        var = top / "src" / "repo" / ".var"
        var.mkdir(parents=True)
        for folder in (var.parent.parent, var.parent):
            folder.chmod(0o755)
        top.chmod(0o700 if private else 0o755)
        var.chmod(var_mode)
        return var

    def paths_made(self, var, **kwargs):
        """cluster_paths(var) with its folder outside .var made (and removed)."""
        paths = runner.cluster_paths(var, self.user, **kwargs)
        if paths.base is not None:
            self.addCleanup(shutil.rmtree, paths.base, ignore_errors=True)
            paths.make_base()
        return paths


class ClusterPathsTest(FakeCheckouts):
    """Where the private cluster goes: .var if the server user can reach it."""

    def test_reachable_checkout_keeps_var(self):
        var = self.fake_var(private=False)
        self.assertTrue(can_enter(self.user, var))
        paths = runner.cluster_paths(var, self.user)
        self.assertEqual(paths.data, var / "pgdata")
        self.assertEqual(paths.run, var / "pgrun")
        self.assertIsNone(paths.base)
        self.assertEqual(paths.note, "")
        self.assertTrue(paths.is_ours())

    def test_runner_itself_runs_the_server(self):
        """Not root: the server runs as ourselves, so .var is always fine."""
        var = self.fake_var(private=True)
        paths = runner.cluster_paths(var, None)
        self.assertEqual(paths.data, var / "pgdata")

    def test_private_checkout_moves_cluster(self):
        var = self.fake_var(private=True)
        self.assertFalse(can_enter(self.user, var), "the fake checkout is private")
        paths = self.paths_made(var)
        self.assertIsNotNone(paths.base)
        self.assertEqual(paths.data, paths.base / "pgdata")
        self.assertEqual(paths.run, paths.base / "pgrun")
        self.assertNotIn(self.tmp, paths.data.parents)
        self.assertIn(
            paths.base.parent, {Path(p).resolve() for p in runner.PG_ELSEWHERE}
        )
        self.assertTrue(paths.base.name.startswith("membership_management-"))
        # the folder the cluster goes into, and every folder above it
        for folder in [paths.base, *paths.base.parents]:
            self.assertTrue(can_enter(self.user, folder), folder)
        mode = stat.S_IMODE(paths.base.lstat().st_mode)
        self.assertEqual(mode, 0o755)
        # one line says where the cluster lives and why
        self.assertIn(str(paths.base), paths.note)
        self.assertIn(str(self.tmp / "home"), paths.note)
        self.assertNotIn("\n", paths.note)
        # locks and marks stay in .var: runners of one checkout share them
        for lock in (paths.start_lock, paths.users_lock, paths.started_mark):
            self.assertEqual(lock.parent, var.resolve())
        self.assertFalse(paths.is_ours(), "nothing was initialised yet")

    def test_private_var_moves_cluster(self):
        """.var made under a umask of 077 is private too."""
        var = self.fake_var(private=False, var_mode=0o700)
        paths = runner.cluster_paths(var, self.user)
        self.assertIsNotNone(paths.base)
        self.assertIn(str(var), paths.note)

    def test_each_checkout_its_own_folder(self):
        first = runner.cluster_paths(self.fake_var("a"), self.user)
        second = runner.cluster_paths(self.fake_var("b"), self.user)
        again = runner.cluster_paths(self.tmp / "a/src/repo/.var", self.user)
        self.assertNotEqual(first.base, second.base)
        self.assertEqual(first.base, again.base)

    def test_first_reachable_place_wins(self):
        var = self.fake_var()
        closed = self.tmp / "closed"
        closed.mkdir(mode=0o700)
        closed.chmod(0o700)
        paths = runner.cluster_paths(var, self.user, elsewhere=(closed, self.tmp))
        self.assertEqual(paths.base.parent, self.tmp)

    def test_nowhere_reachable_says_what_to_do(self):
        var = self.fake_var()
        closed = self.tmp / "closed"
        closed.mkdir(mode=0o700)
        closed.chmod(0o700)
        with self.assertRaises(runner.RunnerError) as caught:
            runner.cluster_paths(var, self.user, elsewhere=(closed,))
        message = str(caught.exception)
        self.assertIn(str(self.tmp / "home"), message)
        self.assertIn("chmod o+x", message)
        self.assertIn("PGHOST", message)

    def test_make_base_refuses_a_strangers_folder(self):
        var = self.fake_var()
        target = self.tmp / "target"
        target.mkdir()
        planted = self.tmp / "planted"
        planted.symlink_to(target)
        target.chmod(0o777)  # writable by anyone
        for base in (planted, target):
            paths = runner.ClusterPaths(var, base / "pgdata", base / "pgrun", base)
            with self.subTest(base=base), self.assertRaises(runner.RunnerError):
                paths.make_base()

    def test_cluster_outside_var_belongs_to_the_var_that_made_it(self):
        paths = self.paths_made(self.fake_var())
        paths.owner_mark.write_text(f"{paths.data}\n")
        self.assertTrue(paths.is_ours())
        paths.owner_mark.unlink()  # e.g. .var deleted and made again
        self.assertFalse(paths.is_ours())

    @unittest.skipUnless(IS_ROOT, "needs root to chown")
    def test_owner_and_group_bits_apply_before_others(self):
        folder = self.tmp / "shared"
        folder.mkdir()
        group = self.user.pw_gid
        cases = [
            (0, group, 0o710, None),  # the group may enter
            (0, group, 0o701, folder),  # others may, but the user is in the group
            (self.user.pw_uid, 0, 0o011, folder),  # the owner may not
            (self.user.pw_uid, 0, 0o100, None),
        ]
        for uid, gid, mode, expected in cases:
            with self.subTest(uid=uid, gid=gid, mode=oct(mode)):
                os.chown(folder, uid, gid)
                folder.chmod(mode)
                self.assertEqual(runner.blocking_folder(folder, self.user), expected)
                self.assertEqual(can_enter(self.user, folder), expected is None)


class SummaryTest(unittest.TestCase):
    """The runner's own tests count in the closing `N passed, M failed` line."""

    def closing_line(self, outcome):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            outcome.print_summary()
        return out.getvalue().splitlines()[-1]

    def test_self_tests_are_counted(self):
        outcome = runner.TestOutcome(0, total=5)
        outcome.self_tests = runner.SelfTests(4, 0, [("test_x", "not root")])
        self.assertEqual(self.closing_line(outcome), "8 passed, 0 failed")
        self.assertEqual(outcome.reasons(), [])

    def test_failed_self_test_fails_the_run(self):
        outcome = runner.TestOutcome(0, total=5)
        outcome.self_tests = runner.SelfTests(4, 1)
        self.assertEqual(self.closing_line(outcome), "8 passed, 1 failed")
        self.assertEqual(outcome.reasons(), ["1 runner self-test(s) failed"])

    def test_counted_when_odoo_gave_no_report(self):
        outcome = runner.TestOutcome(1)
        outcome.self_tests = runner.SelfTests(3, 1)
        self.assertEqual(self.closing_line(outcome), "2 passed, 2 failed")

    def test_both_databases_count_in_the_closing_line(self):
        outcome = runner.TestOutcome(0, total=5, failures=1)
        outcome.add(runner.TestOutcome(0, total=4))
        self.assertEqual(self.closing_line(outcome), "8 passed, 1 failed")

    def test_a_database_without_report_fails_the_run(self):
        outcome = runner.TestOutcome(0, total=5)
        outcome.add(runner.TestOutcome(1))
        self.assertTrue(outcome.reasons())
        self.assertEqual(self.closing_line(outcome), "0 passed, 1 failed")


class PhasesTest(unittest.TestCase):
    """The migration tests run in their own database, with the default run
    or when asked for by their tag."""

    def test_default_runs_both(self):
        self.assertEqual(
            runner.test_phases(f"/{runner.ADDON}"),
            [
                ("main", f"/{runner.ADDON}"),
                ("legacy", f"{runner.LEGACY_TAG}/{runner.ADDON}"),
            ],
        )

    def test_a_subset_runs_in_the_main_database_only(self):
        tags = f"/{runner.ADDON}:TestJoin"
        self.assertEqual(runner.test_phases(tags), [("main", tags)])

    def test_the_migration_tag_runs_the_migration_only(self):
        tags = f"{runner.LEGACY_TAG}/{runner.ADDON}"
        self.assertEqual(runner.test_phases(tags), [("legacy", tags)])


@unittest.skipUnless(IS_ROOT, "the server runs as the postgres user only for root")
class RealClusterTest(FakeCheckouts):
    """As root, a checkout in a 0700 folder gets a cluster that works."""

    def setUp(self):
        super().setUp()
        if self.user.pw_name != runner.PG_OS_USER:
            self.skipTest(f"no '{runner.PG_OS_USER}' OS user")
        try:
            runner.pg_bindir()
        except runner.RunnerError as exc:
            self.skipTest(str(exc))
        self.env = mock.patch.dict(os.environ)
        self.env.start()
        self.addCleanup(self.env.stop)
        for name in [name for name in os.environ if name.startswith("PG")]:
            del os.environ[name]
        os.environ["MM_PGPORT"] = str(runner.free_port())  # leave 54329 alone

    def acquire(self, pg):
        """pg.acquire(), quietly; the server is stopped at the end whatever."""
        self.addCleanup(self.stop, pg)
        with contextlib.redirect_stdout(io.StringIO()) as out:
            pg.acquire()
        return out.getvalue()

    def release(self, pg):
        with contextlib.redirect_stdout(io.StringIO()) as out:
            pg.release()
        return out.getvalue()

    @staticmethod
    def stop(pg):
        with contextlib.suppress(Exception):
            if pg.paths and pg._running_port() is not None:
                pg._pg_ctl("stop", "-m", "immediate", "-w", check=False)

    def test_private_checkout_gets_a_cluster(self):
        var = self.fake_var(private=True)
        base = runner.cluster_paths(var, self.user).base
        self.addCleanup(shutil.rmtree, base, ignore_errors=True)
        shutil.rmtree(base, ignore_errors=True)

        pg = runner.Postgres(var)
        said = self.acquire(pg)
        paths = pg.paths
        self.assertEqual(paths.base, base)
        self.assertIn(f"the private cluster lives in {base}", said)
        self.assertIn("initialising", said)
        info = paths.data.stat()
        self.assertEqual(info.st_uid, self.user.pw_uid)
        self.assertEqual(stat.S_IMODE(info.st_mode), 0o700)
        self.assertEqual(pg.sql("SELECT 1"), "1")
        pg.sql("CREATE DATABASE mm_runner_probe")
        self.assertTrue(paths.started_mark.exists())
        self.assertTrue(paths.is_ours())
        self.assertIn("stopping", self.release(pg))
        self.assertIsNone(pg._running_port())
        self.assertFalse(paths.started_mark.exists())

        # the next runner reuses it
        pg = runner.Postgres(var)
        said = self.acquire(pg)
        self.assertNotIn("initialising", said)
        self.assertTrue(pg.db_exists("mm_runner_probe"))
        # a second runner of the same checkout shares it and does not stop it
        other = runner.Postgres(var)
        self.assertIn("reusing", self.acquire(other))
        self.assertIn("still uses", self.release(other))
        self.assertIsNotNone(pg._running_port())
        self.release(pg)
        self.assertIsNone(pg._running_port())

        # a new .var (the old one deleted with its Odoo files) starts afresh
        shutil.rmtree(var)
        var.mkdir(mode=0o755)
        pg = runner.Postgres(var)
        said = self.acquire(pg)
        self.assertIn("is not this .var's cluster", said)
        self.assertIn("initialising", said)
        self.assertFalse(pg.db_exists("mm_runner_probe"))
        self.release(pg)


if __name__ == "__main__":
    unittest.main()


class ScaleBenchCheck(unittest.TestCase):
    """The scale benchmark at 10,000 members, as CI can afford: it must run to
    its end and print every figure (the timings are read, not asserted: this
    is not a timed test), and the portal's queries must not grow with dues
    (counts, the same on any machine). ``make bench BENCH=scale`` runs it at
    100,000."""

    N = 10000
    ROWS = (
        "state job, no boundary today",
        "state job, 1 % at a boundary",
        "member list first page and count",
        "member list grouped by status",
        "create 1000 members (ORM)",
        "create 1000 contacts (peer)",
        "portal /my/membership, 1 dues",
        "portal /my/membership, 100 dues",
        "portal /my/membership/events, 1 dues",
        "portal /my/membership/events, 100 dues",
    )

    def test_scale_bench_runs_at_ten_thousand_members(self):
        if not (runner.REPO / "bench" / "bench_scale.py").exists():
            self.skipTest("no scale benchmark in this checkout")
        env = {**os.environ, "MM_BENCH_SCALE_N": str(self.N)}
        proc = subprocess.run(
            [sys.executable, str(runner.REPO / "dev" / "runner.py"), "bench", "scale"],
            cwd=runner.REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
        out = proc.stdout + proc.stderr
        print(out[out.find("Scale benchmark:") :], flush=True)
        self.assertEqual(proc.returncode, 0, out[-3000:])
        self.assertIn(f"SUMMARY: N={self.N}", out)
        lines = out.splitlines()
        for label in self.ROWS:
            found = [line for line in lines if line.startswith(label + " ")]
            self.assertTrue(found, f"no figure for {label!r}")
            if "100 dues" in label:
                self.assertTrue(found[0].rstrip().endswith("ok"), found[0])
        self.assertTrue(
            any(line.startswith("segment ") for line in lines), "no segment figures"
        )
