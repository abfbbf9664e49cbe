# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import MembershipCommon

RECEIPT = "membership_management.action_report_dues_receipt"


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 12:00:00")
class TestDuesReceipt(MembershipCommon):
    """Receipts (領収書): numbered once, only for paid dues."""

    def render(self, dues, user=None):
        report = self.env["ir.actions.report"]
        if user:
            report = report.with_user(user)
        html, __ = report._render_qweb_pdf(RECEIPT, dues.ids)
        return html.decode()

    def test_paid_dues_receipt_shows_payer_period_and_amount(self):
        member = self.create_member(name="Receipt Holder")
        dues = self.bill(member, date(2026, 6, 1))
        self.pay(dues.move_id, date(2026, 6, 1))
        html = self.render(dues)
        self.assertTrue(dues.receipt_number.startswith("RCPT/2026/"))
        self.assertEqual(dues.receipt_date, date(2026, 6, 1))
        for text in (dues.receipt_number, "Receipt Holder", member.member_number):
            self.assertIn(text, html)
        self.assertIn("140.00", html)  # dues 120 + entry fee 20
        number = dues.receipt_number
        self.render(dues)
        self.assertEqual(dues.receipt_number, number, "a reprint keeps its number")

    def test_receipt_numbers_differ(self):
        first = self.create_member(name="One")
        second = self.create_member(name="Two")
        dues = self.bill(first, date(2026, 6, 1)) | self.bill(second, date(2026, 6, 1))
        for move in dues.move_id:
            self.pay(move, date(2026, 6, 1))
        self.render(dues)
        self.assertEqual(len(set(dues.mapped("receipt_number"))), 2)

    def test_unpaid_dues_have_no_receipt(self):
        member = self.create_member()
        dues = self.bill(member, date(2026, 6, 1))
        self.pay(dues.move_id, date(2026, 6, 1), amount=10.0)
        with self.assertRaisesRegex(UserError, "only for paid dues"):
            self.render(dues)
        self.assertFalse(dues.receipt_number)

    def test_portal_user_cannot_print_another_members_receipt(self):
        member = self.create_member(partner_id=self.portal_b.partner_id.id)
        dues = self.bill(member, date(2026, 6, 1))
        self.pay(dues.move_id, date(2026, 6, 1))
        with self.assertRaises(AccessError):
            self.render(dues, user=self.portal_a)
