# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    membership_step_id = fields.Many2one(
        "membership.campaign.step",
        string="Journey Step",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )

    def _get_seen_list(self):
        """A journey step mails a member again on a new occurrence (next
        birthday, next event): its own deliveries prevent duplicates."""
        if self.membership_step_id:
            return set()
        return super()._get_seen_list()
