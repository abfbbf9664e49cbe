# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import MembershipEventCommon


@tagged("post_install", "-at_install")
class TestEventFeeReminder(MembershipEventCommon):
    """Unpaid participation fees get one reminder after their due date."""

    def run_reminders(self, day):
        return self.run_job(
            self.env["membership.dunning.step"]._cron_send_reminders, day
        )

    def reminders(self, registration):
        return registration.message_ids.filtered(
            lambda m: m.subject and m.subject.startswith("Reminder: your fee for")
        )

    def test_overdue_fee_is_reminded_once_with_a_payment_link(self):
        registration = self.register(self.portal_a.partner_id, self.ticket_standard)
        move = registration.membership_fee_move_id
        due = move.invoice_date_due
        self.run_reminders(due + timedelta(days=1))
        self.assertFalse(self.reminders(registration), "not overdue long enough")
        self.run_reminders(due + timedelta(days=3))
        self.run_reminders(due + timedelta(days=4))
        reminder = self.reminders(registration)
        self.assertEqual(len(reminder), 1)
        self.assertIn(self.portal_a.partner_id, reminder.partner_ids)
        self.assertIn(f"/my/invoices/{move.id}", reminder.body)
        self.assertEqual(
            registration.membership_fee_reminder_date, due + timedelta(days=3)
        )

    def test_paid_or_free_fees_and_past_events_get_no_reminder(self):
        paid = self.register(self.portal_a.partner_id, self.ticket_standard)
        self.pay(paid.membership_fee_move_id, fields.Date.today())
        free = self.register(self.non_member, self.ticket_free)
        unpaid = self.register(self.non_member, self.ticket_standard)
        ended = fields.Datetime.now() - timedelta(days=1)
        self.event.write({"date_begin": ended - timedelta(hours=3), "date_end": ended})
        self.run_reminders(fields.Date.today() + timedelta(days=5))
        for registration in paid | free | unpaid:
            self.assertFalse(self.reminders(registration))
