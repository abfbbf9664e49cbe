# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .two_transactions import TwoTransactionsCase

SUBJECT = "Race journey mail"


@tagged("post_install", "-at_install")
class TestConcurrentWorkers(TwoTransactionsCase):
    """Two workers on one job (two cron threads, two servers, or the job and a
    button), in two real database transactions: each batch is claimed with
    Odoo's ``try_lock_for_update`` (``SKIP LOCKED``), so the second worker
    leaves what the first holds, mails nobody twice and waits for nobody."""

    def _create_data(self, env):
        today = fields.Date.context_today(env["membership.member"])
        plan = env["membership.plan"].create(
            {"name": "Race plan", "code": "RACE", "fee": 10.0}
        )
        members = env["membership.member"].create(
            [
                {
                    "name": f"Race Member {n}",
                    "email": f"race{n}@example.com",
                    "plan_id": plan.id,
                    "join_date": today,
                }
                for n in (1, 2)
            ]
        )
        segment = env["membership.segment"].create(
            {"name": "Race", "domain": "[('name', '=like', 'Race Member %')]"}
        )
        template = env["mail.template"].create(
            {
                "name": "Race step",
                "model_id": env["ir.model"]._get_id("membership.member"),
                "subject": SUBJECT,
                "body_html": "<p>Hello</p>",
                "use_default_to": True,
            }
        )
        campaign = env["membership.campaign"].create(
            {
                "name": "Race journey",
                "campaign_type": "journey",
                "segment_id": segment.id,
                "start_date": today - timedelta(days=1),
                "step_ids": [
                    Command.create(
                        {
                            "name": "Welcome",
                            "trigger": "joined",
                            "offset_days": 0,
                            "mail_template_id": template.id,
                        }
                    )
                ],
            }
        )
        campaign.action_start()
        campaign.step_ids._enrol(today)
        self.ids = {
            "plan": plan.id,
            "members": members.ids,
            "partners": members.partner_id.ids,
            "segment": segment.id,
            "template": template.id,
            "campaign": campaign.id,
            "mailing": campaign.step_ids.mailing_id.id,
        }

    def _remove_data(self, env):
        ids = self.ids
        env["mail.mail"].search(
            [("model", "=", "membership.member"), ("res_id", "in", ids["members"])]
        ).unlink()
        env["mailing.trace"].search([("mass_mailing_id", "=", ids["mailing"])]).unlink()
        env["membership.campaign"].browse(ids["campaign"]).unlink()
        env["mailing.mailing"].browse(ids["mailing"]).unlink()
        env["mail.template"].browse(ids["template"]).unlink()
        env["membership.segment"].browse(ids["segment"]).unlink()
        members = env["membership.member"].browse(ids["members"])
        members.dues_ids.sudo().unlink()
        members.unlink()
        env["res.partner"].browse(ids["partners"]).unlink()
        env["membership.plan"].browse(ids["plan"]).unlink()

    def _mails(self):
        with self.cursor() as cr:
            cr.execute(
                "SELECT m.res_id FROM mail_mail mm "
                "JOIN mail_message m ON m.id = mm.mail_message_id "
                "WHERE m.model = 'membership.member' AND m.res_id IN %s "
                "AND m.subject = %s ORDER BY m.res_id",
                [tuple(self.ids["members"]), SUBJECT],
            )
            return [row[0] for row in cr.fetchall()]

    def test_second_campaign_worker_leaves_the_batch_the_first_holds(self):
        with self.two_workers() as (cr1, cr2):
            env1 = self.env_of(cr1)
            deliveries = env1["membership.campaign.delivery"].search(
                [("campaign_id", "=", self.ids["campaign"])]
            )
            held = deliveries.try_lock_for_update(allow_referencing=True)
            self.assertEqual(len(held), 2, "worker 1 holds the batch")
            # worker 2 runs the whole job meanwhile: nothing for it to send
            self.env_of(cr2)["membership.campaign"]._cron_process_campaigns()
            cr2.commit()
            self.assertEqual(self._mails(), [])
            held._send()
            env1.flush_all()
            cr1.commit()
            self.assertEqual(self._mails(), self.ids["members"])
            # and once worker 1 committed, worker 2 finds nothing left
            self.env_of(cr2)["membership.campaign"]._cron_process_campaigns()
            cr2.commit()
        self.assertEqual(self._mails(), self.ids["members"], "one mail each")

    def test_second_state_worker_leaves_the_members_the_first_holds(self):
        yesterday = fields.Date.today() - timedelta(days=1)
        with self.committed_env() as env:
            # a boundary the job missed yesterday: due today
            env.cr.execute(
                "UPDATE membership_member SET state_next_date = %s WHERE id IN %s",
                [yesterday, tuple(self.ids["members"])],
            )
        with self.two_workers() as (cr1, cr2):
            members = self.env_of(cr1)["membership.member"].browse(self.ids["members"])
            self.assertEqual(
                len(members.try_lock_for_update(allow_referencing=True)), 2
            )
            self.env_of(cr2)["membership.member"]._cron_update_states()
            cr2.commit()
            cr2.execute(
                "SELECT count(*) FROM membership_member "
                "WHERE id IN %s AND state_next_date = %s",
                [tuple(self.ids["members"]), yesterday],
            )
            self.assertEqual(cr2.fetchone()[0], 2, "left to worker 1")
            cr1.rollback()  # worker 1 gave up: the next run takes them
            self.env_of(cr2)["membership.member"]._cron_update_states()
            cr2.commit()
            cr2.execute(
                "SELECT count(*) FROM membership_member "
                "WHERE id IN %s AND state_next_date = %s",
                [tuple(self.ids["members"]), yesterday],
            )
            self.assertEqual(cr2.fetchone()[0], 0)
