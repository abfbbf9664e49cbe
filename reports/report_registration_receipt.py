# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, models


class ReportRegistrationReceipt(models.AbstractModel):
    """Receipts (領収書) of paid event fees, numbered like dues receipts."""

    _name = "report.membership_management.report_registration_receipt"
    _description = "Event Fee Receipt"

    @api.model
    def _get_report_values(self, docids, data=None):
        return self.env["event.registration"]._get_receipt_report_values(docids)
