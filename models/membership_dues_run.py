# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import logging
import time

from psycopg2 import Error as PsycopgError

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain

from ..tools.stored_text import free_text

_logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 200
RUN_NOW_SECONDS = 20


class MembershipDuesRun(models.Model):
    """Bill one period for every member of some plans, in committed batches.

    The run walks the members in id order and remembers the last one handled,
    so a worker killed mid-run resumes after the last committed batch; the dues
    overlap rule makes billing a member twice for a period impossible anyway.
    """

    _name = "membership.dues.run"
    _description = "Membership Dues Run"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(
        required=True, default=lambda self: self.env._("New Dues Run"), tracking=True
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    plan_ids = fields.Many2many(
        "membership.plan",
        string="Plans",
        required=True,
        check_company=True,
        domain="[('company_id', '=', company_id)]",
    )
    period_date = fields.Date(
        string="Period",
        required=True,
        default=fields.Date.context_today,
        help="Any day of the period to bill: each member is billed the period of "
        "their plan that contains this day.",
    )
    member_domain = fields.Char(
        string="Member Filter",
        default="[]",
        help="Optional filter on the members of the selected plans.",
    )
    invoice_date = fields.Date(default=fields.Date.context_today)
    invoice_date_due = fields.Date(
        string="Due Date", help="Leave empty to use the payment terms."
    )
    payment_term_id = fields.Many2one("account.payment.term", check_company=True)
    post_invoices = fields.Boolean(default=True, help="Post the invoices at once.")
    send_invoices = fields.Boolean(
        string="E-mail Invoices",
        help="Send each posted invoice to the member by e-mail.",
    )
    batch_size = fields.Integer(
        default=lambda self: int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("membership_management.dues_run_batch_size", DEFAULT_BATCH_SIZE)
        ),
        help="Members billed per committed batch.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("running", "Running"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        index=True,
    )
    last_member_id = fields.Integer(
        copy=False, help="Technical: the run resumes after this member."
    )
    total_count = fields.Integer(string="Members", copy=False, readonly=True)
    billed_count = fields.Integer(copy=False, readonly=True)
    skipped_count = fields.Integer(copy=False, readonly=True)
    error_count = fields.Integer(copy=False, readonly=True)
    progress = fields.Float(compute="_compute_progress")
    line_ids = fields.One2many(
        "membership.dues.run.line", "run_id", string="Results", readonly=True
    )
    dues_ids = fields.One2many("membership.dues", "run_id")
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    scope_member_count = fields.Integer(
        string="Members in Scope",
        compute="_compute_scope_member_count",
        help="Members of the selected plans that the member filter keeps: who "
        "the run looks at (the count beside the filter counts all members).",
    )
    failure_message = fields.Text(readonly=True, copy=False)
    date_started = fields.Datetime(readonly=True, copy=False)
    date_done = fields.Datetime(readonly=True, copy=False)

    _batch_size_positive = models.Constraint(
        "CHECK(batch_size > 0)", "A batch holds at least one member."
    )

    @api.constrains("member_domain")
    def _check_member_domain(self):
        for run in self:
            run._get_member_domain()

    @api.depends("total_count", "billed_count", "skipped_count", "error_count")
    def _compute_progress(self):
        for run in self:
            done = run.billed_count + run.skipped_count + run.error_count
            run.progress = 100.0 * done / run.total_count if run.total_count else 0.0

    @api.depends("plan_ids", "member_domain", "company_id")
    def _compute_scope_member_count(self):
        Member = self.env["membership.member"]
        for run in self:
            try:
                run.scope_member_count = Member.search_count(run._get_scope_domain())
            except ValidationError:
                run.scope_member_count = 0

    def _compute_invoice_count(self):
        counts = dict(
            self.env["membership.dues"]._read_group(
                [("run_id", "in", self.ids), ("move_id", "!=", False)],
                ["run_id"],
                ["__count"],
            )
        )
        for run in self:
            run.invoice_count = counts.get(run, 0)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_start(self):
        """Queue the run: ``ir_cron_dues_run`` bills it batch by batch."""
        for run in self:
            if run.state not in ("draft", "failed"):
                raise UserError(
                    self.env._("Only a draft or failed run can be started.")
                )
            domain = run._get_scope_domain()
            run.write(
                {
                    "state": "running",
                    "failure_message": False,
                    "date_started": fields.Datetime.now(),
                    "total_count": self.env["membership.member"].search_count(domain),
                }
            )
        self.env.ref("membership_management.ir_cron_dues_run")._trigger()
        return True

    def action_run_now(self):
        """Bill the run's next batches in this request, for a few seconds at
        most; the background job carries on with what is left."""
        self.ensure_one()
        self.check_access("write")
        deadline = time.monotonic() + RUN_NOW_SECONDS
        while self.state == "running" and time.monotonic() < deadline:
            if not self.try_lock_for_update(allow_referencing=True):
                raise UserError(
                    self.env._("The background job is billing this run right now.")
                )
            self._process_next_batch()
        return True

    def action_cancel(self):
        self.filtered(lambda r: r.state in ("draft", "running", "failed")).write(
            {"state": "cancelled"}
        )
        return True

    def action_reset_to_draft(self):
        self.filtered(lambda r: r.state == "cancelled" and not r.line_ids).write(
            {"state": "draft"}
        )
        return True

    def action_view_scope_members(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "membership_management.membership_member_action"
        )
        action.update(
            {
                "name": self.env._("Members in Scope"),
                "domain": list(self._get_scope_domain()),
                "context": {"create": False},
            }
        )
        return action

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("membership_dues_ids.run_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _cron_process_runs(self):
        """Work the running runs batch by batch, committing after each one.

        Each batch first claims its run with a row lock that waits for nobody:
        a run another worker is billing (the renewal job and this one, or two
        servers) is left to it, so no batch is billed twice.
        """
        cron = self.env["ir.cron"]
        for run in self.search([("state", "=", "running")], order="id"):
            while run.state == "running":
                if not run.try_lock_for_update(allow_referencing=True):
                    break
                # what the other worker committed: cancelled, or further on?
                run.invalidate_recordset()
                if run.state != "running":
                    break
                processed = run._process_next_batch()
                remaining = run._get_remaining_count() if run.state == "running" else 0
                if cron._commit_progress(processed, remaining=remaining) <= 0:
                    return False
        # nothing left here (a run another worker holds is its job to finish)
        cron._commit_progress(remaining=0)
        return True

    def _process_next_batch(self):
        """Bill the next batch of members; returns how many were handled.

        An unexpected error fails the run (with its message) instead of making
        the cron retry the same batch forever.
        """
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                return self._bill_next_batch()
        except (UserError, ValidationError, PsycopgError) as error:
            _logger.exception("Dues run %s failed", self.display_name)
            self.write({"state": "failed", "failure_message": str(error)})
            self.message_post(
                body=self.env._("The run failed: %(error)s", error=str(error))
            )
            return 0

    def _bill_next_batch(self):
        Member = self.env["membership.member"]
        members = Member.search(
            self._get_scope_domain() & Domain("id", ">", self.last_member_id),
            order="id",
            limit=self.batch_size,
        )
        if not members:
            self.write({"state": "done", "date_done": fields.Datetime.now()})
            self.message_post(
                body=self.env._(
                    "Run finished: %(billed)s billed, %(skipped)s skipped, "
                    "%(errors)s errors.",
                    billed=self.billed_count,
                    skipped=self.skipped_count,
                    errors=self.error_count,
                )
            )
            return 0
        invoice_values = self._get_invoice_values()
        # the run's results and the status history say what happened: skip the
        # per-record creation notes and field tracking (member status, invoice
        # state...) of thousands of records
        members = members.with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
        )
        day, renew = self._get_billing_day()
        try:
            with self.env.cr.savepoint():
                dues, skipped = members._bill_period(
                    day, invoice_values, post=self.post_invoices, renew=renew
                )
                # recompute here, in the quiet context: leaving the savepoint
                # would flush in a context without it
                members.env.flush_all()
            errors = []
        except (UserError, ValidationError, PsycopgError):
            # one member's problem must not block the batch: bill one by one
            dues, skipped, errors = self._bill_one_by_one(members, invoice_values)
        skipped, more_errors = self._check_skipped(skipped)
        errors += more_errors
        dues.sudo().run_id = self
        lines = [
            {
                "run_id": self.id,
                "member_id": d.member_id.id,
                "status": "billed",
                "dues_id": d.id,
            }
            for d in dues
        ]
        lines += [
            {
                "run_id": self.id,
                "member_id": m.id,
                "status": "skipped",
                "reason_data": r,
            }
            for m, r in skipped
        ]
        lines += [
            {"run_id": self.id, "member_id": m.id, "status": "error", "reason_data": r}
            for m, r in errors
        ]
        self.env["membership.dues.run.line"].create(lines)
        self.write(
            {
                "last_member_id": members[-1].id,
                "billed_count": self.billed_count + len(dues),
                "skipped_count": self.skipped_count + len(skipped),
                "error_count": self.error_count + len(errors),
            }
        )
        if self.send_invoices and self.post_invoices:
            self._send_invoices(dues.move_id)
        return len(members)

    def _bill_one_by_one(self, members, invoice_values):
        all_dues = self.env["membership.dues"]
        skipped, errors = [], []
        day, renew = self._get_billing_day()
        for member in members:
            try:
                with self.env.cr.savepoint():
                    dues, member_skipped = member._bill_period(
                        day, invoice_values, post=self.post_invoices, renew=renew
                    )
                    member.env.flush_all()
            except (UserError, ValidationError, PsycopgError) as error:
                errors.append((member, free_text(str(error))))
                continue
            all_dues |= dues
            skipped += member_skipped
        return all_dues, skipped, errors

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    def _get_member_domain(self):
        """The member filter, parsed as a literal (never evaluated as code) by
        the parser segments and journey steps use."""
        self.ensure_one()
        return self.env["membership.segment"]._parse_member_domain(
            self.member_domain,
            self.env._("the dues run “%s”", self.name),
        )

    def _get_scope_domain(self):
        self.ensure_one()
        return (
            Domain("plan_id", "in", self.plan_ids.ids)
            & Domain("company_id", "=", self.company_id.id)
            # people covered by an organisation or family: its dues pay for them
            & Domain("parent_member_id", "=", False)
            & self._get_member_domain()
        )

    def _check_skipped(self, skipped):
        """``(skipped, errors)``: the skipped members that are in truth a
        problem for staff (see renewal runs); a plain run keeps them all."""
        return skipped, []

    def _get_billing_day(self):
        """``(day, renew)`` handed to the billing rule: the period containing
        ``period_date`` (renewal runs bill the period after, see
        ``membership_dues_run_renewal``)."""
        self.ensure_one()
        return self.period_date, False

    def _get_remaining_count(self):
        self.ensure_one()
        return self.env["membership.member"].search_count(
            self._get_scope_domain() & Domain("id", ">", self.last_member_id)
        )

    def _get_invoice_values(self):
        self.ensure_one()
        values = {"invoice_date": self.invoice_date or self.period_date}
        if self.invoice_date_due:
            values["invoice_date_due"] = self.invoice_date_due
        elif self.payment_term_id:
            values["invoice_payment_term_id"] = self.payment_term_id.id
        return values

    def _send_invoices(self, moves):
        """E-mail the invoices through Odoo's own sending job (see
        ``account.move._membership_queue_sending``): a document that fails is
        noted on its invoice, the billing stands."""
        if not moves._membership_queue_sending():
            self.message_post(
                body=self.env._(
                    "The invoices wait for Odoo's job “Send invoices automatically”, "
                    "which is not active."
                )
            )
