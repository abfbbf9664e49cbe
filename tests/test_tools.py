# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import date

from odoo.tests import BaseCase, tagged

from odoo.addons.membership_management.tools.proration import days_share
from odoo.addons.membership_management.tools.text import has_line_break


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
