# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, models


class ReportDuesReceipt(models.AbstractModel):
    """Receipts (領収書) of paid dues; numbering happens on first print."""

    _name = "report.membership_management.report_dues_receipt"
    _description = "Membership Dues Receipt"

    @api.model
    def _get_report_values(self, docids, data=None):
        return self.env["membership.dues"]._get_receipt_report_values(docids)
