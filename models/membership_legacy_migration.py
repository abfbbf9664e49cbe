# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import logging
import time
from collections import defaultdict
from contextlib import contextmanager

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import legacy_membership as legacy
from ..tools.invoice import credited_amount, invoice_status
from .membership_member import OPEN_END

_logger = logging.getLogger(__name__)

FREE_PLAN_KEY = "free"
BATCH_SIZE = 200  # partners per committed batch
RUN_NOW_SECONDS = 20
LOCK_NAMESPACE = 0x4D4D4C4D  # advisory locks of migrations, by company
# the state this addon gives a member for each state Odoo's membership showed
# (plans come with no grace period, as Odoo's membership has none)
EXPECTED_STATES = {
    "paid": ("active",),
    "free": ("active",),
    "invoiced": ("waiting",),
    "waiting": ("draft",),
    "old": ("lapsed",),
    "canceled": ("draft", "lapsed"),
    "none": ("draft", "lapsed"),
}
MONTHS_PER_UNIT = {"years": 12, "months": 1}
DAYS_PER_UNIT = {"weeks": 7, "days": 1}
DAYS_PER_MONTH = 30.44


class MembershipLegacyMigration(models.Model):
    """Bring the data of Odoo's own membership app (Odoo up to 18, or OCA's
    on 19; installed, or left over after an upgrade) in: membership products
    become plans, partners with membership lines (free and associate members
    included) become members, lines become dues linked to their invoices.

    A report lists what could not be mapped and why, and each partner whose
    state here differs from the one Odoo's membership showed. Running it again
    creates nothing twice: plans are found by the product they come from,
    members by their contact, dues by the line they come from. Nobody is
    mailed and nothing is billed: migrated plans renew by hand until staff turn
    automatic renewal on."""

    _name = "membership.legacy.migration"
    _description = "Migration from Odoo Membership"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(
        required=True,
        default=lambda self: self.env._("Migration from Odoo Membership"),
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    state = fields.Selection(
        [("draft", "To Migrate"), ("running", "Migrating"), ("done", "Migrated")],
        default="draft",
        required=True,
        tracking=True,
    )
    date_done = fields.Datetime(string="Migrated On", readonly=True)
    legacy_found = fields.Boolean(
        string="Odoo Membership Data Found", compute="_compute_legacy_found"
    )
    line_ids = fields.One2many("membership.legacy.migration.line", "migration_id")
    plans_created = fields.Integer(readonly=True)
    members_created = fields.Integer(readonly=True)
    dues_created = fields.Integer(readonly=True)
    skipped_count = fields.Integer(
        string="Not Migrated", compute="_compute_report_counts"
    )
    difference_count = fields.Integer(
        string="States Differing", compute="_compute_report_counts"
    )
    # the last partner migrated, in the order (members first, then associate
    # members by the length of their chain, by id): a migration cut off
    # resumes after it
    resume_depth = fields.Integer(readonly=True, copy=False)
    resume_partner_id = fields.Integer(readonly=True, copy=False)

    def _compute_legacy_found(self):
        found = legacy.is_present(self.env.cr)
        for record in self:
            record.legacy_found = found

    @api.depends("line_ids.outcome", "line_ids.differs")
    def _compute_report_counts(self):
        Line = self.env["membership.legacy.migration.line"]
        skipped = dict(
            Line._read_group(
                [
                    ("migration_id", "in", self.ids),
                    ("outcome", "in", ("skipped", "error")),
                ],
                ["migration_id"],
                ["__count"],
            )
        )
        differs = dict(
            Line._read_group(
                [("migration_id", "in", self.ids), ("differs", "=", True)],
                ["migration_id"],
                ["__count"],
            )
        )
        for record in self:
            record.skipped_count = skipped.get(record, 0)
            record.difference_count = differs.get(record, 0)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_migrate(self):
        """Migrate the company's membership data: the plans first, then the
        partners in committed batches, at once for up to ``RUN_NOW_SECONDS``
        and the rest by the background job. A migration cut off resumes
        after the last partner it committed."""
        self.ensure_one()
        self.check_access("write")
        if not legacy.is_present(self.env.cr):
            raise UserError(
                self.env._(
                    "This database holds no data of Odoo's membership app "
                    "(no membership lines table): there is nothing to migrate."
                )
            )
        with self._company_lock() as locked:
            if not locked:
                raise UserError(
                    self.env._(
                        "A migration of %(company)s is under way: wait for it to "
                        "finish (its batches are committed one after another).",
                        company=self.company_id.name,
                    )
                )
            if self.state != "running":
                self.line_ids.unlink()
                self.write(
                    {
                        "state": "running",
                        "plans_created": 0,
                        "members_created": 0,
                        "dues_created": 0,
                        "resume_depth": 0,
                        "resume_partner_id": 0,
                    }
                )
                self._with_migration_context()._start()
            self._run_batches(deadline=time.monotonic() + RUN_NOW_SECONDS)
        if self.state == "running":
            self.env.ref("membership_management.ir_cron_legacy_migration")._trigger()
        return True

    def action_view_members(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "membership_management.membership_member_action"
        )
        action["domain"] = [("id", "in", self.line_ids.member_id.ids)]
        return action

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _cron_migrate(self):
        """Go on with the migrations left running (large databases, or cut
        off by a crash) in committed batches."""
        for record in self.search([("state", "=", "running")], order="id"):
            try:
                with record._company_lock() as locked:
                    if locked:  # else another worker is on it
                        record._run_batches()
            except Exception as error:  # noqa: BLE001  pylint: disable=broad-except
                _logger.exception("Migration %s failed", record.id)
                self.env.cr.rollback()
                record.message_post(
                    body=self.env._("The migration stopped: %(error)s", error=error)
                )
                self.env["ir.cron"]._commit_progress()

    # ------------------------------------------------------------
    # MIGRATION
    # ------------------------------------------------------------

    def _with_migration_context(self):
        """Nobody welcomed, the history says *Migration*, no tracking."""
        return self.with_context(
            membership_state_source="migration",
            membership_no_welcome=True,
            mail_create_nolog=True,
            tracking_disable=True,
        )

    def _start(self):
        """The plans, with their report rows, committed before any partner."""
        counts, report = defaultdict(int), []
        products = legacy.read_products(self.env.cr, self.company_id.id)
        self._migrate_plans(products, counts, report)
        self._save_progress(counts, report)
        self.env["ir.cron"]._commit_progress()

    @contextmanager
    def _company_lock(self):
        """One worker migrates a company at a time (a cron worker, a user):
        a PostgreSQL advisory lock held across the batches' commits, taken
        without waiting. Once it is ours, a commit starts a fresh snapshot
        that sees the batches the previous holder committed."""
        cr = self.env.cr
        key = [LOCK_NAMESPACE, self.company_id.id]
        cr.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        if not cr.fetchone()[0]:
            yield False
            return
        try:
            self.env["ir.cron"]._commit_progress()
            self.invalidate_recordset()
            yield True
        finally:
            try:
                cr.execute("SELECT pg_advisory_unlock(%s, %s)", key)
            except psycopg2.Error:
                cr.rollback()  # the transaction failed: what it did is undone
                cr.execute("SELECT pg_advisory_unlock(%s, %s)", key)

    def _run_batches(self, deadline=None):
        """Migrate the partners left, ``BATCH_SIZE`` at a time, each batch
        committed with its report rows and the point to resume from (the
        caller holds the company's lock)."""
        self.ensure_one()
        migration = self._with_migration_context()
        cr = self.env.cr
        today = fields.Date.context_today(self)
        company_id = self.company_id.id
        plans = migration._migrate_plans(legacy.read_products(cr, company_id))
        lines_by_partner = defaultdict(list)
        for line in legacy.read_lines(cr, company_id):
            lines_by_partner[line["partner_id"]].append(line)
        extras = legacy.read_partners(cr, company_id)
        todo = sorted(
            (legacy.associate_depth(pid, extras), pid)
            for pid in set(lines_by_partner) | set(extras)
        )
        legacy_states = {}
        for __, pid in todo:  # an associate after its associate
            extra = extras.get(pid, {})
            associate_id = extra.get("associate_id")
            if associate_id:
                legacy_states[pid] = legacy_states.get(associate_id, "none")
            else:
                legacy_states[pid] = legacy.partner_state(
                    lines_by_partner[pid], today, free=extra.get("free")
                )
        Partner = self.env["res.partner"].with_context(active_test=False)
        while self.state == "running":
            cursor = (self.resume_depth, self.resume_partner_id)
            batch = [key for key in todo if key > cursor][:BATCH_SIZE]
            if not batch:
                self._finish()
                return
            counts, report = defaultdict(int), []
            for partner in Partner.browse([pid for __, pid in batch]).exists():
                migration._migrate_one(
                    partner,
                    lines_by_partner.get(partner.id, []),
                    extras.get(partner.id, {}),
                    plans,
                    legacy_states[partner.id],
                    counts,
                    report,
                )
            self._compare_states(legacy_states, report)
            self._save_progress(counts, report, [pid for __, pid in batch])
            self.write(
                {"resume_depth": batch[-1][0], "resume_partner_id": batch[-1][1]}
            )
            left = len([key for key in todo if key > batch[-1]])
            time_left = self.env["ir.cron"]._commit_progress(len(batch), remaining=left)
            if time_left <= 0 or (deadline and time.monotonic() > deadline):
                return

    def _migrate_one(self, partner, lines, extra, plans, legacy_state, counts, report):
        """One partner in a savepoint: on failure nothing of it stays but an
        error row with the reason."""
        cr = self.env.cr
        own_counts, own_report = defaultdict(int), []
        try:
            with cr.savepoint():
                self._migrate_partner(
                    partner, lines, extra, plans, own_counts, own_report
                )
                self.env.flush_all()
                # the database's overlap rule now, not at the commit
                cr.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cr.execute("SET CONSTRAINTS ALL DEFERRED")
        except (UserError, ValidationError, psycopg2.Error) as error:
            if isinstance(error, psycopg2.extensions.TransactionRollbackError):
                raise  # a deadlock or a concurrent update: the batch is retried
            self.env.invalidate_all()
            message = getattr(error, "pgerror", None) or str(error)
            _logger.info("Migration of partner %s failed: %s", partner.id, message)
            report.append(
                {
                    "kind": "member",
                    "legacy_ref": partner.display_name,
                    "partner_id": partner.id,
                    "outcome": "error",
                    "legacy_state": legacy_state,
                    "message": message.strip(),
                }
            )
            return
        for key, value in own_counts.items():
            counts[key] += value
        report.extend(own_report)

    def _save_progress(self, counts, report, partner_ids=()):
        """The rows of a batch replace those of the same partners (a batch
        worked again after a crash reports once)."""
        Line = self.env["membership.legacy.migration.line"]
        if partner_ids:
            Line.search(
                [("migration_id", "=", self.id), ("partner_id", "in", partner_ids)]
            ).unlink()
        Line.create([dict(row, migration_id=self.id) for row in report])
        self.write(
            {
                "plans_created": self.plans_created + counts["plans"],
                "members_created": self.members_created + counts["members"],
                "dues_created": self.dues_created + counts["dues"],
            }
        )

    def _finish(self):
        self.write({"state": "done", "date_done": fields.Datetime.now()})
        self.message_post(
            body=self.env._(
                "Migrated: %(plans)s plans, %(members)s members and %(dues)s dues "
                "created; %(skipped)s not migrated; %(differ)s states differ.",
                plans=self.plans_created,
                members=self.members_created,
                dues=self.dues_created,
                skipped=self.skipped_count,
                differ=self.difference_count,
            )
        )
        # by the person who migrated, also when the job finishes the migration
        self.env["membership.audit.log"].with_user(self.create_uid)._log(
            "legacy_migration",
            description=self.env._(
                "%(members)s members and %(dues)s dues created from Odoo's "
                "membership app",
                members=self.members_created,
                dues=self.dues_created,
            ),
        )

    def _migrate_plans(self, products, counts=None, report=None):
        """One plan per membership product: ``{product id: plan}``; the
        plans created and found are counted and reported when asked."""
        counts = defaultdict(int) if counts is None else counts
        report = [] if report is None else report
        Plan = self.env["membership.plan"].with_context(active_test=False)
        plans = {}
        for row in products:
            key = f"product:{row['product_id']}"
            product = self.env["product.product"].browse(row["product_id"])
            plan = Plan.search(
                [("legacy_key", "=", key), ("company_id", "=", self.company_id.id)],
                limit=1,
            )
            outcome, note = "existing", ""
            if not plan:
                vals, note = self._plan_values(row, product)
                plan = Plan.create(vals)
                outcome = "created"
                counts["plans"] += 1
            plans[row["product_id"]] = plan
            report.append(
                {
                    "kind": "plan",
                    "legacy_ref": product.display_name,
                    "plan_id": plan.id,
                    "outcome": outcome,
                    "message": note,
                }
            )
        return plans

    def _plan_values(self, row, product):
        """A plan like the product: its price, its kind of period, no grace
        period and no automatic renewal (as in Odoo's membership). Returns the
        values and a note on what could not be kept as it was."""
        vals = {
            "name": product.name,
            "code": self._unique_plan_code(
                product.default_code or f"OM{row['product_id']}"
            ),
            "company_id": self.company_id.id,
            "product_id": product.id,
            "fee": max(product.list_price, 0.0),
            "grace_days": 0,
            "auto_renew": False,
            "legacy_key": f"product:{row['product_id']}",
            "active": product.active,
        }
        note = ""
        if row["kind"] == "variable":
            qty = max(row["interval_qty"] or 1, 1)
            unit = row["interval_unit"] or "years"
            months = qty * MONTHS_PER_UNIT.get(unit, 0)
            if not months:
                days = qty * DAYS_PER_UNIT.get(unit, 1)
                months = max(round(days / DAYS_PER_MONTH), 1)
                note = self.env._(
                    "Periods of %(qty)s %(unit)s have no equal in months: the "
                    "plan's periods last %(months)s month(s).",
                    qty=qty,
                    unit=unit,
                    months=months,
                )
            vals.update(period_type="rolling", period_months=months)
        elif row["date_from"] and row["date_to"]:
            start = row["date_from"]
            months, days_left = legacy.months_between(start, row["date_to"])
            day = min(start.day, 28 if start.month == 2 else start.day)
            vals.update(
                period_type="fixed",
                period_months=max(months, 1),
                fixed_start_month=start.month,
                fixed_start_day=day,
            )
            if days_left or months < 1 or day != start.day:
                note = self.env._(
                    "The product's period %(start)s – %(end)s is not whole months "
                    "from a day every year has: the plan's periods last %(months)s "
                    "month(s) from %(day)s/%(month)s. Dues keep their own dates.",
                    start=start,
                    end=row["date_to"],
                    months=max(months, 1),
                    day=day,
                    month=start.month,
                )
        else:
            vals.update(period_type="rolling", period_months=12)
            note = self.env._(
                "The product has no membership dates: the plan has rolling "
                "periods of 12 months."
            )
        return vals, note

    def _unique_plan_code(self, code):
        """``code``, or ``code-2``, ``code-3``... when a plan of the company
        has it already."""
        Plan = self.env["membership.plan"].with_context(active_test=False)
        taken = set(
            Plan.search(
                [("company_id", "=", self.company_id.id), ("code", "=like", f"{code}%")]
            ).mapped("code")
        )
        candidate, n = code, 1
        while candidate in taken:
            n += 1
            candidate = f"{code}-{n}"
        return candidate

    def _get_free_plan(self, counts, report):
        Plan = self.env["membership.plan"].with_context(active_test=False)
        domain = [
            ("legacy_key", "=", FREE_PLAN_KEY),
            ("company_id", "=", self.company_id.id),
        ]
        plan = Plan.search(domain, limit=1)
        if not plan:
            plan = Plan.create(
                {
                    "name": self.env._("Free Membership"),
                    "code": self._unique_plan_code("OMFREE"),
                    "company_id": self.company_id.id,
                    "plan_type": "free",
                    "period_type": "lifetime",
                    "grace_days": 0,
                    "auto_renew": False,
                    "legacy_key": FREE_PLAN_KEY,
                }
            )
            counts["plans"] += 1
            report.append(
                {
                    "kind": "plan",
                    "legacy_ref": self.env._("Free members"),
                    "plan_id": plan.id,
                    "outcome": "created",
                    "message": self.env._(
                        "Odoo's free members are members of this lifetime plan."
                    ),
                }
            )
        return plan

    def _migrate_partner(self, partner, lines, extra, plans, counts, report):
        """The partner's member, its dues from its lines, and the coverage of
        a free or associate member."""
        Member = self.env["membership.member"].with_context(active_test=False)
        member = Member.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company_id.id)],
            limit=1,
        )
        line_rows, dues_vals = self._dues_from_lines(member, lines, plans)
        report.extend(row for row in line_rows if row["outcome"] != "created")
        associate = extra.get("associate_id") and Member.search(
            [
                ("partner_id", "=", extra["associate_id"]),
                ("company_id", "=", self.company_id.id),
            ],
            limit=1,
        )
        if associate:
            plan = associate.plan_id
        elif extra.get("free"):
            plan = self._get_free_plan(counts, report)
        elif dues_vals:
            plan = self.env["membership.plan"].browse(dues_vals[-1]["plan_id"])
        else:
            if not member:
                report.append(
                    {
                        "kind": "member",
                        "legacy_ref": partner.display_name,
                        "partner_id": partner.id,
                        "outcome": "skipped",
                        "message": self.env._(
                            "No membership line of this partner could be "
                            "migrated: no member was created."
                        ),
                    }
                )
            return
        created = not member
        if created:
            starts = [line["date"] or line["date_from"] for line in lines]
            starts = [day for day in starts if day]
            member = Member.create(
                {
                    "partner_id": partner.id,
                    "company_id": self.company_id.id,
                    "plan_id": plan.id,
                    "join_date": min(starts)
                    if starts
                    else fields.Date.context_today(self),
                }
            )
            counts["members"] += 1
        if dues_vals:
            self.env["membership.dues"].create(
                [dict(vals, member_id=member.id) for vals in dues_vals]
            )
            counts["dues"] += len(dues_vals)
        note = ""
        if associate:
            note = self._add_associate_coverage(member, associate, counts)
        elif extra.get("free"):
            note = self._add_free_coverage(member, plan, counts)
        elif extra.get("associate_id"):
            note = self.env._(
                "Its associate member was not migrated: no coverage was copied."
            )
        report.append(
            {
                "kind": "member",
                "legacy_ref": partner.display_name,
                "partner_id": partner.id,
                "member_id": member.id,
                "outcome": "created" if created else "existing",
                "message": note,
            }
        )

    def _dues_from_lines(self, member, lines, plans):
        """Dues values for the lines not migrated yet (without ``member_id``),
        and a report row for each line. A line covering days that another
        covers already (a period billed twice) is left out, the paid one
        kept: dues never overlap here."""
        Move = self.env["account.move"]
        done_lines, billed_here, live = set(), set(), []
        if member:
            done_lines = set(member.dues_ids.mapped("legacy_line_id"))
            # invoices this addon made itself (the old app, still installed,
            # made a line for them too)
            billed_here = set(
                member.dues_ids.filtered(lambda d: not d.legacy_line_id).move_id.ids
            )
            live = [
                (dues.date_start, dues.date_end or OPEN_END)
                for dues in member.dues_ids
                if dues.state != "cancelled"
            ]
        moves = Move.browse({line["move_id"] for line in lines if line["move_id"]})
        existing_moves = set(moves.exists().ids)
        rows, vals_list = {}, []

        def paid_first(line):
            move = (
                Move.browse(line["move_id"])
                if line["move_id"] in existing_moves
                else None
            )
            paid = invoice_status(move) == "paid" if move else legacy.is_covering(line)
            return (not paid, line["date_from"] or OPEN_END, line["id"])

        for line in sorted(lines, key=paid_first):
            row = {
                "kind": "line",
                "legacy_ref": self.env._("Membership line %(id)s", id=line["id"]),
                "partner_id": line["partner_id"],
                "outcome": "skipped",
            }
            rows[line["id"]] = row
            if line["id"] in done_lines or line["move_id"] in billed_here:
                row["outcome"] = "existing"
                continue
            problem = self._line_problem(line, plans, existing_moves)
            if problem:
                row["message"] = problem
                continue
            start, end = line["date_from"], legacy.coverage_end(line)
            move = Move.browse(line["move_id"])
            if not move or not self._is_cancelled(move):
                if any(s <= end and start <= e for s, e in live):
                    row["message"] = self.env._(
                        "It covers days another membership line of the partner "
                        "covers already (the same period billed twice): left out; "
                        "its invoice stays as it is."
                    )
                    continue
                live.append((start, end))
            vals = {
                "plan_id": plans[line["product_id"]].id,
                "date_start": start,
                "date_end": end,
                "legacy_line_id": line["id"],
            }
            if move:
                vals.update(move_id=move.id, amount=line["amount"])
            else:
                vals.update(amount=0.0, carried_over=True)
            vals_list.append(vals)
            row["outcome"] = "created"
        # the report and the dues in the lines' order
        vals_list.sort(key=lambda vals: (vals["date_start"], vals["legacy_line_id"]))
        return [rows[line["id"]] for line in lines], vals_list

    def _line_problem(self, line, plans, existing_moves):
        """Why a membership line cannot become dues, or None."""
        end = legacy.coverage_end(line)
        if line["product_id"] not in plans:
            return self.env._(
                "Its product is not a membership product of this company."
            )
        if not line["date_from"] or not end:
            return self.env._("It has no period (start or end date).")
        if end < line["date_from"]:
            return self.env._("It was cancelled before its period started.")
        if line["move_id"] and line["move_id"] not in existing_moves:
            return self.env._("Its invoice no longer exists.")
        if not line["move_id"] and not legacy.is_covering(line):
            return self.env._(
                "It has no invoice and was not marked paid or free: nothing was "
                "billed for it."
            )
        return None

    @staticmethod
    def _is_cancelled(move):
        """Whether the invoice no longer bills its period (cancelled, reversed
        or credited in full), as dues read it."""
        credited = credited_amount(move)
        return invoice_status(move) == "cancelled" or (
            credited and credited >= move.amount_total
        )

    def _add_free_coverage(self, member, plan, counts):
        """A free member is covered from today on, with no end, after the
        periods it has."""
        vals = member._get_carried_over_dues_vals(
            fields.Date.context_today(self), None, plan=plan, carried_over=False
        )
        if vals:
            self.env["membership.dues"].create(vals)
            counts["dues"] += 1
        return self.env._("Free member: covered without end by the free plan.")

    def _add_associate_coverage(self, member, associate, counts):
        """An associate member is covered when its associate is: the covered
        periods of the associate copied as carried over."""
        covering = self.env["membership.dues"]._get_covering_states()
        vals_list = []
        for dues in associate.dues_ids.filtered(lambda d: d.state in covering):
            vals = member._get_carried_over_dues_vals(
                dues.date_start, dues.date_end or None, plan=dues.plan_id
            )
            if vals:
                vals_list.append(vals)
                self.env["membership.dues"].create(vals)
        counts["dues"] += len(vals_list)
        return self.env._(
            "Associate member of %(associate)s: its covered periods were copied; "
            "later renewals of %(associate)s do not extend them.",
            associate=associate.display_name,
        )

    def _compare_states(self, legacy_states, report):
        """Add to each member row the state Odoo's membership showed and the
        one the member has now; flag those that differ."""
        self.env.flush_all()
        for row in report:
            if row["kind"] != "member" or not row.get("member_id"):
                continue
            member = self.env["membership.member"].browse(row["member_id"])
            old = legacy_states.get(row["partner_id"], "none")
            row.update(
                legacy_state=old,
                new_state=member.state,
                differs=member.state not in EXPECTED_STATES.get(old, ()),
            )
