# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import date

from odoo.exceptions import UserError
from odoo.tests import Form, freeze_time, tagged

from .common import MembershipCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-10-01 12:00:00")
class TestPlanChange(MembershipCommon):
    """Upgrade or downgrade mid-period: credit the unused part, bill the new plan."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.premium = cls.env["membership.plan"].create(
            {
                "name": "Premium",
                "code": "T-PREM",
                "fee": 240.0,
                "period_type": "fixed",
                "fixed_start_month": 4,
            }
        )

    def change(self, member, plan, day=date(2026, 10, 1)):
        form = Form(
            self.env["membership.plan.change"].with_context(default_member_id=member.id)
        )
        form.new_plan_id = plan
        form.change_date = day
        wizard = form.save()
        preview = wizard.credit_amount, wizard.new_amount
        wizard.action_apply()
        return preview

    def test_upgrade_credits_unused_days_and_bills_rest_of_period(self):
        with freeze_time("2026-04-10 12:00:00"):
            member = self.create_member(join_date=date(2026, 4, 1))
            old = self.bill(member, date(2026, 4, 10))
            self.pay(old.move_id, date(2026, 4, 10))
        credit, billed = self.change(member, self.premium)
        # 182 of 365 days left of 120.00
        self.assertAlmostEqual(credit, 59.84)
        self.assertAlmostEqual(billed, 120.0)
        refund = old.move_id.reversal_move_ids
        self.assertRecordValues(
            refund,
            [{"move_type": "out_refund", "state": "posted", "amount_total": 59.84}],
        )
        self.assertEqual(old.date_end, date(2026, 9, 30))
        self.assertEqual(old.state, "paid", "a partial credit does not cancel")
        new = member.dues_ids - old
        self.assertRecordValues(
            new,
            [
                {
                    "plan_id": self.premium.id,
                    "date_start": date(2026, 10, 1),
                    "date_end": date(2027, 3, 31),
                    "amount": 120.0,  # 6 whole months of 240.00 a year
                    "entry_fee_amount": 0.0,
                    "state": "invoiced",
                }
            ],
        )
        self.assertEqual(member.plan_id, self.premium)
        self.assertEqual(member.state, "waiting")
        self.pay(new.move_id, date(2026, 10, 2))
        self.assertRecordValues(
            member,
            [
                {
                    "state": "active",
                    "date_start": date(2026, 4, 1),
                    "date_end": date(2027, 3, 31),
                }
            ],
        )

    def test_credit_on_an_unpaid_invoice_reduces_what_is_due(self):
        with freeze_time("2026-04-10 12:00:00"):
            member = self.create_member(join_date=date(2026, 4, 1))
            old = self.bill(member, date(2026, 4, 10))
        self.change(member, self.premium)
        self.assertEqual(old.move_id.payment_state, "partial")
        self.assertAlmostEqual(old.move_id.amount_residual, 140.0 - 59.84)

    def test_change_on_the_first_day_of_the_dues_is_refused(self):
        member = self.create_member(join_date=date(2026, 10, 1))
        self.bill(member, date(2026, 10, 1))
        with self.assertRaisesRegex(UserError, "cancel them"):
            self.change(member, self.premium)
