#!/usr/bin/env python3
# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Benchmark: the whole app on N members with three years of history (scale).

Run it with ``make bench BENCH=scale`` / ``python3 dev/runner.py bench scale``.

Population (not timed): the dashboard scenario's (SQL ``INSERT ... SELECT``
clones of a member billed through the ORM): N members over a fixed-period and
a rolling plan, with three years of status history and yearly posted dues
invoices in five stories (see ``bench_dashboard.py``); then, as SQL clones of
one record made through the ORM, three yearly events with a third of the
members registered to each, and a journey whose welcome was delivered to
every member; and, through the ORM, two members with a portal account: one
with 1 paid dues, one with 100 (a monthly plan), both registered to the
events.

What is measured, as an officer, each after one unmeasured call that fills
Odoo's caches:
  state job, no boundary   ``_cron_update_states()`` when nobody's state
                           changes today (target 50 ms: it must not read all
                           members)
  state job, 1 % boundary  the same with 1 % of the members at a boundary
                           (its cost per member changed is shown)
  segment <name>           each shipped segment's count (target 100 ms) and
                           its first page (80 rows)
  member list              the member list's first page and count, and its
                           group-by status (target 300 ms)
  create 1,000 members     through the ORM (welcome mail and history
                           included), in members per second, beside Odoo
                           creating 1,000 contacts (target: 25 % of that)
  portal pages             ``/my/membership`` and ``/my/membership/events``
                           for the member with 1 dues and the one with 100,
                           on a real Odoo server (milliseconds and queries from
                           its request log, after a first load): the queries
                           must not grow with the dues

The dues run, the renewal run and the journey at 20,000 members are the
scenarios ``dues_run`` (``MM_BENCH_N=20000``), ``collection`` and ``journey``;
two workers on one 20,000-member run is ``workers``.

Environment
  MM_BENCH_SCALE_N   members (default 100000)

The output is a table ending with a ``SUMMARY:`` line that names the misses;
the exit code is 0 when every measurement ran.
"""

from __future__ import annotations

import contextlib
import sys
import time
from datetime import timedelta
from unittest.mock import patch

from _common import (
    RESULT_MARK,
    VAR,
    BenchError,
    Measure,
    base_addons_path,
    create_database,
    drop_database,
    environment,
    logged_requests,
    open_registry,
    read_setting,
    run_side,
    say,
    serve,
    signed_in,
)
from _common import main as run_main
from bench_dashboard import OFFICER, clone, populate

DB = "mm_bench_scale"
MODULE = "membership_management"
DEFAULT_N = 100000
CREATED = 1000
TARGET_STATE_IDLE_MS = 50
TARGET_SEGMENT_COUNT_MS = 100
TARGET_LIST_MS = 300
TARGET_CREATE_RATIO = 0.25
PORTAL_PAGES = ("/my/membership", "/my/membership/events")
PORTAL_MEMBERS = {"scale1": 1, "scale100": 100}  # login: dues
EVENTS = 3
LIST_COLUMNS = [
    "member_number",
    "name",
    "email",
    "plan_id",
    "join_date",
    "date_end",
    "state",
]


# ---------------------------------------------------------------------------
# Orchestration
# ---------------------------------------------------------------------------


def print_report(n, rows):
    say()
    say(f"Scale benchmark: {n} members, three years of history")
    header = f"{'what':<48} {'ms':>9} {'queries':>8} {'target':>12} {'verdict':>8}"
    say(header)
    say("-" * len(header))
    misses = []
    for row in rows:
        target = row.get("target")
        ok = row.get("ok", target is None or row["ms"] <= target)
        if not ok:
            misses.append(row["label"])
        shown_target = row.get("target_text") or (f"{target} ms" if target else "-")
        say(
            f"{row['label']:<48} {row['ms']:>9.1f} {row['queries']:>8} "
            f"{shown_target:>12} {'ok' if ok else 'MISS':>8}"
        )
        if row.get("note"):
            say(f"    {row['note']}")
    say()
    verdict = "all targets met" if not misses else "MISS: " + ", ".join(misses)
    say(f"SUMMARY: N={n}, {verdict}")


def orchestrate():
    n = read_setting("MM_BENCH_SCALE_N", DEFAULT_N, minimum=100)
    VAR.mkdir(exist_ok=True)
    started = time.perf_counter()
    rows = []
    try:
        drop_database(DB)
        create_database(DB, MODULE, base_addons_path())
        say(f"[setup] populating {n} members (SQL clones)")
        start = time.perf_counter()
        run_side(__file__, "populate", DB, n)
        say(f"[setup] populated in {time.perf_counter() - start:.0f}s")
        say("[ours] measuring")
        rows += run_side(__file__, "ours", DB, n)
        say("[portal] measuring on an Odoo server")
        (VAR / "bench.scale-odoo.log").unlink(missing_ok=True)
        rows += serve(DB, VAR / "bench.scale-odoo.log", measure_portal)
    finally:
        with contextlib.suppress(Exception):
            drop_database(DB)
    say(f"[done] dropped {DB}")
    say(f"[done] total {time.perf_counter() - started:.0f}s")
    print_report(n, rows)


# ---------------------------------------------------------------------------
# Measurements (a child process, inside Odoo)
# ---------------------------------------------------------------------------


def timed(label, func, target=None, warm=True, **extra):
    if warm:
        func()  # fills the caches
    with Measure(profile=label.replace(" ", "-")) as measure:
        func()
    return {
        "label": label,
        "ms": measure.seconds * 1000,
        "queries": measure.queries,
        "target": target,
        **extra,
    }


def measure_state_job(env):
    """The daily state job, idle then with 1 % of the members at a boundary
    (its commits are kept out: everything is rolled back afterwards)."""
    Member = env["membership.member"]
    cr = env.cr
    rows = []
    with patch.object(type(cr), "commit", lambda self: None):
        rows.append(
            timed(
                "state job, no boundary today",
                Member._cron_update_states,
                TARGET_STATE_IDLE_MS,
            )
        )
        cr.execute(
            "UPDATE membership_member SET state_next_date = CURRENT_DATE "
            "WHERE id %% %s = 0 AND member_number LIKE %s",
            [100, "B%"],
        )
        changed = cr.rowcount
        env.invalidate_all()
        row = timed(
            "state job, 1 % at a boundary",
            Member._cron_update_states,
            warm=False,
        )
        row["note"] = (
            f"{changed} members at a boundary: "
            f"{row['ms'] / max(changed, 1):.2f} ms and "
            f"{row['queries'] / max(changed, 1):.2f} queries per member"
        )
        rows.append(row)
    cr.rollback()
    return rows


def measure_segments(user_env):
    rows = []
    Member = user_env["membership.member"]
    for segment in user_env["membership.segment"].search([]):
        domain = segment._get_domain()
        rows.append(
            timed(
                f"segment {segment.name[:34]} count",
                lambda d=domain: Member.search_count(d),
                TARGET_SEGMENT_COUNT_MS,
            )
        )
        rows.append(
            timed(
                f"segment {segment.name[:34]} page",
                lambda d=domain: Member.search_fetch(d, LIST_COLUMNS, limit=80),
                TARGET_LIST_MS,
            )
        )
    return rows


def measure_member_list(user_env):
    Member = user_env["membership.member"]
    return [
        timed(
            "member list first page and count",
            lambda: (
                Member.search_fetch([], LIST_COLUMNS, limit=80),
                Member.search_count([]),
            ),
            TARGET_LIST_MS,
        ),
        timed(
            "member list grouped by status",
            lambda: Member._read_group([], ["state"], ["__count"]),
            TARGET_LIST_MS,
        ),
    ]


def measure_creation(env, user_env):
    """1,000 members, then 1,000 contacts, through the ORM (rolled back)."""
    plan = env["membership.plan"].search([("code", "=", "B-REG")], limit=1)
    cr = env.cr

    def members():
        user_env["membership.member"].create(
            [
                {
                    "name": f"Scale New {i}",
                    "email": f"scale.new{i}@bench.example",
                    "plan_id": plan.id,
                }
                for i in range(CREATED)
            ]
        )
        user_env.flush_all()

    def contacts():
        user_env["res.partner"].create(
            [
                {"name": f"Scale Contact {i}", "email": f"scale.c{i}@bench.example"}
                for i in range(CREATED)
            ]
        )
        user_env.flush_all()

    ours = timed(f"create {CREATED} members (ORM)", members, warm=False)
    cr.rollback()
    peer = timed(f"create {CREATED} contacts (peer)", contacts, warm=False)
    cr.rollback()
    ours_rate = CREATED / (ours["ms"] / 1000)
    peer_rate = CREATED / (peer["ms"] / 1000)
    ratio = ours_rate / peer_rate
    ours.update(
        note=f"{ours_rate:.0f} members/s vs {peer_rate:.0f} contacts/s: "
        f"ratio {ratio:.2f}",
        ok=ratio >= TARGET_CREATE_RATIO,
        target_text=f"ratio {TARGET_CREATE_RATIO}",
    )
    peer.update(note=f"{peer_rate:.0f} contacts/s", ok=True)
    return [ours, peer]


def measure_portal(port):
    """The portal pages of the members with 1 and with 100 dues, each loaded
    once to fill the caches, then measured from the server's request log."""
    log = VAR / "bench.scale-odoo.log"
    rows, queries_of = [], {}
    for login, dues in PORTAL_MEMBERS.items():
        session = signed_in(port, login)
        for path in PORTAL_PAGES:
            url = f"http://127.0.0.1:{port}{path}"
            session.get(url, timeout=60)
            offset = log.stat().st_size
            response = session.get(url, timeout=60)
            if response.status_code != 200:
                raise BenchError(f"{path} for {login}: HTTP {response.status_code}")
            __, queries, ms = logged_request(log, offset, path)
            row = {
                "label": f"portal {path}, {dues} dues",
                "ms": ms,
                "queries": queries,
                "target": None,
            }
            if dues == 1:
                queries_of[path] = queries
            else:
                row.update(
                    ok=queries <= queries_of[path],
                    target_text="1-dues q",
                    note=f"{queries} queries with {dues} dues, "
                    f"{queries_of[path]} with 1",
                )
            rows.append(row)
    return rows


def logged_request(log, offset, path, timeout=10):
    """``(status, queries, ms)`` of the first request of ``path`` in the log
    after ``offset`` (Odoo writes it just after the response)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with log.open(errors="replace") as handle:
            handle.seek(offset)
            for logged_path, status, queries, ms in logged_requests(handle.read()):
                if logged_path == path:
                    return status, queries, ms
        time.sleep(0.1)
    raise BenchError(f"{path} is not in the server's log")


def measure_ours(env):
    officer = env["res.users"].search([("login", "=", OFFICER)])
    user_env = env(user=officer)
    rows = measure_state_job(env)
    rows += measure_segments(user_env)
    rows += measure_member_list(user_env)
    rows += measure_creation(env, user_env)
    return rows


def populate_engagement(env):
    """Three yearly events (the next one ahead) with a third of the members
    registered to each, and a journey's welcome delivered to every member:
    SQL clones of one registration and one delivery made through the ORM."""
    from odoo import Command, fields  # noqa: PLC0415

    cr = env.cr
    quiet = env(context={"tracking_disable": True, "mail_create_nolog": True})
    template = env["membership.member"].search([("name", "=", "Bench Template")])
    today = fields.Date.context_today(template)
    events = quiet["event.event"].create(
        [
            {
                "name": f"Scale Annual Meeting {k + 1}",
                "date_begin": fields.Datetime.to_datetime(
                    today + timedelta(days=30 - 365 * k)
                ),
                "date_end": fields.Datetime.to_datetime(
                    today + timedelta(days=31 - 365 * k)
                ),
            }
            for k in range(EVENTS)
        ]
    )
    registration = quiet["event.registration"].create(
        {"event_id": events[0].id, "partner_id": template.partner_id.id}
    )
    for k, event in enumerate(events):
        clone(
            cr,
            "event_registration",
            registration.id,
            "(SELECT m.id, m.partner_id, p.name, p.email FROM membership_member m "
            "JOIN res_partner p ON p.id = m.partner_id "
            f"WHERE m.member_number LIKE 'B%%' AND mod(m.id, {EVENTS}) = {k}) s",
            {
                "event_id": str(event.id),
                "partner_id": "s.partner_id",
                "member_id": "s.id",
                "name": "s.name",
                "email": "s.email",
                "barcode": f"md5('scale-{k}-' || s.id)",
                "state": "'done'" if k else "'open'",
                "date_closed": f"'{event.date_end}'::timestamp" if k else "NULL",
            },
            {},
        )
    # what the ORM would have stored on the members from their attendance
    cr.execute(
        """
        UPDATE membership_member m
           SET event_attended_count = a.attended,
               event_last_attended_date = a.last::date
          FROM (SELECT member_id, count(*) AS attended, max(date_closed) AS last
                  FROM event_registration WHERE state = 'done'
                 GROUP BY member_id) a
         WHERE a.member_id = m.id
        """
    )
    mail_template = quiet["mail.template"].create(
        {
            "name": "Scale welcome",
            "model_id": env["ir.model"]._get_id("membership.member"),
            "subject": "Welcome",
            "body_html": "<p>Welcome</p>",
            "use_default_to": True,
        }
    )
    campaign = quiet["membership.campaign"].create(
        {
            "name": "Scale welcome journey",
            "campaign_type": "journey",
            "segment_id": env["membership.segment"].search([], limit=1).id,
            "start_date": today - timedelta(days=3 * 365),
            "step_ids": [
                Command.create(
                    {
                        "name": "Welcome",
                        "trigger": "joined",
                        "offset_days": 0,
                        "mail_template_id": mail_template.id,
                    }
                )
            ],
        }
    )
    delivery = quiet["membership.campaign.delivery"].create(
        {
            "campaign_id": campaign.id,
            "step_id": campaign.step_ids.id,
            "member_id": template.id,
            "trigger_date": today,
            "scheduled_date": today,
        }
    )
    deliveries = clone(
        cr,
        "membership_campaign_delivery",
        delivery.id,
        "(SELECT id, join_date FROM membership_member "
        "WHERE member_number LIKE 'B%%') s",
        {
            "member_id": "s.id",
            "trigger_date": "s.join_date",
            "scheduled_date": "s.join_date",
            "state": "'sent'",
            "sent_on": "s.join_date + time '09:00'",
        },
        {},
    )
    cr.execute("ANALYZE")
    say(f"[setup] {EVENTS} events, {deliveries} journey deliveries")
    return events


def populate_portal_members(env, events):
    """The members whose portal pages are measured: 1 and 100 paid monthly
    dues, a portal account each (the password is the login), registered to
    the events."""
    from dateutil.relativedelta import relativedelta  # noqa: PLC0415

    from odoo import fields  # noqa: PLC0415

    plan = env["membership.plan"].create(
        {
            "name": "Bench Monthly",
            "code": "B-MON",
            "fee": 5.0,
            "period_type": "rolling",
            "period_months": 1,
        }
    )
    today = fields.Date.context_today(plan)
    portal = env.ref("base.group_portal")
    for login, count in PORTAL_MEMBERS.items():
        join = today - relativedelta(months=count - 1)
        member = env["membership.member"].create(
            {
                "name": f"Scale Portal {count}",
                "email": f"{login}@bench.example",
                "plan_id": plan.id,
                "join_date": join,
            }
        )
        for month in range(count):
            member._create_period_dues(join + relativedelta(months=month))
        moves = member.dues_ids.move_id
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=moves.ids
        ).create({"payment_date": today, "group_payment": False})._create_payments()
        if len(member.dues_ids) != count:
            raise BenchError(f"{login}: {len(member.dues_ids)} dues, not {count}")
        env["res.users"].create(
            {
                "login": login,
                "password": login,
                "partner_id": member.partner_id.id,
                "group_ids": [(6, 0, portal.ids)],
            }
        )
        env["event.registration"].create(
            [{"event_id": e.id, "partner_id": member.partner_id.id} for e in events]
        )


def child(side, dbname, n, _number):
    import json  # noqa: PLC0415

    registry = open_registry(dbname, base_addons_path())
    rows = []
    with environment(registry) as env:
        if side == "populate":
            populate(env, n)
            env.cr.commit()
            populate_portal_members(env, populate_engagement(env))
            env.cr.commit()
        else:
            rows = measure_ours(env)
            env.cr.rollback()
    print(RESULT_MARK + json.dumps(rows), flush=True)


if __name__ == "__main__":
    sys.exit(run_main(__doc__, ["populate", "ours"], child, orchestrate))
