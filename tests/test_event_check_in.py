# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import re
from datetime import timedelta

from odoo import fields
from odoo.fields import Command
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import MembershipEventCommon


@tagged("post_install", "-at_install")
class TestEventCheckIn(MembershipEventCommon, HttpCase):
    """Check-in by member card or registration barcode, from our phone page and
    from Odoo's registration desk."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registration = cls.register(cls.portal_a.partner_id, cls.ticket_free)
        cls.card = cls.member_a._get_card_token()
        start = cls.event.date_begin + timedelta(days=30)
        cls.other_event = cls.env["event.event"].create(
            {
                "name": "Autumn Meet-up",
                "date_begin": start,
                "date_end": start + timedelta(hours=2),
                "event_mail_ids": [Command.clear()],
            }
        )

    def find(self, code, event=None):
        return self.env["event.registration"]._membership_find_for_check_in(
            code, event or self.event
        )

    def test_member_card_finds_the_members_registration(self):
        registration, error = self.find(self.card)
        self.assertFalse(error)
        self.assertEqual(registration, self.registration)

    def test_registration_barcode_is_accepted(self):
        registration, error = self.find(self.registration.barcode)
        self.assertFalse(error)
        self.assertEqual(registration, self.registration)

    def test_wrong_code_is_refused(self):
        for code in ("", "12345", "abc.20991231.deadbeef", self.card + "x"):
            with self.subTest(code=code):
                registration, error = self.find(code)
                self.assertFalse(registration)
                self.assertTrue(error)

    def test_revoked_card_is_refused(self):
        self.member_a.action_revoke_card()
        registration, error = self.find(self.card)
        self.assertFalse(registration)
        self.assertIn("not valid", error)

    def test_code_of_another_event_is_refused(self):
        registration, error = self.find(self.card, self.other_event)
        self.assertFalse(registration)
        self.assertIn("not registered for this event", error)
        registration, error = self.find(self.registration.barcode, self.other_event)
        self.assertFalse(registration)
        self.assertIn("another event", error)

    def test_unpaid_registration_is_refused(self):
        self.registration.action_cancel()
        unpaid = self.register(self.portal_a.partner_id, self.ticket_standard)
        registration, error = self.find(self.card)
        self.assertEqual(registration, unpaid)
        self.assertIn("not paid", error)

    def test_registration_desk_accepts_a_member_card(self):
        Registration = self.env["event.registration"].with_user(self.officer)
        result = Registration.register_attendee(self.card, self.event.id)
        self.assertEqual(result["status"], "confirmed_registration")
        self.assertEqual(self.registration.state, "done")
        self.assertEqual(self.member_a.event_attended_count, 1)
        result = Registration.register_attendee(self.card, self.other_event.id)
        self.assertEqual(result, {"error": "invalid_ticket"})

    def _post_code(self, code):
        page = self.url_open(f"/membership/checkin/{self.event.id}").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return self.url_open(
            f"/membership/checkin/{self.event.id}",
            data={"csrf_token": token, "code": code},
        )

    def test_check_in_page_marks_attended(self):
        self.authenticate("mm_officer", "mm_officer")
        response = self._post_code(self.card)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Checked in", response.text)
        self.assertIn(self.member_a.member_number, response.text)
        self.assertEqual(self.registration.state, "done")
        self.assertEqual(
            self.registration.date_closed.date(), fields.Datetime.now().date()
        )
        again = self._post_code(self.card)
        self.assertIn("Already checked in", again.text)

    def test_check_in_page_says_why_a_code_is_refused(self):
        self.authenticate("mm_officer", "mm_officer")
        self.member_a.action_revoke_card()
        response = self._post_code(self.card)
        self.assertIn("not valid", response.text)
        self.assertEqual(self.registration.state, "open")

    def test_check_in_page_is_for_staff_only(self):
        for login in ("mm_portal_a", "mm_employee"):
            with self.subTest(login=login):
                self.authenticate(login, login)
                response = self.url_open(f"/membership/checkin/{self.event.id}")
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("Spring Seminar", response.text)

    @mute_logger("odoo.http")
    def test_check_in_post_without_csrf_is_refused(self):
        self.authenticate("mm_officer", "mm_officer")
        response = self.url_open(
            f"/membership/checkin/{self.event.id}", data={"code": self.card}
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.registration.state, "open")
