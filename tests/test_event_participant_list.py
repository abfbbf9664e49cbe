# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import io
import zipfile

import openpyxl

from odoo.tests import HttpCase, tagged

from .common import MembershipEventCommon


@tagged("post_install", "-at_install")
class TestEventParticipantList(MembershipEventCommon, HttpCase):
    """Participant list as XLSX and PDF; no cell is written as a formula."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.register(cls.portal_a.partner_id, cls.ticket_standard)
        cls.evil = cls.env["res.partner"].create(
            {
                "name": '=HYPERLINK("http://evil.example","click")',
                "email": "e@example.com",
            }
        )
        cls.register(cls.evil, cls.ticket_free, phone="+81312345678")

    def test_xlsx_lists_participants_and_writes_no_formula(self):
        content = self.env[
            "report.membership_management.event_participants_xlsx"
        ]._generate(self.event)
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
        self.assertNotIn("<f>", sheet_xml)
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
        names = {row[0] for row in rows}
        self.assertIn('=HYPERLINK("http://evil.example","click")', names)
        self.assertIn("Portal Member A", names)
        member_row = next(row for row in rows if row[0] == "Portal Member A")
        self.assertEqual(member_row[1], self.member_a.member_number)
        self.assertEqual(member_row[7], 30.0)
        evil_row = next(row for row in rows if row[0] != "Portal Member A")
        self.assertEqual(evil_row[4], "+81312345678", "a phone stays text, unmangled")
        for row in sheet.iter_rows(min_row=4):
            self.assertEqual(row[0].data_type, "s")

    def test_xlsx_download_is_for_event_staff_and_audited(self):
        self.authenticate("mm_officer", "mm_officer")
        url = f"/membership/event/{self.event.id}/participants.xlsx"
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"PK"))
        log = self.env["membership.audit.log"].search(
            [("event", "=", "participant_export")]
        )
        self.assertEqual(log.user_id, self.officer)
        for login in ("mm_portal_a", "mm_employee"):
            with self.subTest(login=login):
                self.authenticate(login, login)
                denied = self.url_open(url)
                self.assertEqual(denied.status_code, 404)
                self.assertFalse(denied.content.startswith(b"PK"))

    def test_pdf_lists_participants(self):
        html, __ = self.env["ir.actions.report"]._render_qweb_html(
            "membership_management.action_report_event_participants", self.event.ids
        )
        html = html.decode()
        log = self.env["membership.audit.log"].search(
            [("event", "=", "participant_export")]
        )
        self.assertEqual(len(log), 1, "the print is audited like the download")
        self.assertIn("(PDF)", log.description)
        self.assertIn("Portal Member A", html)
        self.assertIn(self.member_a.member_number, html)
        self.assertIn("=HYPERLINK(&#34;http://evil.example&#34;", html)
        self.assertNotIn('<a href="http://evil', html)
