# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

_logger = logging.getLogger(__name__)

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
    trace_id = fields.Many2one(
        "mailing.trace", readonly=True, index="btree_not_null", ondelete="set null"
    )
    sent_on = fields.Datetime(string="Queued On", readonly=True, copy=False)
    error_message = fields.Char(readonly=True, copy=False)
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

    @api.depends("trace_id.trace_status", "skip_reason", "error_message", "sent_on")
    def _compute_state(self):
        for delivery in self:
            status = delivery.trace_id.trace_status
            if delivery.error_message or status == "error":
                delivery.state = "error"
            elif delivery.skip_reason or status == "cancel":
                delivery.state = "skipped"
            elif status == "bounce":
                delivery.state = "bounced"
            elif delivery.sent_on:
                # stays sent even if its trace is deleted: never mailed again
                delivery.state = "sent"
            else:
                delivery.state = "scheduled"

    def _send(self):
        """Mail the due deliveries; return how many were settled.

        Per step, one mass-mail composer over the members with the step's
        template (rendered in each member's language), opt-out and blacklist
        applied by mass mailing. Members who left the campaign's target since
        they were enrolled are skipped; a member due twice for one step gets
        one mail now and the other in the next batch. A step that fails is
        recorded as an error on its deliveries. The rows are the system's own
        records, written with ``sudo()``."""
        settled = 0
        for step, deliveries in self.sudo().grouped("step_id").items():
            deliveries = deliveries.filtered(lambda d: not d.sent_on)
            first = {}
            for delivery in deliveries:
                first.setdefault(delivery.member_id.id, delivery)
            deliveries = self.browse([d.id for d in first.values()]).sudo()
            if not deliveries:
                continue
            try:
                with self.env.cr.savepoint():
                    deliveries._send_step(step)
            except (UserError, ValueError, TypeError, KeyError) as error:
                _logger.warning("Journey step %s: sending failed: %s", step.id, error)
                deliveries.write({"error_message": str(error)[:500]})
            settled += len(deliveries)
        return settled

    def _send_step(self, step):
        step._ensure_mailing()
        target = step.campaign_id._get_target_domain()
        members = self.member_id
        still = (
            self.env["membership.member"]
            .with_context(active_test=False)
            .search(Domain.AND([target, [("id", "in", members.ids)]]))
        )
        gone = self.filtered(lambda d: d.member_id not in still)
        gone.write({"skip_reason": self.env._("No longer targeted by the campaign")})
        todo = self - gone
        if step.survey_id:
            invited = step._invite_to_survey(todo.member_id)
            answered = todo.filtered(lambda d: d.member_id not in invited)
            answered.write({"skip_reason": self.env._("Already answered the survey")})
            todo -= answered
        if not todo:
            return
        mailing = step.mailing_id
        composer = (
            self.env["mail.compose.message"]
            .sudo()
            .with_context(
                active_ids=todo.member_id.ids,
                default_composition_mode="mass_mail",
                **mailing._get_mass_mailing_context(),
            )
            .create(
                {
                    "composition_mode": "mass_mail",
                    "model": "membership.member",
                    "res_ids": todo.member_id.ids,
                    "template_id": step.mail_template_id.id,
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
                    ("res_id", "in", todo.member_id.ids),
                    ("model", "=", "membership.member"),
                ],
                order="id",
            )
        )
        linked = set(self.search([("trace_id", "in", traces.ids)]).trace_id.ids)
        by_member = {t.res_id: t for t in traces if t.id not in linked}
        now = fields.Datetime.now()
        for delivery in todo:
            trace = by_member.get(delivery.member_id.id)
            if trace:
                delivery.write({"trace_id": trace.id, "sent_on": now})
            else:
                delivery.skip_reason = self.env._("Not sent by mass mailing")
        mailing.sudo().write({"state": "done", "sent_date": now})
