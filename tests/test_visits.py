# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import re
from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools import mute_logger

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestVisits(MembershipCommon, HttpCase):
    """来館: the desk records visits by card or member number, refuses members
    not in good standing with the reason, warns in the last week of coverage,
    and visits count as activity; members see only their own history."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gym = cls.env["membership.visit.location"].create({"name": "Main Gym"})
        cls.join = fields.Date.today() - timedelta(days=20)
        cls.member = cls.create_paid_member(
            cls.join, partner_id=cls.portal_a.partner_id.id, name="Portal Member A"
        )
        cls.other = cls.create_paid_member(
            cls.join, partner_id=cls.portal_b.partner_id.id, name="Portal Member B"
        )
        cls.visits = cls.env["membership.visit"]

    def record(self, code):
        return self.visits.with_user(self.officer)._record_by_code(code, self.gym)

    def test_card_records_a_visit_as_activity(self):
        member, visit, error, warning = self.record(self.member._get_card_token())
        self.assertFalse(error)
        self.assertEqual(member, self.member)
        self.assertEqual(visit.location_id, self.gym)
        self.assertEqual(visit.user_id, self.officer, "who recorded it")
        self.assertEqual(self.member.visit_count, 1)
        self.assertEqual(self.member.last_visit_date, fields.Date.today())
        self.assertEqual(self.member.last_activity_date, fields.Date.today())
        self.assertFalse(warning, "coverage ends in months")

    def test_member_number_typed_by_hand_records_a_visit(self):
        __, visit, error, __ = self.record(f"  {self.member.member_number} ")
        self.assertFalse(error)
        self.assertEqual(visit.member_id, self.member)

    def test_visit_keeps_a_member_out_of_the_dormant_segment(self):
        segment = self.env.ref("membership_management.segment_dormant")
        Member = self.env["membership.member"]
        later = fields.Date.today() + timedelta(days=200)
        with freeze_time(later):
            self.member.invalidate_recordset(["is_dormant"])
            self.assertIn(self.member, Member.search(segment._get_domain()))
            self.record(self.member.member_number)
            self.assertEqual(self.member.last_activity_date, later)
            self.assertNotIn(self.member, Member.search(segment._get_domain()))

    def test_lapsed_suspended_and_withdrawn_members_are_refused(self):
        card = self.member._get_card_token()
        self.member.write(
            {"suspended_from": fields.Date.today(), "suspension_kind": "leave"}
        )
        self.assertEqual(self.member.state, "suspended")
        __, visit, error, __ = self.record(card)
        self.assertFalse(visit)
        self.assertIn("is suspended", error)
        self.member.write({"suspended_from": False})
        self.member.action_withdraw()
        self.assertEqual(self.member.state, "withdrawn")
        __, visit, error, __ = self.record(card)
        self.assertFalse(visit)
        self.assertIn("has withdrawn", error)
        with freeze_time(fields.Date.today() + timedelta(days=400)):
            self.other.invalidate_recordset()
            self.run_job(self.env["membership.member"]._cron_update_states)
            self.assertEqual(self.other.state, "lapsed")
            __, visit, error, __ = self.record(self.other.member_number)
            self.assertFalse(visit)
            self.assertIn("has lapsed", error)
        self.assertFalse(self.env["membership.visit"].search_count([]))

    def test_a_visit_cannot_be_recorded_by_hand_for_a_suspended_member(self):
        self.member.write(
            {"suspended_from": fields.Date.today(), "suspension_kind": "leave"}
        )
        with self.assertRaisesRegex(UserError, "is suspended"):
            self.env["membership.visit"].create(
                {"member_id": self.member.id, "location_id": self.gym.id}
            )

    def test_last_week_of_coverage_warns_the_desk(self):
        end = self.member.date_end
        with freeze_time(end - timedelta(days=3)):
            __, visit, error, warning = self.record(self.member.member_number)
        self.assertTrue(visit)
        self.assertFalse(error)
        self.assertIn("remind them to renew", warning)

    def test_unknown_and_foreign_codes_are_refused(self):
        __, visit, error, __ = self.record("NOPE-1")
        self.assertFalse(visit)
        self.assertIn("Unknown card", error)
        __, __, error, __ = self.record("a.20990101.forged")
        self.assertIn("not valid", error)
        other_company = self.env["res.company"].create({"name": "Other Club"})
        elsewhere = self.env["membership.visit.location"].create(
            {"name": "Osaka Gym", "company_id": other_company.id}
        )
        member, visit, error, __ = self.visits._record_by_code(
            self.member.member_number, elsewhere
        )
        self.assertFalse(member, "a member of another company is not found")
        self.assertFalse(visit)

    # ------------------------------------------------------------
    # pages
    # ------------------------------------------------------------

    def _post(self, code):
        page = self.url_open(f"/membership/visit/{self.gym.id}").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return self.url_open(
            f"/membership/visit/{self.gym.id}", data={"csrf_token": token, "code": code}
        )

    def test_check_in_page_records_and_explains(self):
        self.authenticate("mm_officer", "mm_officer")
        response = self._post(self.member._get_card_token())
        self.assertEqual(response.status_code, 200)
        self.assertIn("Visit recorded", response.text)
        self.assertIn(self.member.member_number, response.text)
        self.assertEqual(self.member.visit_count, 1)
        response = self._post("unknown")
        self.assertIn("Unknown card", response.text)
        self.assertEqual(self.member.visit_count, 1)

    def test_single_location_opens_directly(self):
        self.authenticate("mm_officer", "mm_officer")
        response = self.url_open("/membership/visit", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith(f"/{self.gym.id}"))

    def test_check_in_page_is_for_membership_staff_only(self):
        for login in ("mm_portal_a", "mm_employee"):
            with self.subTest(login=login):
                self.authenticate(login, login)
                response = self.url_open(f"/membership/visit/{self.gym.id}")
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("Main Gym", response.text)

    @mute_logger("odoo.http")
    def test_check_in_post_without_csrf_is_refused(self):
        self.authenticate("mm_officer", "mm_officer")
        response = self.url_open(
            f"/membership/visit/{self.gym.id}", data={"code": self.member.member_number}
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.member.visit_count, 0)

    def test_portal_shows_only_the_members_own_visits(self):
        self.record(self.member.member_number)
        other_gym = self.env["membership.visit.location"].create({"name": "Annex Pool"})
        self.visits._record_by_code(self.other.member_number, other_gym)
        self.authenticate("mm_portal_a", "mm_portal_a")
        overview = self.url_open("/my/membership").text
        self.assertIn("/my/membership/visits", overview)
        page = self.url_open("/my/membership/visits").text
        self.assertIn("Main Gym", page)
        self.assertNotIn("Annex Pool", page)
        self.assertFalse(
            self.env["membership.visit"].with_user(self.portal_a).has_access("read"),
            "members have no access to visit records themselves",
        )

    def test_visit_date_is_the_local_day(self):
        self.officer.tz = "Asia/Tokyo"
        with freeze_time("2026-05-01 16:30:00"):  # 01:30 on 2 May in Tokyo
            __, visit, __, __ = self.record(self.member.member_number)
        self.assertEqual(visit.visit_date, date(2026, 5, 2))
