# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import re
from datetime import timedelta
from urllib.parse import urlparse

from psycopg2.errors import SerializationFailure

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools import mute_logger

from .common import MembershipEventCommon
from .two_transactions import TwoTransactionsCase


@tagged("post_install", "-at_install")
class TestEventWaitlist(MembershipEventCommon, HttpCase):
    """キャンセル待ち: a full event puts people in line; a freed seat is offered
    to the first, held for them, passed on when they do not answer, and
    accepted once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.event.write(
            {"seats_limited": True, "seats_max": 1, "membership_waitlist": True}
        )
        cls.taken = cls.register(cls.member_a.partner_id, cls.ticket_free)
        Partner = cls.env["res.partner"]
        cls.first = Partner.create({"name": "First Fumi", "email": "fumi@example.com"})
        cls.second = Partner.create({"name": "Second Sho", "email": "sho@example.com"})

    def join(self, partner, ticket=None):
        return self.event._membership_join_waitlist(partner, ticket or self.ticket_free)

    def offer_mails(self, partner):
        return self.env["mail.mail"].search(
            [
                ("recipient_ids", "in", partner.ids),
                ("subject", "ilike", "A seat is free"),
            ]
        )

    def test_full_event_puts_people_in_line(self):
        self.assertEqual(self.taken.state, "open")
        first, second = self.join(self.first), self.join(self.second)
        self.assertEqual((first.position, second.position), (1, 2))
        self.assertEqual(self.event.membership_waitlist_count, 2)
        with self.assertRaisesRegex(UserError, "already on the waitlist"):
            self.join(self.first)
        with self.assertRaisesRegex(UserError, "already registered"):
            self.join(self.member_a.partner_id)
        self.event.seats_max = 5
        with self.assertRaisesRegex(UserError, "seat left"):
            self.join(self.env["res.partner"].create({"name": "Late Lou"}))

    def test_freed_seat_is_offered_to_the_first_and_held(self):
        first, second = self.join(self.first), self.join(self.second)
        self.taken.action_cancel()
        self.assertEqual(first.state, "offered")
        self.assertEqual(second.state, "waiting")
        self.assertEqual(second.position, 1)
        self.assertEqual(first.offer_deadline, first.offer_date + timedelta(hours=48))
        mail = self.offer_mails(self.first)
        self.assertEqual(len(mail), 1)
        self.assertIn("/membership/waitlist/offer?token=", mail.body_html)
        self.assertFalse(self.offer_mails(self.second))
        self.assertFalse(
            self.event._membership_has_seat(self.ticket_free),
            "the offered seat is held: nobody else takes it",
        )

    def test_two_freed_seats_make_two_offers(self):
        first, second = self.join(self.first), self.join(self.second)
        self.event.seats_max = 3
        self.assertEqual((first.state, second.state), ("offered", "offered"))

    def test_unanswered_offer_passes_to_the_next(self):
        first, second = self.join(self.first), self.join(self.second)
        self.taken.action_cancel()
        link = first._get_offer_url()
        Waitlist = self.env["membership.event.waitlist"]
        with freeze_time(fields.Datetime.now() + timedelta(hours=47)):
            self.run_job(Waitlist._cron_expire_offers)
            self.assertEqual(first.state, "offered", "still within its time")
        with freeze_time(fields.Datetime.now() + timedelta(hours=49)):
            self.run_job(Waitlist._cron_expire_offers)
            self.assertEqual(first.state, "expired")
            self.assertEqual(second.state, "offered")
            self.assertEqual(len(self.offer_mails(self.second)), 1)
            token = link.split("token=")[1]
            self.assertFalse(Waitlist._get_by_offer_token(token), "the link died")
            # the job again: nobody is offered twice
            self.run_job(Waitlist._cron_expire_offers)
        self.assertEqual(len(self.offer_mails(self.second)), 1)

    def test_accepting_registers_once_and_invoices_the_fee(self):
        self.event.seats_max = 1
        entry = self.join(self.first, self.ticket_standard)
        self.taken.action_cancel()
        self.assertEqual(entry.state, "offered")
        registration, error = entry._accept_offer()
        self.assertFalse(error)
        self.assertEqual(entry.state, "registered")
        self.assertEqual(registration.partner_id, self.first)
        self.assertEqual(registration.event_ticket_id, self.ticket_standard)
        self.assertEqual(registration.membership_price, 50.0, "non-member price")
        self.assertTrue(registration.membership_fee_move_id, "fee invoiced")
        again, error = entry._accept_offer()
        self.assertEqual(again, registration)
        self.assertFalse(error)
        self.assertEqual(
            self.env["event.registration"].search_count(
                [("event_id", "=", self.event.id), ("partner_id", "=", self.first.id)]
            ),
            1,
        )

    def test_someone_registered_meanwhile_is_not_registered_twice(self):
        first, second = self.join(self.first), self.join(self.second)
        # staff register the first in line directly (a priced ticket: the
        # registration waits for its fee, without a seat yet)
        direct = self.register(self.first, self.ticket_standard)
        self.assertEqual(direct.state, "draft")
        self.event.seats_max = 3
        self.assertEqual(first.state, "registered")
        self.assertEqual(first.registration_id, direct)
        self.assertEqual(second.state, "offered")
        registration, error = first._accept_offer()
        self.assertEqual(registration, direct)
        self.assertFalse(error)

    def test_declining_passes_the_seat_on(self):
        first, second = self.join(self.first), self.join(self.second)
        self.taken.action_cancel()
        first.action_decline_offer()
        self.assertEqual(first.state, "cancelled")
        self.assertEqual(second.state, "offered")

    def test_offers_beyond_the_seats_keep_the_line_order(self):
        first, second = self.join(self.first), self.join(self.second)
        self.event.seats_max = 3
        self.event.seats_max = 2  # lowered under the two offers made
        __, error = second._accept_offer()
        self.assertIn("seat was taken", error)
        self.assertEqual(second.state, "waiting", "keeps its place")
        registration, error = first._accept_offer()
        self.assertFalse(error)
        self.assertEqual(registration.state, "open")

    def test_a_waitlist_needs_the_event_to_allow_one(self):
        self.event.membership_waitlist = False
        with self.assertRaisesRegex(UserError, "no waitlist"):
            self.join(self.first)
        with self.assertRaises(ValidationError):
            self.env["membership.event.waitlist"].create(
                {"event_id": self.event.id, "partner_id": self.first.id}
            )

    # ------------------------------------------------------------
    # pages
    # ------------------------------------------------------------

    def csrf(self, url):
        page = self.url_open(url).text
        return re.search(r'csrf_token(?:" value=|: )"([^"]+)"', page).group(1)

    def test_member_joins_and_leaves_the_waitlist_on_the_portal(self):
        self.join(self.first)
        self.authenticate("mm_portal_b", "mm_portal_b")
        page = self.url_open("/my/membership/events").text
        self.assertIn("Join the waitlist", page)
        response = self.url_open(
            f"/my/membership/events/{self.event.id}/waitlist",
            data={
                "csrf_token": self.csrf("/my/membership/events"),
                "ticket_id": self.ticket_free.id,
            },
        )
        self.assertIn("You are on the waitlist", response.text)
        entry = self.env["membership.event.waitlist"].search(
            [("partner_id", "=", self.non_member.id)]
        )
        self.assertEqual(entry.position, 2)
        self.assertIn("Your place in line: <strong>2</strong>", response.text)
        self.url_open(
            f"/my/membership/waitlist/{entry.id}/leave",
            data={"csrf_token": self.csrf("/my/membership/events")},
        )
        self.assertEqual(entry.state, "cancelled")

    def test_nobody_leaves_the_waitlist_for_someone_else(self):
        entry = self.join(self.first)
        self.authenticate("mm_portal_b", "mm_portal_b")
        response = self.url_open(
            f"/my/membership/waitlist/{entry.id}/leave",
            data={"csrf_token": self.csrf("/my/membership/events")},
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(entry.state, "waiting")

    @mute_logger("odoo.http")
    def test_leaving_without_csrf_is_refused(self):
        entry = self.join(self.non_member)
        self.authenticate("mm_portal_b", "mm_portal_b")
        response = self.url_open(
            f"/my/membership/waitlist/{entry.id}/leave", data={"x": "1"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(entry.state, "waiting")

    def test_offer_link_shows_on_get_and_registers_on_post(self):
        entry = self.join(self.first)
        self.taken.action_cancel()
        url = entry._get_offer_url()
        path = f"{urlparse(url).path}?{urlparse(url).query}"
        page = self.url_open(path).text
        self.assertIn("Take the seat", page)
        self.assertEqual(entry.state, "offered", "opening the link accepts nothing")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = self.url_open(
            "/membership/waitlist/offer",
            data={
                "csrf_token": token,
                "token": url.split("token=")[1],
                "answer": "accept",
            },
        )
        self.assertIn("You are registered", response.text)
        self.assertEqual(entry.state, "registered")
        self.assertEqual(entry.registration_id.state, "open")

    def test_forged_offer_link_is_refused(self):
        entry = self.join(self.first)
        self.taken.action_cancel()
        token = entry._get_offer_token()
        forged = f"{self.join(self.second).id}.{token.split('.', 1)[1]}"
        page = self.url_open(f"/membership/waitlist/offer?token={forged}").text
        self.assertIn("no longer valid", page)


@tagged("post_install", "-at_install")
class TestWaitlistLastSeatRace(TwoTransactionsCase):
    """The last seat is accepted from the waitlist while staff register
    someone else on it, in two real database transactions: one registration
    is kept, and the person refused keeps their place in line."""

    def _create_data(self, env):
        start = fields.Datetime.now() + timedelta(days=5)
        event = env["event.event"].create(
            {
                "name": "Waitlist Race",
                "date_begin": start,
                "date_end": start + timedelta(hours=1),
                "seats_limited": True,
                "seats_max": 1,
                "membership_waitlist": True,
                "event_mail_ids": [Command.clear()],
            }
        )
        partners = env["res.partner"].create(
            [
                {"name": "Seated Sam"},
                {"name": "Waiting Wes"},
                {"name": "Walk-in Wu"},
            ]
        )
        registration = env["event.registration"].create(
            {"event_id": event.id, "partner_id": partners[0].id}
        )
        entry = event._membership_join_waitlist(partners[1], env["event.event.ticket"])
        registration.action_cancel()
        assert entry.state == "offered"
        self.event_id, self.partner_ids = event.id, partners.ids
        self.entry_id = entry.id

    def _remove_data(self, env):
        env["membership.event.waitlist"].browse(self.entry_id).unlink()
        env["event.registration"].with_context(active_test=False).search(
            [("event_id", "=", self.event_id)]
        ).unlink()
        env["event.event"].browse(self.event_id).unlink()
        env["mail.mail"].search([("recipient_ids", "in", self.partner_ids)]).unlink()
        env["res.partner"].browse(self.partner_ids).unlink()

    def _accept(self, cr):
        env = self.env_of(cr)
        result = env["membership.event.waitlist"].browse(self.entry_id)._accept_offer()
        env.flush_all()
        return result

    def _staff_register(self, cr):
        env = self.env_of(cr)
        env["event.registration"].create(
            {"event_id": self.event_id, "partner_id": self.partner_ids[2]}
        )
        env.flush_all()

    def _kept(self):
        with self.cursor() as cr:
            cr.execute(
                "SELECT partner_id FROM event_registration "
                "WHERE event_id = %s AND state = 'open'",
                [self.event_id],
            )
            return [row[0] for row in cr.fetchall()]

    def test_staff_take_the_seat_first_the_acceptance_is_refused(self):
        with self.two_workers() as (cr1, cr2):
            cr2.execute("SELECT 1")  # the acceptance's transaction starts first
            self._staff_register(cr1)
            cr1.commit()
            with self.assertRaises(SerializationFailure):
                self._accept(cr2)
            cr2.rollback()
            # the retry finds no seat, and says so
            registration, error = self._accept(cr2)
            self.assertFalse(registration)
            self.assertIn("seat was taken", error)
            cr2.commit()
        self.assertEqual(self._kept(), [self.partner_ids[2]])

    def test_the_acceptance_comes_first_staff_are_refused(self):
        with self.two_workers() as (cr1, cr2):
            cr2.execute("SELECT 1")
            registration, error = self._accept(cr1)
            self.assertFalse(error)
            cr1.commit()
            with self.assertRaises(SerializationFailure):
                self._staff_register(cr2)
            cr2.rollback()
            with self.assertRaises(ValidationError):
                self._staff_register(cr2)
            cr2.rollback()
        self.assertEqual(self._kept(), [self.partner_ids[1]])
