# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import date
from unittest.mock import patch

from psycopg2 import IntegrityError
from psycopg2.errors import ExclusionViolation

from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import MembershipCommon
from .test_dues_run import FakeCommits


@tagged("post_install", "-at_install")
class TestRenewalRun(MembershipCommon):
    """The daily renewal job bills the next period of auto-renewing plans by
    itself: one run per plan and period start, worked in committed batches,
    nobody billed twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan_associate = cls.env["membership.plan"].create(
            {
                "name": "Associate",
                "code": "T-ASSOC",
                "fee": 60.0,
                "period_type": "fixed",
                "fixed_start_month": 4,
                "auto_renew": False,
            }
        )
        with freeze_time("2026-04-05 12:00:00"):
            cls.regulars = cls.env["membership.member"].create(
                [
                    {
                        "name": f"Regular {i}",
                        "email": f"regular{i}@example.com",
                        "plan_id": cls.plan_fixed.id,
                        "join_date": date(2026, 4, 1),
                    }
                    for i in range(3)
                ]
            )
            cls.leaving = cls.create_member(
                name="Leaving",
                email="leaving@example.com",
                withdrawal_date=date(2027, 4, 1),
            )
            cls.unpaid = cls.create_member(name="Unpaid", email="unpaid@example.com")
            cls.associate = cls.create_member(
                name="Associate", email="assoc@example.com", plan=cls.plan_associate
            )
            paying = cls.regulars | cls.leaving | cls.associate
            dues = paying._create_period_dues(date(2026, 4, 5))
            cls.pay(dues.move_id, date(2026, 4, 5))
            cls.unpaid._create_period_dues(date(2026, 4, 5))
        cls.student_a = cls.create_paid_member(date(2026, 3, 10), name="Student A")
        cls.student_b = cls.create_paid_member(date(2026, 3, 20), name="Student B")
        cls.Run = cls.env["membership.dues.run"]

    def renew(self, day):
        """The night's jobs on ``day``: states first, then renewals."""
        self.run_job(self.env["membership.member"]._cron_update_states, day)
        return self.run_job(self.Run._cron_member_renewals, day)

    def renewal_runs(self, plan=None):
        return self.Run.search(
            [("renewal_plan_id", "=", (plan or self.plan_fixed).id)], order="id"
        )

    def next_dues(self, members, start=date(2027, 4, 1)):
        return members.dues_ids.filtered(
            lambda d: d.state != "cancelled" and d.date_start == start
        )

    def test_nothing_is_billed_before_the_lead_days(self):
        self.assertEqual(self.plan_fixed.renewal_lead_days, 30)
        self.renew("2027-02-28")  # coverage ends 2027-03-31: 31 days ahead
        self.assertFalse(self.renewal_runs())
        self.assertFalse(self.next_dues(self.regulars))

    def test_fixed_plan_renews_its_active_members_once_and_mails_the_invoices(self):
        self.renew("2027-03-01")
        run = self.renewal_runs()
        self.assertEqual(len(run), 1)
        self.assertRecordValues(
            run,
            [
                {
                    "state": "done",
                    "period_date": date(2027, 4, 1),
                    "billed_count": 3,
                    "skipped_count": 0,
                    "error_count": 0,
                    "send_invoices": True,
                }
            ],
        )
        dues = self.next_dues(self.regulars)
        self.assertEqual(len(dues), 3)
        self.assertRecordValues(
            dues[:1],
            [
                {
                    "date_start": date(2027, 4, 1),
                    "date_end": date(2028, 3, 31),
                    "amount": 120.0,
                    "entry_fee_amount": 0.0,
                    "state": "invoiced",
                }
            ],
        )
        moves = dues.move_id
        self.run_job(self.env["account.move"]._cron_account_move_send, job_count=50)
        self.assertEqual(set(moves.mapped("invoice_date")), {date(2027, 3, 1)})
        self.assertEqual(set(moves.mapped("invoice_date_due")), {date(2027, 4, 1)})
        self.assertTrue(all(moves.mapped("is_move_sent")))
        self.assertTrue(all(moves.mapped("invoice_pdf_report_id")))
        mails = self.env["mail.mail"].search(
            [("model", "=", "account.move"), ("res_id", "in", moves.ids)]
        )
        self.assertEqual(len(mails), 3)
        # not in benefit, leaving when the period starts: not renewed
        self.assertFalse(self.next_dues(self.leaving | self.unpaid))
        # the active members stay active until their new period starts
        self.assertEqual(set(self.regulars.mapped("state")), {"active"})

    def test_the_job_run_again_bills_nobody_twice(self):
        self.renew("2027-03-01")
        self.renew("2027-03-01")
        self.renew("2027-03-02")
        self.assertEqual(len(self.renewal_runs()), 1)
        self.assertEqual(self.renewal_runs().billed_count, 3)
        for member in self.regulars:
            self.assertEqual(len(self.next_dues(member)), 1, member.name)

    def test_a_member_who_pays_late_is_renewed_by_the_same_run(self):
        self.renew("2027-03-01")
        run = self.renewal_runs()
        self.assertFalse(self.next_dues(self.unpaid))
        with freeze_time("2027-03-05 12:00:00"):
            self.pay(self.unpaid.dues_ids.move_id, date(2027, 3, 5))
        self.assertEqual(self.unpaid.state, "active")
        self.renew("2027-03-06")
        self.assertEqual(self.renewal_runs(), run)
        self.assertRecordValues(run, [{"state": "done", "billed_count": 4}])
        self.assertEqual(len(self.next_dues(self.unpaid)), 1)
        self.assertEqual(
            set(self.next_dues(self.unpaid).move_id.mapped("invoice_date")),
            {date(2027, 3, 6)},
        )
        for member in self.regulars:
            self.assertEqual(len(self.next_dues(member)), 1, member.name)
        self.assertEqual(len(run.line_ids), 4, "nobody handled twice")

    def test_rolling_members_renew_the_day_after_their_own_end(self):
        self.renew("2027-02-20")
        runs = self.renewal_runs(self.plan_rolling)
        self.assertEqual(
            runs.mapped("period_date"), [date(2027, 3, 10), date(2027, 3, 20)]
        )
        for member, start, end in (
            (self.student_a, date(2027, 3, 10), date(2028, 3, 9)),
            (self.student_b, date(2027, 3, 20), date(2028, 3, 19)),
        ):
            dues = self.next_dues(member, start)
            self.assertRecordValues(
                dues, [{"date_start": start, "date_end": end, "amount": 40.0}]
            )

    def test_a_member_in_grace_is_still_renewed(self):
        # student A's coverage ended on 2027-03-09: in grace on the 12th
        self.run_job(self.env["membership.member"]._cron_update_states, "2027-03-12")
        self.assertEqual(self.student_a.state, "grace")
        self.run_job(self.Run._cron_member_renewals, "2027-03-12")
        self.assertTrue(self.next_dues(self.student_a, date(2027, 3, 10)))
        # an unpaid renewal ranks above grace (the documented precedence)
        self.assertEqual(self.student_a.state, "waiting")

    def test_plans_without_auto_renew_get_a_notice_not_an_invoice(self):
        self.renew("2027-03-01")
        self.assertFalse(self.renewal_runs(self.plan_associate))
        self.assertFalse(self.next_dues(self.associate))
        self.run_job(self.env["membership.member"]._send_renewal_notices, "2027-03-05")
        notices = self.env["mail.message"].search(
            [
                ("model", "=", "membership.member"),
                ("subject", "ilike", "Your membership ends"),
            ]
        )
        self.assertEqual(notices.mapped("res_id"), self.associate.ids)
        self.assertIn("/my/membership", notices.body)

    def test_one_run_per_plan_and_period_even_when_two_workers_create_it(self):
        first = self.Run._get_renewal_run(self.plan_fixed, date(2027, 4, 1))
        self.assertEqual(
            self.Run._get_renewal_run(self.plan_fixed, date(2027, 4, 1)), first
        )
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            first.copy({"renewal_plan_id": self.plan_fixed.id})
        # the other worker's row appears only when this one looks it up again
        Run = type(self.Run)
        search = Run.search
        calls = []

        def miss_once(records, domain, *args, **kwargs):
            calls.append(1)
            if len(calls) == 1:
                return records.browse()
            return search(records, domain, *args, **kwargs)

        with patch.object(Run, "search", miss_once), mute_logger("odoo.sql_db"):
            again = self.Run._get_renewal_run(self.plan_fixed, date(2027, 4, 1))
        self.assertEqual(again, first)

    def test_crash_mid_batch_resumes_and_bills_nobody_twice(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "membership_management.dues_run_batch_size", 1
        )
        commits = FakeCommits(self.env.cr)
        Line = type(self.env["membership.dues.run.line"])
        create = Line.create
        calls = []

        def create_then_die(records, vals_list):
            calls.append(1)
            if len(calls) == 2:  # second batch: invoice made, then killed
                raise RuntimeError("worker killed")
            return create(records, vals_list)

        with (
            freeze_time("2027-03-01 12:00:00"),
            patch.object(self.env.cr, "commit", commits.commit),
        ):
            commits.commit()
            with (
                patch.object(Line, "create", create_then_die),
                # kept: the crash below rolls back to the last commit itself
                self.assertRaisesRegex(RuntimeError, "worker killed", rollback=False),
            ):
                self.Run._cron_member_renewals()
            commits.crash()
            run = self.renewal_runs()
            self.assertEqual((run.state, run.billed_count), ("running", 1))
            self.Run._cron_member_renewals()
        self.assertRecordValues(run, [{"state": "done", "billed_count": 3}])
        for member in self.regulars:
            self.assertEqual(len(self.next_dues(member)), 1, member.name)

    def test_run_now_bills_a_queued_run_at_once(self):
        with freeze_time("2027-03-01 12:00:00"):
            run = self.Run._get_renewal_run(self.plan_fixed, date(2027, 4, 1))
            run.action_start()
            self.assertEqual(run.state, "running")
            run.with_user(self.manager).action_run_now()
        self.assertRecordValues(run, [{"state": "done", "billed_count": 3}])

    def test_the_job_reports_nothing_left_once_the_runs_are_done(self):
        """Odoo's cron runs a job again at once while it reports work left: the
        renewal job must end with none, also on days it only finds done runs."""
        cron = self.env.ref("membership_management.ir_cron_member_renewals")
        for day in ("2027-03-01", "2027-03-02"):
            progress = self.env["ir.cron.progress"].create(
                {"cron_id": cron.id, "remaining": 0, "done": 0}
            )
            job = self.Run.with_context(
                cron_id=cron.id, ir_cron_progress_id=progress.id
            )._cron_member_renewals
            self.run_job(job, day)
            self.assertEqual(progress.remaining, 0, day)
        self.assertEqual(self.renewal_runs().state, "done")

    def test_a_member_whose_coverage_ends_mid_period_is_an_error_for_staff(self):
        """Dues entered by hand ending inside a plan period: nothing would ever
        renew the member, so the run says so instead of skipping them."""
        member = self.regulars[0]
        with freeze_time("2027-01-10 12:00:00"):
            member.dues_ids.date_end = date(2027, 3, 15)
        self.renew("2027-03-01")
        run = self.Run.search(
            [
                ("renewal_plan_id", "=", self.plan_fixed.id),
                ("period_date", "=", date(2027, 3, 16)),
            ]
        )
        error = run.line_ids.filtered(lambda x: x.member_id == member)
        self.assertEqual(error.status, "error")
        self.assertIn("bill the rest of that period by hand", error.reason)

    def test_the_database_refuses_two_live_dues_for_one_day(self):
        """Two workers billing one member at once both pass the ORM check (each
        sees only its own dues); the database refuses the second at commit."""
        dues = self.env["membership.dues"].create(
            {
                "member_id": self.regulars[0].id,
                "plan_id": self.plan_fixed.id,
                "date_start": date(2027, 4, 1),
                "date_end": date(2028, 3, 31),
                "amount": 120.0,
            }
        )
        self.env.flush_all()
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(ExclusionViolation),
            self.env.cr.savepoint(),
        ):
            # the other worker's row, which this transaction's ORM cannot see
            self.env.cr.execute(
                """
                INSERT INTO membership_dues
                       (member_id, plan_id, company_id, date_start, date_end,
                        amount, entry_fee_amount, state)
                SELECT member_id, plan_id, company_id, date_start, date_end,
                       amount, entry_fee_amount, state
                  FROM membership_dues WHERE id = %s
                """,
                [dues.id],
            )
            # what the commit does
            self.env.cr.execute(
                "SET CONSTRAINTS membership_dues_live_no_overlap IMMEDIATE"
            )
