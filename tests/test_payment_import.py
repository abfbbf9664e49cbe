# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import base64
import csv
from datetime import date

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from odoo.addons.membership_management.tools.bank_transfer import (
    normalize_name,
)

from .common import MembershipCommon


def zengin_field(text, length, fill=b" "):
    value = text.encode("cp932")
    assert len(value) <= length, text
    return value.ljust(length, fill)


def zengin_transfer(day, amount, payer, edi="", cancel="0"):
    """One 200-byte data record of a Zengin transfer notification."""
    record = b"".join(
        [
            b"2",
            zengin_field("000001", 6),
            zengin_field(day, 6),
            zengin_field(day, 6),
            zengin_field(f"{amount:010d}", 10),
            zengin_field("0" * 10, 10),
            zengin_field("", 10),
            zengin_field(payer, 48),
            zengin_field("ﾐｽﾞﾎ", 15),
            zengin_field("ﾎﾝﾃﾝ", 15),
            zengin_field(cancel, 1),
            zengin_field(edi, 20),
            zengin_field("", 52),
        ]
    )
    assert len(record) == 200
    return record


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 12:00:00")
class TestPaymentImport(MembershipCommon):
    """Bank transfer matching (入金消込): generic CSV and Zengin files."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-06-01 12:00:00"):
            cls.yamada = cls.create_member(
                name="Hanako Yamada", name_kana="ヤマダ ハナコ", email="y@example.com"
            )
            cls.suzuki = cls.create_member(
                name="Taro Suzuki", name_kana="すずき たろう", email="s@example.com"
            )
            cls.ito = cls.create_member(
                name="Ken Ito", name_kana="イトウ ケン", email="i@example.com"
            )
            cls.martin = cls.create_member(
                name="Lucas Martin", plan=cls.plan_rolling, email="m@example.com"
            )
            members = cls.yamada | cls.suzuki | cls.ito | cls.martin
            cls.dues = members._create_period_dues(date(2026, 6, 1))
        cls.bank = cls.company_data["default_journal_bank"]

    def dues_of(self, member):
        return self.dues.filtered(lambda d: d.member_id == member)

    def new_import(self, content, **vals):
        return self.env["membership.payment.import"].create(
            {
                "name": "June transfers",
                "journal_id": self.bank.id,
                "file": base64.b64encode(content),
                "filename": "bank.csv",
                **vals,
            }
        )

    def csv_file(self):
        invoice = self.dues_of(self.yamada).move_id.name
        return (
            "date,amount,reference,name\n"
            f"2026-06-05,140.00,{invoice},YAMADA HANAKO\n"
            f"2026-06-05,140,Dues {self.suzuki.member_number},S TARO\n"
            "2026-06-06,140,,ｲﾄｳ ｹﾝ\n"
            "2026-06-06,40,,MARTIN LUCAS\n"
            '2026-06-06,"1,000",,Unknown Person\n'
            "06/31/2026,140,,Broken Date\n"
            "2026-06-07,abc,,Broken Amount\n"
        ).encode()

    def line_for(self, batch, payer):
        return batch.line_ids.filtered(lambda line: line.payer_name == payer)

    def test_names_compare_across_widths_scripts_and_spaces(self):
        expected = normalize_name("ヤマダハナコ")
        for variant in ("ﾔﾏﾀﾞ ﾊﾅｺ", "やまだ\u3000はなこ", "ヤマダ・ハナコ", " ﾔﾏﾀﾞﾊﾅｺ "):
            self.assertEqual(normalize_name(variant), expected, variant)
        self.assertEqual(
            normalize_name("ｶ)ｻｸﾗﾛｼﾞｽﾃｨｸｽ"), normalize_name("サクラロジスティクス")
        )
        self.assertEqual(normalize_name("Ｍ０００１２３"), "M000123")

    def test_generic_csv_lines_are_matched_best_rule_first(self):
        batch = self.new_import(self.csv_file())
        batch.action_parse()
        self.assertEqual(batch.state, "review")
        expected = {
            "YAMADA HANAKO": (self.yamada, "invoice"),
            "S TARO": (self.suzuki, "member_number"),
            "ｲﾄｳ ｹﾝ": (self.ito, "name_amount"),
            "MARTIN LUCAS": (self.martin, "amount"),
        }
        for payer, (member, rule) in expected.items():
            line = self.line_for(batch, payer)
            self.assertRecordValues(
                line,
                [
                    {
                        "state": "matched",
                        "member_id": member.id,
                        "dues_id": self.dues_of(member).id,
                        "match_rule": rule,
                    }
                ],
            )
        self.assertEqual(self.line_for(batch, "Unknown Person").state, "unmatched")
        self.assertEqual(self.line_for(batch, "Unknown Person").amount, 1000.0)
        errors = batch.line_ids.filtered(lambda line: line.state == "error")
        self.assertEqual(errors.mapped("payer_name"), ["Broken Date", "Broken Amount"])
        self.assertIn("Line 7", errors[0].message)

    def test_confirm_pays_and_reconciles_the_invoices(self):
        batch = self.new_import(self.csv_file())
        batch.action_parse()
        batch.action_confirm()
        for member in (self.yamada, self.suzuki, self.ito, self.martin):
            self.assertEqual(self.dues_of(member).state, "paid", member.name)
            self.assertEqual(member.state, "active")
        paid = batch.line_ids.filtered(lambda line: line.state == "done")
        self.assertEqual(len(paid), 4)
        self.assertEqual(paid.payment_id.journal_id, self.bank)
        self.assertEqual(batch.unmatched_count, 1)
        # a line is left to match: the import stays open for it
        self.assertEqual(batch.state, "review")

    def test_same_file_twice_pays_nothing_twice(self):
        first = self.new_import(self.csv_file())
        first.action_parse()
        first.action_confirm()
        payments = self.env["account.payment"].search_count([])
        second = self.new_import(self.csv_file(), name="Same file again")
        second.action_parse()
        duplicates = second.line_ids.filtered(lambda line: line.state == "duplicate")
        self.assertEqual(len(duplicates), 4)
        self.assertFalse(second.line_ids.filtered(lambda line: line.state == "matched"))
        self.assertEqual(self.env["account.payment"].search_count([]), payments)

    def test_a_quoted_invoice_wins_over_a_guess_on_an_earlier_line(self):
        invoice = self.dues_of(self.ito).move_id.name
        content = (
            "date,amount,reference,name\n"
            "2026-06-05,140,,ｲﾄｳ ｹﾝ\n"  # name and amount: Ito's dues
            f"2026-06-06,140,{invoice},ITO FAMILY\n"  # quotes Ito's invoice
        ).encode()
        batch = self.new_import(content)
        batch.action_parse()
        guess, quoted = batch.line_ids.sorted("sequence")
        self.assertRecordValues(
            quoted,
            [
                {
                    "state": "matched",
                    "dues_id": self.dues_of(self.ito).id,
                    "match_rule": "invoice",
                }
            ],
        )
        # the weaker guess gives way, and says why it is left unmatched
        self.assertEqual(guess.state, "unmatched")
        self.assertIn("2 open dues of this amount", guess.message)

    def test_unmatched_lines_say_why_and_can_be_paid_later(self):
        batch = self.new_import(self.csv_file())
        batch.action_parse()
        unknown = self.line_for(batch, "Unknown Person")
        self.assertIn("No open dues of this amount", unknown.message)
        batch.action_confirm()
        self.assertEqual(batch.state, "review")
        patron = self.env["membership.plan"].create(
            {"name": "Patron", "code": "T-PAT", "fee": 1000.0, "period_type": "rolling"}
        )
        member = self.create_member(plan=patron, email="p@example.com")
        dues = member._create_period_dues(date(2026, 6, 1))
        unknown.dues_id = dues
        batch.action_confirm()
        self.assertEqual(unknown.state, "done")
        self.assertEqual(dues.state, "paid")
        self.assertEqual(batch.state, "done")

    def test_match_again_leaves_the_dues_matched_by_hand_alone(self):
        batch = self.new_import(self.csv_file())
        batch.action_parse()
        quoting = self.line_for(batch, "YAMADA HANAKO")
        unknown = self.line_for(batch, "Unknown Person")
        unknown.dues_id = self.dues_of(self.yamada)
        batch.action_rematch()
        self.assertEqual(unknown.dues_id, self.dues_of(self.yamada))
        self.assertEqual(quoting.state, "unmatched")
        self.assertIn(f"line {unknown.sequence}", quoting.message)

    def test_staff_can_fix_a_match_by_hand(self):
        batch = self.new_import(self.csv_file())
        batch.action_parse()
        unknown = self.line_for(batch, "Unknown Person")
        open_dues = self.env["membership.dues"].create(
            {
                "member_id": self.martin.id,
                "plan_id": self.plan_rolling.id,
                "date_start": date(2027, 6, 1),
                "date_end": date(2028, 5, 31),
                "amount": 1000.0,
            }
        )
        unknown.dues_id = open_dues
        self.assertRecordValues(unknown, [{"state": "matched", "match_rule": "manual"}])

    def test_zengin_file_with_half_and_full_width_kana(self):
        header = b"1" + b" " * 199
        trailer = b"8" + b" " * 199
        end = b"9" + b" " * 199
        content = b"\r\n".join(
            [
                header,
                zengin_transfer("080605", 140, "ﾔﾏﾀﾞ ﾊﾅｺ"),
                zengin_transfer("080605", 140, "スズキ　タロウ"),
                zengin_transfer(
                    "080606", 40, "ﾏｰﾃｨﾝ ﾙｰｶｽ", edi=self.martin.member_number
                ),
                zengin_transfer("080606", 140, "ｷｬﾝｾﾙ", cancel="1"),
                trailer,
                end,
            ]
        )
        batch = self.new_import(content, file_format="zengin", filename="zengin.txt")
        batch.action_parse()
        lines = batch.line_ids.sorted("sequence")
        self.assertEqual(lines[0].date, date(2026, 6, 5))  # Reiwa 8
        self.assertEqual(lines[0].payer_name, "ﾔﾏﾀﾞ ﾊﾅｺ")
        self.assertEqual(lines[1].payer_name, "スズキ　タロウ")
        self.assertRecordValues(
            lines[:3],
            [
                {
                    "amount": 140.0,
                    "member_id": self.yamada.id,
                    "match_rule": "name_amount",
                },
                {
                    "amount": 140.0,
                    "member_id": self.suzuki.id,
                    "match_rule": "name_amount",
                },
                {
                    "amount": 40.0,
                    "member_id": self.martin.id,
                    "match_rule": "member_number",
                },
            ],
        )
        self.assertEqual(lines[3].state, "error")
        self.assertIn("cancelled", lines[3].message)

    def test_zengin_file_without_line_breaks(self):
        content = zengin_transfer("080605", 140, "ﾔﾏﾀﾞ ﾊﾅｺ") + zengin_transfer(
            "080605", 140, "ｽｽﾞｷ ﾀﾛｳ"
        )
        batch = self.new_import(content, file_format="zengin")
        batch.action_parse()
        self.assertEqual(batch.line_ids.member_id, self.yamada | self.suzuki)

    def test_a_file_without_the_columns_is_refused_clearly(self):
        batch = self.new_import(b"when,how much\n2026-06-01,10\n")
        with self.assertRaisesRegex(UserError, "no column date, amount"):
            batch.action_parse()

    def test_an_unreadable_csv_row_is_reported_and_the_rest_kept(self):
        """A row the csv module cannot read (here a field over
        its size limit, lowered for the test) is an error line; the rows
        after it are imported."""
        content = (
            "date,amount,reference,name\n"
            f"2026-06-05,140,,{'X' * 2000}\n"
            "2026-06-06,40,,MARTIN LUCAS\n"
        ).encode()
        batch = self.new_import(content)
        limit = csv.field_size_limit(1000)
        try:
            batch.action_parse()
        finally:
            csv.field_size_limit(limit)
        error = batch.line_ids.filtered(lambda line: line.state == "error")
        self.assertEqual(len(error), 1)
        self.assertIn("Line 2 is not readable CSV", error.message)
        martin = self.line_for(batch, "MARTIN LUCAS")
        self.assertEqual(martin.state, "matched")
        self.assertEqual(martin.sequence, 3)

    def test_a_quote_or_line_break_is_no_column_separator(self):
        for delimiter in ('"', "\n"):
            with self.subTest(delimiter=delimiter), self.assertRaises(ValidationError):
                self.new_import(b"date,amount\n", delimiter=delimiter)

    def test_only_managers_import_bank_files(self):
        with self.assertRaises(AccessError):
            self.env["membership.payment.import"].with_user(self.officer).create(
                {"name": "Nope", "journal_id": self.bank.id}
            )
