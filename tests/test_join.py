# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import re
from unittest.mock import patch

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestMembershipJoin(HttpCase):
    """/membership/join/<plan>: one member per person, invitation instead of
    passwords, the same answer whoever applies, bots and floods refused, invalid
    input explained with nothing created, every POST needs the CSRF token."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        main = cls.env.ref("base.main_company")
        cls.plan = (
            cls.env["membership.plan"]
            .sudo()
            .create(
                {
                    "name": "Web Plan",
                    "code": "T-WEB",
                    "fee": 100.0,
                    "entry_fee": 10.0,
                    "period_type": "rolling",
                    "website_published": True,
                    "company_id": main.id,
                }
            )
        )
        cls.url = f"/membership/join/{cls.plan.id}"

    def members(self, email="new.applicant@example.com"):
        return (
            self.env["membership.member"]
            .sudo()
            .with_context(active_test=False)
            .search([("email", "=", email)])
        )

    def apply(self, process=True, **values):
        """Post the form, then run the job that handles queued applications
        (unless ``process`` is false)."""
        page = self.url_open(self.url).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        data = {
            "csrf_token": token,
            "name": "New Applicant",
            "email": "new.applicant@example.com",
            "accept_terms": "1",
            **values,
        }
        response = self.url_open(self.url, data=data)
        if process:
            self.process()
        return response

    def process(self):
        """Run the job that handles queued applications, as its cron would
        (its per-batch commits stay inside the test's transaction)."""
        with patch.object(self.env.cr, "commit", lambda: None):
            self.env["membership.join.request"]._cron_process()

    def page_text(self, response):
        """The page as a visitor sees it, without its per-request token."""
        return re.sub(r"[0-9a-f]{40}o\d+", "", response.text)

    def test_application_creates_member_user_and_invoice_and_mails_the_payment_link(
        self,
    ):
        response = self.apply(
            phone="03-1234-5678", country_id=str(self.env.ref("base.jp").id)
        )
        member = self.members()
        self.assertEqual(len(member), 1)
        self.assertEqual(member.state, "waiting")
        self.assertEqual(member.phone, "+81312345678")
        self.assertTrue(member.consent_date)
        invoice = member.dues_ids.move_id
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.amount_total, 110.0)
        # the page shows neither the invoice nor the member number ...
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith(self.url))
        self.assertIn("check your mailbox", response.text)
        self.assertNotIn(member.member_number, response.text)
        self.assertNotIn("/my/invoices", response.text)
        # ... the applicant's mailbox gets the link to pay
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("recipient_ids", "in", member.partner_id.ids)])
            .filtered(lambda m: "/my/invoices/" in m.body_html)
        )
        self.assertEqual(len(mail), 1)
        self.assertRegex(
            mail.body_html, rf"/my/invoices/{invoice.id}\?access_token=[\w-]+"
        )
        self.assertIn(member.member_number, mail.body_html)
        user = self.env["res.users"].sudo().search([("login", "=", member.email)])
        self.assertTrue(user.share, "a portal user, not an employee")
        self.env.cr.execute("SELECT password FROM res_users WHERE id = %s", [user.id])
        self.assertFalse(self.env.cr.fetchone()[0], "no password is ever generated")
        self.assertEqual(
            user.partner_id.sudo().signup_type,
            "signup",
            "auth_signup invited the member to set their password",
        )
        self.assertEqual(member.status_history_ids[-1:].source, "portal")

    def test_new_member_gets_the_browsers_time_zone_and_the_pages_language(self):
        self.opener.cookies.set("tz", "Asia/Tokyo")
        self.apply()
        partner = self.members().partner_id
        self.assertEqual(partner.tz, "Asia/Tokyo")
        self.assertEqual(partner.lang, "en_US")
        self.assertEqual(partner.user_ids.tz, "Asia/Tokyo")

    def test_without_a_browser_time_zone_the_companys_is_used(self):
        self.plan.company_id.partner_id.tz = "Asia/Tokyo"
        self.opener.cookies.set("tz", "Not/AZone")
        self.apply()
        self.assertEqual(self.members().partner_id.tz, "Asia/Tokyo")

    def test_same_email_never_makes_a_second_member(self):
        self.apply()
        page = self.apply(name="Someone Else")
        self.assertEqual(len(self.members()), 1)
        self.assertIn("check your mailbox", page.text)
        self.assertIn("/web/login?redirect=/my/membership", page.text)
        notice = (
            self.env["mail.mail"]
            .sudo()
            .search([("email_to", "=", "new.applicant@example.com")])
        )
        self.assertIn("already has an account", notice.body_html)

    def test_a_member_without_account_is_recognised_by_e_mail(self):
        """A member entered by staff (no portal user, the address written with
        a name and in capitals) gets the notice, not a second membership."""
        self.env["membership.member"].sudo().create(
            {
                "name": "Staff Made",
                "email": '"Staff Made" <Staff.Made@Example.com>',
                "plan_id": self.plan.id,
            }
        )
        self.apply(email="staff.made@example.com")
        self.assertFalse(self.members("staff.made@example.com"))
        self.assertEqual(
            self.env["membership.member"]
            .sudo()
            .search_count([("email_normalized", "=", "staff.made@example.com")]),
            1,
        )

    def test_the_page_does_not_tell_who_is_a_member(self):
        """A known and an unknown address get the same answer: no member enumeration."""
        self.env["res.users"].sudo().create(
            {
                "name": "Jane Known",
                "login": "jane.known@example.com",
                "email": "jane.known@example.com",
                "group_ids": [(6, 0, self.env.ref("base.group_portal").ids)],
            }
        )
        Mail = self.env["mail.mail"].sudo()
        Request = self.env["membership.join.request"].sudo()
        mails_before = Mail.search_count([])
        known = self.apply(process=False, email="jane.known@example.com")
        unknown = self.apply(process=False, email="brand.new@example.com")
        # the visitor's request only queues: the same work, hence the same
        # time, for a known and a new address (no timing oracle)
        self.assertEqual(Request.search_count([("state", "=", "queued")]), 2)
        self.assertFalse(self.members("brand.new@example.com"))
        self.assertEqual(Mail.search_count([]), mails_before, "nothing mailed yet")
        self.process()
        self.assertFalse(Request.search([]), "handled, and the copy deleted")
        self.assertTrue(self.members("brand.new@example.com"))
        self.assertTrue(
            Mail.search([("email_to", "=", "jane.known@example.com")]),
            "the known address's owner is told by mail",
        )
        self.assertFalse(self.members("jane.known@example.com"))
        for response in (known, unknown):
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.url, known.url)
            self.assertFalse(response.history, "no redirect for either")
        self.assertEqual(self.page_text(known), self.page_text(unknown))

    def test_wildcards_in_the_email_match_no_other_account(self):
        """``%`` and ``_`` are letters of an address, not patterns: they
        neither reveal nor block somebody else's account."""
        self.env["res.users"].sudo().create(
            {
                "name": "Jane Known",
                "login": "jane.known@example.com",
                "group_ids": [(6, 0, self.env.ref("base.group_portal").ids)],
            }
        )
        self.apply(email="jane%@example.com")
        self.apply(email="jane_known@example.com")
        self.assertTrue(self.members("jane%@example.com"))
        self.assertTrue(self.members("jane_known@example.com"))
        self.assertFalse(
            self.env["mail.mail"]
            .sudo()
            .search([("body_html", "ilike", "already has an account")]),
            "nobody was told they already have an account",
        )

    def test_honeypot_stops_bots_silently(self):
        page = self.apply(website_url="http://spam.example.com")
        self.assertIn("check your mailbox", page.text)
        self.assertFalse(self.members())

    def test_floods_from_one_address_are_throttled(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "membership_management.join_limit_per_hour", 2
        )
        for i in range(2):
            self.apply(email=f"flood{i}@example.com")
        page = self.apply(email="flood2@example.com")
        self.assertIn("Too many applications", page.text)
        self.assertFalse(self.members("flood2@example.com"))
        self.assertTrue(self.members("flood1@example.com"))

    def test_invalid_input_is_explained_and_nothing_created(self):
        page = self.apply(email="not-an-email", accept_terms="", phone="12")
        for message in (
            "Enter a valid e-mail address",
            "Please accept the membership terms",
            "This phone number is not valid",
        ):
            self.assertIn(message, page.text)
        self.assertFalse(self.members("not-an-email"))

    def test_a_plan_requiring_approval_bills_nothing_before_the_decision(self):
        self.plan.sudo().requires_approval = True
        self.apply()
        member = self.members()
        self.assertEqual(member.approval_state, "pending")
        self.assertFalse(member.dues_ids, "nothing billed before approval")
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("recipient_ids", "in", member.partner_id.ids)])
        )
        self.assertTrue(any("being reviewed" in (m.subject or "") for m in mail))
        self.assertFalse(any("/my/invoices/" in (m.body_html or "") for m in mail))

    def test_control_characters_are_refused_with_a_message(self):
        """A NUL byte used to make the database fail the request (HTTP 500)."""
        for char in ("\x00", "\x1b", "\x85", "\u2028"):
            with self.subTest(char=repr(char)):
                page = self.apply(name=f"Evil{char}Name", city=f"Kyo{char}to")
                self.assertEqual(page.status_code, 200)
                self.assertIn("invisible control characters", page.text)
                self.assertFalse(self.members())
                self.assertFalse(self.env["membership.join.request"].sudo().search([]))

    def test_a_failed_application_is_kept_for_the_managers_and_retried(self):
        """One application that fails does not stop the others nor get lost."""
        self.apply(process=False, email="first@example.com")
        self.apply(process=False, email="second@example.com")
        Request = self.env["membership.join.request"].sudo()
        first = Request.search([], order="id", limit=1)
        first.values = dict(first.values, country_id=999999999)
        with mute_logger(
            "odoo.addons.membership_management.models.membership_join_request",
            "odoo.sql_db",
        ):
            self.process()
        self.assertTrue(self.members("second@example.com"))
        self.assertFalse(self.members("first@example.com"))
        self.assertEqual(first.state, "failed")
        self.assertTrue(first.error)
        first.values = dict(first.values, country_id=False)
        first.action_retry()
        self.process()
        self.assertTrue(self.members("first@example.com"))
        self.assertFalse(first.exists())

    @mute_logger("odoo.http")
    def test_post_without_csrf_token_is_refused(self):
        response = self.url_open(
            self.url,
            data={"name": "X", "email": "csrf@example.com", "accept_terms": "1"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.members("csrf@example.com"))

    def test_unpublished_plan_cannot_be_joined(self):
        self.plan.website_published = False
        self.assertEqual(self.url_open(self.url).status_code, 404)

    def test_join_page_shows_what_the_first_invoice_bills(self):
        """Prorated dues, entry fee and tax shown before applying are the
        invoice's: a fixed April year joined today, with a 10 % tax."""
        main = self.env.ref("base.main_company")
        tax = (
            self.env["account.tax"]
            .sudo()
            .create(
                {
                    "name": "Sales 10%",
                    "amount": 10.0,
                    "type_tax_use": "sale",
                    "company_id": main.id,
                }
            )
        )
        plan = self.plan.sudo()
        plan.write(
            {
                "period_type": "fixed",
                "fixed_start_month": 4,
                "prorate": True,
                "fee": 120.0,
                "entry_fee": 20.0,
            }
        )
        plan.product_id.taxes_id = tax
        quote = plan._get_first_invoice_quote(fields.Date.today())
        page = self.url_open(self.url).text
        self.assertIn(f"{quote['total']:,.2f}", page)
        self.assertIn("Your first invoice", page)
        response = self.apply()
        self.assertIn(f"{quote['total']:,.2f}", response.text, "the e-mail's total")
        invoice = self.members().dues_ids.move_id
        self.assertEqual(invoice.amount_total, quote["total"])
        self.assertEqual(invoice.amount_tax, quote["tax"])
        self.assertEqual(
            self.members().dues_ids.amount, quote["dues"], "prorated as shown"
        )

    def test_applying_twice_without_http_makes_one_member(self):
        """The flow is a model method: the controller only validates and
        answers."""
        Member = self.env["membership.member"].sudo()
        values = {"name": "Model Applicant", "email": "model.applicant@example.com"}
        first = Member._apply_online(self.plan.sudo(), dict(values), newsletter=True)
        again = Member._apply_online(self.plan.sudo(), dict(values))
        self.assertTrue(first)
        self.assertFalse(again, "a known address creates nothing")
        self.assertEqual(self.members("model.applicant@example.com"), first)
        self.assertTrue(first.newsletter_consent)
        self.assertEqual(first.state, "waiting")
