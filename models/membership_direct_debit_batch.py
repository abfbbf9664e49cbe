# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from ..tools.zengin_debit import ZenginError, format_request, parse_result


class MembershipDirectDebitBatch(models.Model):
    """A 口座振替 collection: the open dues invoices of members with an active
    mandate, due by the debit date, sent to the bank as a Zengin request file;
    the bank's result file then pays or fails each debit.

    A debit is in one live batch at a time (an invoice already in a draft or
    exported batch is not collected again), and a line that has its result is
    never paid again, so importing a result file twice pays nothing twice.
    """

    _name = "membership.direct.debit.batch"
    _description = "Direct Debit Collection (口座振替)"
    _inherit = ["mail.thread"]
    _order = "debit_date desc, id desc"

    name = fields.Char(compute="_compute_name", store=True, readonly=False)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    debit_date = fields.Date(
        required=True,
        tracking=True,
        help="引落日: the day the bank debits the members' accounts. Invoices due "
        "by this day are collected.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Bank Journal",
        required=True,
        check_company=True,
        domain="[('type', '=', 'bank'), ('company_id', '=', company_id)]",
        default=lambda self: self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.env.company.id)], limit=1
        ),
        help="Debited amounts are registered as payments on this journal.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("exported", "Sent to Bank"),
            ("done", "Results Imported"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        index=True,
    )
    line_ids = fields.One2many(
        "membership.direct.debit.line", "batch_id", string="Debits"
    )
    line_count = fields.Integer(compute="_compute_totals")
    amount_total = fields.Monetary(compute="_compute_totals")
    paid_count = fields.Integer(compute="_compute_totals")
    failed_count = fields.Integer(compute="_compute_totals")
    request_attachment_id = fields.Many2one(
        "ir.attachment", string="Request File", readonly=True, copy=False
    )

    @api.depends("debit_date")
    def _compute_name(self):
        for batch in self:
            batch.name = batch.debit_date and self.env._(
                "Direct debit %(date)s",
                date=fields.Date.to_string(batch.debit_date),
            )

    @api.depends("line_ids.amount", "line_ids.state")
    def _compute_totals(self):
        for batch in self:
            lines = batch.line_ids
            batch.line_count = len(lines)
            batch.amount_total = sum(lines.mapped("amount"))
            batch.paid_count = len(lines.filtered(lambda x: x.state == "paid"))
            batch.failed_count = len(lines.filtered(lambda x: x.state == "failed"))

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_collect(self):
        """Take the open dues invoices of members with an active mandate, due
        by the debit date, that no live batch holds yet: one debit per mandate."""
        self.ensure_one()
        self.check_access("write")
        if self.state != "draft":
            raise UserError(self.env._("Only a draft collection can be filled."))
        Mandate = self.env["membership.direct.debit.mandate"]
        mandates = Mandate.search(
            [("state", "=", "active"), ("company_id", "=", self.company_id.id)]
        )
        taken = self.env["membership.direct.debit.line"].search(
            [
                ("batch_id.state", "in", ("draft", "exported")),
                ("state", "=", "pending"),
                ("company_id", "=", self.company_id.id),
            ]
        )
        dues = self.env["membership.dues"].search(
            Domain.AND(
                [
                    Domain("member_id", "in", mandates.member_id.ids),
                    Domain(
                        "state", "in", self.env["membership.dues"]._get_open_states()
                    ),
                    Domain("move_id.state", "=", "posted"),
                    Domain("move_id.invoice_date_due", "<=", self.debit_date),
                    Domain("move_id", "not in", taken.move_ids.ids),
                    self.env["membership.dues"]._get_auto_collected_domain(),
                ]
            )
        )
        moves_by_member = defaultdict(lambda: self.env["account.move"])
        for item in dues:
            moves_by_member[item.member_id] |= item.move_id
        lines = []
        for mandate in mandates:
            moves = moves_by_member.get(mandate.member_id)
            if not moves:
                continue
            lines.append(
                {
                    "batch_id": self.id,
                    "mandate_id": mandate.id,
                    "move_ids": [fields.Command.set(moves.ids)],
                    "amount": sum(moves.mapped("amount_residual")),
                }
            )
        self.env["membership.direct.debit.line"].create(lines)
        self.message_post(
            body=self.env._(
                "%(count)s debits collected, %(amount)s in all.",
                count=len(lines),
                amount=self.amount_total,
            )
        )
        return True

    def action_export(self):
        """Write the Zengin request file, attach it to the batch and mark the
        batch sent; the account data read for it are logged in the audit log."""
        self.ensure_one()
        self.check_access("write")
        if self.state not in ("draft", "exported"):
            raise UserError(self.env._("This collection is closed."))
        lines = self.line_ids.filtered(lambda x: x.state == "pending")
        if not lines:
            raise UserError(self.env._("There is nothing to debit: collect first."))
        header = self.company_id._get_direct_debit_header(self.debit_date)
        debits = []
        for line in lines:
            mandate = line.mandate_id
            if mandate.state != "active":
                raise UserError(
                    self.env._(
                        "The mandate of %(member)s is no longer active: remove "
                        "the debit first.",
                        member=line.member_id.display_name,
                    )
                )
            amount = line.amount
            if amount != int(amount) or amount <= 0:
                raise UserError(
                    self.env._(
                        "A bank debit is a whole, positive number of yen "
                        "(%(member)s: %(amount)s).",
                        member=line.member_id.display_name,
                        amount=amount,
                    )
                )
            line.write(
                {
                    "customer_number": mandate.customer_number,
                    "new_code": mandate.new_code,
                }
            )
            debits.append(
                {
                    "bank_code": mandate.bank_code,
                    "bank_name": mandate.bank_name,
                    "branch_code": mandate.branch_code,
                    "branch_name": mandate.branch_name,
                    "account_type": mandate.account_type,
                    "account_number": mandate.account_number,
                    "holder_name": mandate.holder_name,
                    "amount": int(amount),
                    "new_code": mandate.new_code,
                    "customer_number": mandate.customer_number,
                }
            )
        try:
            content = format_request(
                header, debits, line_break=self.company_id.membership_debit_line_breaks
            )
        except ZenginError as error:
            raise UserError(str(error)) from error
        self.request_attachment_id.unlink()
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"zengin_91_{self.debit_date:%Y%m%d}_{self.id}.txt",
                "raw": content,
                "mimetype": "text/plain",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        self.write({"state": "exported", "request_attachment_id": attachment.id})
        self.env["membership.audit.log"]._log(
            "direct_debit_export",
            lines.member_id,
            self.env._(
                "%(file)s: the bank accounts of %(count)s members",
                file=attachment.name,
                count=len(lines),
            ),
        )
        self.message_post(
            body=self.env._(
                "Request file written: %(count)s debits.", count=len(lines)
            ),
            attachment_ids=attachment.ids,
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    def action_cancel(self):
        if self.filtered(lambda b: b.state == "done"):
            raise UserError(
                self.env._("A collection with imported results cannot be cancelled.")
            )
        self.write({"state": "cancelled"})
        return True

    def action_reset_to_draft(self):
        self.filtered(lambda b: b.state in ("exported", "cancelled")).write(
            {"state": "draft"}
        )
        return True

    def action_import_result(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "membership.direct.debit.result.import",
            "view_mode": "form",
            "target": "new",
            "context": {"default_batch_id": self.id},
        }

    # ------------------------------------------------------------
    # RESULT FILE
    # ------------------------------------------------------------

    def _import_result(self, data):
        """Apply the bank's result file (bytes): debited lines are paid on the
        batch's journal and reconciled, the others keep their dues unpaid with
        the bank's reason. The whole file is checked before anything is
        written; lines that have their result already are left as they are."""
        self.ensure_one()
        self.check_access("write")
        if self.state not in ("exported", "done"):
            raise UserError(
                self.env._("Send the request file to the bank before its results.")
            )
        try:
            header, debits, __ = parse_result(data, self.env._)
        except ZenginError as error:
            raise UserError(
                self.env._("The result file cannot be imported: %(error)s", error=error)
            ) from error
        self._check_result_header(header)
        lines = {int(line.customer_number or 0): line for line in self.line_ids}
        results, seen = [], {}
        for number, debit in debits:
            line = lines.get(debit["customer_number"])
            if debit["customer_number"] in seen:
                # one debit answered twice would be paid twice
                raise UserError(
                    self.env._(
                        "The result file cannot be imported: records %(first)s and "
                        "%(number)s both answer the customer number %(customer)s.",
                        first=seen[debit["customer_number"]],
                        number=number,
                        customer=debit["customer_number"],
                    )
                )
            seen[debit["customer_number"]] = number
            if not line:
                raise UserError(
                    self.env._(
                        "The result file cannot be imported: record %(number)s "
                        "has the customer number %(customer)s, which this "
                        "collection did not send.",
                        number=number,
                        customer=debit["customer_number"],
                    )
                )
            if debit["amount"] != int(line.amount):
                raise UserError(
                    self.env._(
                        "The result file cannot be imported: record %(number)s "
                        "debits %(amount)s where %(expected)s was asked.",
                        number=number,
                        amount=debit["amount"],
                        expected=int(line.amount),
                    )
                )
            results.append((line, str(debit["result_code"])))
        pending = [(line, code) for line, code in results if line.state == "pending"]
        self.env["membership.direct.debit.line"].concat(
            *(line for line, code in pending if code == "0")
        )._apply_debited()
        for line, code in pending:
            if code != "0":
                line._apply_result(code)
        if not self.line_ids.filtered(lambda x: x.state == "pending"):
            self.state = "done"
        paid = [line for line, code in results if code == "0"]
        self.message_post(
            body=self.env._(
                "Result file imported: %(paid)s debited, %(failed)s not debited.",
                paid=len(paid),
                failed=len(results) - len(paid),
            )
        )
        return True

    def _check_result_header(self, header):
        """Refuse a result file of another consignor or debit date."""
        company = self.company_id
        expected_code = int(company.membership_debit_consignor_code or 0)
        if header["consignor_code"] != expected_code or header["debit_date"] != int(
            self.debit_date.strftime("%m%d")
        ):
            raise UserError(
                self.env._(
                    "This result file is for another collection: consignor "
                    "%(code)s, debit date %(date)s (this one: %(our_code)s, "
                    "%(our_date)s).",
                    code=f"{header['consignor_code']:010d}",
                    date=f"{header['debit_date']:04d}",
                    our_code=company.membership_debit_consignor_code,
                    our_date=self.debit_date.strftime("%m%d"),
                )
            )
