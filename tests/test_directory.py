# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import re
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestDirectory(MembershipCommon, HttpCase):
    """会員名簿: only members who opted in are listed, only what each chose to
    show is shown or searchable, and only members see the page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        join = fields.Date.today() - timedelta(days=30)
        cls.viewer = cls.create_paid_member(
            join, partner_id=cls.portal_a.partner_id.id, name="Portal Member A"
        )
        cls.listed = cls.create_paid_member(
            join,
            name="Listed Lena",
            email="lena@example.com",
            phone="+81312345678",
            city="Sapporo",
            directory_show_city=True,
        )
        cls.hidden = cls.create_paid_member(
            join, name="Hidden Hiro", email="hiro@example.com", city="Nagoya"
        )
        purpose = cls.listed._get_directory_purpose()
        cls.listed._record_consents({purpose: True}, source="staff", channel="paper")
        cls.lapsed = cls.create_member(plan=cls.plan_rolling, name="Applicant Ann")
        cls.lapsed._record_consents({purpose: True}, source="staff", channel="paper")

    def csrf(self):
        page = self.url_open("/my/membership/directory").text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def test_only_members_who_opted_in_are_listed_with_what_they_show(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/membership/directory").text
        self.assertIn("Listed Lena", page)
        self.assertIn("Sapporo", page, "the city is shown: she chose so")
        self.assertNotIn("lena@example.com", page, "her e-mail is not")
        self.assertNotIn("+81312345678", page)
        self.assertNotIn("Hidden Hiro", page, "never listed without consent")
        self.assertNotIn("Applicant Ann", page, "only members are listed")

    def test_search_matches_only_what_is_shown(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/membership/directory?search=sapporo").text
        self.assertIn("Listed Lena", page)
        page = self.url_open("/my/membership/directory?search=lena@example").text
        self.assertNotIn("Listed Lena", page, "a hidden e-mail cannot be searched")
        page = self.url_open("/my/membership/directory?search=Hidden").text
        self.assertNotIn("Hidden Hiro", page)

    def test_a_member_opts_in_with_a_dated_consent_and_chooses_fields(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        refused = self.url_open(
            "/my/membership/directory/entry", data={"listed": "1", "email": "1"}
        )
        self.assertEqual(refused.status_code, 400, "CSRF token required")
        self.assertFalse(self.viewer._is_in_directory())
        self.url_open(
            "/my/membership/directory/entry",
            data={"csrf_token": self.csrf(), "listed": "1", "email": "1"},
        )
        self.assertTrue(self.viewer._is_in_directory())
        consent = self.viewer.consent_ids.filtered(
            lambda c: c.purpose_id.code == "directory"
        )
        self.assertEqual(consent.state, "given")
        self.assertTrue(consent.date)
        self.assertEqual(consent.source, "portal")
        self.assertTrue(self.viewer.directory_show_email)
        self.assertFalse(self.viewer.directory_show_phone)
        entries = self.listed._get_directory_entries()
        mine = [e for e in entries if e["name"] == "Portal Member A"][0]
        self.assertEqual(mine["email"], self.viewer.email)
        self.assertNotIn("phone", mine)
        # withdrawing leaves the directory at once
        self.url_open(
            "/my/membership/directory/entry", data={"csrf_token": self.csrf()}
        )
        self.assertFalse(self.viewer._is_in_directory())
        names = [e["name"] for e in self.listed._get_directory_entries()]
        self.assertNotIn("Portal Member A", names)

    def test_non_members_do_not_see_the_directory(self):
        self.authenticate("mm_portal_b", "mm_portal_b")
        self.assertEqual(self.url_open("/my/membership/directory").status_code, 404)
        self.assertEqual(self.lapsed._get_directory_entries(), [])
        self.assertEqual(self.lapsed._count_directory(), 0)
