# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import date

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import MembershipCommon, MembershipEventCommon

RECEIPT = "membership_management.action_report_dues_receipt"
REGISTRATION_RECEIPT = "membership_management.action_report_registration_receipt"


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
        with self.assertRaisesRegex(UserError, "only once the invoice is paid"):
            self.render(dues)
        self.assertFalse(dues.receipt_number)

    def test_portal_user_cannot_print_another_members_receipt(self):
        member = self.create_member(partner_id=self.portal_b.partner_id.id)
        dues = self.bill(member, date(2026, 6, 1))
        self.pay(dues.move_id, date(2026, 6, 1))
        with self.assertRaises(AccessError):
            self.render(dues, user=self.portal_a)


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 12:00:00")
class TestTaxedReceipt(MembershipCommon):
    """A receipt shows what was received, tax included, with the tax per rate."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Tax = cls.env["account.tax"]
        cls.tax_10 = Tax.create({"name": "10%", "amount": 10.0, "type_tax_use": "sale"})
        cls.tax_8 = Tax.create(
            {"name": "8% (reduced)", "amount": 8.0, "type_tax_use": "sale"}
        )
        cls.plan_fixed._ensure_product()
        cls.plan_fixed.product_id.taxes_id = cls.tax_10

    def render(self, dues):
        html, __ = self.env["ir.actions.report"]._render_qweb_pdf(RECEIPT, dues.ids)
        return html.decode()

    def test_amount_paid_is_what_was_received_tax_included(self):
        member = self.create_member()
        dues = self.bill(member, date(2026, 6, 1))
        self.assertEqual(dues.move_id.amount_total, 154.0)  # (120 + 20) + 10 %
        self.assertEqual(dues.amount_paid, 0.0)
        self.pay(dues.move_id, date(2026, 6, 1), amount=54.0)
        self.assertEqual(dues.amount_paid, 54.0)
        self.pay(dues.move_id, date(2026, 6, 1))
        self.assertEqual(dues.amount_paid, 154.0)

    def test_receipt_lists_amount_and_tax_per_rate_and_the_payments(self):
        member = self.create_member(name="Taxed Member")
        dues = member._create_period_dues(date(2026, 6, 1), post=False)
        entry_fee_line = dues.move_id.invoice_line_ids.filtered(
            lambda line: line.price_unit == 20.0
        )
        entry_fee_line.tax_ids = self.tax_8
        dues.move_id.action_post()
        self.pay(dues.move_id, date(2026, 6, 1))
        values = dues._get_receipt_values()
        self.assertEqual(values["amount_received"], 153.6)  # 132 + 21.6
        rates = {
            rate["label"]: (rate["amount"], rate["tax"]) for rate in values["taxes"]
        }
        self.assertEqual(rates, {"10%": (132.0, 12.0), "8% (reduced)": (21.6, 1.6)})
        self.assertEqual(len(values["payments"]), 1)
        self.assertEqual(values["payments"][0]["amount"], 153.6)
        self.assertTrue(values["payments"][0]["method"])
        html = self.render(dues)
        for text in ("153.60", "8% (reduced)", "12.00", "1.60", "Taxed Member"):
            self.assertIn(text, html)

    def test_lines_without_tax_are_not_subject_to_tax(self):
        self.plan_fixed.product_id.taxes_id = False
        dues = self.bill(self.create_member(), date(2026, 6, 1))
        self.pay(dues.move_id, date(2026, 6, 1))
        self.assertEqual(
            dues._get_receipt_values()["taxes"],
            [{"label": "Not subject to tax", "amount": 140.0, "tax": 0.0}],
        )

    def test_registration_number_is_validated_and_printed(self):
        with self.assertRaisesRegex(ValidationError, "T followed by 13 digits"):
            self.company.membership_invoice_registration_number = "1234567890123"
        self.company.membership_invoice_registration_number = "T1234567890123"
        dues = self.bill(self.create_member(), date(2026, 6, 1))
        self.pay(dues.move_id, date(2026, 6, 1))
        self.assertIn("T1234567890123", self.render(dues))

    def test_receipt_number_cannot_be_written_by_staff(self):
        dues = self.bill(self.create_member(), date(2026, 6, 1))
        with self.assertRaises(AccessError):
            dues.with_user(self.officer).write({"receipt_number": "RCPT/FAKE"})


@tagged("post_install", "-at_install")
class TestEventFeeReceipt(MembershipEventCommon):
    """Event fees get receipts too, in the dues receipts' sequence."""

    def test_paid_event_fee_has_a_numbered_receipt(self):
        registration = self.register(self.portal_a.partner_id, self.ticket_standard)
        with self.assertRaisesRegex(UserError, "only once the invoice is paid"):
            self.env["ir.actions.report"]._render_qweb_pdf(
                REGISTRATION_RECEIPT, registration.ids
            )
        self.pay(registration.membership_fee_move_id, fields.Date.today())
        html, __ = self.env["ir.actions.report"]._render_qweb_pdf(
            REGISTRATION_RECEIPT, registration.ids
        )
        self.assertTrue(registration.receipt_number.startswith("RCPT/"))
        self.assertIn(registration.receipt_number, html.decode())
        self.assertEqual(
            registration._get_receipt_values()["amount_received"],
            registration.membership_fee_move_id.amount_total,
        )
