# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models

from ..tools.invoice import register_payment
from ..tools.zengin_debit import RESULT_CODES

# result codes after which the account cannot be debited again as it is
REVOKING_CODES = ("2", "3", "4")
# debited invoices paid per *Register Payment* call
DEBIT_CHUNK = 200


class MembershipDirectDebitLine(models.Model):
    """One debit of a collection batch: a member's open dues invoices due by
    the debit date, in one data record, and what the bank answered (a payment
    reconciled with the invoices, or the reason on the dues and the member)."""

    _name = "membership.direct.debit.line"
    _description = "Direct Debit Collection Line"
    _order = "batch_id, id"

    batch_id = fields.Many2one(
        "membership.direct.debit.batch",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="batch_id.company_id", store=True)
    currency_id = fields.Many2one(related="batch_id.currency_id")
    mandate_id = fields.Many2one(
        "membership.direct.debit.mandate", required=True, index=True
    )
    member_id = fields.Many2one(related="mandate_id.member_id", store=True)
    customer_number = fields.Char(readonly=True, help="As written in the request file.")
    new_code = fields.Char(readonly=True, help="新規コード sent to the bank.")
    move_ids = fields.Many2many(
        "account.move",
        "membership_direct_debit_line_move_rel",
        "line_id",
        "move_id",
        string="Invoices",
    )
    amount = fields.Monetary()
    state = fields.Selection(
        [("pending", "Pending"), ("paid", "Debited"), ("failed", "Not Debited")],
        default="pending",
        required=True,
        index=True,
    )
    result_code = fields.Selection(
        [(code, f"{code} {label}") for code, label in RESULT_CODES.items()],
        readonly=True,
    )
    payment_id = fields.Many2one("account.payment", readonly=True)
    message = fields.Char(readonly=True)

    def _apply_debited(self):
        """Pay the invoices of these debited lines: the usual ones (one open
        invoice whose residual is the amount debited) with one *Register
        Payment* call per chunk, one payment per invoice; the others one by
        one (see ``_register_debit``)."""
        simple = self.filtered(
            lambda line: (
                len(line.move_ids) == 1
                and line.state == "pending"
                and line.move_ids.state == "posted"
                # one instalment, no early-payment discount: paid in full
                and len(
                    line.move_ids.line_ids.filtered(
                        lambda aml: aml.display_type == "payment_term"
                    )
                )
                == 1
                and not line.move_ids.invoice_payment_term_id.early_discount
                and line.move_ids.payment_state in ("not_paid", "partial")
                and line.currency_id.compare_amounts(
                    line.move_ids.amount_residual, line.amount
                )
                == 0
            )
        )
        for line in self - simple:
            line._register_debit()
        for batch, lines in simple.grouped("batch_id").items():
            for start in range(0, len(lines), DEBIT_CHUNK):
                lines[start : start + DEBIT_CHUNK]._register_debits(batch)

    def _register_debits(self, batch):
        payments = register_payment(self.move_ids, batch.journal_id, batch.debit_date)
        for line in self:
            # the invoice's own payment (with or without a journal entry)
            payment = payments & line.move_ids.matched_payment_ids
            if len(payment) != 1 or line.currency_id.compare_amounts(
                payment.amount, line.amount
            ):
                # not paid as debited (a batch the wizard skipped...): the
                # rest of the debit is paid as the unusual ones are
                line._register_debit()
                continue
            line.write({"state": "paid", "result_code": "0", "payment_id": payment.id})
            payment.memo = self.env._(
                "Direct debit %(number)s", number=line.customer_number
            )
        self.mandate_id.write(
            {"date_last_debit": batch.debit_date, "account_changed": False}
        )

    def _apply_result(self, code):
        self.ensure_one()
        if code == "0":
            self._register_debit()
        else:
            self._register_failure(code)

    def _register_debit(self):
        batch = self.batch_id
        moves = self.move_ids.filtered(
            lambda m: m.state == "posted" and m.payment_state in ("not_paid", "partial")
        )
        memo = self.env._("Direct debit %(number)s", number=self.customer_number)
        if moves:
            payment = register_payment(
                moves, batch.journal_id, batch.debit_date, self.amount, memo
            )
            message = False
        else:
            # paid meanwhile by other means: the money is the member's credit
            payment = self.env["account.payment"].create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": self.member_id._get_invoice_partner().id,
                    "amount": self.amount,
                    "date": batch.debit_date,
                    "journal_id": batch.journal_id.id,
                    "memo": memo,
                }
            )
            payment.action_post()
            message = self.env._(
                "The invoices were paid meanwhile: the debit is left as credit."
            )
        self.write(
            {
                "state": "paid",
                "result_code": "0",
                "payment_id": payment[:1].id,
                "message": message,
            }
        )
        self.mandate_id.write(
            {"date_last_debit": batch.debit_date, "account_changed": False}
        )

    def _register_failure(self, code):
        reason = RESULT_CODES[code]
        self.write({"state": "failed", "result_code": code, "message": reason})
        body = self.env._(
            "Direct debit of %(date)s not made: %(reason)s (code %(code)s).",
            date=fields.Date.to_string(self.batch_id.debit_date),
            reason=reason,
            code=code,
        )
        for dues in self.move_ids.membership_dues_ids:
            dues.message_post(body=body)
        self.member_id.message_post(body=body)
        self.batch_id.message_post(
            body=self.env._(
                "%(member)s: %(body)s", member=self.member_id.display_name, body=body
            )
        )
        if code in REVOKING_CODES:
            self.mandate_id.action_revoke(reason)
