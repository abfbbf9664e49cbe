# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, models
from odoo.exceptions import AccessError

OFFICER_GROUP = "membership_management.group_membership_user"


class MembershipMember(models.Model):
    """Paper for members without a smartphone: cards printed in batch and
    address labels (the reports in ``reports/membership_member_prints.xml``)."""

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _get_members_to_print(self, ids):
        """The members of ``ids`` the officer may read, by member number:
        only officers and managers print cards and labels."""
        if not self.env.user.has_group(OFFICER_GROUP):
            raise AccessError(
                self.env._(
                    "Only membership officers and managers print membership cards "
                    "and labels."
                )
            )
        return self.search([("id", "in", list(ids))], order="member_number, id")
