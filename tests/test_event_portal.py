# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import re
from datetime import timedelta
from types import SimpleNamespace
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import MembershipEventCommon


@tagged("post_install", "-at_install")
class TestEventPortal(MembershipEventCommon, HttpCase):
    """/my/membership/events: prices, registration, payment link, cancellation;
    others' registrations are not found, the form sets only the ticket, every POST
    needs the CSRF token."""

    def csrf_token(self):
        page = self.url_open("/my/account").text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def price_text(self, price):
        """The price as the fee invoice will total it (product taxes included)."""
        total = self.ticket_standard._membership_price_with_taxes(price)
        return f"{total:,.2f}"

    def post_register(self, ticket, **extra):
        return self.url_open(
            f"/my/membership/events/{self.event.id}/register",
            data={
                "csrf_token": self.csrf_token(),
                "ticket_id": str(ticket.id),
                **extra,
            },
        )

    def registrations(self, partner):
        return self.env["event.registration"].search(
            [("partner_id", "=", partner.id), ("event_id", "=", self.event.id)]
        )

    def test_member_sees_member_prices_and_members_only_tickets(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/membership/events").text
        self.assertIn("Spring Seminar", page)
        self.assertIn(self.price_text(30.0), page)
        self.assertIn("member price", page)
        self.assertIn("Members only", page)
        self.assertNotIn(f'value="{self.ticket_members.id}" disabled', page)

    def test_non_member_sees_members_only_ticket_as_such(self):
        self.authenticate("mm_portal_b", "mm_portal_b")
        page = self.url_open("/my/membership/events").text
        self.assertIn(self.price_text(50.0), page)
        self.assertRegex(
            page, rf'value="{self.ticket_members.id}"\s+disabled', "not selectable"
        )

    def test_unpublished_event_is_not_offered(self):
        self.event.membership_published = False
        self.authenticate("mm_portal_a", "mm_portal_a")
        self.assertNotIn("Spring Seminar", self.url_open("/my/membership/events").text)
        response = self.post_register(self.ticket_standard)
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.registrations(self.portal_a.partner_id))

    def test_member_registers_and_is_sent_to_pay(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        response = self.post_register(self.ticket_standard)
        registration = self.registrations(self.portal_a.partner_id)
        self.assertEqual(len(registration), 1)
        self.assertEqual(registration.state, "draft")
        self.assertEqual(registration.membership_price, 30.0)
        move = registration.membership_fee_move_id
        self.assertIn(f"/my/invoices/{move.id}", response.url)
        page = self.url_open("/my/membership/events").text
        self.assertIn("fee to pay", page)
        self.assertIn(move.get_portal_url(), page.replace("&amp;", "&"))

    def test_free_registration_is_confirmed(self):
        self.authenticate("mm_portal_b", "mm_portal_b")
        response = self.post_register(self.ticket_free)
        self.assertIn("/my/membership/events?message=registered", response.url)
        self.assertIn("You are registered", response.text)
        self.assertEqual(self.registrations(self.non_member).state, "open")

    def test_free_registration_with_an_after_subscription_mail_answers(self):
        """Outside tests Odoo's event mail code commits after each batch: a
        registration made inside a savepoint then failed with HTTP 500."""
        self.event.event_mail_ids = [
            Command.create(
                {
                    "interval_type": "after_sub",
                    "interval_unit": "now",
                    "template_ref": "mail.template,%i"
                    % self.env.ref("event.event_subscription").id,
                }
            )
        ]
        # let the scheduler commit as it does on a real server
        not_in_test = SimpleNamespace(module=SimpleNamespace(current_test=None))
        self.authenticate("mm_portal_b", "mm_portal_b")
        with patch("odoo.addons.event.models.event_mail.modules", not_in_test):
            response = self.post_register(self.ticket_free)
        self.assertEqual(response.status_code, 200)
        self.assertIn("You are registered", response.text)
        registration = self.registrations(self.non_member)
        self.assertEqual(registration.state, "open")
        self.assertTrue(
            self.env["event.mail.registration"].search(
                [("registration_id", "=", registration.id), ("mail_sent", "=", True)]
            ),
            "the after-subscription mail went out",
        )

    def test_crafted_post_for_members_only_ticket_is_refused(self):
        self.authenticate("mm_portal_b", "mm_portal_b")
        response = self.post_register(self.ticket_members)
        self.assertEqual(response.status_code, 200)
        self.assertIn("for members only", response.text)
        self.assertFalse(self.registrations(self.non_member))

    def test_form_cannot_set_price_state_or_person(self):
        """Only the ticket comes from the form, not the price, state or person."""
        self.authenticate("mm_portal_b", "mm_portal_b")
        self.post_register(
            self.ticket_standard,
            state="open",
            membership_price="0",
            membership_price_reason="member",
            partner_id=str(self.portal_a.partner_id.id),
            name="Someone Else",
        )
        registration = self.registrations(self.non_member)
        self.assertEqual(registration.membership_price, 50.0)
        self.assertEqual(registration.state, "draft")
        self.assertEqual(registration.name, "Portal Member B")
        self.assertFalse(self.registrations(self.portal_a.partner_id))

    def test_ticket_of_another_event_is_refused(self):
        other = self.event.copy({"name": "Other", "membership_published": False})
        self.authenticate("mm_portal_b", "mm_portal_b")
        self.post_register(other.event_ticket_ids[-1:])
        self.assertFalse(
            self.env["event.registration"].search(
                [("partner_id", "=", self.non_member.id)]
            )
        )

    def test_registering_twice_is_refused(self):
        self.authenticate("mm_portal_b", "mm_portal_b")
        self.post_register(self.ticket_free)
        response = self.post_register(self.ticket_standard)
        self.assertIn("already registered", response.text)
        self.assertEqual(len(self.registrations(self.non_member)), 1)

    def test_no_seat_left_is_refused(self):
        self.event.write({"seats_limited": True, "seats_max": 1})
        self.register(self.portal_a.partner_id, self.ticket_free)
        self.authenticate("mm_portal_b", "mm_portal_b")
        response = self.post_register(self.ticket_free)
        self.assertIn("no seat left", response.text)
        self.assertFalse(self.registrations(self.non_member))

    def test_member_cancels_own_registration_and_the_fee(self):
        registration = self.register(self.portal_a.partner_id, self.ticket_standard)
        self.authenticate("mm_portal_a", "mm_portal_a")
        response = self.url_open(
            f"/my/membership/registrations/{registration.id}/cancel",
            data={"csrf_token": self.csrf_token()},
        )
        self.assertIn("Your registration was cancelled", response.text)
        self.assertEqual(registration.state, "cancel")
        self.assertEqual(registration.membership_fee_state, "cancelled")

    def test_cancelling_is_closed_near_the_event(self):
        registration = self.register(self.portal_a.partner_id, self.ticket_free)
        self.event.membership_cancel_days = 20
        self.authenticate("mm_portal_a", "mm_portal_a")
        response = self.url_open(
            f"/my/membership/registrations/{registration.id}/cancel",
            data={"csrf_token": self.csrf_token()},
        )
        self.assertIn("too late to cancel", response.text)
        self.assertEqual(registration.state, "open")

    def test_another_members_registration_cannot_be_cancelled_or_seen(self):
        """The id of someone else's registration is not found, to cancel or to see."""
        other = self.register(self.non_member, self.ticket_free)
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/membership/events").text
        self.assertNotIn(f'data-registration-id="{other.id}"', page)
        response = self.url_open(
            f"/my/membership/registrations/{other.id}/cancel",
            data={"csrf_token": self.csrf_token()},
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(other.state, "open")

    def test_household_member_does_not_see_anothers_event_fee_credit_note(self):
        """A fee's credit note is as private as the fee: under one household
        company, member A neither lists, opens nor reads B's credit note."""
        household = self.env["res.partner"].create(
            {"name": "Household", "is_company": True}
        )
        (self.portal_a.partner_id | self.portal_b.partner_id).parent_id = household
        registration = self.register(self.portal_b.partner_id, self.ticket_standard)
        fee = registration.membership_fee_move_id
        self.pay(fee, fields.Date.today())
        registration.action_cancel()
        refund = fee.reversal_move_ids
        self.assertEqual(refund.state, "posted")
        Move = self.env["account.move"].with_user(self.portal_a)
        self.assertFalse(Move.search([("id", "in", (fee | refund).ids)]))
        with self.assertRaises(AccessError):
            Move.browse(refund.id).read(["name"])
        Line = self.env["account.move.line"].with_user(self.portal_a)
        self.assertFalse(Line.search([("move_id", "=", refund.id)]))
        self.authenticate("mm_portal_a", "mm_portal_a")
        self.assertNotIn(refund.name, self.url_open("/my/invoices").text)
        page = self.url_open(f"/my/invoices/{refund.id}")
        self.assertNotIn(refund.name, page.text)
        self.assertNotIn(self.portal_b.partner_id.name, page.text)
        # B still has their own credit note
        self.assertEqual(
            Move.with_user(self.portal_b).search([("id", "=", refund.id)]), refund
        )

    @mute_logger("odoo.http")
    def test_register_without_csrf_is_refused(self):
        self.authenticate("mm_portal_b", "mm_portal_b")
        response = self.url_open(
            f"/my/membership/events/{self.event.id}/register",
            data={"ticket_id": str(self.ticket_free.id)},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.registrations(self.non_member))

    @mute_logger("odoo.http")
    def test_cancel_without_csrf_is_refused(self):
        registration = self.register(self.portal_a.partner_id, self.ticket_free)
        self.authenticate("mm_portal_a", "mm_portal_a")
        response = self.url_open(
            f"/my/membership/registrations/{registration.id}/cancel",
            data={"reason": "no token"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(registration.state, "open")

    def test_event_times_are_the_events_local_time_without_seconds(self):
        begin = (fields.Datetime.now() + timedelta(days=10)).replace(
            hour=1, minute=30, second=0, microsecond=0
        )
        self.event.write(
            {
                "date_begin": begin,
                "date_end": begin + timedelta(hours=2),
                "date_tz": "Asia/Tokyo",
            }
        )
        self.portal_a.tz = "Europe/Brussels"
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/membership/events").text
        found = re.search(r'o_membership_event_begin"[^>]*>([^<]+)<', page)
        self.assertTrue(found, page[page.find("o_membership_event_card") :][:1500])
        shown = found.group(1)
        # 01:30 UTC is 10:30 in Tokyo (not 02:30 in Brussels), no seconds
        self.assertIn("10:30", shown)
        self.assertNotIn("10:30:00", shown)
        self.assertIn("(Asia/Tokyo)", page)

    def test_past_registrations_are_listed(self):
        registration = self.register(self.portal_a.partner_id, self.ticket_free)
        past = fields.Datetime.now() - timedelta(days=40)
        self.event.write({"date_begin": past, "date_end": past + timedelta(hours=2)})
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/membership/events").text
        self.assertIn(f'data-registration-id="{registration.id}"', page)
        self.assertNotIn(f"/my/membership/registrations/{registration.id}/cancel", page)

    def test_events_page_query_budget(self):
        self.register(self.portal_a.partner_id, self.ticket_free)
        self.authenticate("mm_portal_a", "mm_portal_a")
        self.url_open("/my/membership/events")  # warm the caches
        with self.assertQueryCount(60):
            self.url_open("/my/membership/events")

    def test_paid_fee_receipt_is_the_members_own(self):
        registration = self.register(self.portal_a.partner_id, self.ticket_standard)
        url = f"/my/membership/registrations/{registration.id}/receipt"
        self.authenticate("mm_portal_a", "mm_portal_a")
        self.assertEqual(self.url_open(url).status_code, 404, "not paid yet")
        self.pay(registration.membership_fee_move_id, fields.Date.today())
        self.assertIn(url, self.url_open("/my/membership/events").text)
        own = self.url_open(url)
        self.assertEqual(own.status_code, 200)
        self.assertEqual(own.headers["Content-Type"], "application/pdf")
        self.assertTrue(registration.receipt_number)
        self.authenticate("mm_portal_b", "mm_portal_b")
        self.assertEqual(self.url_open(url).status_code, 404)
