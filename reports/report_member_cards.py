# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, models


class ReportMemberCards(models.AbstractModel):
    """Membership cards printed in batch, ten to an A4 page, for members
    without a smartphone: the QR code is the portal card's (same signed
    token, same expiry, revoked the same way). Audited: a card is a key."""

    _name = "report.membership_management.report_member_cards"
    _description = "Membership Cards"

    @api.model
    def _get_report_values(self, docids, data=None):
        members = self.env["membership.member"]._get_members_to_print(docids)
        # only a valid card is printed: an applicant who never paid gets none
        members = members.filtered(lambda m: m._has_valid_card())
        self.env["membership.audit.log"]._log(
            "card_print",
            description=self.env._("%(count)s membership cards", count=len(members)),
        )
        return {
            "doc_ids": members.ids,
            "doc_model": "membership.member",
            "docs": members,
            "pages": [members[i : i + 10] for i in range(0, len(members), 10)],
        }
