# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import date

from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import Form, TransactionCase, tagged
from odoo.tools import mute_logger

from .common import RolledBackRaisesMixin


@tagged("post_install", "-at_install")
class TestMembershipPlan(RolledBackRaisesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Plan = cls.env["membership.plan"]
        cls.april = Plan.create(
            {
                "name": "April year",
                "code": "T-APR",
                "fee": 120.0,
                "entry_fee": 10.0,
                "period_type": "fixed",
                "fixed_start_month": 4,
                "prorate": True,
            }
        )
        cls.rolling = Plan.create(
            {"name": "Rolling", "code": "T-ROLL", "fee": 60.0, "period_type": "rolling"}
        )
        cls.quarterly = Plan.create(
            {
                "name": "Quarter",
                "code": "T-Q",
                "fee": 30.0,
                "period_type": "fixed",
                "period_months": 3,
                "fixed_start_month": 1,
            }
        )
        cls.lifetime = Plan.create(
            {"name": "Life", "code": "T-LIFE", "fee": 900.0, "period_type": "lifetime"}
        )

    def test_fixed_period_follows_fiscal_year_start(self):
        self.assertEqual(
            self.april._get_period(date(2026, 11, 23)),
            (date(2026, 4, 1), date(2027, 3, 31)),
        )
        self.assertEqual(
            self.april._get_period(date(2026, 3, 31)),
            (date(2025, 4, 1), date(2026, 3, 31)),
        )
        self.assertEqual(
            self.april._get_period(date(2026, 4, 1)),
            (date(2026, 4, 1), date(2027, 3, 31)),
        )

    def test_fixed_period_of_three_months(self):
        self.assertEqual(
            self.quarterly._get_period(date(2026, 8, 15)),
            (date(2026, 7, 1), date(2026, 9, 30)),
        )
        self.assertEqual(
            self.quarterly._get_period(date(2026, 12, 31)),
            (date(2026, 10, 1), date(2026, 12, 31)),
        )

    def test_rolling_period_counts_from_anchor(self):
        anchor = date(2025, 1, 31)
        self.assertEqual(
            self.rolling._get_period(date(2026, 3, 1), anchor),
            (date(2026, 1, 31), date(2027, 1, 30)),
        )
        # an anchor in the future gives the first period starting there
        self.assertEqual(
            self.rolling._get_period(date(2026, 3, 1), date(2026, 5, 10)),
            (date(2026, 5, 10), date(2027, 5, 9)),
        )

    def test_lifetime_period_has_no_end(self):
        self.assertEqual(
            self.lifetime._get_period(date(2026, 3, 1), date(2020, 1, 1)),
            (date(2020, 1, 1), False),
        )

    def test_proration_pays_whole_months_left_at_each_month(self):
        start = date(2026, 4, 1)
        # joining on the first day of each month of an April-March year
        for offset, months_left in enumerate(range(12, 0, -1)):
            month = (4 + offset - 1) % 12 + 1
            year = 2026 if month >= 4 else 2027
            join = date(year, month, 1)
            self.assertEqual(self.april._prorated_months(start, join), months_left)
            self.assertAlmostEqual(
                self.april._get_fee_amount(start, join), 10.0 * months_left
            )
        # mid-month: the started month is not charged
        self.assertEqual(self.april._prorated_months(start, date(2026, 10, 15)), 5)
        self.assertAlmostEqual(
            self.april._get_fee_amount(start, date(2026, 10, 15)), 50
        )

    def test_no_proration_without_the_option(self):
        self.april.prorate = False
        self.assertEqual(
            self.april._get_fee_amount(date(2026, 4, 1), date(2026, 10, 1)), 120
        )

    def test_paid_plan_gets_a_service_product(self):
        product = self.april.product_id
        self.assertTrue(product)
        self.assertEqual(product.type, "service")
        self.assertFalse(product.taxes_id)

    def test_periods_start_on_a_month_picked_by_name(self):
        with Form(self.env["membership.plan"]) as form:
            form.name = "April Year"
            form.code = "T-APRIL-PICK"
            form.period_type = "fixed"
            form.fixed_start_month_name = "4"
            form.fixed_start_day = 1
        plan = form.record
        self.assertEqual(plan.fixed_start_month, 4)
        self.assertEqual(plan._get_period(date(2026, 5, 10))[0], date(2026, 4, 1))
        plan.fixed_start_month = 10
        self.assertEqual(plan.fixed_start_month_name, "10")

    def test_invalid_fixed_start_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "start day"):
            self.april.fixed_start_day = 31  # April has 30 days
        with self.assertRaisesRegex(ValidationError, "start month"):
            self.april.fixed_start_month = 13

    def test_free_plan_cannot_have_fees(self):
        with self.assertRaisesRegex(ValidationError, "cannot have fees"):
            self.env["membership.plan"].create(
                {"name": "Free", "code": "T-F", "plan_type": "free", "fee": 5.0}
            )

    @mute_logger("odoo.sql_db")
    def test_plan_code_is_unique_per_company(self):
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["membership.plan"].create({"name": "Dup", "code": "T-APR"})
        other = self.env["res.company"].create({"name": "Other Society"})
        plan = self.env["membership.plan"].create(
            {"name": "Dup", "code": "T-APR", "company_id": other.id}
        )
        self.assertEqual(plan.company_id, other)

    def test_proration_counting_the_started_month(self):
        self.april.prorate_rounding = "started_months"
        start = date(2026, 4, 1)
        self.assertEqual(self.april._prorated_months(start, date(2026, 10, 15)), 6)
        self.assertEqual(self.april._prorated_months(start, date(2026, 10, 1)), 6)
        self.assertAlmostEqual(
            self.april._get_fee_amount(start, date(2026, 10, 15)), 60
        )

    def test_proration_by_days(self):
        self.april.prorate_rounding = "days"
        start = date(2026, 4, 1)
        # 2027-03-01 to 2027-03-31: 31 of 365 days
        self.assertAlmostEqual(
            self.april._get_fee_amount(start, date(2027, 3, 1)), 10.19, places=2
        )
