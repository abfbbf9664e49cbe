# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class MembershipReceiptMixin(models.AbstractModel):
    """A receipt (領収書) for a paid membership invoice: dues or an event fee.

    What a receipt shows comes from the invoice and its payments, never from
    the dues' untaxed figures: the amount actually received, the amount and
    the tax per rate, the payment dates and methods and, when the company has
    one, its invoice registration number (登録番号), so that a receipt for a
    taxable fee serves as a qualified invoice. Dues and event fees share one
    numbering sequence; a number is given on first issue and kept on reprints.
    """

    _name = "membership.receipt.mixin"
    _description = "Membership Receipt"

    receipt_number = fields.Char(copy=False, readonly=True, index="btree_not_null")
    receipt_date = fields.Date(copy=False, readonly=True)

    def write(self, vals):
        if {"receipt_number", "receipt_date"}.intersection(vals) and not self.env.su:
            raise AccessError(
                self.env._("Receipt numbers are given by the system on first issue.")
            )
        return super().write(vals)

    def _get_report_base_filename(self):
        return self._get_receipt_file_name()

    def _get_receipt_move(self):
        """The invoice this record's receipt is for."""
        raise NotImplementedError

    def _is_receipt_issuable(self):
        """Only a fully paid invoice gets a receipt."""
        raise NotImplementedError

    def _check_receipt_issuable(self):
        for record in self:
            if not record._is_receipt_issuable():
                raise UserError(
                    self.env._(
                        "A receipt is issued only once the invoice is paid: "
                        "%(record)s is not paid.",
                        record=record.display_name,
                    )
                )

    def _ensure_receipt_number(self):
        """Number receipts on first issue from the company's receipt sequence;
        a reprint shows the same number."""
        today = fields.Date.context_today(self)
        for record in self.filtered(lambda r: not r.receipt_number):
            move = record._get_receipt_move()
            number = (
                self.env["ir.sequence"]
                .with_company(move.company_id)
                .sudo()
                .next_by_code("membership.dues.receipt")
            )
            record.sudo().write({"receipt_number": number, "receipt_date": today})

    def _get_receipt_file_name(self):
        self.ensure_one()
        number = self.receipt_number or self.display_name or ""
        return self.env._("Receipt %(number)s", number=number.replace("/", "-"))

    @api.model
    def _get_receipt_report_values(self, docids):
        """Values of the receipt report of these records: refused unless all
        are paid, numbered on first issue."""
        docs = self.browse(docids)
        docs._check_receipt_issuable()
        docs._ensure_receipt_number()
        return {
            "doc_ids": docs.ids,
            "doc_model": self._name,
            "docs": docs,
            "receipts": {doc.id: doc._get_receipt_values() for doc in docs},
        }

    def _get_receipt_values(self):
        """What the receipt document shows, in the invoice's currency."""
        self.ensure_one()
        move = self._get_receipt_move().sudo()
        payments = [
            {
                "date": line["date"],
                "method": line["payment_method_name"] or line["journal_name"],
                "amount": line["amount"],
            }
            for line in (move.invoice_payments_widget or {}).get("content", [])
            if not line["is_refund"]
        ]
        return {
            "move": move,
            "currency": move.currency_id,
            "lines": [
                {"name": line.name, "amount": line.price_total}
                for line in move.invoice_line_ids
                if line.display_type == "product"
            ],
            "taxes": self._get_receipt_tax_rates(move),
            "payments": payments,
            "amount_received": sum(p["amount"] for p in payments),
            "registration_number": (
                move.company_id.membership_invoice_registration_number
            ),
        }

    def _get_receipt_tax_rates(self, move):
        """Amounts (tax included) and tax per rate: 10 %, 8 %, exempt, or not
        subject to tax (不課税) for lines without any tax."""
        rates = defaultdict(lambda: {"amount": 0.0, "tax": 0.0})
        for line in move.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        ):
            taxes = line.tax_ids
            label = (
                ", ".join(taxes.mapped(lambda t: t.invoice_label or t.name))
                if taxes
                else self.env._("Not subject to tax")
            )
            rates[label]["amount"] += line.price_total
            rates[label]["tax"] += line.price_total - line.price_subtotal
        currency = move.currency_id
        return [
            {
                "label": label,
                "amount": currency.round(values["amount"]),
                "tax": currency.round(values["tax"]),
            }
            for label, values in rates.items()
        ]
