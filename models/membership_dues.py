# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import logging

import psycopg2

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, format_date

from ..tools.invoice import cancel_unpaid_invoice, credited_amount, invoice_status

_logger = logging.getLogger(__name__)
OVERLAP_CONSTRAINT = "membership_dues_live_no_overlap"

DUES_STATES = [
    ("draft", "Draft"),
    ("invoiced", "Invoiced"),
    ("partial", "Partially Paid"),
    ("paid", "Paid"),
    ("free", "Free"),
    ("cancelled", "Cancelled"),
]


class MembershipDues(models.Model):
    """One billed (or free) period of one member.

    The state follows the invoice: paid when the invoice is paid, cancelled when
    it is cancelled or reversed. No two live dues of a member overlap, which is
    what makes billing idempotent.
    """

    _name = "membership.dues"
    _description = "Membership Dues"
    _inherit = ["mail.thread", "mail.activity.mixin", "membership.receipt.mixin"]
    _order = "date_start desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    member_id = fields.Many2one(
        "membership.member",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
    )
    partner_id = fields.Many2one(related="member_id.partner_id", store=True, index=True)
    plan_id = fields.Many2one(
        "membership.plan", required=True, ondelete="restrict", tracking=True
    )
    company_id = fields.Many2one(
        related="member_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_start = fields.Date(required=True, tracking=True)
    date_end = fields.Date(tracking=True, help="Empty for a lifetime membership.")
    amount = fields.Monetary(string="Dues", help="Fee for this period.")
    entry_fee_amount = fields.Monetary(string="Entry Fee")
    amount_total = fields.Monetary(compute="_compute_amount_total", store=True)
    amount_billed = fields.Monetary(
        string="Billed Amount",
        compute="_compute_amount_billed",
        store=True,
        help="Dues and entry fee, nothing once cancelled: what totals add up.",
    )
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        index="btree_not_null",
        copy=False,
        ondelete="restrict",
        tracking=True,
    )
    invoice_partner_id = fields.Many2one(
        "res.partner",
        string="Billed To",
        compute="_compute_invoice_partner_id",
        help="Who the invoice is addressed to: the member, or the contact who "
        "pays for them. Payment reminders go there.",
    )
    payment_state = fields.Selection(related="move_id.payment_state")
    date_due = fields.Date(
        string="Due Date", related="move_id.invoice_date_due", store=True
    )
    amount_residual = fields.Monetary(
        related="move_id.amount_residual", string="Amount Due"
    )
    cancelled = fields.Boolean(
        copy=False, help="Cancelled by staff without an invoice to reverse."
    )
    state = fields.Selection(
        DUES_STATES,
        compute="_compute_state",
        store=True,
        index=True,
        tracking=True,
        default="draft",
    )
    run_id = fields.Many2one(
        "membership.dues.run",
        string="Dues Run",
        index="btree_not_null",
        copy=False,
        ondelete="set null",
    )
    amount_paid = fields.Monetary(
        compute="_compute_amount_paid",
        help="Received on the invoice, tax included (credit notes not counted).",
    )
    dunning_level = fields.Integer(
        copy=False, help="Number of payment reminders sent for these dues."
    )
    carried_over = fields.Boolean(
        readonly=True,
        copy=False,
        help="Coverage paid before the membership was kept here (imported): no "
        "invoice, counted as paid, no receipt.",
    )

    legacy_line_id = fields.Integer(
        string="Odoo Membership Line",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The membership line of Odoo's membership app these dues were "
        "migrated from: a second migration skips it.",
    )

    _legacy_line_uniq = models.UniqueIndex(
        "(company_id, legacy_line_id) WHERE legacy_line_id IS NOT NULL",
        "A membership line of Odoo's membership app is migrated once.",
    )
    _date_order = models.Constraint(
        "CHECK(date_end IS NULL OR date_end >= date_start)",
        "Dues cannot end before they start.",
    )

    def init(self):
        """The overlap rule in the database too: two workers billing one member
        at once (a renewal run and a staff run) cannot both commit a period;
        the second commit waits for the first, then is refused and its batch
        rolled back. Checked at commit, as one flush may insert a period before
        it writes the cancellation of the one it replaces. It needs PostgreSQL's
        ``btree_gist`` (a trusted extension); without it the ORM check alone
        guards, and the log says so."""
        super().init()
        cr = self.env.cr
        cr.execute(
            "SELECT 1 FROM pg_constraint WHERE conname = %s", [OVERLAP_CONSTRAINT]
        )
        if cr.fetchone():
            return
        try:
            with cr.savepoint():
                cr.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
                cr.execute(
                    SQL(
                        "ALTER TABLE membership_dues ADD CONSTRAINT %s EXCLUDE USING "
                        "gist (member_id WITH =, daterange(date_start, date_end, "
                        "'[]') WITH &&) WHERE (state != 'cancelled') "
                        "DEFERRABLE INITIALLY DEFERRED",
                        SQL.identifier(OVERLAP_CONSTRAINT),
                    )
                )
        except psycopg2.Error as error:
            _logger.warning("Overlapping dues are refused by the ORM only: %s", error)

    @api.constrains("member_id", "date_start", "date_end", "cancelled", "move_id")
    def _check_no_overlap(self):
        """Refuse two live dues of one member covering the same day (one query)."""
        self.flush_model(["member_id", "date_start", "date_end", "state"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT a.id
                  FROM membership_dues a
                  JOIN membership_dues b
                    ON b.member_id = a.member_id
                   AND b.id != a.id
                   AND b.state != 'cancelled'
                   AND daterange(b.date_start, b.date_end, '[]')
                       && daterange(a.date_start, a.date_end, '[]')
                 WHERE a.id IN %s AND a.state != 'cancelled'
                 LIMIT 1
                """,
                tuple(self.ids),
            )
        )
        if rows:
            dues = self.browse(rows[0][0])
            raise ValidationError(
                self.env._(
                    "%(member)s already has dues covering part of %(period)s: a "
                    "period cannot be billed twice.",
                    member=dues.member_id.display_name,
                    period=dues.name,
                )
            )

    @api.depends("move_id.partner_id", "member_id.bill_to_partner_id")
    def _compute_invoice_partner_id(self):
        for dues in self:
            dues.invoice_partner_id = (
                dues.move_id.partner_id or dues.member_id._get_invoice_partner()
            )

    def _is_billed_to_other(self):
        """Billed to someone else than the member (an employer, a parent)."""
        self.ensure_one()
        return self.invoice_partner_id != self.partner_id

    def _mail_get_partner_fields(self, introspect_fields=False):
        """Mails about dues (reminders) go to whoever is billed."""
        return ["invoice_partner_id"]

    @api.depends("date_start", "date_end", "plan_id.name")
    def _compute_name(self):
        for dues, label in zip(self, self._get_period_labels(), strict=True):
            dues.name = label

    @api.depends("date_start", "date_end", "plan_id.name")
    @api.depends_context("lang")
    def _compute_display_name(self):
        """The period in the reader's language and date format: ``name`` keeps
        the label as it was billed (invoice lines, search)."""
        for dues, label in zip(self, self._get_period_labels(), strict=True):
            dues.display_name = label or dues.name

    def export_data(self, fields_to_export):
        """Members' dues and payments: every export is audited."""
        self.env["membership.audit.log"]._log_export(self, fields_to_export)
        return super().export_data(fields_to_export)

    def _get_period_labels(self):
        """The period label of each dues, in order (a run or an import names
        thousands of the same period: each is formatted once)."""
        labels = {}
        for dues in self:
            key = (dues.plan_id, dues.date_start, dues.date_end)
            if dues.date_start and key not in labels:
                labels[key] = self._get_period_label(*key)
        return [labels.get((d.plan_id, d.date_start, d.date_end), False) for d in self]

    @api.model
    def _get_period_label(self, plan, date_start, date_end):
        if date_end:
            return self.env._(
                "%(plan)s %(start)s - %(end)s",
                plan=plan.name or "",
                start=format_date(self.env, date_start),
                end=format_date(self.env, date_end),
            )
        return self.env._(
            "%(plan)s from %(start)s",
            plan=plan.name or "",
            start=format_date(self.env, date_start),
        )

    @api.depends("amount", "entry_fee_amount")
    def _compute_amount_total(self):
        for dues in self:
            dues.amount_total = dues.amount + dues.entry_fee_amount

    @api.depends("amount_total", "state")
    def _compute_amount_billed(self):
        for dues in self:
            dues.amount_billed = 0.0 if dues.state == "cancelled" else dues.amount_total

    @api.depends("move_id.amount_residual", "move_id.state")
    def _compute_amount_paid(self):
        for dues in self:
            move = dues.move_id
            if move.state == "posted" and move.payment_state != "reversed":
                dues.amount_paid = move.amount_total - move.amount_residual
            else:
                dues.amount_paid = 0.0

    @api.depends(
        "cancelled",
        "carried_over",
        "amount_total",
        "move_id.state",
        "move_id.payment_state",
        "move_id.reversal_move_ids.state",
    )
    def _compute_state(self):
        for dues in self:
            dues.state = dues._get_state_from_invoice()

    def _get_state_from_invoice(self):
        self.ensure_one()
        move = self.move_id
        if self.cancelled:
            return "cancelled"
        if not move:
            if self.carried_over:
                return "paid"
            return "free" if self.currency_id.is_zero(self.amount_total) else "draft"
        status = invoice_status(move)
        credited = credited_amount(move)
        if status == "cancelled" or (credited and credited >= move.amount_total):
            # a paid period credited in full is no longer covered either
            return "cancelled"
        return {"draft": "draft", "paid": "paid", "partial": "partial"}.get(
            status, "invoiced"
        )

    # ------------------------------------------------------------
    # STATE GROUPS
    # ------------------------------------------------------------

    @api.model
    def _get_open_states(self):
        """Dues billed and not fully paid: reminded, matched to transfers,
        shown to pay; the member waits for their payment."""
        return ("invoiced", "partial")

    @api.model
    def _get_auto_collected_domain(self):
        """Dues that reminders, card charges and direct debits may follow up.
        Not the unpaid invoices migrated from Odoo's membership app: that app
        never reminded or collected them, and years-old invoices must not get
        a final notice (or a suspension) the night after a migration; staff
        follow them up in Accounting."""
        return Domain("legacy_line_id", "=", False)

    @api.model
    def _get_covering_states(self):
        """Dues whose period the member is covered by."""
        return ("paid", "free")

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        dues = super().create(vals_list)
        # their amounts, computed after the create, are written in their
        # currency, which Odoo reads record by record unless it is known:
        # a dues run or an import of thousands reads it once instead
        dues.mapped("currency_id")
        return dues

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced(self):
        if self.filtered("move_id"):
            raise UserError(
                self.env._(
                    "Dues with an invoice cannot be deleted: cancel them instead, "
                    "which reverses the invoice."
                )
            )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_cancel(self):
        """Cancel dues: a draft invoice is cancelled, a posted one is reversed."""
        for dues in self:
            move = dues.move_id
            if dues.state == "cancelled":
                continue
            if not move:
                dues.cancelled = True
            elif move.state != "draft" and move.payment_state in (
                "paid",
                "in_payment",
                "partial",
            ):
                raise UserError(
                    self.env._(
                        "The invoice %(invoice)s of %(dues)s has payments: refund it "
                        "with a credit note from the invoice instead.",
                        invoice=move.name,
                        dues=dues.name,
                    )
                )
            else:
                cancel_unpaid_invoice(
                    move, self.env._("Cancellation of %(dues)s", dues=dues.name)
                )
        return True

    @api.model
    def _prepare_invoice_vals(self, member, dues_vals, invoice_values):
        """Invoice for the dues ``dues_vals`` of ``member``; its payment reference
        is the member number so that bank transfers can be matched."""
        plan = self.env["membership.plan"].browse(dues_vals["plan_id"])
        plan._ensure_product()
        period = self._get_period_label(
            plan, dues_vals["date_start"], dues_vals["date_end"]
        )
        lines = []
        if dues_vals["amount"]:
            lines.append(
                Command.create(
                    {
                        "product_id": plan.product_id.id,
                        "name": self.env._("Membership dues: %(period)s", period=period)
                        if not member._is_billed_to_other()
                        else self.env._(
                            "Membership dues: %(period)s (%(member)s, %(number)s)",
                            period=period,
                            member=member.name,
                            number=member.member_number,
                        ),
                        "quantity": 1,
                        "price_unit": dues_vals["amount"],
                    }
                )
            )
        if dues_vals["entry_fee_amount"]:
            lines.append(
                Command.create(
                    {
                        "product_id": plan.product_id.id,
                        "name": self.env._("Entry fee: %(plan)s", plan=plan.name),
                        "quantity": 1,
                        "price_unit": dues_vals["entry_fee_amount"],
                    }
                )
            )
        return {
            "move_type": "out_invoice",
            "partner_id": member._get_invoice_partner().id,
            "invoice_origin": member.member_number,
            "payment_reference": member.member_number,
            "invoice_line_ids": lines,
            **invoice_values,
        }

    def _get_receipt_move(self):
        self.ensure_one()
        return self.move_id

    def _is_receipt_issuable(self):
        self.ensure_one()
        return self.state == "paid" and bool(self.move_id)

    def action_print_receipt(self):
        return self.env.ref(
            "membership_management.action_report_dues_receipt"
        ).report_action(self)

    def action_view_invoice(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }
