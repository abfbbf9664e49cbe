# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import re
from datetime import timedelta

from odoo import fields
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged
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

    def _token(self):
        page = self.url_open(f"/membership/checkin/{self.event.id}").text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def _post_code(self, code):
        return self.url_open(
            f"/membership/checkin/{self.event.id}",
            data={"csrf_token": self._token(), "code": code},
        )

    def _pay_at_door(self, registration, event=None):
        return self.url_open(
            f"/membership/checkin/{(event or self.event).id}/pay",
            data={"csrf_token": self._token(), "registration_id": registration.id},
        )

    def _unpaid_registration(self):
        self.registration.action_cancel()
        unpaid = self.register(self.portal_a.partner_id, self.ticket_standard)
        self.assertEqual(unpaid.membership_fee_state, "to_pay")
        self.assertEqual(unpaid.state, "draft")
        return unpaid

    def test_fee_taken_at_the_door_pays_and_checks_in(self):
        unpaid = self._unpaid_registration()
        self.authenticate("mm_officer", "mm_officer")
        page = self._post_code(self.card)
        self.assertIn("not paid", page.text)
        self.assertIn("in cash and check in", page.text)
        response = self._pay_at_door(unpaid)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Fee paid in cash", response.text)
        self.assertEqual(unpaid.membership_fee_state, "paid")
        self.assertEqual(unpaid.state, "done")
        payment = self.env["account.payment"].search(
            [("reconciled_invoice_ids", "=", unpaid.membership_fee_move_id.id)]
        )
        self.assertEqual(payment.journal_id.type, "cash")
        log = self.env["membership.audit.log"].search([("event", "=", "door_payment")])
        self.assertEqual(log.user_id, self.officer)
        self.assertEqual(log.member_id, self.member_a)
        self.assertIn(unpaid.membership_fee_move_id.name, log.description)

    def test_only_officers_take_fees_at_the_door(self):
        unpaid = self._unpaid_registration()
        new_test_user(
            self.env,
            login="mm_desk",
            groups="base.group_user,event.group_event_registration_desk",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        self.authenticate("mm_desk", "mm_desk")
        page = self._post_code(self.card)
        self.assertNotIn("in cash and check in", page.text)
        response = self._pay_at_door(unpaid)
        self.assertIn("Only membership officers", response.text)
        self.assertEqual(unpaid.membership_fee_state, "to_pay")
        self.assertFalse(
            self.env["membership.audit.log"].search([("event", "=", "door_payment")])
        )

    def test_door_payment_of_another_events_registration_is_refused(self):
        unpaid = self._unpaid_registration()
        self.authenticate("mm_officer", "mm_officer")
        response = self._pay_at_door(unpaid, event=self.other_event)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(unpaid.membership_fee_state, "to_pay")

    @mute_logger("odoo.http")
    def test_door_payment_without_csrf_is_refused(self):
        unpaid = self._unpaid_registration()
        self.authenticate("mm_officer", "mm_officer")
        response = self.url_open(
            f"/membership/checkin/{self.event.id}/pay",
            data={"registration_id": unpaid.id},
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(unpaid.membership_fee_state, "to_pay")

    def test_check_in_page_counts_checked_in_and_expected(self):
        self.authenticate("mm_officer", "mm_officer")
        attended, expected = self.event._membership_check_in_counts()
        self.assertEqual(attended, 0)
        self.assertGreaterEqual(expected, 1)
        response = self._post_code(self.card)
        self.assertIn(f"1 / {expected} checked in", response.text)

    def test_check_in_opens_in_a_new_tab(self):
        self.assertEqual(self.event.action_membership_check_in()["target"], "new")

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


@tagged("post_install", "-at_install")
class TestEventWalkIn(MembershipEventCommon, HttpCase):
    """A member whose card is scanned but who is not registered can be
    registered and checked in at once, seats permitting."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.card = cls.member_a._get_card_token()

    def _csrf(self):
        page = self.url_open(f"/membership/checkin/{self.event.id}").text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def _scan(self):
        return self.url_open(
            f"/membership/checkin/{self.event.id}",
            data={"csrf_token": self._csrf(), "code": self.card},
        )

    def _walk_in(self, ticket):
        return self.url_open(
            f"/membership/checkin/{self.event.id}/walk-in",
            data={
                "csrf_token": self._csrf(),
                "code": self.card,
                "ticket_id": ticket.id,
            },
        )

    def _registrations(self):
        return self.env["event.registration"].search(
            [
                ("event_id", "=", self.event.id),
                ("partner_id", "=", self.portal_a.partner_id.id),
            ]
        )

    def test_walk_in_is_offered_with_the_tickets_the_member_may_take(self):
        self.authenticate("mm_officer", "mm_officer")
        page = self._scan().text
        self.assertIn("is not registered", page)
        self.assertIn("Register and check in", page)
        member, tickets = self.event._membership_find_walk_in(self.card)
        self.assertEqual(member, self.member_a)
        self.assertEqual(
            tickets, self.ticket_standard | self.ticket_members | self.ticket_free
        )

    def test_free_walk_in_is_registered_and_checked_in(self):
        self.authenticate("mm_officer", "mm_officer")
        response = self._walk_in(self.ticket_free)
        self.assertIn("Checked in", response.text)
        registration = self._registrations()
        self.assertEqual(registration.state, "done")
        again = self._walk_in(self.ticket_free)
        self.assertIn("cannot be registered here now", again.text)
        self.assertEqual(len(self._registrations()), 1)

    def test_priced_walk_in_waits_for_the_fee(self):
        self.authenticate("mm_officer", "mm_officer")
        response = self._walk_in(self.ticket_standard)
        self.assertIn("Take the fee to check them in", response.text)
        registration = self._registrations()
        self.assertEqual(registration.state, "draft")
        self.assertEqual(registration.membership_price, 30.0, "the member price")
        self.assertEqual(registration.membership_fee_state, "to_pay")

    def test_no_walk_in_without_a_seat(self):
        self.event.write({"seats_limited": True, "seats_max": 1})
        self.register(self.non_member, self.ticket_free)
        member, __ = self.event._membership_find_walk_in(self.card)
        self.assertFalse(member)
        self.authenticate("mm_officer", "mm_officer")
        self.assertNotIn("Register and check in", self._scan().text)
        response = self._walk_in(self.ticket_free)
        self.assertIn("cannot be registered here now", response.text)
        self.assertFalse(self._registrations())

    def test_walk_in_is_for_the_desk_only(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/home").text
        token = re.search(r'csrf_token: "([^"]+)"', page).group(1)
        response = self.url_open(
            f"/membership/checkin/{self.event.id}/walk-in",
            data={
                "csrf_token": token,
                "code": self.card,
                "ticket_id": self.ticket_free.id,
            },
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self._registrations())
