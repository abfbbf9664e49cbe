# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import date
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import MembershipCommon


class FakeCommits:
    """Stand-in for ``cr.commit`` in a test transaction: each commit opens a
    savepoint, and :meth:`crash` rolls back to the last one, like a worker
    killed after its last commit."""

    def __init__(self, cr):
        self.cr = cr
        self.savepoints = []

    def commit(self):
        self.savepoints.append(self.cr.savepoint())

    def crash(self):
        self.savepoints.pop().close(rollback=True)


@tagged("post_install", "-at_install")
@freeze_time("2027-03-20 12:00:00")
class TestDuesRun(MembershipCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2027-03-20 12:00:00"):
            cls.members = cls.env["membership.member"].create(
                [
                    {
                        "name": f"Renewing {i}",
                        "email": f"renew{i}@example.com",
                        "plan_id": cls.plan_fixed.id,
                        "join_date": date(2025, 4, 1),
                    }
                    for i in range(7)
                ]
            )
            common = {"plan_id": cls.plan_fixed.id, "join_date": date(2025, 4, 1)}
            cls.withdrawn = cls.create_member(
                name="Withdrawn", withdrawal_date=date(2027, 1, 1), **common
            )
            cls.suspended = cls.create_member(
                name="Suspended", suspended_from=date(2027, 3, 1), **common
            )
            cls.billed = cls.create_member(name="Paid early", **common)
            cls.billed._create_period_dues(date(2027, 4, 1))
            cls.student = cls.create_member(
                name="Other plan", plan=cls.plan_rolling, join_date=date(2025, 4, 1)
            )

    def new_run(self, **vals):
        return self.env["membership.dues.run"].create(
            {
                "name": "Dues 2027",
                "plan_ids": [self.plan_fixed.id],
                "period_date": date(2027, 4, 1),
                "invoice_date": date(2027, 3, 20),
                "batch_size": 3,
                **vals,
            }
        )

    def work_runs(self):
        """Run the dues-run job as the cron would; returns the commit count."""
        return self.run_job(self.env["membership.dues.run"]._cron_process_runs)

    def live_dues(self, members, start=date(2027, 4, 1)):
        return members.dues_ids.filtered(
            lambda d: d.state != "cancelled" and d.date_start == start
        )

    def test_run_bills_each_member_of_the_plans_once_in_batches(self):
        run = self.new_run()
        run.action_start()
        self.assertEqual((run.state, run.total_count), ("running", 10))
        commits = self.work_runs()
        self.assertEqual(run.state, "done")
        self.assertGreaterEqual(commits, 4)  # 10 members in batches of 3
        self.assertRecordValues(
            run,
            [{"billed_count": 7, "skipped_count": 3, "error_count": 0}],
        )
        self.assertEqual(run.progress, 100.0)
        dues = self.live_dues(self.members)
        self.assertEqual(len(dues), 7)
        self.assertEqual(dues.run_id, run)
        self.assertEqual(set(dues.move_id.mapped("state")), {"posted"})
        self.assertEqual(set(dues.move_id.mapped("invoice_date")), {date(2027, 3, 20)})
        self.assertEqual(set(dues.mapped("amount")), {120.0})
        reasons = {
            line.member_id: line.reason
            for line in run.line_ids.filtered(lambda line: line.status == "skipped")
        }
        self.assertEqual(reasons[self.withdrawn], "withdrawn")
        self.assertEqual(reasons[self.suspended], "suspended")
        self.assertEqual(reasons[self.billed], "period already billed")
        self.assertFalse(self.student.dues_ids)

    def test_second_run_for_the_same_period_bills_nobody(self):
        self.new_run().action_start()
        self.work_runs()
        second = self.new_run(name="Again")
        second.action_start()
        self.work_runs()
        self.assertRecordValues(
            second, [{"state": "done", "billed_count": 0, "skipped_count": 10}]
        )
        self.assertEqual(len(self.live_dues(self.members)), 7)

    def test_crash_in_the_middle_of_a_batch_resumes_without_billing_twice(self):
        run = self.new_run()
        run.action_start()
        commits = FakeCommits(self.env.cr)
        Line = type(self.env["membership.dues.run.line"])
        create = Line.create
        calls = []

        def create_then_die(records, vals_list):
            calls.append(1)
            if len(calls) == 2:  # second batch: invoices made, then killed
                raise RuntimeError("worker killed")
            return create(records, vals_list)

        with patch.object(self.env.cr, "commit", commits.commit):
            commits.commit()  # the queued run
            with (
                patch.object(Line, "create", create_then_die),
                # kept: the crash below rolls back to the last commit itself
                self.assertRaisesRegex(RuntimeError, "worker killed", rollback=False),
            ):
                self.env["membership.dues.run"]._cron_process_runs()
            commits.crash()
            self.assertEqual(run.state, "running")
            self.assertEqual(run.billed_count, 3)
            self.assertEqual(len(self.live_dues(self.members)), 3)
            # the worker restarts
            self.env["membership.dues.run"]._cron_process_runs()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.billed_count, 7)
        for member in self.members:
            self.assertEqual(len(self.live_dues(member)), 1, member.name)

    def test_one_failing_member_is_reported_and_the_rest_billed(self):
        Member = type(self.env["membership.member"])
        prepare = Member._prepare_dues_vals
        broken = self.members[1]

        def prepare_or_fail(member, day, **kwargs):
            if member == broken:
                raise UserError(member.env._("No income account for this plan"))
            return prepare(member, day, **kwargs)

        run = self.new_run()
        run.action_start()
        with patch.object(Member, "_prepare_dues_vals", prepare_or_fail):
            self.work_runs()
        self.assertRecordValues(
            run, [{"state": "done", "billed_count": 6, "error_count": 1}]
        )
        error = run.line_ids.filtered(lambda line: line.status == "error")
        self.assertEqual(error.member_id, broken)
        self.assertIn("income account", error.reason)
        self.assertFalse(self.live_dues(broken))

    def test_member_filter_limits_the_run(self):
        run = self.new_run(member_domain=f"[('id', 'in', {self.members[:2].ids})]")
        run.action_start()
        self.work_runs()
        self.assertEqual(run.billed_count, 2)
        self.assertEqual(len(self.live_dues(self.members)), 2)

    def test_members_in_scope_count_the_plans_and_the_filter(self):
        """The form says how many members the run looks at: the chosen plans'
        members that the filter keeps, not everyone the filter matches."""
        run = self.new_run(member_domain="[('email', 'ilike', 'renew')]")
        self.assertEqual(run.scope_member_count, 7)
        Member = self.env["membership.member"]
        self.assertEqual(
            Member.search(run.action_view_scope_members()["domain"]), self.members
        )
        other_plan = self.new_run(member_domain="[('name', '=', 'Other plan')]")
        self.assertEqual(other_plan.scope_member_count, 0)

    def test_member_filter_is_a_literal_not_code(self):
        with self.assertRaisesRegex(ValidationError, "dues run .* are not valid"):
            self.new_run(member_domain="__import__('os').system('true')")
        with self.assertRaisesRegex(ValidationError, "dues run .* are not valid"):
            self.new_run(member_domain="[('no_such_field', '=', 1)]")

    def test_cancelled_run_stops_billing(self):
        run = self.new_run()
        run.action_start()
        run.action_cancel()
        self.work_runs()
        self.assertEqual(run.state, "cancelled")
        self.assertFalse(self.live_dues(self.members))

    def test_invoices_are_emailed_when_asked(self):
        run = self.new_run(send_invoices=True)
        run.action_start()
        self.work_runs()
        moves = self.live_dues(self.members).move_id
        # queued for Odoo's own sending job, outside the billing batches
        self.assertTrue(all(moves.mapped("sending_data")))
        self.run_job(self.env["account.move"]._cron_account_move_send, job_count=50)
        mails = self.env["mail.mail"].search(
            [("model", "=", "account.move"), ("res_id", "in", moves.ids)]
        )
        self.assertEqual(len(mails), 7)
        self.assertTrue(all(moves.mapped("is_move_sent")))
        # the official document, not a proforma, is what the member gets
        self.assertTrue(all(moves.mapped("invoice_pdf_report_id")))

    def test_only_managers_run_dues(self):
        with self.assertRaises(AccessError):
            self.env["membership.dues.run"].with_user(self.officer).create(
                {"name": "Nope", "plan_ids": [self.plan_fixed.id]}
            )
        run = self.new_run()
        with self.assertRaises(AccessError):
            run.with_user(self.officer).action_start()
        run.with_user(self.manager).action_start()
        self.assertEqual(run.state, "running")

    def test_run_records_status_history_without_chatter_tracking(self):
        """Thousands of members: the status history says what changed, the
        chatter gets no tracking message per member and invoice."""
        member = self.members[0]
        tracked_before = self.env["mail.tracking.value"].search_count(
            [("mail_message_id.model", "=", "membership.member")]
        )
        self.new_run().action_start()
        self.work_runs()
        self.assertTrue(self.live_dues(member))
        self.assertEqual(
            member.status_history_ids.sorted("id")[-1:].new_state, member.state
        )
        self.assertEqual(
            self.env["mail.tracking.value"].search_count(
                [("mail_message_id.model", "=", "membership.member")]
            ),
            tracked_before,
        )
        moves = self.live_dues(self.members).move_id
        self.assertFalse(
            self.env["mail.message"].search_count(
                [("model", "=", "account.move"), ("res_id", "in", moves.ids)]
            )
        )
        journal = self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self.env.company),
                ("type", "=", "sale"),
            ],
            limit=1,
        )
        self.assertEqual(moves.journal_id, journal)

    def test_queries_per_member_do_not_depend_on_the_batch_size(self):
        """A batch costs a fixed number of queries plus the same number per
        member: 3 more members in a batch always cost the same."""

        def batch_queries(count):
            plan = self.plan_fixed.copy({"code": f"Q{count}"})
            self.env["membership.member"].create(
                [
                    {
                        "name": f"Batch {count} {i}",
                        "email": f"batch{count}.{i}@example.com",
                        "plan_id": plan.id,
                        "join_date": date(2025, 4, 1),
                    }
                    for i in range(count)
                ]
            )
            run = self.new_run(plan_ids=[plan.id], batch_size=100)
            run.action_start()
            self.env.flush_all()
            self.env.invalidate_all()  # the cron works with an empty cache
            before = self.env.cr.sql_log_count
            run._process_next_batch()
            self.env.flush_all()
            self.assertEqual(run.billed_count, count)
            return self.env.cr.sql_log_count - before

        batch_queries(2)  # fill the caches
        three, six, nine = batch_queries(3), batch_queries(6), batch_queries(9)
        self.assertEqual(nine - six, six - three)
        # and the per-member budget itself, all of it Odoo's posting: the
        # invoice number (three queries) and the analytic distribution of its
        # two lines, fee and entry fee (one each); first-time customers cost no
        # more (their rank is raised by a partner write that would otherwise
        # read the partner's users one by one)
        self.assertLessEqual((six - three) / 3, 5)
