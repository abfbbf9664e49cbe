# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import date

from odoo.tests import freeze_time, tagged

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestDunning(MembershipCommon):
    """Payment reminders (督促) after the due date, and renewal notices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-05-10 12:00:00"):
            cls.members = cls.env["membership.member"].create(
                [
                    {
                        "name": f"Late {i}",
                        "email": f"late{i}@example.com",
                        "plan_id": cls.plan_fixed.id,
                        "join_date": date(2026, 4, 1),
                    }
                    for i in range(3)
                ]
            )
            cls.dues = cls.members._create_period_dues(date(2026, 5, 10))
        cls.step_final = cls.env.ref("membership_management.dunning_step_final")

    def run_reminders(self, day, batch_size=200):
        return self.run_job(
            self.env["membership.dunning.step"]._cron_send_reminders,
            day,
            batch_size=batch_size,
        )

    def run_renewal_notices(self, day):
        return self.run_job(self.env["membership.member"]._send_renewal_notices, day)

    def reminders(self, dues):
        return dues.message_ids.filtered(
            lambda m: m.subject and "membership dues" in m.subject
        )

    def test_steps_are_sent_once_each_in_order(self):
        dues = self.dues[0]
        self.assertEqual(dues.date_due, date(2026, 5, 10))
        self.run_reminders("2026-05-16")
        self.assertEqual(dues.dunning_level, 0)
        self.run_reminders("2026-05-17")
        self.assertEqual(dues.dunning_level, 1)
        self.assertEqual(len(self.reminders(dues)), 1)
        self.assertIn(dues.partner_id, self.reminders(dues).partner_ids)
        self.assertIn(
            "Friendly reminder", dues.member_id.message_ids[:1].body.striptags()
        )
        self.run_reminders("2026-05-18")  # the same step is never sent twice
        self.assertEqual(len(self.reminders(dues)), 1)
        self.run_reminders("2026-06-09")
        self.assertEqual(dues.dunning_level, 2)
        self.run_reminders("2026-07-09")
        self.assertEqual(dues.dunning_level, 3)
        self.assertEqual(
            self.reminders(dues).mapped("subject"),
            [
                f"Final notice: membership dues {dues.move_id.name}",
                f"Second reminder: membership dues {dues.move_id.name}",
                f"Reminder: your membership dues {dues.move_id.name}",
            ],
        )

    def test_very_late_dues_get_only_the_latest_step(self):
        self.run_reminders("2026-07-20")
        for dues in self.dues:
            self.assertEqual(dues.dunning_level, 3)
            self.assertEqual(len(self.reminders(dues)), 1)

    def test_paid_dues_get_no_reminder(self):
        paid = self.dues[1]
        self.pay(paid.move_id, date(2026, 5, 12))
        self.run_reminders("2026-07-20")
        self.assertEqual(paid.dunning_level, 0)
        self.assertFalse(self.reminders(paid))

    def test_shipped_final_step_suspends_for_unpaid_dues(self):
        self.assertTrue(self.step_final.suspend_member)
        self.run_reminders("2026-07-20")
        member = self.dues[0].member_id
        self.assertRecordValues(
            member,
            [
                {
                    "suspended_from": date(2026, 7, 20),
                    "suspended_until": False,
                    "suspension_kind": "unpaid",
                    "state": "suspended",
                }
            ],
        )
        self.assertIn("Final notice", member.suspension_reason)

    def test_paying_everything_overdue_lifts_the_unpaid_suspension(self):
        self.run_reminders("2026-07-20")
        dues = self.dues[0]
        member = dues.member_id
        with freeze_time("2026-07-25 12:00:00"):
            self.pay(dues.move_id, date(2026, 7, 25), amount=50.0)
            self.assertEqual(member.state, "suspended")  # partly paid
            self.pay(dues.move_id, date(2026, 7, 25))
        self.assertRecordValues(
            member,
            [{"suspended_from": False, "suspension_kind": False, "state": "active"}],
        )
        lifted = member.status_history_ids.sorted("id")[-1]
        self.assertEqual((lifted.old_state, lifted.new_state), ("suspended", "active"))
        self.assertIn("Suspension lifted", lifted.reason)
        self.assertIn(dues.move_id.name, lifted.reason)

    def test_staff_suspension_stays_when_dues_are_paid(self):
        dues = self.dues[1]
        member = dues.member_id
        with freeze_time("2026-06-01 12:00:00"):
            member.write(
                {"suspended_from": date(2026, 6, 1), "suspension_reason": "Abroad"}
            )
            self.assertEqual(member.suspension_kind, "leave")
            self.pay(dues.move_id, date(2026, 6, 1))
        self.assertRecordValues(
            member,
            [
                {
                    "suspended_from": date(2026, 6, 1),
                    "suspension_kind": "leave",
                    "state": "suspended",
                }
            ],
        )

    def test_reminders_commit_per_batch(self):
        commits = self.run_reminders("2026-05-17", batch_size=1)
        self.assertGreaterEqual(commits, 3)
        self.assertEqual(set(self.dues.mapped("dunning_level")), {1})

    def test_renewal_notice_is_sent_once_before_coverage_ends(self):
        member = self.members[2]
        member.plan_id.auto_renew = False  # auto-renewing plans bill instead
        self.pay(self.dues[2].move_id, date(2026, 5, 11))
        self.assertEqual(member.date_end, date(2027, 3, 31))

        def notices():
            return member.message_ids.filtered(
                lambda m: m.subject and "Your membership ends" in m.subject
            )

        self.run_renewal_notices("2027-02-20")  # 39 days before: too early
        self.assertFalse(notices())
        self.run_reminders("2027-03-05")
        self.assertFalse(notices(), "the payment reminder job sends no notice")
        self.run_renewal_notices("2027-03-05")
        self.assertEqual(len(notices()), 1)
        self.assertEqual(member.renewal_notice_date_end, date(2027, 3, 31))
        self.run_renewal_notices("2027-03-06")
        self.assertEqual(len(notices()), 1)
