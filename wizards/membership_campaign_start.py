# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models


class MembershipCampaignStart(models.TransientModel):
    """Ask before a one-shot campaign mails its segment, with the number of
    members it reaches, as Email Marketing asks before sending."""

    _name = "membership.campaign.start"
    _description = "Start a Campaign: Confirmation"

    campaign_id = fields.Many2one("membership.campaign", required=True, readonly=True)
    recipient_count = fields.Integer(compute="_compute_question")
    question = fields.Char(compute="_compute_question")

    @api.depends("campaign_id")
    def _compute_question(self):
        now = fields.Datetime.now()
        for wizard in self:
            campaign = wizard.campaign_id
            count = campaign._get_recipient_count()
            wizard.recipient_count = count
            if campaign.schedule_date and campaign.schedule_date > now:
                wizard.question = self.env._(
                    "Schedule “%(campaign)s” for %(count)s members on %(date)s?",
                    campaign=campaign.name,
                    count=count,
                    date=fields.Datetime.context_timestamp(
                        self, campaign.schedule_date
                    ).strftime("%Y-%m-%d %H:%M"),
                )
            else:
                wizard.question = self.env._(
                    "Send “%(campaign)s” to %(count)s members now?",
                    campaign=campaign.name,
                    count=count,
                )

    def action_confirm(self):
        self.ensure_one()
        self.campaign_id.with_context(membership_campaign_confirmed=True).action_start()
        return {"type": "ir.actions.act_window_close"}
