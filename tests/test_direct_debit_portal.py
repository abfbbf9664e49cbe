# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import re
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestDirectDebitPortal(MembershipCommon, HttpCase):
    """A member asks for 口座振替 on the portal: a pending mandate that only
    staff activate, built from the account fields alone, shown masked."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.membership_debit_consignor_code = "1234567890"
        join = fields.Date.today() - timedelta(days=30)
        cls.member_a = cls.create_paid_member(
            join, partner_id=cls.portal_a.partner_id.id, name="Portal Member A"
        )
        cls.member_b = cls.create_paid_member(
            join, partner_id=cls.portal_b.partner_id.id, name="Portal Member B"
        )

    def csrf_token(self, url="/my/membership/direct-debit"):
        page = self.url_open(url).text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def request_debit(self, **extra):
        data = {
            "csrf_token": self.csrf_token(),
            "bank_code": "０００５",
            "branch_code": "123",
            "account_type": "1",
            "account_number": "7654321",
            "holder_name": "やまだ　はなこ",
            **extra,
        }
        return self.url_open("/my/membership/direct-debit", data=data)

    def test_member_requests_a_pending_mandate_shown_masked(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/membership").text
        self.assertIn("/my/membership/direct-debit", page)
        response = self.request_debit()
        self.assertEqual(response.status_code, 200)
        mandate = self.member_a.direct_debit_mandate_ids
        self.assertRecordValues(
            mandate,
            [
                {
                    "state": "pending",
                    "bank_code": "0005",
                    "account_number": "7654321",
                    "holder_name": "ﾔﾏﾀﾞ ﾊﾅｺ",
                }
            ],
        )
        self.assertIn("****321", response.text)
        self.assertNotIn("7654321", response.text)
        self.assertIn("waits for the signed bank form", response.text)
        self.assertFalse(self.member_a.has_active_mandate)
        # a second request waits for the first one
        self.assertNotIn('action="/my/membership/direct-debit"', response.text)
        again = self.url_open(
            "/my/membership/direct-debit",
            data={
                "csrf_token": self.csrf_token("/my/membership"),
                "bank_code": "0001",
                "branch_code": "001",
                "account_type": "1",
                "account_number": "1111111",
                "holder_name": "ﾔﾏﾀﾞ",
            },
        )
        self.assertIn("cannot be requested here", again.text)
        self.assertEqual(len(self.member_a.direct_debit_mandate_ids), 1)

    def test_only_the_account_fields_are_taken_from_the_form(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        self.request_debit(
            state="active",
            member_id=str(self.member_b.id),
            customer_number="999",
            date_last_debit="2026-01-01",
        )
        mandate = self.member_a.direct_debit_mandate_ids
        self.assertEqual(mandate.state, "pending")
        self.assertFalse(mandate.date_last_debit)
        self.assertNotEqual(mandate.customer_number, "999")
        self.assertFalse(self.member_b.direct_debit_mandate_ids)

    def test_invalid_account_is_refused_with_the_reason(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        response = self.request_debit(bank_code="12")
        self.assertIn("must be 4 digits", response.text)
        self.assertFalse(self.member_a.direct_debit_mandate_ids)
        response = self.request_debit(holder_name="Hanako ☺")
        self.assertIn("☺", response.text)
        self.assertFalse(self.member_a.direct_debit_mandate_ids)

    def test_not_offered_before_the_company_collects_by_direct_debit(self):
        self.company.membership_debit_consignor_code = False
        self.authenticate("mm_portal_a", "mm_portal_a")
        self.assertNotIn(
            "/my/membership/direct-debit", self.url_open("/my/membership").text
        )
        response = self.url_open("/my/membership/direct-debit")
        self.assertTrue(response.url.endswith("/my/membership"))

    @mute_logger("odoo.http")
    def test_post_without_csrf_token_is_refused(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        response = self.url_open(
            "/my/membership/direct-debit",
            data={
                "bank_code": "0005",
                "branch_code": "123",
                "account_type": "1",
                "account_number": "7654321",
                "holder_name": "ﾔﾏﾀﾞ",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.member_a.direct_debit_mandate_ids)
