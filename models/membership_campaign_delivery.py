# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models

DELIVERY_STATES = [
    ("scheduled", "Scheduled"),
    ("sent", "Sent"),
    ("skipped", "Skipped"),
    ("bounced", "Bounced"),
    ("error", "Error"),
]


class MembershipCampaignDelivery(models.Model):
    """One journey step for one member and one occurrence of its trigger.

    The unique key (step, member, trigger date) is the idempotence guard: a
    step is mailed at most once per occurrence, whatever the job does. The
    mail and its ``mailing.trace`` are created in the same transaction as the
    link to this row, so a crash either keeps both or neither.
    """

    _name = "membership.campaign.delivery"
    _description = "Journey Mail"
    _order = "scheduled_date desc, id desc"
    _rec_name = "step_id"

    campaign_id = fields.Many2one(
        "membership.campaign", required=True, ondelete="cascade", index=True
    )
    step_id = fields.Many2one(
        "membership.campaign.step", required=True, ondelete="cascade"
    )
    member_id = fields.Many2one(
        "membership.member", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", index=True)
    trigger_date = fields.Date(required=True)
    scheduled_date = fields.Date(required=True, index=True)
    trace_id = fields.Many2one("mailing.trace", readonly=True)
    trace_status = fields.Selection(related="trace_id.trace_status", string="Delivery")
    sent_datetime = fields.Datetime(related="trace_id.sent_datetime")
    skip_reason = fields.Char(readonly=True)
    state = fields.Selection(
        DELIVERY_STATES,
        compute="_compute_state",
        store=True,
        index=True,
        default="scheduled",
        readonly=True,
    )

    _step_member_trigger_uniq = models.UniqueIndex("(step_id, member_id, trigger_date)")

    @api.depends("trace_id.trace_status", "skip_reason")
    def _compute_state(self):
        for delivery in self:
            status = delivery.trace_id.trace_status
            if delivery.skip_reason or status == "cancel":
                delivery.state = "skipped"
            elif status == "bounce":
                delivery.state = "bounced"
            elif status == "error":
                delivery.state = "error"
            elif delivery.trace_id:
                delivery.state = "sent"
            else:
                delivery.state = "scheduled"

    def _send(self):
        """Mail the due deliveries: per step, one mass-mail composer over the
        members with the step's template (rendered in each member's language),
        opt-out and blacklist applied by mass mailing. The rows are the
        system's own records, written with ``sudo()``."""
        for step, deliveries in self.sudo().grouped("step_id").items():
            step._ensure_mailing()
            deliveries = deliveries.filtered(lambda d: not d.trace_id)
            members = deliveries.member_id
            if not members:
                continue
            mailing = step.mailing_id
            template = step.mail_template_id
            composer = (
                self.env["mail.compose.message"]
                .sudo()
                .with_context(
                    active_ids=members.ids,
                    default_composition_mode="mass_mail",
                    **mailing._get_mass_mailing_context(),
                )
                .create(
                    {
                        "composition_mode": "mass_mail",
                        "model": "membership.member",
                        "res_ids": members.ids,
                        "template_id": template.id,
                        "mass_mailing_id": mailing.id,
                        "use_exclusion_list": True,
                        "auto_delete": False,
                        # queued for the mail job, never sent inside this one
                        "force_send": False,
                    }
                )
            )
            composer._action_send_mail(auto_commit=False)
            traces = (
                self.env["mailing.trace"]
                .sudo()
                .search(
                    [
                        ("mass_mailing_id", "=", mailing.id),
                        ("res_id", "in", members.ids),
                        ("model", "=", "membership.member"),
                    ],
                    order="id",
                )
            )
            linked = set(
                self.sudo().search([("trace_id", "in", traces.ids)]).trace_id.ids
            )
            by_member = {}
            for trace in traces:
                if trace.id not in linked:
                    by_member[trace.res_id] = trace
            for delivery in deliveries:
                trace = by_member.get(delivery.member_id.id)
                if trace:
                    delivery.trace_id = trace
                else:
                    delivery.skip_reason = self.env._("Not sent by mass mailing")
            mailing.sudo().write({"state": "done", "sent_date": fields.Datetime.now()})
