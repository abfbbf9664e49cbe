# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import email_split, html2plaintext


class MembershipCampaignTest(models.TransientModel):
    """Send a one-shot campaign to test addresses and say on the campaign
    whether it went: Email Marketing's test wizard only writes the outcome in
    the chatter of the underlying mailing, where staff never look."""

    _name = "membership.campaign.test"
    _description = "Test a Campaign"

    campaign_id = fields.Many2one("membership.campaign", required=True, readonly=True)
    email_to = fields.Text(
        string="Recipients",
        default=lambda self: self.env.user.email_formatted,
        help="One address per line.",
    )

    def action_send(self):
        self.ensure_one()
        campaign = self.campaign_id
        lines = [
            line.strip() for line in (self.email_to or "").splitlines() if line.strip()
        ]
        if not lines:
            raise UserError(self.env._("Type the address to send the test to."))
        invalid = [line for line in lines if not email_split(line)]
        mailing = campaign._prepare_test_mailing()
        Message = self.env["mail.message"].sudo()
        domain = [("model", "=", mailing._name), ("res_id", "=", mailing.id)]
        last = Message.search(domain, order="id desc", limit=1).id or 0
        self.env["mailing.mailing.test"].create(
            {"mass_mailing_id": mailing.id, "email_to": self.email_to}
        ).send_mail_test()
        logged = Message.search([*domain, ("id", ">", last)], order="id")
        outcome = "\n".join(html2plaintext(m.body or "") for m in logged).strip()
        # Odoo's test wizard adds the failure reason after a line break, in
        # whatever language: that and refused addresses mean it failed
        failed = (
            bool(invalid)
            or len(invalid) == len(lines)
            or any("<br" in (m.body or "") for m in logged)
        )
        if not outcome:
            outcome = self.env._("No test was sent: check the addresses.")
        campaign.message_post(
            body=self.env._("Test send: %(outcome)s", outcome=outcome)
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "danger" if failed else "success",
                "sticky": failed,
                "title": self.env._("Test failed")
                if failed
                else self.env._("Test sent"),
                "message": outcome,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
