# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import io
import json
import re
import zipfile
from datetime import timedelta

from odoo import Command, fields, sql_db
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, JsonRpcException, freeze_time, new_test_user, tagged
from odoo.tools import mute_logger

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestMembershipPortal(MembershipCommon, HttpCase):
    """/my/membership: another member's records, files and invoices are not found
    (not even in a household), an invoice opens only with its own token, only
    whitelisted fields are written, names are escaped, every POST needs the CSRF
    token."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        join = today - timedelta(days=330)
        cls.member_a = cls.create_paid_member(
            join, partner_id=cls.portal_a.partner_id.id, name="Portal Member A"
        )
        cls.member_b = cls.create_paid_member(
            join,
            partner_id=cls.portal_b.partner_id.id,
            name="Portal Member B",
            phone="+81312345678",
        )
        cls.dues_a = cls.member_a.dues_ids
        cls.dues_b = cls.member_b.dues_ids
        cls.env["ir.actions.report"]._render_qweb_pdf(
            "membership_management.action_report_dues_receipt", cls.dues_b.ids
        )

    def csrf_token(self, url="/my/membership/profile"):
        page = self.url_open(url).text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def test_member_sees_only_own_membership(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/membership")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.member_a.member_number, page.text)
        self.assertNotIn(self.member_b.member_number, page.text)
        self.assertIn("Renew now", page.text)
        dues_page = self.url_open("/my/membership/dues").text
        self.assertIn(f"/my/membership/dues/{self.dues_a.id}/receipt", dues_page)
        self.assertNotIn(f"/my/membership/dues/{self.dues_b.id}/", dues_page)

    def test_card_shows_own_tier_and_points(self):
        Line = self.env["membership.points.line"]
        Line.create({"member_id": self.member_a.id, "points": 42, "reason": "Talk"})
        Line.create({"member_id": self.member_b.id, "points": 777, "reason": "Gift"})
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/membership").text
        self.assertIn("42 points", page)
        # not a bare "777": the page's CSRF token (a timestamp) may hold it
        self.assertNotIn("777 points", page)
        self.assertNotIn("Gift", page)
        data = json.loads(self.url_open("/my/membership/data.json").text)
        self.assertEqual(data["member"]["points"], 42)
        self.assertEqual([line["reason"] for line in data["points"]], ["Talk"])

    def test_another_members_receipt_is_not_found(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        own = self.url_open(f"/my/membership/dues/{self.dues_a.id}/receipt")
        self.assertEqual(own.status_code, 200)
        self.assertIn("Portal Member A", own.text)
        other = self.url_open(f"/my/membership/dues/{self.dues_b.id}/receipt")
        self.assertEqual(other.status_code, 404)
        self.assertNotIn("Portal Member B", other.text)
        self.assertNotIn(self.dues_b.receipt_number, other.text)
        missing = self.url_open("/my/membership/dues/999999999/receipt")
        self.assertEqual(missing.status_code, 404)

    def test_card_is_a_png_of_the_own_card(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        card = self.url_open("/my/membership/card.png")
        self.assertEqual(card.status_code, 200)
        self.assertEqual(card.headers["Content-Type"], "image/png")
        self.assertTrue(card.content.startswith(b"\x89PNG"))

    @mute_logger("odoo.http")
    def test_profile_post_without_csrf_token_is_refused(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        response = self.url_open(
            "/my/membership/profile", data={"phone": "+81 3 9999 9999"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.member_a.phone)

    def test_profile_writes_only_whitelisted_fields(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        number = self.member_a.member_number
        response = self.url_open(
            "/my/membership/profile",
            data={
                "csrf_token": self.csrf_token(),
                "name": "Portal Member A",
                "phone": "03-1234-5678",
                "country_id": str(self.env.ref("base.jp").id),
                "state": "withdrawn",
                "member_number": "M999999",
                "plan_id": str(self.plan_free.id),
                "partner_id": str(self.portal_b.partner_id.id),
                "withdrawal_date": "2020-01-01",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith("/my/membership?updated=1"))
        self.member_a.invalidate_recordset()
        self.assertRecordValues(
            self.member_a,
            [
                {
                    "phone": "+81312345678",
                    "state": "active",
                    "member_number": number,
                    "plan_id": self.plan_rolling.id,
                    "partner_id": self.portal_a.partner_id.id,
                    "withdrawal_date": False,
                }
            ],
        )
        tracked = self.member_a.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "phone"
        )
        self.assertTrue(tracked, "the change shows in the member's chatter")

    def test_invalid_phone_is_refused_and_nothing_saved(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open(
            "/my/membership/profile",
            data={
                "csrf_token": self.csrf_token(),
                "name": "Changed Name",
                "phone": "12345",
            },
        )
        self.assertIn("This phone number is not valid", page.text)
        self.member_a.invalidate_recordset()
        self.assertEqual(self.member_a.name, "Portal Member A")
        self.assertFalse(self.member_a.phone)

    def test_profile_refuses_control_characters_without_an_error_page(self):
        """A NUL byte in a name used to give HTTP 500."""
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open(
            "/my/membership/profile",
            data={"csrf_token": self.csrf_token(), "name": "Evil\x00Name"},
        )
        self.assertEqual(page.status_code, 200)
        self.assertIn("invisible control characters", page.text)
        self.member_a.invalidate_recordset()
        self.assertEqual(self.member_a.name, "Portal Member A")

    def confirmation_link(self, email):
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("email_to", "=", email)], order="id desc", limit=1)
        )
        self.assertTrue(mail, f"a confirmation link was mailed to {email}")
        return re.search(
            r"/my/membership/email/confirm\?token=([\w.]+)", mail.body_html
        )

    def test_a_new_email_takes_effect_only_once_confirmed_from_its_mailbox(self):
        """E-mail squatting: a member cannot take someone else's address, whose
        own application would then be treated as "already a member"."""
        self.member_a.email = self.portal_a.sudo().login = "a@example.com"
        self.authenticate("a@example.com", "mm_portal_a")
        response = self.url_open(
            "/my/membership/profile",
            data={
                "csrf_token": self.csrf_token(),
                "name": "Portal Member A",
                "email": "Victim@Example.com",
            },
        )
        self.assertIn("We sent a link to your new e-mail address", response.text)
        self.member_a.invalidate_recordset()
        self.assertEqual(self.member_a.email, "a@example.com", "not taken yet")
        self.assertEqual(self.member_a.pending_email, "victim@example.com")
        # the address's owner applies meanwhile: a new member, not "known"
        applicant = (
            self.env["membership.member"]
            .sudo()
            ._apply_online(
                self.plan_rolling.sudo(),
                {"name": "The Victim", "email": "victim@example.com"},
            )
        )
        self.assertTrue(applicant, "the address was free")
        token = self.confirmation_link("victim@example.com").group(1)
        # another member cannot use the link, nor can a forged one be made
        self.authenticate("mm_portal_b", "mm_portal_b")
        page = self.url_open(
            "/my/membership/email/confirm",
            data={"csrf_token": self.csrf_token(), "token": token},
        )
        self.assertIn("not valid any more", page.text)
        self.member_b.invalidate_recordset()
        self.assertNotEqual(self.member_b.email, "victim@example.com")
        self.authenticate("a@example.com", "mm_portal_a")
        for forged in (token[:-1] + ("0" if token[-1] != "0" else "1"), "", "1.2.3"):
            page = self.url_open(
                "/my/membership/email/confirm",
                data={"csrf_token": self.csrf_token(), "token": forged},
            )
            self.assertIn("not valid any more", page.text)
        # the owner's account now holds the address: A's change is refused
        page = self.url_open(f"/my/membership/email/confirm?token={token}")
        self.assertIn("Confirm my new address", page.text)
        page = self.url_open(
            "/my/membership/email/confirm",
            data={"csrf_token": self.csrf_token(), "token": token},
        )
        self.assertIn("Another account signs in with victim@example.com", page.text)
        self.member_a.invalidate_recordset()
        self.assertEqual(self.member_a.email, "a@example.com")

    def test_confirmed_email_change_moves_the_login_and_tells_the_old_address(self):
        self.member_a.email = self.portal_a.sudo().login = "a@example.com"
        self.authenticate("a@example.com", "mm_portal_a")
        self.url_open(
            "/my/membership/profile",
            data={
                "csrf_token": self.csrf_token(),
                "name": "Portal Member A",
                "email": "a.new@example.com",
            },
        )
        token = self.confirmation_link("a.new@example.com").group(1)
        # opening the link changes nothing: mail scanners open links too
        self.url_open(f"/my/membership/email/confirm?token={token}")
        self.member_a.invalidate_recordset()
        self.assertEqual(self.member_a.email, "a@example.com")
        response = self.url_open(
            "/my/membership/email/confirm",
            data={"csrf_token": self.csrf_token(), "token": token},
        )
        self.assertIn("Your new e-mail address is confirmed", response.text)
        self.member_a.invalidate_recordset()
        self.assertEqual(self.member_a.email, "a.new@example.com")
        self.assertFalse(self.member_a.pending_email)
        self.assertEqual(self.portal_a.login, "a.new@example.com")
        self.assertTrue(
            self.env["mail.mail"]
            .sudo()
            .search(
                [("email_to", "=", "a@example.com"), ("subject", "ilike", "changed")]
            ),
            "the previous address is told",
        )
        # the link works once
        page = self.url_open(
            "/my/membership/email/confirm",
            data={"csrf_token": self.csrf_token(), "token": token},
        )
        self.assertIn("not valid any more", page.text)

    def test_a_confirmation_link_expires(self):
        self.member_a._request_email_change("late@example.com")
        token = self.confirmation_link("late@example.com").group(1)
        with freeze_time(fields.Datetime.now() + timedelta(hours=25)):
            self.assertFalse(self.member_a._confirm_email_change(token))
        self.assertTrue(self.member_a._confirm_email_change(token))

    def test_my_account_form_does_not_change_a_members_email(self):
        """Odoo's own *My Account* form would change the address at once."""
        self.member_a.email = "a@example.com"
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/account").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = self.url_open(
            "/my/address/submit",
            data={
                "csrf_token": csrf,
                "partner_id": str(self.portal_a.partner_id.id),
                "name": "Portal Member A",
                "email": "victim@example.com",
                "phone": "+81312345678",
                "street": "1-2-3 Gion",
                "city": "Kyoto",
                "zip": "605-0001",
                "country_id": str(self.env.ref("base.jp").id),
                "address_type": "billing",
                "use_delivery_as_billing": "true",
            },
        )
        self.assertIn("on their membership profile", response.text)
        self.member_a.invalidate_recordset()
        self.assertEqual(self.member_a.email, "a@example.com")

    def test_profile_address_must_be_whole_once_given(self):
        """The portal's mandatory address fields: a city without a street is
        refused (nothing saved), the whole address is saved."""
        self.authenticate("mm_portal_a", "mm_portal_a")
        japan = str(self.env.ref("base.jp").id)
        form = {"name": "Portal Member A", "country_id": japan, "city": "Kyoto"}
        page = self.url_open(
            "/my/membership/profile",
            data={**form, "csrf_token": self.csrf_token(), "street": "", "zip": ""},
        )
        self.assertIn("Complete your address", page.text)
        self.member_a.invalidate_recordset()
        self.assertFalse(self.member_a.city)
        response = self.url_open(
            "/my/membership/profile",
            data={
                **form,
                "csrf_token": self.csrf_token(),
                "street": "1-2-3 Gion",
                "zip": "605-0001",
            },
        )
        self.assertTrue(response.url.endswith("/my/membership?updated=1"))
        self.member_a.invalidate_recordset()
        self.assertEqual(
            (self.member_a.street, self.member_a.city), ("1-2-3 Gion", "Kyoto")
        )

    def test_names_are_escaped_on_the_portal(self):
        self.member_a.name = "<script>alert(1)</script>"
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/membership").text
        self.assertNotIn("<script>alert(1)</script>", page)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)

    def test_download_my_data_holds_only_own_data(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        response = self.url_open("/my/membership/data.json")
        data = json.loads(response.content)
        self.assertEqual(data["member"]["member_number"], self.member_a.member_number)
        self.assertEqual(len(data["dues"]), 1)
        self.assertNotIn("Portal Member B", response.text)

    def test_download_my_data_is_a_zip_of_own_data_only(self):
        """JSON and a CSV per list: profile, dues, payments, registrations,
        points, consents, messages, own sign-ins; nothing of anyone else and
        no internal note."""
        newsletter = self.env["membership.member"]._get_consent_purpose(
            "newsletter", self.member_a.company_id
        )
        self.member_a._record_consents({newsletter: True}, source="portal")
        self.member_b._record_consents({newsletter: True}, source="portal")
        self.member_a.message_post(
            body="Welcome aboard", subtype_xmlid="mail.mt_comment"
        )
        self.member_a.message_post(
            body="Owes us a favour", subtype_xmlid="mail.mt_note"
        )
        self.authenticate("mm_portal_a", "mm_portal_a")
        response = self.url_open("/my/membership/data.zip")
        self.assertEqual(response.headers["Content-Type"], "application/zip")
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        names = set(archive.namelist())
        for name in (
            "my-data.json",
            "profile.csv",
            "dues.csv",
            "payments.csv",
            "consents.csv",
            "messages.csv",
            "logins.csv",
        ):
            self.assertIn(name, names)
        data = json.loads(archive.read("my-data.json"))
        self.assertEqual(data["member"]["member_number"], self.member_a.member_number)
        self.assertEqual([c["state"] for c in data["consents"]], ["given"])
        texts = " ".join(m["text"] for m in data["messages"])
        self.assertIn("Welcome aboard", texts)
        self.assertNotIn("Owes us", texts)
        for name in names:
            content = archive.read(name).decode("utf-8-sig")
            self.assertNotIn("Portal Member B", content, name)
            self.assertNotIn(self.member_b.member_number, content, name)
        self.assertIn(
            self.member_a.member_number, archive.read("profile.csv").decode("utf-8-sig")
        )
        log = self.env["membership.audit.log"].search(
            [("event", "=", "data_download"), ("member_id", "=", self.member_a.id)]
        )
        self.assertEqual(len(log), 1)

    @mute_logger("odoo.http")
    def test_state_changing_posts_without_csrf_token_are_refused(self):
        """Every POST of the member portal is refused without the CSRF token."""
        plan = self.plan_rolling.copy(
            {"code": "T-CSRF", "portal_change_allowed": True, "website_published": True}
        )
        self.authenticate("mm_portal_a", "mm_portal_a")
        for url, data in (
            ("/my/membership/renew", {"confirm": "1"}),
            ("/my/membership/change_plan", {"plan_id": str(plan.id)}),
            ("/my/membership/erasure", {"confirm": "1"}),
        ):
            with self.subTest(url=url):
                response = self.url_open(url, data=data)
                self.assertEqual(response.status_code, 400)
        self.assertEqual(self.member_a.dues_ids, self.dues_a, "nothing renewed")
        self.assertEqual(self.member_a.plan_id, self.plan_rolling)
        self.assertFalse(self.member_a.activity_ids, "no erasure request")

    def test_household_members_do_not_see_each_others_dues_invoices(self):
        """CE shows a company's contacts each other's invoices;
        membership invoices and their credit notes stay with their member,
        other invoices keep the CE rule."""
        household = self.env["res.partner"].create(
            {"name": "Household", "is_company": True}
        )
        (self.portal_a.partner_id | self.portal_b.partner_id).parent_id = household
        invoice_b = self.dues_b.move_id
        other_b = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.portal_b.partner_id.id,
                "invoice_line_ids": [
                    Command.create({"name": "Hall rental", "price_unit": 50.0})
                ],
            }
        )
        other_b.action_post()
        refund_b = invoice_b._reverse_moves()
        refund_b.action_post()
        Move = self.env["account.move"].with_user(self.portal_a)
        self.assertEqual(Move.search([("id", "=", invoice_b.id)]).ids, [])
        self.assertEqual(Move.search([("id", "=", refund_b.id)]).ids, [])
        self.assertEqual(Move.search([("id", "=", other_b.id)]), other_b)
        self.assertEqual(
            Move.search([("id", "=", self.dues_a.move_id.id)]), self.dues_a.move_id
        )
        with self.assertRaises(AccessError):
            Move.browse(invoice_b.id).read(["name"])
        Line = self.env["account.move.line"].with_user(self.portal_a)
        self.assertFalse(Line.search([("move_id", "=", invoice_b.id)]))
        self.authenticate("mm_portal_a", "mm_portal_a")
        listing = self.url_open("/my/invoices").text
        self.assertIn(self.dues_a.move_id.name, listing)
        self.assertNotIn(invoice_b.name, listing)
        page = self.url_open(f"/my/invoices/{invoice_b.id}")
        self.assertNotIn(invoice_b.name, page.text)
        self.assertNotIn("Portal Member B", page.text)

    def test_a_dues_invoice_opened_on_the_portal_is_the_official_one(self):
        invoice_a, invoice_b = self.dues_a.move_id, self.dues_b.move_id
        self.assertFalse(invoice_a.invoice_pdf_report_id)
        self.authenticate("mm_portal_a", "mm_portal_a")
        self.url_open(f"/my/invoices/{invoice_a.id}")
        self.assertTrue(invoice_a.invoice_pdf_report_id)
        report = self.url_open(f"/my/invoices/{invoice_a.id}?report_type=html")
        self.assertIn(invoice_a.name, report.text)
        self.assertNotIn("Proforma", report.text)
        # another member's invoice: refused before anything is made
        self.url_open(f"/my/invoices/{invoice_b.id}")
        self.assertFalse(invoice_b.invoice_pdf_report_id)

    def test_wrong_or_empty_access_token_opens_no_invoice(self):
        """Only the invoice's own access token opens it without rights."""
        invoice_b = self.dues_b.move_id
        invoice_b._portal_ensure_token()
        other_token = self.dues_a.move_id._portal_ensure_token()
        self.authenticate(None, None)
        for token in ("", "x", other_token):
            with self.subTest(token=token):
                page = self.url_open(
                    f"/my/invoices/{invoice_b.id}?access_token={token}"
                )
                self.assertNotIn(invoice_b.name, page.text)
                self.assertNotIn("Portal Member B", page.text)
        own = self.url_open(
            f"/my/invoices/{invoice_b.id}?access_token={invoice_b.access_token}"
        )
        self.assertEqual(own.status_code, 200)
        self.assertIn(invoice_b.name, own.text)

    def test_erasure_request_becomes_a_staff_activity(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        self.url_open(
            "/my/membership/erasure",
            data={"csrf_token": self.csrf_token("/my/membership")},
        )
        activity = self.member_a.activity_ids
        self.assertEqual(activity.summary, "Personal data erasure requested")
        self.assertFalse(activity.user_id.share)

    def test_members_delete_their_account_by_the_erasure_request_only(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/security")
        self.assertIn("Delete my account and my data", page.text)
        self.assertNotIn("portal_deactivate_account_modal", page.text)
        response = self.url_open(
            "/my/deactivate_account",
            data={
                "csrf_token": self.csrf_token("/my/security"),
                "validation": "mm_portal_a",
                "password": "mm_portal_a",
            },
        )
        self.assertIn("message=delete_account", response.url)
        self.assertIn("settle the membership first", response.text)
        self.assertTrue(self.portal_a.active)
        self.assertTrue(self.member_a.active)

    def test_a_portal_user_who_is_no_member_keeps_odoos_delete_account(self):
        new_test_user(
            self.env, login="mm_portal_nm", groups="base.group_portal", name="No Member"
        )
        self.authenticate("mm_portal_nm", "mm_portal_nm")
        page = self.url_open("/my/security")
        self.assertIn("portal_deactivate_account_modal", page.text)
        self.assertNotIn("Delete my account and my data", page.text)

    def _frontend_langs(self):
        return [c.value for c in self.opener.cookies if c.name == "frontend_lang"]

    def test_after_signing_in_the_portal_speaks_the_members_language(self):
        self.env["res.lang"]._activate_lang("ja_JP")
        self.env["ir.module.module"]._load_module_terms(
            ["membership_management"], ["ja_JP"]
        )
        self.portal_a.lang = "ja_JP"
        # an English page seen before signing in leaves its language cookie
        self.url_open("/membership")
        self.assertEqual(self._frontend_langs(), ["en_US"])
        page = self.url_open("/web/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = self.url_open(
            "/web/login",
            data={
                "csrf_token": token,
                "login": "mm_portal_a",
                "password": "mm_portal_a",
                "redirect": "/my/membership",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self._frontend_langs(), ["ja_JP"])
        self.assertIn("登録情報の変更", response.text)
        self.assertNotIn("Update my details", response.text)

    def test_renew_bills_the_next_period_and_opens_its_invoice(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        end = self.member_a.date_end
        response = self.url_open(
            "/my/membership/renew",
            data={"csrf_token": self.csrf_token("/my/membership")},
        )
        renewal = self.member_a.dues_ids - self.dues_a
        self.assertEqual(renewal.date_start, end + timedelta(days=1))
        self.assertEqual(renewal.state, "invoiced")
        self.assertIn(f"/my/invoices/{renewal.move_id.id}", response.url)
        # a second click bills nothing more
        self.url_open(
            "/my/membership/renew",
            data={"csrf_token": self.csrf_token("/my/membership")},
        )
        self.assertEqual(len(self.member_a.dues_ids), 2)

    def test_portal_pages_stay_within_a_query_budget(self):
        """Warm pages cost a bounded number of queries (all threads counted)."""
        self.authenticate("mm_portal_a", "mm_portal_a")
        # /my/membership also reads the saved cards and the mandates
        budgets = {"/my/home": 20, "/my/membership": 17, "/my/membership/dues": 15}
        for url, budget in budgets.items():
            self.url_open(url)  # warm the caches and the routing map
            before = sql_db.sql_counter
            response = self.url_open(url)
            queries = sql_db.sql_counter - before
            self.assertEqual(response.status_code, 200)
            with self.subTest(url=url):
                self.assertLessEqual(queries, budget, f"{url} used {queries} queries")

    def test_member_writes_to_staff_only_on_own_thread(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/membership").text
        self.assertIn('data-res_model="membership.member"', page)
        self.assertIn(f'data-res_id="{self.member_a.id}"', page)

        def post(member, body):
            return self.make_jsonrpc_request(
                "/mail/message/post",
                {
                    "thread_model": "membership.member",
                    "thread_id": member.id,
                    "post_data": {"body": body, "message_type": "comment"},
                },
            )

        post(self.member_a, "Question about my dues")
        self.assertIn(
            "Question about my dues", self.member_a.message_ids[:1].body.striptags()
        )
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
            post(self.member_b, "Writing on B's thread")
        self.assertNotIn(
            "Writing on B's thread",
            " ".join(self.member_b.message_ids.mapped("body")),
        )

    def test_two_factor_authentication_is_offered(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        self.assertIn("/my/security", self.url_open("/my/membership").text)
        self.assertIn("Two-factor authentication", self.url_open("/my/security").text)

    def test_news_shows_targeted_published_items_newest_first(self):
        today = fields.Date.today()
        self.env["membership.news"].create(
            [
                {
                    "name": "Old news",
                    "date": today - timedelta(days=10),
                    "is_published": True,
                    "body": "<p>Hello</p><script>alert(2)</script>",
                },
                {"name": "Fresh news", "date": today, "is_published": True},
                {"name": "Draft news", "is_published": False},
                {
                    "name": "Other plan news",
                    "is_published": True,
                    "plan_ids": [self.plan_free.id],
                },
                {"name": "Lapsed only", "is_published": True, "audience": "lapsed"},
                {
                    "name": "Embargoed news",
                    "date": today + timedelta(days=1),
                    "is_published": True,
                },
            ]
        )
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/membership").text
        self.assertLess(page.index("Fresh news"), page.index("Old news"))
        for hidden in (
            "Draft news",
            "Other plan news",
            "Lapsed only",
            "Embargoed news",
            "alert(2)",
        ):
            self.assertNotIn(hidden, page)
        # nor over RPC: only the page, which targets, shows news to members
        with self.assertRaises(AccessError):
            self.env["membership.news"].with_user(self.portal_a).search([])

    def test_plan_change_from_the_portal_only_to_allowed_plans(self):
        family = self.env["membership.plan"].create(
            {
                "name": "Family",
                "code": "T-FAM",
                "fee": 80.0,
                "period_type": "rolling",
                "website_published": True,
                "portal_change_allowed": True,
            }
        )
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/membership").text
        self.assertIn("Change plan", page)
        self.assertNotIn(f'value="{self.plan_free.id}"', page)
        token = self.csrf_token("/my/membership")
        self.url_open(
            "/my/membership/change_plan",
            data={"csrf_token": token, "plan_id": str(self.plan_free.id)},
        )
        self.assertEqual(self.member_a.plan_id, self.plan_rolling)
        response = self.url_open(
            "/my/membership/change_plan",
            data={"csrf_token": token, "plan_id": str(family.id)},
        )
        self.assertEqual(self.member_a.plan_id, family)
        new = self.member_a.dues_ids.filtered(lambda d: d.plan_id == family)
        self.assertRecordValues(
            new, [{"date_start": fields.Date.today(), "amount": 80.0}]
        )
        self.assertTrue(self.dues_a.move_id.reversal_move_ids, "unused part credited")
        self.assertIn(f"/my/invoices/{new.move_id.id}", response.url)

    def test_sessions_end_at_logout_and_password_change(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        self.url_open("/web/session/logout")
        response = self.url_open("/my/membership", allow_redirects=False)
        self.assertIn("/web/login", response.headers.get("Location", ""))
        self.authenticate("mm_portal_a", "mm_portal_a")
        self.assertEqual(self.url_open("/my/membership").status_code, 200)
        self.portal_a.sudo().password = "a-new-long-password-2026"
        self.env.flush_all()
        response = self.url_open("/my/membership", allow_redirects=False)
        self.assertIn("/web/login", response.headers.get("Location", ""))

    def test_another_members_files_are_not_served(self):
        """/web/content follows the member record's access: no other member's files."""

        def attach(member, name):
            return self.env["ir.attachment"].create(
                {
                    "name": name,
                    "raw": b"private",
                    "res_model": "membership.member",
                    "res_id": member.id,
                }
            )

        other = attach(self.member_b, "b.txt")
        self.authenticate("mm_portal_a", "mm_portal_a")
        for url in (
            f"/web/content/{other.id}",
            f"/web/content/{other.id}?download=true",
            f"/web/content/membership.member/{self.member_b.id}/image_1920",
        ):
            response = self.url_open(url)
            self.assertIn(response.status_code, (403, 404), url)
            self.assertNotEqual(response.content, b"private")

    def test_user_without_membership_sees_an_invitation(self):
        self.authenticate("mm_employee", "mm_employee")
        page = self.url_open("/my/membership")
        self.assertEqual(page.status_code, 200)
        self.assertIn("You are not a member yet", page.text)

    def test_public_plans_page_lists_published_plans(self):
        main = self.env.ref("base.main_company")
        Plan = self.env["membership.plan"].sudo()
        published = Plan.create(
            {
                "name": "Open Plan",
                "code": "T-OPEN",
                "fee": 50,
                "website_published": True,
                "company_id": main.id,
            }
        )
        Plan.create(
            {"name": "Hidden Plan", "code": "T-HIDE", "fee": 5, "company_id": main.id}
        )
        page = self.url_open("/membership")
        self.assertEqual(page.status_code, 200)
        self.assertIn(published.name, page.text)
        self.assertNotIn("Hidden Plan", page.text)


@tagged("post_install", "-at_install")
class TestMembershipCard(MembershipCommon):
    """Card tokens: signed, expiring and revocable; never the member id."""

    def test_card_token_identifies_the_member(self):
        member = self.create_paid_member(fields.Date.today())
        token = member._get_card_token()
        # the QR shows a random card id, not the member id or number
        card = token.split(".")[0]
        self.assertEqual(card, member.card_uuid)
        self.assertEqual(len(card), 32)
        self.assertNotIn(member.member_number, token)
        Member = self.env["membership.member"]
        self.assertEqual(Member._get_member_from_card_token(token), member)

    def test_tampered_expired_and_revoked_tokens_are_refused(self):
        member = self.create_paid_member(fields.Date.today())
        token = member._get_card_token()
        Member = self.env["membership.member"]
        card, expiry, signature = token.split(".")
        tampered = (
            f"{card}.{expiry}.{signature[:-1]}{'a' if signature[-1] != 'a' else 'b'}"
        )
        longer = f"{card}.29991231.{signature}"
        for bad in (tampered, longer, "", "garbage", f"{card}..{signature}"):
            self.assertFalse(Member._get_member_from_card_token(bad), bad)
        with freeze_time(fields.Date.today() + timedelta(days=6 * 365)):
            self.assertFalse(Member._get_member_from_card_token(token))
        member.action_revoke_card()
        self.assertFalse(Member._get_member_from_card_token(token))
        self.assertEqual(
            Member._get_member_from_card_token(member._get_card_token()), member
        )

    def test_card_without_end_lasts_the_days_set_in_settings(self):
        """A member with no coverage end (lifetime) gets a card
        valid for the *Membership Cards* days of Settings."""
        today = fields.Date.today()
        member = self.create_member(plan=self.plan_lifetime, join_date=today)
        self.pay(member._create_period_dues(today).move_id, today)
        settings = self.env["res.config.settings"].create(
            {"membership_card_validity_days": 30}
        )
        settings.execute()
        token = member._get_card_token()
        expiry = fields.Date.today() + timedelta(days=30)
        self.assertEqual(token.split(".")[1], f"{expiry:%Y%m%d}")
        Member = self.env["membership.member"]
        with freeze_time(expiry):
            self.assertEqual(Member._get_member_from_card_token(token), member)
        with freeze_time(expiry + timedelta(days=1)):
            self.assertFalse(Member._get_member_from_card_token(token))

    def test_an_applicant_who_never_paid_has_no_card(self):
        """A card is valid only while the membership is active or in grace:
        an unpaid applicant's card once lasted five years and opened free
        events at check-in."""
        today = fields.Date.today()
        member = self.create_member(plan=self.plan_rolling, join_date=today)
        dues = self.bill(member, today)
        self.assertEqual(member.state, "waiting")
        self.assertFalse(member._get_card_token())
        self.assertFalse(member._get_card_qr_png())
        self.pay(dues.move_id, today)
        self.assertEqual(member.state, "active")
        token = member._get_card_token()
        Member = self.env["membership.member"]
        self.assertEqual(Member._get_member_from_card_token(token), member)
        # the card expires with the coverage (end of grace), not in five years
        self.assertEqual(token.split(".")[1], f"{member.grace_end:%Y%m%d}")
        # a card shown while active stops working once suspended
        member.write({"suspended_from": today, "suspension_reason": "other"})
        self.assertEqual(member.state, "suspended")
        self.assertFalse(Member._get_member_from_card_token(token))
