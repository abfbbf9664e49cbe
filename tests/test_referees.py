# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import base64
import re
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, freeze_time, tagged

from .common import MembershipCommon

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@tagged("post_install", "-at_install")
class TestReferees(MembershipCommon, HttpCase):
    """推薦者 and application documents: referees answer from a signed link
    that expires and works once; the answer shows in the queue; the document
    an applicant uploads is for staff only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        main = cls.env.ref("base.main_company")
        cls.fellow = (
            cls.env["membership.plan"]
            .sudo()
            .create(
                {
                    "name": "Fellow",
                    "code": "T-FEL",
                    "fee": 200.0,
                    "period_type": "rolling",
                    "requires_approval": True,
                    "referees_required": 1,
                    "application_document_label": "Diploma",
                    "website_published": True,
                    "company_id": main.id,
                }
            )
        )
        today = fields.Date.today()
        Member = cls.env["membership.member"].sudo().with_company(main)
        honorary = cls.fellow.copy(
            {
                "code": "T-HON-MAIN",
                "plan_type": "free",
                "fee": 0.0,
                "requires_approval": False,
                "referees_required": 0,
            }
        )
        cls.referee = Member.create(
            {
                "name": "Vouching Vera",
                "email": "vera@example.com",
                "plan_id": honorary.id,
                "company_id": main.id,
                "join_date": today,
            }
        )
        cls.referee._create_period_dues(today)
        cls.applicant = Member.create(
            {
                "name": "Hopeful Hana",
                "email": "hana@example.com",
                "plan_id": cls.fellow.id,
                "company_id": main.id,
                "join_date": today,
            }
        )

    def answer_page(self, row):
        return self.url_open(f"/membership/referee?token={row._get_token()}")

    def test_referee_confirms_once_from_the_signed_link(self):
        rows = self.applicant._add_referees_by_number(
            [self.referee.member_number, "NOPE-1"]
        )
        self.assertEqual(rows.referee_id, self.referee)
        self.assertEqual(rows.state, "pending")
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("recipient_ids", "in", self.referee.partner_id.ids)])
        )
        self.assertIn("Would you vouch for Hopeful Hana?", mail.mapped("subject"))
        self.assertIn("/membership/referee?token=", "".join(mail.mapped("body_html")))
        self.assertIn("NOPE-1", self.applicant.message_ids[:1].body)
        self.assertEqual(self.applicant.referee_summary, "0 of 1")
        page = self.answer_page(rows)
        self.assertIn("Hopeful Hana", page.text)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        no_csrf = self.url_open(
            "/membership/referee",
            data={"token": rows._get_token(), "answer": "confirm"},
        )
        self.assertEqual(no_csrf.status_code, 400)
        self.assertEqual(rows.state, "pending", "GET and forged POSTs change nothing")
        done = self.url_open(
            "/membership/referee",
            data={"csrf_token": token, "token": rows._get_token(), "answer": "confirm"},
        )
        self.assertIn("your answer was recorded", done.text)
        self.assertEqual(rows.state, "confirmed")
        self.assertTrue(rows.decision_date)
        self.assertEqual(self.applicant.referee_summary, "1 of 1")
        again = self.url_open(
            "/membership/referee",
            data={"csrf_token": token, "token": rows._get_token(), "answer": "decline"},
        )
        self.assertIn("answered this request already", again.text)
        self.assertEqual(rows.state, "confirmed")

    def test_expired_or_forged_links_are_refused(self):
        row = self.applicant._add_referees_by_number([self.referee.member_number])
        token = row._get_token()
        Referee = self.env["membership.referee"]
        self.assertEqual(Referee._get_by_token(token), row)
        forged = token.replace(f"{row.id}.", f"{row.id + 1}.", 1)
        self.assertFalse(Referee._get_by_token(forged))
        self.assertFalse(Referee._get_by_token(token[:-2] + "00"))
        with freeze_time(fields.Datetime.now() + timedelta(days=15)):
            self.assertFalse(Referee._get_by_token(token))
        self.assertIn(
            "not valid any more",
            self.url_open(f"/membership/referee?token={forged}").text,
        )
        with freeze_time(fields.Datetime.now() + timedelta(hours=1)):
            row.action_send_again()
            self.assertFalse(Referee._get_by_token(token), "a new link voids the old")
            self.assertEqual(Referee._get_by_token(row._get_token()), row)

    def test_only_current_members_vouch_and_not_for_themselves(self):
        Referee = self.env["membership.referee"]
        self.applicant._add_referees_by_number([self.referee.member_number])
        with self.assertRaises(AccessError):
            Referee.with_user(self.portal_a).search([])
        self.assertEqual(
            Referee.with_user(self.officer).search_count([]), 0, "another company's"
        )
        with self.assertRaisesRegex(ValidationError, "own referee"):
            Referee.create(
                {"applicant_id": self.referee.id, "referee_id": self.referee.id}
            )
        with self.assertRaisesRegex(ValidationError, "good standing"):
            Referee.create(
                {"applicant_id": self.referee.id, "referee_id": self.applicant.id}
            )

    def test_online_application_brings_referee_and_a_staff_only_document(self):
        url = f"/membership/join/{self.fellow.id}"
        page = self.url_open(url).text
        self.assertIn("Diploma", page)
        self.assertIn("Referee&#39;s member number", page.replace("'", "&#39;"))
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        data = {
            "csrf_token": token,
            "name": "Online Otto",
            "email": "otto@example.com",
            "accept_terms": "1",
            "referee_1": self.referee.member_number,
        }
        refused = self.url_open(
            url,
            data=data,
            files={
                "application_document": (
                    "diploma.exe",
                    b"MZ\x90\x00",
                    "application/pdf",
                )
            },
        )
        self.assertIn("Send a PDF, PNG or JPEG file", refused.text)
        self.url_open(
            url,
            data=data,
            files={"application_document": ("diploma.pdf", PDF, "application/pdf")},
        )
        with patch.object(self.env.cr, "commit", lambda: None):
            self.env["membership.join.request"]._cron_process()
        otto = (
            self.env["membership.member"]
            .sudo()
            .search([("email", "=", "otto@example.com")])
        )
        self.assertEqual(otto.approval_state, "pending")
        self.assertEqual(otto.referee_ids.referee_id, self.referee)
        self.assertEqual(base64.b64decode(otto.application_document), PDF)
        self.assertEqual(otto.application_document_name, "diploma.pdf")
        # staff open it; the applicant cannot, neither by field nor by file
        self.assertTrue(otto.with_user(self.officer).application_document)
        user = otto.partner_id.user_ids
        with self.assertRaises(AccessError):
            otto.with_user(user).read(["application_document"])
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "membership.member"),
                    ("res_id", "=", otto.id),
                    ("res_field", "=", "application_document"),
                ]
            )
        )
        self.assertTrue(attachment)
        with self.assertRaises(AccessError):
            attachment.with_user(user).read(["datas"])
        user.password = "otto-pass-1234"
        self.authenticate(user.login, "otto-pass-1234")
        response = self.url_open(f"/web/content/{attachment.id}")
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(PDF, response.content)
