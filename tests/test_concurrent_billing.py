# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import date, timedelta

from odoo import fields
from odoo.tests import tagged

from .two_transactions import TwoTransactionsCase


@tagged("post_install", "-at_install")
class TestConcurrentBilling(TwoTransactionsCase):
    """Two workers on the money jobs (the dues and renewal jobs, *Run Now*, two
    servers), in two real database transactions: a dues run's batches claim
    their members (``SKIP LOCKED``) so two workers share one run, and payment
    reminders claim their dues; nobody is billed or reminded twice and nobody
    waits."""

    MEMBERS = 4

    def _create_data(self, env):
        today = fields.Date.context_today(env["membership.member"])
        plan = env["membership.plan"].create(
            {
                "name": "Race billing plan",
                "code": "RACEBILL",
                "fee": 10.0,
                "period_type": "fixed",
                "fixed_start_month": 1,
                "fixed_start_day": 1,
            }
        )
        members = env["membership.member"].create(
            [
                {
                    "name": f"Race Payer {n}",
                    "email": f"race.payer{n}@example.com",
                    "plan_id": plan.id,
                    "join_date": date(today.year, 1, 1),
                }
                for n in range(self.MEMBERS)
            ]
        )
        self.today = today
        self.ids = {
            "plan": plan.id,
            "members": members.ids,
            "partners": members.partner_id.ids,
        }

    def _remove_data(self, env):
        members = env["membership.member"].browse(self.ids["members"])
        env["membership.dues.run"].search(
            [("plan_ids", "in", self.ids["plan"])]
        ).unlink()
        dues = members.with_context(active_test=False).dues_ids
        moves = dues.move_id
        if not dues:
            dues = dues.browse([0])
        env["mail.message"].search(
            [
                "|",
                "&",
                ("model", "=", "membership.dues"),
                ("res_id", "in", dues.ids),
                "&",
                ("model", "=", "membership.member"),
                ("res_id", "in", members.ids),
            ]
        ).unlink()
        env["mail.mail"].search(
            [("recipient_ids", "in", self.ids["partners"])]
        ).unlink()
        # invoiced dues are cancelled, never deleted, in the app: the
        # test's own rows go in SQL
        env.cr.execute("DELETE FROM membership_dues WHERE id IN %s", [tuple(dues.ids)])
        moves.filtered(lambda m: m.state == "posted").button_draft()
        moves.with_context(force_delete=True).unlink()
        members.unlink()
        env["res.partner"].browse(self.ids["partners"]).unlink()
        env["membership.plan"].browse(self.ids["plan"]).unlink()

    def _new_run(self):
        with self.committed_env() as env:
            run = env["membership.dues.run"].create(
                {
                    "name": "Race run",
                    "plan_ids": [fields.Command.set([self.ids["plan"]])],
                    "period_date": self.today,
                    "batch_size": 2,
                }
            )
            run.action_start()
        return run.id

    def _billing(self, run_id):
        """``(run state, live dues per member, result statuses)`` as committed."""
        with self.cursor() as cr:
            env = self.env_of(cr)
            run = env["membership.dues.run"].browse(run_id)
            members = env["membership.member"].browse(self.ids["members"])
            per_member = [
                len(m.dues_ids.filtered(lambda d: d.state != "cancelled"))
                for m in members
            ]
            return run.state, per_member, sorted(run.line_ids.mapped("status"))

    def test_two_workers_share_one_run_and_bill_each_member_once(self):
        run_id = self._new_run()
        with self.two_workers() as (cr1, cr2):
            run1 = self.env_of(cr1)["membership.dues.run"].browse(run_id)
            held = run1._claim_next_members()
            self.assertEqual(held.ids, self.ids["members"][:2], "worker 1's batch")
            # worker 2 works the run meanwhile: it bills the other batch, and
            # leaves the run running for the members worker 1 holds
            self.env_of(cr2)["membership.dues.run"]._cron_process_runs()
            cr2.commit()
            state, per_member, statuses = self._billing(run_id)
            self.assertEqual(state, "running")
            self.assertEqual(per_member, [0, 0, 1, 1])
            # worker 1 bills its batch and finishes the run
            self.assertEqual(run1._process_next_batch(), 2)
            cr1.commit()
            self.env_of(cr1)["membership.dues.run"]._cron_process_runs()
            cr1.commit()
        state, per_member, statuses = self._billing(run_id)
        self.assertEqual(state, "done")
        self.assertEqual(per_member, [1, 1, 1, 1], "one dues each")
        self.assertEqual(statuses, ["billed"] * self.MEMBERS)

    def test_a_batch_claimed_on_an_older_snapshot_is_claimed_again(self):
        """Worker 1's transaction began before worker 2 billed and committed
        everyone: its claim sees the members as still to bill. The collision
        (a lock on rows changed since, or a second result for a member) rolls
        its batch back and it claims again: no second bill, no error."""
        run_id = self._new_run()
        with self.two_workers() as (cr1, cr2):
            cr1.execute("SELECT 1")  # worker 1's snapshot starts here
            self.env_of(cr2)["membership.dues.run"]._cron_process_runs()
            cr2.commit()
            self.assertEqual(self._billing(run_id)[1], [1, 1, 1, 1])
            self.env_of(cr1)["membership.dues.run"]._cron_process_runs()
            cr1.commit()
        state, per_member, statuses = self._billing(run_id)
        self.assertEqual(state, "done")
        self.assertEqual(per_member, [1, 1, 1, 1], "nobody billed twice")
        self.assertEqual(statuses, ["billed"] * self.MEMBERS, "and no error")

    def test_second_reminder_worker_leaves_the_dues_the_first_holds(self):
        late = self.today - timedelta(days=90)
        with self.committed_env() as env:
            members = env["membership.member"].browse(self.ids["members"])
            dues = members._create_period_dues(
                self.today,
                invoice_values={"invoice_date": late, "invoice_date_due": late},
            )
            comment = env.ref("mail.mt_comment").id
            final = len(env["membership.dunning.step"].search([]))
        self.assertEqual(len(dues), self.MEMBERS)
        once = (final, 1)  # the final notice only, one mail

        def reminded():
            with self.cursor() as cr:
                # the reminder mail posted on each dues, with its level
                cr.execute(
                    "SELECT d.id, d.dunning_level, count(m.id) FROM membership_dues d "
                    "LEFT JOIN mail_message m ON m.model = 'membership.dues' "
                    "AND m.res_id = d.id AND m.subtype_id = %s "
                    "WHERE d.id IN %s GROUP BY d.id ORDER BY d.id",
                    [comment, tuple(dues.ids)],
                )
                return {row[0]: row[1:] for row in cr.fetchall() if row[2]}

        with self.two_workers() as (cr1, cr2):
            held = (
                self.env_of(cr1)["membership.dues"]
                .browse(dues.ids[:2])
                .try_lock_for_update(allow_referencing=True)
            )
            self.assertEqual(len(held), 2, "worker 1 holds two dues")
            self.env_of(cr2)["membership.dunning.step"]._cron_send_reminders()
            cr2.commit()
            self.assertEqual(reminded(), dict.fromkeys(dues.ids[2:], once))
            cr1.rollback()  # worker 1 gave up: the next run takes them
            self.env_of(cr2)["membership.dunning.step"]._cron_send_reminders()
            cr2.commit()
        self.assertEqual(reminded(), dict.fromkeys(dues.ids, once), "one each")
