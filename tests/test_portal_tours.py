# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import html
import re
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.fields import Command
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestMembershipPortalTours(MembershipCommon, HttpCase):
    """The portal in a real browser (Chromium): profile, renewal, join and pay."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = cls.create_paid_member(
            fields.Date.today() - timedelta(days=330),
            partner_id=cls.portal_a.partner_id.id,
            name="Portal Member A",
        )

    def test_profile_refuses_an_invalid_phone_then_saves_a_valid_one(self):
        self.start_tour(
            "/my/membership", "membership_profile_phone", login="mm_portal_a"
        )
        self.assertEqual(self.member.phone, "+81312345678")

    def test_renew_leads_to_the_renewal_invoice(self):
        self.start_tour("/my/membership", "membership_renew", login="mm_portal_a")
        self.assertEqual(len(self.member.dues_ids), 2)

    def test_pages_fit_a_phone_screen(self):
        """No horizontal scrolling at 375 px on the portal pages."""
        self.browser_size = "375x740"
        self.touch_enabled = True
        for url in ("/my/membership", "/my/membership/dues", "/my/membership/profile"):
            code = (
                "if (document.documentElement.scrollWidth > window.innerWidth + 1) {"
                f" console.error('{url} scrolls horizontally: ' +"
                " document.documentElement.scrollWidth); } else {"
                " console.log('test successful'); }"
            )
            self.browser_js(
                url,
                code,
                ready="document.readyState === 'complete'",
                login="mm_portal_a",
            )

    def test_registrations_and_home_tile_fit_a_phone(self):
        """At 375 px the registrations are cards whose Pay and Cancel buttons
        are on the screen, and the Membership tile's pictogram is the size of
        the other tiles' (64 px)."""
        event = self.env["event.event"].create(
            {
                "name": "Phone Seminar",
                "date_begin": fields.Datetime.now() + timedelta(days=20),
                "date_end": fields.Datetime.now() + timedelta(days=20, hours=2),
                "membership_published": True,
                "event_ticket_ids": [Command.create({"name": "Seat", "price": 30.0})],
            }
        )
        self.env["event.registration"].create(
            {
                "event_id": event.id,
                "event_ticket_id": event.event_ticket_ids.id,
                "partner_id": self.member.partner_id.id,
            }
        )
        self.browser_size = "375x740"
        self.touch_enabled = True
        code = (
            "const buttons = document.querySelectorAll("
            "'.o_membership_registrations .o_membership_registration_actions .btn');"
            "const off = [...buttons].filter((b) =>"
            " b.getBoundingClientRect().right > window.innerWidth);"
            "if (!buttons.length) { console.error('no button shown'); }"
            "else if (off.length) {"
            " console.error(off.length + ' button(s) off screen'); }"
            "else if (document.documentElement.scrollWidth > window.innerWidth + 1) {"
            " console.error('the page scrolls horizontally'); }"
            "else { console.log('test successful'); }"
        )
        self.browser_js(
            "/my/membership/events",
            code,
            ready="document.readyState === 'complete'",
            login="mm_portal_a",
        )
        tile = (
            "const img = document.querySelector("
            "\"a[href='/my/membership'] .o_portal_icon img\");"
            "if (!img) { console.error('no membership tile'); }"
            "else if (img.getBoundingClientRect().width > 64) {"
            " console.error('tile icon ' +"
            " img.getBoundingClientRect().width + ' px'); }"
            "else { console.log('test successful'); }"
        )
        self.browser_js(
            "/my", tile, ready="document.readyState === 'complete'", login="mm_portal_a"
        )


@tagged("post_install", "-at_install")
class TestMembershipJoinTour(HttpCase):
    """An applicant joins, then pays from the e-mailed link with the demo
    provider, in Chromium."""

    def test_join_and_pay_with_the_demo_provider(self):
        main = self.env.ref("base.main_company")
        self.env.ref("payment.payment_provider_demo").sudo().write(
            {"state": "test", "company_id": main.id, "is_published": True}
        )
        self.env["membership.plan"].sudo().create(
            {
                "name": "Tour Plan",
                "code": "T-TOUR",
                "fee": 30.0,
                "period_type": "rolling",
                "website_published": True,
                "company_id": main.id,
            }
        )
        self.start_tour("/membership", "membership_join")
        # the join page queues the application; its job creates the member
        with patch.object(self.env.cr, "commit", lambda: None):
            self.env["membership.join.request"]._cron_process()
        member = (
            self.env["membership.member"]
            .sudo()
            .search([("email", "=", "tour.applicant@example.com")])
        )
        self.assertEqual(len(member), 1)
        # the applicant follows the link of the e-mail they received
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("recipient_ids", "in", member.partner_id.ids)])
            .filtered(lambda m: "/my/invoices/" in m.body_html)
        )
        link = re.search(r'href="[^"]*(/my/invoices/[^"]+)"', mail.body_html)
        self.start_tour(html.unescape(link.group(1)), "membership_pay_first_dues")
        self.assertEqual(member.dues_ids.move_id.payment_state, "paid")
        self.assertEqual(member.dues_ids.state, "paid")
        # covered from the applicant's joining day: in their time zone it may
        # already be tomorrow (late in the UTC evening), then the daily job
        # activates them that day
        start = member.dues_ids.date_start
        with (
            freeze_time(f"{start} 12:00:00"),
            patch.object(self.env.cr, "commit", lambda: None),
        ):
            self.env["membership.member"]._cron_update_states()
            self.env.invalidate_all()
            self.assertEqual(member.state, "active")


@tagged("post_install", "-at_install")
class TestMembershipEventTour(HttpCase):
    """A member registers for a seminar, pays the fee with the demo provider
    and finds the registration confirmed under My Events, in Chromium."""

    def test_register_pay_and_see_it_under_my_events(self):
        main = self.env.ref("base.main_company")
        self.env.ref("payment.payment_provider_demo").sudo().write(
            {"state": "test", "company_id": main.id, "is_published": True}
        )
        user = new_test_user(
            self.env,
            login="mm_event_tour",
            name="Event Tour Member",
            email="event.tour@example.com",
            groups="base.group_portal",
            company_id=main.id,
        )
        plan = self.env["membership.plan"].create(
            {
                "name": "Tour Plan",
                "code": "T-EVTOUR",
                "plan_type": "free",
                "period_type": "rolling",
                "company_id": main.id,
            }
        )
        member = self.env["membership.member"].create(
            {
                "partner_id": user.partner_id.id,
                "plan_id": plan.id,
                "join_date": fields.Date.today(),
                "company_id": main.id,
            }
        )
        member._create_period_dues(fields.Date.today())
        self.assertEqual(member.state, "active")
        start = fields.Datetime.now() + timedelta(days=14)
        event = self.env["event.event"].create(
            {
                "name": "Tour Seminar",
                "date_begin": start,
                "date_end": start + timedelta(hours=2),
                "membership_published": True,
                "company_id": main.id,
                "event_ticket_ids": [
                    Command.create(
                        {
                            "name": "Seat",
                            "price": 40.0,
                            "has_member_price": True,
                            "member_price": 25.0,
                        }
                    )
                ],
            }
        )
        self.start_tour(
            "/my/membership/events",
            "membership_event_register_and_pay",
            login="mm_event_tour",
        )
        registration = event.registration_ids
        self.assertEqual(registration.partner_id, user.partner_id)
        self.assertEqual(registration.membership_price, 25.0)
        self.assertEqual(registration.membership_fee_state, "paid")
        self.assertEqual(registration.state, "open")
