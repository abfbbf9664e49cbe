# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import logging
import time

from psycopg2 import Error as PsycopgError
from psycopg2.errors import UniqueViolation

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from ..tools.stored_text import free_text

_logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 200
RUN_NOW_SECONDS = 20
# a batch that keeps meeting other workers' fresh commits gives up for now
MAX_BATCH_RETRIES = 5


class MembershipDuesRun(models.Model):
    """Bill one period for every member of some plans, in committed batches.

    A batch claims the next members the run has no result for, in id order,
    with a row lock that skips what another worker holds (``SKIP LOCKED``), and
    commits their results with their dues. So a worker killed mid-run resumes
    after the last committed batch, and several workers (the dues job, the
    renewal job, *Run Now*, a second server) share one run without waiting for
    each other or billing anyone twice: a member has one result per run (a
    unique index) and live dues never overlap (an exclusion constraint).
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
    total_count = fields.Integer(string="Members", copy=False, readonly=True)
    # counted from the results, never written per batch: two workers would
    # both rewrite the run's row, and the second one's batch would fail
    billed_count = fields.Integer(compute="_compute_result_counts")
    skipped_count = fields.Integer(compute="_compute_result_counts")
    error_count = fields.Integer(compute="_compute_result_counts")
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

    @api.depends("line_ids.status")
    def _compute_result_counts(self):
        counts = {
            (run.id, status): count
            for run, status, count in self.env["membership.dues.run.line"]._read_group(
                [("run_id", "in", self.ids)], ["run_id", "status"], ["__count"]
            )
        }
        for run in self:
            run.billed_count = counts.get((run.id, "billed"), 0)
            run.skipped_count = counts.get((run.id, "skipped"), 0)
            run.error_count = counts.get((run.id, "error"), 0)

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
            if not self._process_next_batch() and self.state == "running":
                raise UserError(
                    self.env._("The background job is billing this run right now.")
                )
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

        Each batch claims its own members (see ``_claim_next_members``), so
        another worker on the same run (the renewal job and this one, *Run
        Now*, two servers) takes the next members meanwhile. A batch that
        meets another worker's fresh commit (it claimed members on an older
        snapshot) is rolled back and claimed again.
        """
        cron = self.env["ir.cron"]
        for run in self.search([("state", "=", "running")], order="id"):
            # built once: after each commit the claim is the first statement,
            # so it sees what other workers committed until that moment
            claim = run._get_claim_query()
            retries = 0
            while True:
                try:
                    processed = run._process_next_batch(claim)
                except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY + (UniqueViolation,) as error:
                    if not run._is_worker_collision(error):
                        raise
                    retries += 1
                    _logger.info("Dues run %s: batch met another worker", run.id)
                    self.env.cr.rollback()
                    if retries > MAX_BATCH_RETRIES:
                        break
                    continue
                retries = 0
                if not processed:
                    # done, failed, stopped, or the rest is held by another worker
                    break
                remaining = run._get_remaining_count()
                if cron._commit_progress(processed, remaining=remaining) <= 0:
                    return False
        cron._commit_progress(remaining=0)
        return True

    def _process_next_batch(self, claim=None):
        """Bill the next batch of members; returns how many were handled.

        An unexpected error fails the run (with its message) instead of making
        the cron retry the same batch forever.
        """
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                return self._bill_next_batch(claim)
        except (UserError, ValidationError, PsycopgError) as error:
            if self._is_worker_collision(error):
                raise
            _logger.exception("Dues run %s failed", self.display_name)
            self.write({"state": "failed", "failure_message": str(error)})
            self.message_post(
                body=self.env._("The run failed: %(error)s", error=str(error))
            )
            return 0

    def _bill_next_batch(self, claim=None):
        members = self._claim_next_members(claim)
        # what other workers committed until the claim: stopped, or done?
        self.invalidate_recordset(["state"])
        if self.state != "running":
            return 0
        if not members:
            if self._get_remaining_count():
                return 0  # held by another worker: its job to bill them
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
        except (UserError, ValidationError, PsycopgError) as error:
            if self._is_worker_collision(error):
                raise
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
                if self._is_worker_collision(error):
                    raise
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

    def _get_pending_domain(self):
        """The members of the scope the run has no result for yet."""
        self.ensure_one()
        return self._get_scope_domain() & Domain(
            "dues_run_line_ids", "not any", [("run_id", "=", self.id)]
        )

    def _get_remaining_count(self):
        """Members still to handle, those another worker holds included."""
        self.ensure_one()
        return self.env["membership.member"].search_count(self._get_pending_domain())

    def _get_claim_query(self):
        """The query locking the next batch of pending members, in id order,
        skipping the rows another worker holds (``FOR NO KEY UPDATE SKIP
        LOCKED``): what it holds is its batch, and nobody waits."""
        self.ensure_one()
        Member = self.env["membership.member"]
        query = Member._search(
            self._get_pending_domain(), order="id", limit=self.batch_size
        )
        return SQL(
            "%s FOR NO KEY UPDATE OF %s SKIP LOCKED",
            query.select(),
            SQL.identifier(Member._table),
        )

    def _claim_next_members(self, claim=None):
        """Lock and return the next batch of pending members."""
        self.ensure_one()
        # a collision here is expected and handled: not an error in the log
        self.env.cr.execute(claim or self._get_claim_query(), log_exceptions=False)
        member_ids = [member_id for (member_id,) in self.env.cr.fetchall()]
        return self.env["membership.member"].browse(member_ids)

    def _is_worker_collision(self, error):
        """Whether ``error`` says another worker committed this batch's members
        after this transaction began: a lock or serialization failure, or the
        second result of a member for this run. The batch is then rolled back
        and claimed again; it is never a member's or the run's failure."""
        if isinstance(error, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
            return True
        return isinstance(error, UniqueViolation) and (
            error.diag.constraint_name
            == self.env["membership.dues.run.line"]._run_member_uniq_name()
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
