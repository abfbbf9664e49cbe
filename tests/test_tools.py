# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import date

from odoo.tests import BaseCase, tagged

from odoo.addons.membership_management.tools.member_import import (
    ImportValueError,
    normalize_zip,
    parse_date,
    propose_mapping,
    read_table,
    to_katakana,
)
from odoo.addons.membership_management.tools.proration import days_share
from odoo.addons.membership_management.tools.text import has_line_break, plain_email


@tagged("post_install", "-at_install")
class TestTools(BaseCase):
    """The addon's pure helpers, without a database."""

    def test_days_share_counts_both_ends_and_stays_within_the_period(self):
        start, end = date(2026, 4, 1), date(2027, 3, 31)  # 365 days
        self.assertEqual(days_share(start, end, start), 1.0)
        self.assertEqual(days_share(start, end, end), 1 / 365)
        self.assertEqual(days_share(start, end, date(2027, 4, 1)), 0.0)
        self.assertEqual(days_share(start, end, date(2026, 1, 1)), 1.0)

    def test_line_breaks_are_found_in_any_form(self):
        for text in ("a\nb", "a\rb", "subject\r\nBcc: x@example.com"):
            self.assertTrue(has_line_break(text), text)
        for text in ("", None, False, "one line"):
            self.assertFalse(has_line_break(text), text)

    def test_dates_are_read_in_western_and_japanese_forms_within_their_era(self):
        for text in (
            "2025-04-01",
            "2025/4/1",
            "２０２５年４月１日",
            "20250401",
            "令和7年4月1日",
            "R7.4.1",
            "r7.4.1",
        ):
            self.assertEqual(parse_date(text), date(2025, 4, 1), text)
        self.assertEqual(parse_date("令和元年5月1日"), date(2019, 5, 1))
        self.assertEqual(parse_date("㍻31年4月30日"), date(2019, 4, 30))
        self.assertEqual(parse_date("S55.1.2"), date(1980, 1, 2))
        self.assertIsNone(parse_date(" "))
        for text in ("平成32年1月1日", "平成元年1月7日", "2025/13/40", "next spring"):
            with self.assertRaises(ImportValueError, msg=text):
                parse_date(text)

    def test_member_lists_are_read_with_their_line_numbers(self):
        data = "氏名;メール\n山田;a@example.com;extra\n\n佐藤;b@example.com\n"
        headers, rows = read_table(data.encode("cp932"))
        self.assertEqual(headers, ["氏名", "メール"])
        self.assertEqual(
            rows,
            [(2, ["山田", "a@example.com", "extra"]), (4, ["佐藤", "b@example.com"])],
        )
        self.assertEqual(propose_mapping(headers), {0: "name", 1: "email"})
        self.assertEqual(normalize_zip("〒１２３－４５６７"), "123-4567")
        self.assertEqual(to_katakana("やまだ　ﾊﾅｺ"), "ヤマダ ハナコ")
        with self.assertRaises(ImportValueError):
            read_table(b"")

    def test_only_a_plain_address_is_an_email(self):
        self.assertEqual(plain_email(" Hanako@Example.COM "), "hanako@example.com")
        for text in ("a@@example.com", "a b@example.com", "Hanako <h@x.com>", "", None):
            self.assertFalse(plain_email(text), text)
