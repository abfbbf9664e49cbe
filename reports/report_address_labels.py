# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, models


class ReportAddressLabels(models.AbstractModel):
    """Address labels (宛名ラベル) for mailing paper notices: twelve to an A4
    sheet (2 × 6, 86.4 × 42.3 mm, the common label sheet), the postal code,
    the address and the name with 様 for Japanese addresses. Members without
    a postal address are left out. Audited like an export."""

    _name = "report.membership_management.report_address_labels"
    _description = "Address Labels"

    @api.model
    def _get_report_values(self, docids, data=None):
        members = self.env["membership.member"]._get_members_to_print(docids)
        members = members.filtered(lambda m: m.street or m.city)
        self.env["membership.audit.log"]._log(
            "export",
            description=self.env._(
                "%(count)s address labels (PDF)", count=len(members)
            ),
        )
        return {
            "doc_ids": members.ids,
            "doc_model": "membership.member",
            "docs": members,
            "pages": [members[i : i + 12] for i in range(0, len(members), 12)],
        }
