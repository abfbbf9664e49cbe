# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo import api, fields, models

DEFAULT_REMINDER_DAYS = 3


class EventRegistration(models.Model):
    """A reminder for participation fees left unpaid after their due date:
    sent once per registration, before the event ends, by the daily
    reminder job."""

    _inherit = "event.registration"

    membership_fee_reminder_date = fields.Date(
        string="Fee Reminder Sent",
        readonly=True,
        copy=False,
        help="Day the reminder for the unpaid fee was sent (once).",
    )

    @api.model
    def _get_fee_reminder_domain(self, today):
        days = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(
                "membership_management.event_fee_reminder_days", DEFAULT_REMINDER_DAYS
            )
        )
        return [
            ("state", "=", "draft"),
            ("membership_fee_state", "in", ("to_pay", "partial")),
            ("membership_fee_reminder_date", "=", False),
            ("membership_fee_move_id.invoice_date_due", "<=", today - timedelta(days)),
            ("event_id.date_end", ">=", fields.Datetime.now()),
        ]

    @api.model
    def _send_fee_reminders(self, batch_size=200):
        """Mail the overdue fees in committed batches; the reminder date is
        written in the same transaction as the mail, so nobody gets it twice."""
        today = fields.Date.context_today(self)
        template = self.env.ref(
            "membership_management.mail_template_event_fee_reminder",
            raise_if_not_found=False,
        )
        if not template:
            return
        domain = self._get_fee_reminder_domain(today)
        while registrations := self.search(domain, limit=batch_size, order="id"):
            for registration in registrations:
                registration.message_post_with_source(
                    template,
                    subtype_xmlid="mail.mt_comment",
                    partner_ids=registration.partner_id.ids,
                )
            registrations.sudo().membership_fee_reminder_date = today
            if self.env["ir.cron"]._commit_progress(len(registrations)) <= 0:
                return
