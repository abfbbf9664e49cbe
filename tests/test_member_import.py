# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import base64
import io
from datetime import date
from unittest.mock import patch

import openpyxl
import xlsxwriter

from odoo import SUPERUSER_ID
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from ..models import membership_member_import
from .common import MembershipCommon

JA_HEADERS = [
    "氏名",
    "フリガナ",
    "メール",
    "携帯",
    "郵便番号",
    "都道府県",
    "住所",
    "会員番号",
    "会員種別",
    "入会日",
    "有効期限",
    "生年月日",
    "備考",
]


def csv_bytes(rows, encoding="cp932", separator=","):
    lines = [separator.join(f'"{cell}"' for cell in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@tagged("post_install", "-at_install")
@freeze_time("2025-10-01 10:00:00")
class TestMemberImport(MembershipCommon):
    """A member list (名簿) comes in: checked first without writing anyone,
    then imported with normalised values, carried-over coverage, kept member
    numbers, duplicates handled per rule and nobody e-mailed."""

    def make_import(self, data, file_name="meibo.csv", **vals):
        return self.env["membership.member.import"].create(
            {
                "file": base64.b64encode(data),
                "file_name": file_name,
                **vals,
            }
        )

    def do_import(self, record):
        with patch.object(self.env.cr, "commit", lambda: None):
            record.action_import()

    def line(self, record, row_number):
        return record.line_ids.filtered(lambda x: x.row_number == row_number)

    def row(self, **values):
        """A row of the Japanese list: the given cells, the plan T-REG."""
        cells = {"会員種別": "T-REG", **values}
        return [cells.get(header, "") for header in JA_HEADERS]

    def yamada_row(self):
        return self.row(
            氏名="山田 花子",
            フリガナ="やまだ　はなこ",
            メール=" Hanako.Import@Example.COM ",
            携帯="090-1234-5678",
            郵便番号="〒１００－０００１",
            都道府県="東京都",
            住所="千代田区千代田1-1",
            会員番号="M900001",
            入会日="令和7年4月1日",
            有効期限="R8.3.31",
            生年月日="1990/5/6",
            備考="理事",
        )

    # ------------------------------------------------------------

    def test_shift_jis_file_with_japanese_headers_is_checked_without_writing(self):
        record = self.make_import(csv_bytes([JA_HEADERS, self.yamada_row()]))
        record.action_dry_run()
        self.assertEqual(
            record.column_ids.mapped("field_name"),
            [
                "name",
                "name_kana",
                "email",
                "phone",
                "zip",
                "state",
                "street",
                "member_number",
                "plan",
                "join_date",
                "paid_through",
                "birth_date",
                "comment",
            ],
        )
        line = record.line_ids
        self.assertEqual(line.state, "create")
        values = line.values
        self.assertEqual(values["email"], "hanako.import@example.com")
        self.assertEqual(values["name_kana"], "ヤマダ ハナコ")
        self.assertEqual(values["zip"], "100-0001")
        self.assertTrue(values["phone"].startswith("+81"))
        self.assertEqual(values["join_date"], "2025-04-01")
        self.assertEqual(values["paid_through"], "2026-03-31")
        self.assertEqual(values["birth_date"], "1990-05-06")
        self.assertEqual(values["plan_id"], self.plan_fixed.id)
        tokyo = self.env["res.country.state"].browse(values["state_id"])
        self.assertEqual(tokyo.code, "JP-13")
        self.assertFalse(
            self.env["membership.member"].search_count(
                [("email", "=", "hanako.import@example.com")]
            )
        )

    def test_import_keeps_numbers_carries_coverage_over_and_mails_nobody(self):
        record = self.make_import(csv_bytes([JA_HEADERS, self.yamada_row()]))
        record.action_dry_run()
        self.do_import(record)
        self.assertEqual(record.state, "done")
        member = record.line_ids.member_id
        self.assertRecordValues(
            member,
            [
                {
                    "name": "山田 花子",
                    "member_number": "M900001",
                    "state": "active",
                    "join_date": date(2025, 4, 1),
                    "date_end": date(2026, 3, 31),
                    "birth_date": date(1990, 5, 6),
                }
            ],
        )
        dues = member.dues_ids
        self.assertRecordValues(
            dues,
            [
                {
                    "carried_over": True,
                    "state": "paid",
                    "move_id": False,
                    "date_start": date(2025, 4, 1),
                    "date_end": date(2026, 3, 31),
                }
            ],
        )
        self.assertFalse(dues._is_receipt_issuable())
        self.assertEqual(set(member.status_history_ids.mapped("source")), {"import"})
        mails = self.env["mail.mail"].search(
            [("recipient_ids", "in", member.partner_id.ids)]
        )
        self.assertFalse(mails, mails.mapped("subject"))
        self.assertFalse(
            member.message_ids.filtered(
                lambda m: m.subject and m.subject.startswith("Welcome")
            )
        )
        # the sequence moved past the imported number
        later = self.create_member(email="later@example.com")
        self.assertEqual(later.member_number, "M900002")
        log = self.env["membership.audit.log"].search(
            [("event", "=", "member_import")], limit=1
        )
        self.assertIn("1 created", log.description)

    def test_every_error_is_reported_and_the_valid_rows_still_import(self):
        rows = [
            JA_HEADERS,
            self.yamada_row(),
            self.row(メール="noname@example.com"),
            self.row(氏名="Bad Mail", メール="not-an@@address.com"),
            self.row(氏名="No Plan", メール="p@example.com", 会員種別="Gold"),
            self.row(氏名="Bad Date", メール="d@example.com", 入会日="2025/13/40"),
            self.row(
                氏名="Paid Before",
                メール="b@example.com",
                入会日="2025-04-01",
                有効期限="2024-03-31",
            ),
            self.row(
                氏名="Warned", メール="w@example.com", 都道府県="Atlantis", 携帯="12"
            ),
        ]
        record = self.make_import(csv_bytes(rows))
        record.action_dry_run()
        states = {line.row_number: line.state for line in record.line_ids}
        expected = {2: "create", 3: "error", 4: "error", 5: "error", 6: "error"}
        self.assertEqual(states, expected | {7: "error", 8: "create"})
        self.assertIn("name is missing", self.line(record, 3).message)
        self.assertIn("not-an@@address.com", self.line(record, 4).message)
        self.assertIn("“Gold” is unknown", self.line(record, 5).message)
        self.assertIn("2025/13/40", self.line(record, 6).message)
        self.assertIn("before joining", self.line(record, 7).message)
        warned = self.line(record, 8).message
        self.assertIn("Atlantis", warned)
        self.assertIn("could not be checked", warned)
        self.do_import(record)
        self.assertEqual(record.done_count, 2)
        self.assertEqual(len(record.line_ids.member_id), 2)
        self.assertFalse(
            self.env["membership.member"].search_count(
                [("email", "in", ["noname@example.com", "p@example.com"])]
            )
        )

    def test_duplicates_follow_the_rule_chosen_for_each(self):
        existing = self.create_member(
            name="Existing",
            email="existing@example.com",
            member_number="M800001",
            name_kana="スズキ イチロウ",
            birth_date=date(1980, 1, 2),
        )
        contact = self.env["res.partner"].create(
            {"name": "Only A Contact", "email": "contact@example.com"}
        )
        rows = [
            JA_HEADERS,
            # same member number: update (the default)
            self.row(氏名="Existing", 会員番号="M800001", 住所="New Street 5"),
            # same e-mail, rule "skip"
            self.row(氏名="Mail Twin", メール="existing@example.com"),
            # same reading and birth date, rule "create anyway"
            self.row(
                氏名="鈴木 一郎",
                メール="ichiro@example.com",
                フリガナ="すずき いちろう",
                生年月日="昭和55年1月2日",
            ),
            # a contact who is not a member yet: becomes one
            self.row(
                氏名="Contact Renamed",
                メール="contact@example.com",
                フリガナ="コンタクト",
            ),
            # the same e-mail twice in the file: the second is skipped
            self.row(氏名="First", メール="twice@example.com"),
            self.row(氏名="Second", メール="twice@example.com"),
        ]
        record = self.make_import(
            csv_bytes(rows), on_email="skip", on_reading_birth="create"
        )
        record.action_dry_run()
        self.assertEqual(self.line(record, 2).state, "update")
        self.assertEqual(self.line(record, 2).member_id, existing)
        self.assertIn("Same member number", self.line(record, 2).matched_by)
        self.assertEqual(self.line(record, 3).state, "skip")
        self.assertIn("Same e-mail", self.line(record, 3).matched_by)
        self.assertEqual(self.line(record, 4).state, "create")
        self.assertIn("created anyway", self.line(record, 4).message)
        self.assertEqual(self.line(record, 5).state, "create")
        self.assertEqual(self.line(record, 5).partner_id, contact)
        self.assertEqual(self.line(record, 7).state, "skip")
        self.assertIn("row 6", self.line(record, 7).matched_by)
        self.do_import(record)
        self.assertEqual(existing.street, "New Street 5")
        self.assertEqual(existing.member_number, "M800001")
        self.assertEqual(self.line(record, 5).member_id.partner_id, contact)
        # the contact keeps its own data; the member's reading is the file's
        self.assertEqual(contact.name, "Only A Contact")
        self.assertEqual(self.line(record, 5).member_id.name_kana, "コンタクト")
        self.assertEqual(
            self.env["membership.member"].search_count(
                [("email", "=", "twice@example.com")]
            ),
            1,
        )

    def test_xlsx_with_english_headers_and_date_cells(self):
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = book.add_worksheet()
        dates = book.add_format({"num_format": "yyyy-mm-dd"})
        for col, header in enumerate(
            ["Name", "E-mail", "Plan", "Join Date", "Paid Through"]
        ):
            sheet.write(0, col, header)
        sheet.write(1, 0, "Olivia Dubois")
        sheet.write(1, 1, "olivia@example.com")
        sheet.write(1, 2, "Student")
        sheet.write_datetime(1, 3, date(2025, 9, 1), dates)
        sheet.write_datetime(1, 4, date(2026, 8, 31), dates)
        book.close()
        record = self.make_import(buffer.getvalue(), file_name="members.xlsx")
        record.action_dry_run()
        self.assertEqual(record.line_ids.state, "create")
        self.do_import(record)
        member = record.line_ids.member_id
        self.assertEqual(member.plan_id, self.plan_rolling)
        self.assertEqual(member.state, "active")
        self.assertEqual(member.date_end, date(2026, 8, 31))

    def test_a_cut_off_import_resumes_without_creating_anyone_twice(self):
        rows = [JA_HEADERS] + [
            self.row(
                氏名=f"Member {i}", メール=f"m{i}@example.com", 会員番号=f"M70000{i}"
            )
            for i in range(5)
        ]
        record = self.make_import(csv_bytes(rows))
        record.action_dry_run()
        cuts = iter([0.0])  # the first batch runs out of time
        with (
            patch.object(membership_member_import, "BATCH_SIZE", 2),
            patch.object(
                type(self.env["ir.cron"]),
                "_commit_progress",
                lambda *a, **k: next(cuts, 100.0),
            ),
        ):
            record.action_import()
            self.assertEqual(record.state, "running")
            self.assertEqual(record.done_count, 2)
            # the job runs as the superuser
            Job = self.env["membership.member.import"].with_user(SUPERUSER_ID)
            Job._cron_import_members()
            Job._cron_import_members()
        self.assertEqual(record.state, "done")
        log = self.env["membership.audit.log"].search(
            [("event", "=", "member_import")], limit=1
        )
        self.assertEqual(log.user_id, record.create_uid)
        self.assertEqual(
            self.env["membership.member"].search_count(
                [("email", "=like", "m_@example.com")]
            ),
            5,
        )

    def test_utf8_with_bom_and_semicolons(self):
        data = csv_bytes(
            [["Name", "Email", "Plan"], ["Lea Fischer", "lea@example.com", "Regular"]],
            encoding="utf-8-sig",
            separator=";",
        )
        record = self.make_import(data)
        record.action_dry_run()
        self.assertEqual(record.line_ids.state, "create")
        self.assertEqual(record.line_ids.values["email"], "lea@example.com")

    def test_only_managers_import(self):
        data = csv_bytes([["Name"], ["X"]])
        with self.assertRaises(AccessError):
            self.env["membership.member.import"].with_user(self.officer).create(
                {"file": base64.b64encode(data), "file_name": "x.csv"}
            )

    @mute_logger("odoo.sql_db")
    def test_a_row_refused_when_written_is_an_error_and_the_others_import(self):
        rows = [
            JA_HEADERS,
            self.row(氏名="Early", メール="early@example.com", 会員番号="M600001"),
            self.row(氏名="Fine", メール="fine@example.com"),
        ]
        record = self.make_import(csv_bytes(rows))
        record.action_dry_run()
        # the number is taken between the check and the import
        self.create_member(email="taker@example.com", member_number="M600001")
        self.do_import(record)
        self.assertEqual(record.state, "done")
        self.assertEqual(self.line(record, 2).state, "error")
        self.assertTrue(self.line(record, 2).message)
        self.assertEqual(self.line(record, 3).member_id.email, "fine@example.com")

    def test_numbers_of_the_file_and_of_the_sequence_never_meet(self):
        sequence = self.env["membership.member"]._get_member_sequence(self.company)
        prefix = sequence._get_prefix_suffix()[0]
        nxt = sequence.number_next_actual
        taken = f"{prefix}{nxt + 1:06d}"
        rows = [
            JA_HEADERS,
            self.row(氏名="Numbered", メール="n@example.com", 会員番号=taken),
        ]
        rows += [
            self.row(氏名=f"Plain {i}", メール=f"p{i}@example.com") for i in range(3)
        ]
        record = self.make_import(csv_bytes(rows))
        record.action_dry_run()
        self.do_import(record)
        numbers = record.line_ids.member_id.mapped("member_number")
        self.assertEqual(len(set(numbers)), 4)
        self.assertIn(taken, numbers)
        self.assertEqual(set(record.line_ids.mapped("state")), {"create"})

    def test_members_paid_in_advance_are_covered_today(self):
        rows = [
            JA_HEADERS,
            self.row(
                氏名="Prepaid",
                メール="prepaid@example.com",
                会員種別="T-STU",
                入会日="2024-01-15",
                有効期限="2027-06-30",
            ),
            self.row(
                氏名="No Join Date", メール="nojoin@example.com", 有効期限="2026-03-31"
            ),
        ]
        record = self.make_import(csv_bytes(rows))
        record.action_dry_run()
        self.do_import(record)
        prepaid = self.line(record, 2).member_id
        self.assertEqual(prepaid.state, "active")
        self.assertEqual(prepaid.dues_ids.date_start, date(2025, 10, 1))
        self.assertEqual(prepaid.date_end, date(2027, 6, 30))
        nojoin = self.line(record, 3).member_id
        self.assertEqual(nojoin.join_date, date(2025, 4, 1))
        self.assertEqual(nojoin.dues_ids.date_start, date(2025, 4, 1))
        self.assertEqual(nojoin.state, "active")

    def test_a_value_split_by_an_unquoted_separator_is_an_error(self):
        data = b"Name,Email,Plan\nSato,sato@example.com,T-REG,extra\n"
        record = self.make_import(data)
        record.action_dry_run()
        self.assertEqual(record.line_ids.state, "error")
        self.assertIn("more cells than the header", record.line_ids.message)

    def test_results_download_as_text_cells_and_are_audited(self):
        rows = [
            JA_HEADERS,
            self.row(氏名="=SUM(A1:A9)", メール="f@example.com"),
            self.row(氏名="No Plan", メール="np@example.com", 会員種別="Gold"),
        ]
        record = self.make_import(csv_bytes(rows))
        record.action_dry_run()
        action = record.action_download_results()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        book = openpyxl.load_workbook(io.BytesIO(attachment.raw))
        sheet = book.active
        self.assertEqual(sheet["C2"].value, "=SUM(A1:A9)")
        self.assertEqual(sheet["C2"].data_type, "s")  # text, not a formula
        self.assertIn("“Gold” is unknown", sheet["G3"].value)
        self.assertTrue(
            self.env["membership.audit.log"].search_count([("event", "=", "export")])
        )

    def test_columns_saved_as_a_profile_map_the_next_list(self):
        data = csv_bytes(
            [["Nom", "Courriel", "Plan"], ["Lea", "lea@example.com", "T-REG"]]
        )
        first = self.make_import(data)
        # unknown headers: the user is told to choose the name's column
        notice = first.action_dry_run()
        self.assertEqual(notice["params"]["type"], "warning")
        self.assertEqual(first.state, "draft")
        self.assertFalse(first.column_ids[0].field_name)
        first.column_ids[0].field_name = "name"
        first.column_ids[1].field_name = "email"
        first.action_dry_run()
        first.action_save_profile()
        self.assertTrue(first.profile_id)
        self.assertEqual(first.state, "checked")
        second = self.make_import(data, profile_id=first.profile_id.id)
        second.action_dry_run()
        self.assertEqual(
            second.column_ids.mapped("field_name"), ["name", "email", "plan"]
        )
        self.assertEqual(second.line_ids.state, "create")
