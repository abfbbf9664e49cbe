# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import date

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestMemberState(MembershipCommon):
    """Every state, the precedence between them and the boundaries in time."""

    def run_state_cron(self, day, batch_size=1000):
        """Run the daily state job on ``day``; returns how often it committed."""
        return self.run_job(
            self.env["membership.member"]._cron_update_states,
            day,
            batch_size=batch_size,
        )

    def history(self, member):
        return member.status_history_ids.sorted("id")

    @freeze_time("2026-05-10 12:00:00")
    def paid_member(self, plan=None, join_date=date(2026, 4, 1)):
        member = self.create_member(plan=plan, join_date=join_date)
        dues = self.bill(member, date(2026, 5, 10))
        self.assertEqual(member.state, "waiting")
        self.pay(dues.move_id, date(2026, 5, 10))
        self.assertEqual(member.state, "active")
        return member

    @freeze_time("2026-05-10 12:00:00")
    def test_new_member_is_applicant(self):
        member = self.create_member()
        self.assertEqual(member.state, "draft")
        self.assertRecordValues(
            self.history(member),
            [
                {
                    "old_state": False,
                    "new_state": "draft",
                    "reason": "Application received",
                }
            ],
        )

    @freeze_time("2026-05-10 12:00:00")
    def test_invoiced_member_waits_then_becomes_active_when_paid(self):
        member = self.create_member()
        dues = self.bill(member, date(2026, 5, 10))
        self.assertEqual(member.state, "waiting")
        self.assertIn(dues.move_id.name, self.history(member)[-1].reason)
        self.pay(dues.move_id, date(2026, 5, 12))
        self.assertEqual(dues.state, "paid")
        self.assertRecordValues(
            member,
            [
                {
                    "state": "active",
                    "date_start": date(2026, 4, 1),
                    "date_end": date(2027, 3, 31),
                    "grace_end": date(2027, 4, 30),
                    "state_next_date": date(2027, 4, 1),
                }
            ],
        )
        last = self.history(member)[-1]
        self.assertEqual((last.old_state, last.new_state), ("waiting", "active"))
        self.assertIn(f"paid by {dues.move_id.name}", last.reason)

    def test_grace_starts_after_coverage_and_lapses_after_grace_days(self):
        member = self.paid_member()
        self.run_state_cron("2027-03-31")
        self.assertEqual(member.state, "active")
        self.run_state_cron("2027-04-01")
        self.assertEqual(member.state, "grace")
        self.assertEqual(self.history(member)[-1].source, "cron")
        self.run_state_cron("2027-04-30")
        self.assertEqual(member.state, "grace")
        self.run_state_cron("2027-05-01")
        self.assertEqual(member.state, "lapsed")
        self.assertEqual(
            self.history(member).mapped("new_state"),
            ["draft", "waiting", "active", "grace", "lapsed"],
        )
        self.assertIn("Grace period ended", self.history(member)[-1].reason)

    def test_renewal_paid_during_grace_reactivates_and_extends_coverage(self):
        member = self.paid_member()
        self.run_state_cron("2027-04-10")
        self.assertEqual(member.state, "grace")
        with freeze_time("2027-04-10 12:00:00"):
            renewal = self.bill(member, date(2027, 4, 10))
            self.assertRecordValues(
                renewal,
                [
                    {
                        "date_start": date(2027, 4, 1),
                        "date_end": date(2028, 3, 31),
                        "entry_fee_amount": 0.0,
                        "amount": 120.0,
                    }
                ],
            )
            # an unpaid renewal is "waiting", which ranks above "grace"
            self.assertEqual(member.state, "waiting")
            self.pay(renewal.move_id, date(2027, 4, 11))
            self.assertRecordValues(
                member,
                [
                    {
                        "state": "active",
                        "date_start": date(2026, 4, 1),
                        "date_end": date(2028, 3, 31),
                    }
                ],
            )

    def test_suspension_window_then_back_to_active(self):
        member = self.paid_member()
        with freeze_time("2026-06-01 12:00:00"):
            member.write(
                {
                    "suspended_from": date(2026, 6, 1),
                    "suspended_until": date(2026, 8, 31),
                    "suspension_reason": "Stay abroad",
                }
            )
            self.assertEqual(member.state, "suspended")
            self.assertEqual(member.state_next_date, date(2026, 9, 1))
        self.run_state_cron("2026-08-31")
        self.assertEqual(member.state, "suspended")
        self.run_state_cron("2026-09-01")
        self.assertEqual(member.state, "active")

    def test_future_suspension_starts_on_its_day(self):
        member = self.paid_member()
        with freeze_time("2026-06-01 12:00:00"):
            member.suspended_from = date(2026, 7, 1)
            self.assertEqual(member.state, "active")
            self.assertEqual(member.state_next_date, date(2026, 7, 1))
        self.run_state_cron("2026-07-01")
        self.assertEqual(member.state, "suspended")

    def test_withdrawal_wins_over_suspension(self):
        member = self.paid_member()
        reason = self.env.ref("membership_management.withdrawal_reason_moved")
        with freeze_time("2026-06-01 12:00:00"):
            member.suspended_from = date(2026, 6, 1)
            member.write(
                {
                    "withdrawal_date": date(2026, 6, 15),
                    "withdrawal_reason_id": reason.id,
                }
            )
            self.assertEqual(member.state, "suspended")
        self.run_state_cron("2026-06-15")
        self.assertEqual(member.state, "withdrawn")
        self.assertIn("Moved away", self.history(member)[-1].reason)

    def test_withdrawal_today_applies_at_once(self):
        member = self.paid_member()
        with freeze_time("2026-06-01 12:00:00"):
            member.withdrawal_date = date(2026, 6, 1)
            self.assertEqual(member.state, "withdrawn")
            member.action_cancel_withdrawal()
            self.assertEqual(member.state, "active")

    def test_active_ranks_above_waiting(self):
        member = self.paid_member()
        with freeze_time("2027-03-20 12:00:00"):
            # the next period billed early and not paid yet
            renewal = self.bill(member, date(2027, 4, 1))
            self.assertEqual(renewal.state, "invoiced")
            self.assertEqual(member.state, "active")

    @freeze_time("2026-05-10 12:00:00")
    def test_partial_payment_stays_waiting(self):
        member = self.create_member()
        dues = self.bill(member, date(2026, 5, 10))
        self.pay(dues.move_id, date(2026, 5, 10), amount=50.0)
        self.assertEqual(dues.state, "partial")
        self.assertEqual(member.state, "waiting")

    @freeze_time("2026-05-10 12:00:00")
    def test_cancelled_unpaid_invoice_sends_member_back_to_applicant(self):
        member = self.create_member()
        dues = self.bill(member, date(2026, 5, 10))
        dues.action_cancel()
        self.assertEqual(dues.move_id.payment_state, "reversed")
        self.assertEqual(dues.state, "cancelled")
        self.assertEqual(member.state, "draft")

    @freeze_time("2026-05-10 12:00:00")
    def test_credit_note_on_paid_invoice_cancels_dues_and_state_falls_back(self):
        member = self.create_member()
        dues = self.bill(member, date(2026, 5, 10))
        self.pay(dues.move_id, date(2026, 5, 10))
        self.assertEqual(member.state, "active")
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=dues.move_id.ids)
            .create({"journal_id": dues.move_id.journal_id.id, "reason": "refund"})
        )
        action = reversal.refund_moves()
        credit_note = self.env["account.move"].browse(action["res_id"])
        credit_note.action_post()
        self.assertEqual(dues.state, "cancelled")
        self.assertEqual(member.state, "draft")
        self.assertFalse(member.date_end)

    @freeze_time("2026-05-10 12:00:00")
    def test_free_plan_member_is_active_without_invoice(self):
        member = self.create_member(plan=self.plan_free, join_date=date(2026, 5, 1))
        dues = self.bill(member, date(2026, 5, 10))
        self.assertRecordValues(
            dues,
            [
                {
                    "state": "free",
                    "move_id": False,
                    "date_start": date(2026, 5, 1),
                    "date_end": date(2026, 12, 31),
                }
            ],
        )
        self.assertEqual(member.state, "active")
        self.assertIn("Free membership", self.history(member)[-1].reason)

    def test_lifetime_member_never_lapses(self):
        member = self.paid_member(plan=self.plan_lifetime)
        self.assertRecordValues(
            member, [{"state": "active", "date_end": False, "state_next_date": False}]
        )
        self.run_state_cron("2060-01-01")
        self.assertEqual(member.state, "active")

    def test_state_job_costs_the_same_for_10_and_200_unchanged_members(self):
        Member = self.env["membership.member"]

        def create_free_members(count):
            with freeze_time("2026-05-10 12:00:00"):
                members = Member.create(
                    [
                        {"name": f"Free {i}", "plan_id": self.plan_free.id}
                        for i in range(count)
                    ]
                )
                members._create_period_dues(date(2026, 5, 10))
                self.assertEqual(set(members.mapped("state")), {"active"})

        def assert_cron_queries(count):
            self.env.flush_all()
            with freeze_time("2026-06-01 12:00:00"):
                Member._cron_update_states()  # warm the caches (user, company)
                with self.assertQueryCount(count):
                    Member._cron_update_states()

        create_free_members(10)
        assert_cron_queries(1)
        create_free_members(190)
        assert_cron_queries(1)

    def test_state_job_commits_per_batch_and_finishes_all(self):
        with freeze_time("2026-05-10 12:00:00"):
            members = self.env["membership.member"].create(
                [
                    {
                        "name": f"Student {i}",
                        "plan_id": self.plan_free.id,
                        "join_date": date(2026, 5, 1),
                        "dues_ids": [
                            Command.create(
                                {
                                    "plan_id": self.plan_free.id,
                                    "date_start": date(2026, 5, 1),
                                    "date_end": date(2026, 5, 31),
                                }
                            )
                        ],
                    }
                    for i in range(5)
                ]
            )
            self.assertEqual(set(members.mapped("state")), {"active"})
        commits = self.run_state_cron("2026-06-01", batch_size=2)
        self.assertEqual(commits, 3)
        self.assertEqual(set(members.mapped("state")), {"grace"})
        # a second run finds nothing left to do
        self.assertEqual(self.run_state_cron("2026-06-01", batch_size=2), 0)
