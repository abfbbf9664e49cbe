# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models
from odoo.fields import Domain


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

    def _get_recipients_domain(self):
        """A mailing on members reaches only the companies of its responsible:
        mass mailing itself has no company rules."""
        domain = super()._get_recipients_domain()
        if self.mailing_model_real == "membership.member":
            user = self.user_id or self.create_uid
            domain &= Domain("company_id", "in", user.company_ids.ids)
        return domain
