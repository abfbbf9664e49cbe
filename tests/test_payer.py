# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import date

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestPayer(MembershipCommon, HttpCase):
    """Payer ≠ member: a parent pays a child's dues. The invoices and their
    reminders go to the parent, who sees them on their own portal and nothing
    else of the child; the child keeps state, card and portal, sees that the
    dues were billed to the parent but not the parent's invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payer_user = new_test_user(
            cls.env,
            login="mm_payer",
            name="Paying Parent",
            email="parent@example.com",
            groups="base.group_portal",
            company_id=cls.company.id,
            company_ids=cls.company.ids,
        )
        cls.payer = cls.payer_user.partner_id
        cls.child = cls.create_member(
            plan=cls.plan_fixed,
            partner_id=cls.portal_a.partner_id.id,
            bill_to_partner_id=cls.payer.id,
        )
        cls.other = cls.create_member(
            plan=cls.plan_fixed, partner_id=cls.portal_b.partner_id.id
        )
        with freeze_time("2026-04-01"):
            cls.dues = cls.bill(cls.child, date(2026, 4, 1))
            cls.other_dues = cls.bill(cls.other, date(2026, 4, 1))

    def test_dues_are_invoiced_to_the_payer_and_name_the_member(self):
        move = self.dues.move_id
        self.assertEqual(move.partner_id, self.payer)
        self.assertEqual(self.dues.invoice_partner_id, self.payer)
        self.assertTrue(self.dues._is_billed_to_other())
        self.assertEqual(move.payment_reference, self.child.member_number)
        self.assertIn(self.child.member_number, move.invoice_line_ids[0].name)
        self.assertIn(self.child.name, move.invoice_line_ids[0].name)
        self.assertEqual(self.child.state, "waiting")
        self.pay(move, date(2026, 4, 10))
        self.assertEqual(self.dues.state, "paid")
        self.assertEqual(self.child.state, "active", "the member is covered")
        self.assertEqual(self.payer.membership_billed_member_count, 1)
        self.assertFalse(self.other_dues._is_billed_to_other())

    def test_the_payer_sees_the_invoice_and_nothing_else_of_the_member(self):
        Move = self.env["account.move"].with_user(self.payer_user)
        visible = Move.search([("move_type", "=", "out_invoice")])
        self.assertEqual(visible, self.dues.move_id)
        with self.assertRaises(AccessError):
            self.other_dues.move_id.with_user(self.payer_user).check_access("read")
        self.assertFalse(
            self.env["membership.member"].with_user(self.payer_user).search([])
        )
        self.assertFalse(
            self.env["membership.dues"].with_user(self.payer_user).search([])
        )
        with self.assertRaises(AccessError):
            self.child.with_user(self.payer_user).check_access("read")

    def test_the_member_sees_their_dues_but_not_the_payers_invoice(self):
        dues = self.env["membership.dues"].with_user(self.portal_a).search([])
        self.assertEqual(dues, self.dues)
        with self.assertRaises(AccessError):
            self.dues.move_id.with_user(self.portal_a).check_access("read")
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/membership/dues").text
        self.assertIn("Billed to", page)
        self.assertIn("Paying Parent", page)
        self.assertNotIn(self.dues.move_id.access_url, page)
        overview = self.url_open("/my/membership").text
        self.assertIn("o_membership_billed_to", overview)
        self.assertNotIn("Pay now", overview)

    def test_the_payer_finds_the_invoice_on_their_portal(self):
        self.dues.move_id._portal_ensure_token()
        self.authenticate("mm_payer", "mm_payer")
        invoices = self.url_open("/my/invoices").text
        self.assertIn(self.dues.move_id.name, invoices)
        self.assertNotIn(self.other_dues.move_id.name, invoices)
        page = self.url_open(self.dues.move_id.access_url)
        self.assertEqual(page.status_code, 200)
        denied = self.url_open(self.other_dues.move_id.access_url)
        self.assertNotEqual(denied.url, self.other_dues.move_id.access_url)

    def test_reminders_go_to_the_payer(self):
        self.run_job(
            self.env["membership.dunning.step"]._cron_send_reminders,
            "2026-05-20",
        )
        reminder = self.dues.message_ids.filtered(
            lambda m: m.subject and "membership dues" in m.subject
        )
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.partner_ids, self.payer)
        self.assertIn("whose dues you pay", reminder.body)

    def test_member_portal_offers_no_own_payment_means_while_someone_pays(self):
        self.assertFalse(self.child._get_saved_payment_tokens())
        self.child.company_id.membership_debit_consignor_code = "1234567890"
        self.assertFalse(self.child._can_request_direct_debit_online())
        self.assertTrue(self.other._can_request_direct_debit_online())
        self.assertFalse(self.child._get_online_change_plans())
        self.assertFalse(self.child._can_renew_online(date(2027, 3, 20)))

    def test_a_member_cannot_be_their_own_payer(self):
        with self.assertRaisesRegex(ValidationError, "pays their own dues"):
            self.other.bill_to_partner_id = self.other.partner_id
