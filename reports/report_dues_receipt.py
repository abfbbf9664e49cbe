# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, models
from odoo.exceptions import UserError


class ReportDuesReceipt(models.AbstractModel):
    """Receipts (領収書) exist only for paid dues; numbering happens on first print."""

    _name = "report.membership_management.report_dues_receipt"
    _description = "Membership Dues Receipt"

    @api.model
    def _get_report_values(self, docids, data=None):
        dues = self.env["membership.dues"].browse(docids)
        unpaid = dues.filtered(lambda d: d.state != "paid")
        if unpaid:
            raise UserError(
                self.env._(
                    "A receipt is issued only for paid dues: %(dues)s is not paid.",
                    dues=unpaid[0].display_name,
                )
            )
        dues._ensure_receipt_number()
        return {"doc_ids": dues.ids, "doc_model": "membership.dues", "docs": dues}
