# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import base64
import csv
import io
from datetime import date

import openpyxl

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, freeze_time, tagged

from .common import MembershipCommon

CARDS = "membership_management.action_report_member_cards"
LABELS = "membership_management.action_report_address_labels"


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 12:00:00")
class TestMembershipExports(MembershipCommon):
    """Officers export member and dues lists (XLSX, CSV) with the secretary's
    columns, no cell becomes a formula, each export is audited; cards and
    address labels print in batch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-06-01 12:00:00"):
            cls.hanako = cls.create_member(
                name="Hanako Yamada",
                name_kana="ヤマダ ハナコ",
                email="hanako@example.com",
                phone="+81 90-1234-5678",
                zip="100-0001",
                city="千代田区",
                street="千代田1-1",
                country_id=cls.env.ref("base.jp").id,
            )
            cls.trap = cls.create_member(
                name='=HYPERLINK("http://evil.example","click")',
                email="trap@example.com",
            )
            cls.dues = cls.bill(cls.hanako, date(2026, 6, 1))

    def export(self, records, file_format="xlsx", user=None, **context):
        Export = self.env["membership.export"].with_user(user or self.officer)
        wizard = Export.with_context(
            active_model=records._name, active_ids=records.ids, **context
        ).create({"file_format": file_format})
        action = wizard.action_export()
        self.assertIn(
            f"model=membership.export&id={wizard.id}&field=file", action["url"]
        )
        return wizard, base64.b64decode(wizard.file)

    def xlsx_rows(self, content):
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        return [[cell.value for cell in row] for row in sheet.iter_rows()]

    def audit_rows(self):
        return (
            self.env["membership.audit.log"]
            .sudo()
            .search([("event", "=", "export")], order="id desc")
        )

    def test_an_officer_exports_chosen_members_with_the_secretarys_columns(self):
        __, content = self.export(self.hanako | self.trap)
        rows = self.xlsx_rows(content)
        header = rows[0]
        for title in (
            "Member No.",
            "Name",
            "Name Reading",
            "Plan",
            "Status",
            "Covered Until",
            "E-mail",
            "Phone",
            "Postal Code",
            "Street",
            "Amount Due",
        ):
            self.assertIn(title, header)
        hanako = next(row for row in rows if row[1] == "Hanako Yamada")
        values = dict(zip(header, hanako, strict=True))
        self.assertEqual(values["Name Reading"], "ヤマダ ハナコ")
        self.assertEqual(values["Member No."], self.hanako.member_number)
        self.assertEqual(values["Status"], "Waiting Payment")
        self.assertEqual(values["Amount Due"], self.hanako.amount_due)
        self.assertEqual(len(rows), 3)

    def test_a_cell_that_looks_like_a_formula_stays_text(self):
        __, content = self.export(self.trap)
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        cell = workbook.active.cell(row=2, column=2)
        self.assertEqual(cell.data_type, "s")  # a string, not a formula
        __, content = self.export(self.hanako | self.trap, file_format="csv")
        text = content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        names = [row[1] for row in rows[1:]]
        self.assertIn('\'=HYPERLINK("http://evil.example","click")', names)
        phones = [row[8] for row in rows[1:]]
        self.assertIn("'+81 90-1234-5678", phones)

    def test_each_export_is_audited_with_what_and_how_many(self):
        self.export(self.hanako | self.trap, file_format="csv")
        log = self.audit_rows()[:1]
        self.assertEqual(log.user_id, self.officer)
        self.assertIn("Members (CSV): 2 rows", log.description)

    def test_all_members_of_a_filter_or_a_segment_are_exported(self):
        domain = [("email", "in", ["hanako@example.com", "trap@example.com"])]
        wizard, content = self.export(
            self.env["membership.member"], active_domain=domain
        )
        self.assertEqual(wizard.record_count, 2)
        self.assertEqual(len(self.xlsx_rows(content)), 3)
        segment = self.env["membership.segment"].create(
            {"name": "Hanako", "domain": "[('email', '=', 'hanako@example.com')]"}
        )
        Export = self.env["membership.export"].with_user(self.officer)
        wizard = Export.with_context(
            active_model="membership.segment", active_id=segment.id
        ).create({})
        self.assertEqual(wizard.record_count, 1)
        wizard.action_export()
        self.assertIn("Hanako", self.audit_rows()[:1].description)

    def test_dues_export_lists_periods_invoices_and_amounts_due(self):
        __, content = self.export(self.dues)
        rows = self.xlsx_rows(content)
        values = dict(zip(rows[0], rows[1], strict=True))
        self.assertEqual(values["Invoice"], self.dues.move_id.name)
        self.assertEqual(values["Amount Due"], self.dues.amount_residual)
        self.assertEqual(values["Period"], self.dues.display_name)

    def test_exports_are_refused_to_others_and_keep_to_the_officers_companies(self):
        with self.assertRaises(AccessError):
            self.export(self.hanako, user=self.employee)
        other = self.env["res.company"].create({"name": "Other Society"})
        plan = self.plan_fixed.copy({"code": "O-REG", "company_id": other.id})
        elsewhere = self.env["membership.member"].create(
            {
                "name": "Elsewhere",
                "email": "elsewhere@example.com",
                "plan_id": plan.id,
                "company_id": other.id,
            }
        )
        wizard, content = self.export(self.hanako | elsewhere)
        names = [row[1] for row in self.xlsx_rows(content)[1:]]
        self.assertEqual(names, ["Hanako Yamada"])

    def test_cards_print_ten_to_a_page_with_the_cards_qr_code(self):
        """Only members with a valid card (active or in grace) get one: the
        unpaid applicant does not."""
        self.pay(self.dues.move_id, date(2026, 6, 1))
        self.assertEqual(self.hanako.state, "active")
        Report = self.env["ir.actions.report"].with_user(self.officer)
        html, __ = Report._render_qweb_html(CARDS, (self.hanako | self.trap).ids)
        html = html.decode()
        self.assertEqual(html.count('class="o_mm_card"'), 1)
        self.assertIn(self.hanako.member_number, html)
        self.assertIn("data:image/png;base64,", html)
        log = self.env["membership.audit.log"].sudo().search([], limit=1)
        self.assertEqual(log.event, "card_print")
        pdf, __ = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            CARDS, self.hanako.ids
        )
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_address_labels_print_japanese_addresses_with_postal_mark(self):
        Report = self.env["ir.actions.report"].with_user(self.officer)
        html, __ = Report._render_qweb_html(LABELS, (self.hanako | self.trap).ids)
        html = html.decode()
        # the member without an address gets no label
        self.assertEqual(html.count('class="o_mm_label"'), 1)
        self.assertIn("〒100-0001", html)
        self.assertIn("Hanako Yamada", html)
        self.assertIn("様", html)
        self.assertIn("address labels", self.audit_rows()[:1].description)

    def test_prints_are_refused_to_others(self):
        Report = self.env["ir.actions.report"].with_user(self.employee)
        for report in (CARDS, LABELS):
            with self.assertRaises(AccessError):
                Report._render_qweb_html(report, self.hanako.ids)


@tagged("post_install", "-at_install")
class TestMembershipExportDownload(MembershipCommon, HttpCase):
    """The exported file downloads for the officer who made it, and for nobody
    else (it lives in the officer's own wizard row, not in an attachment)."""

    def test_only_the_officer_who_exported_downloads_the_file(self):
        member = self.create_member(name="Download Me", email="download@example.com")
        wizard = (
            self.env["membership.export"]
            .with_user(self.officer)
            .with_context(active_model=member._name, active_ids=member.ids)
            .create({"file_format": "xlsx"})
        )
        url = wizard.action_export()["url"]
        self.authenticate("mm_officer", "mm_officer")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"PK"))  # an XLSX is a zip
        self.authenticate("mm_manager", "mm_manager")
        self.assertNotEqual(self.url_open(url).status_code, 200)
