# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import date

from odoo.tests import freeze_time, tagged

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestBillingRule(MembershipCommon):
    """``_get_period_to_bill``: the period containing the date, never ahead.

    The rolling plan of the tests runs 12 months with 15 grace days.
    """

    def live(self, member):
        return member.dues_ids.filtered(lambda d: d.state != "cancelled")

    def periods(self, member):
        return [
            (d.date_start, d.date_end) for d in self.live(member).sorted("date_start")
        ]

    @freeze_time("2026-12-01 12:00:00")
    def test_rolling_invoice_dues_pressed_twice_bills_one_period(self):
        member = self.create_member(plan=self.plan_rolling, join_date=date(2026, 12, 1))
        member.action_invoice_dues()
        action = member.action_invoice_dues()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(
            self.periods(member), [(date(2026, 12, 1), date(2027, 11, 30))]
        )
        self.assertEqual(len(member.dues_ids.move_id), 1)

    @freeze_time("2026-12-01 12:00:00")
    def test_rolling_dues_run_started_twice_bills_each_member_once(self):
        members = self.env["membership.member"].create(
            [
                {
                    "name": f"Student {i}",
                    "email": f"student{i}@example.com",
                    "plan_id": self.plan_rolling.id,
                    "join_date": date(2026, 12, 1),
                }
                for i in range(5)
            ]
        )
        for __ in range(2):
            run = self.env["membership.dues.run"].create(
                {
                    "name": "Students",
                    "plan_ids": [self.plan_rolling.id],
                    "period_date": date(2026, 12, 1),
                    "invoice_date": date(2026, 12, 1),
                }
            )
            run.action_start()
            self.run_job(self.env["membership.dues.run"]._cron_process_runs)
            self.assertEqual(run.state, "done")
        self.assertEqual(len(self.live(members)), 5)
        self.assertEqual(len(self.live(members).move_id), 5)
        self.assertEqual(run.billed_count, 0)
        self.assertEqual(run.skipped_count, 5)

    @freeze_time("2026-12-01 12:00:00")
    def test_paid_rolling_period_covering_the_date_is_already_billed(self):
        member = self.create_paid_member(date(2026, 6, 1))
        self.assertFalse(self.bill(member, date(2026, 12, 1)))
        self.assertFalse(self.bill(member, date(2027, 5, 31)))
        self.assertEqual(self.periods(member), [(date(2026, 6, 1), date(2027, 5, 31))])

    @freeze_time("2027-06-10 12:00:00")
    def test_rolling_within_grace_continues_from_the_previous_end(self):
        member = self.create_paid_member(date(2026, 6, 1))
        renewal = self.bill(member, date(2027, 6, 10))
        self.assertRecordValues(
            renewal, [{"date_start": date(2027, 6, 1), "date_end": date(2028, 5, 31)}]
        )

    @freeze_time("2027-06-20 12:00:00")
    def test_rolling_past_grace_starts_a_new_period_on_the_date(self):
        member = self.create_paid_member(date(2026, 6, 1))
        renewal = self.bill(member, date(2027, 6, 20))  # 15 grace days ended 06-15
        self.assertRecordValues(
            renewal, [{"date_start": date(2027, 6, 20), "date_end": date(2028, 6, 19)}]
        )

    @freeze_time("2027-05-01 12:00:00")
    def test_renewing_on_purpose_bills_the_next_period_once(self):
        member = self.create_paid_member(date(2026, 6, 1))
        renewal = member._create_period_dues(date(2027, 5, 1), renew=True)
        self.assertRecordValues(
            renewal, [{"date_start": date(2027, 6, 1), "date_end": date(2028, 5, 31)}]
        )
        self.assertFalse(member._create_period_dues(date(2027, 5, 1), renew=True))
        self.assertEqual(len(self.live(member)), 2)

    @freeze_time("2027-03-01 12:00:00")
    def test_renewing_a_fixed_plan_bills_the_next_fiscal_year(self):
        member = self.create_member(join_date=date(2026, 4, 1))
        self.pay(self.bill(member, date(2026, 4, 1)).move_id, date(2026, 4, 1))
        self.assertFalse(self.bill(member, date(2027, 3, 1)))
        renewal = member._create_period_dues(date(2027, 3, 1), renew=True)
        self.assertRecordValues(
            renewal,
            [
                {
                    "date_start": date(2027, 4, 1),
                    "date_end": date(2028, 3, 31),
                    "amount": 120.0,
                    "entry_fee_amount": 0.0,
                }
            ],
        )

    @freeze_time("2026-12-01 12:00:00")
    def test_lifetime_is_billed_once_even_when_renewing(self):
        member = self.create_member(
            plan=self.plan_lifetime, join_date=date(2026, 12, 1)
        )
        self.assertTrue(self.bill(member, date(2026, 12, 1)))
        self.assertFalse(self.bill(member, date(2027, 12, 1)))
        self.assertFalse(member._create_period_dues(date(2026, 12, 1), renew=True))

    @freeze_time("2026-12-01 12:00:00")
    def test_cancelled_period_is_billed_again_for_the_same_dates(self):
        member = self.create_member(plan=self.plan_rolling, join_date=date(2026, 12, 1))
        self.bill(member, date(2026, 12, 1)).action_cancel()
        again = self.bill(member, date(2026, 12, 1))
        self.assertRecordValues(
            again, [{"date_start": date(2026, 12, 1), "date_end": date(2027, 11, 30)}]
        )
