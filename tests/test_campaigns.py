# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import datetime, time, timedelta
from unittest.mock import MagicMock, patch

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from odoo.addons.base.models.ir_mail_server import MailDeliveryException

from .common import MembershipCommon

DAY = fields.Date.to_date("2026-06-10")


@tagged("post_install", "-at_install")
class TestCampaigns(MembershipCommon):
    """One-shot campaigns and journeys: scheduling, enrolment per trigger, no
    double send after a crash, blacklist, bounces; officers only, and no CR/LF
    (mail header injection) in subjects."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.segment = cls.env["membership.segment"].create(
            {"name": "Campaign test members", "domain": "[('name', '=like', 'Camp %')]"}
        )
        cls.template = cls.env["mail.template"].create(
            {
                "name": "Step mail",
                "model_id": cls.env["ir.model"]._get_id("membership.member"),
                "subject": "Hello {{ object.name }}",
                "body_html": "<p>Hello <t t-out='object.name'/></p>",
                "use_default_to": True,
            }
        )

    def new_member(self, name, join=DAY, **vals):
        return self.create_member(
            plan=self.plan_rolling,
            join_date=join,
            name=f"Camp {name}",
            email=f"{name.lower()}@example.com",
            **vals,
        )

    def journey(self, *steps, start=DAY):
        return self.env["membership.campaign"].create(
            {
                "name": "Journey",
                "campaign_type": "journey",
                "segment_id": self.segment.id,
                "start_date": start,
                "step_ids": [
                    Command.create(
                        {
                            "name": f"{trigger} +{offset}",
                            "sequence": index,
                            "trigger": trigger,
                            "offset_days": offset,
                            "mail_template_id": self.template.id,
                        }
                    )
                    for index, (trigger, offset) in enumerate(steps)
                ],
            }
        )

    def start(self, campaign):
        """*Start* as from the form: a one-shot campaign asks first (with the
        number of members), and is confirmed."""
        action = campaign.action_start()
        if isinstance(action, dict) and action.get("res_model"):
            wizard = self.env[action["res_model"]].browse(action["res_id"])
            wizard.action_confirm()
            return wizard
        return action

    def run_campaigns(self, day, **kwargs):
        self.env.flush_all()
        self.run_job(
            self.env["membership.campaign"]._cron_process_campaigns, day, **kwargs
        )

    def process_queue(self):
        """Mass mailing's own queue job (it commits per mailing)."""
        self.run_job(self.env["mailing.mailing"]._process_mass_mailing_queue)

    def delivered(self, campaign, step=None):
        deliveries = campaign.delivery_ids
        if step:
            deliveries = deliveries.filtered(lambda d: d.step_id == step)
        return deliveries

    # ------------------------------------------------------------
    # One-shot
    # ------------------------------------------------------------

    def oneshot(self, **vals):
        return self.env["membership.campaign"].create(
            {
                "name": "Spring news",
                "segment_id": self.segment.id,
                "subject": "Spring news",
                "body_html": "<p>News for members</p>",
                **vals,
            }
        )

    def test_oneshot_mails_the_segment_with_statistics(self):
        members = self.new_member("Ann") | self.new_member("Bob")
        self.new_member("Gone", withdrawal_date=DAY)
        campaign = self.oneshot()
        self.start(campaign)
        mailing = campaign.mailing_id
        self.assertEqual(mailing.mailing_model_real, "membership.member")
        self.assertEqual(mailing.state, "in_queue")
        self.process_queue()
        traces = mailing.mailing_trace_ids
        self.assertEqual(
            set(traces.mapped("res_id")), set(members.ids), "not the withdrawn"
        )
        traces.set_sent()
        traces[0].set_opened()
        traces[1].set_bounced()
        campaign.invalidate_recordset()
        self.assertEqual(campaign.sent, 2)
        self.assertEqual(campaign.opened, 1)
        self.assertEqual(campaign.bounced, 1)
        self.run_campaigns(fields.Date.today())
        self.assertEqual(campaign.state, "done")

    def test_scheduled_oneshot_waits_for_its_date(self):
        self.new_member("Ann")
        with freeze_time("2026-06-10 08:00:00"):
            campaign = self.oneshot(schedule_date=datetime(2026, 6, 12, 9, 0))
            self.start(campaign)
            self.process_queue()
        self.assertFalse(campaign.mailing_id.mailing_trace_ids)
        with freeze_time("2026-06-12 09:30:00"):
            self.process_queue()
        self.assertEqual(len(campaign.mailing_id.mailing_trace_ids), 1)

    def test_paused_oneshot_does_not_go_out(self):
        self.new_member("Ann")
        with freeze_time("2026-06-10 08:00:00"):
            campaign = self.oneshot(schedule_date=datetime(2026, 6, 12, 9, 0))
            self.start(campaign)
            campaign.action_pause()
        with freeze_time("2026-06-12 09:30:00"):
            self.process_queue()
        self.assertFalse(campaign.mailing_id.mailing_trace_ids)
        self.assertEqual(campaign.state, "paused")

    def test_subject_with_line_break_is_refused(self):
        """No mail header injection through the subject (CR/LF refused)."""
        with self.assertRaises(ValidationError):
            self.oneshot(subject="Hello\r\nBcc: everyone@example.com")

    def test_blacklisted_member_is_skipped(self):
        self.new_member("Ann")
        blocked = self.new_member("Blocked")
        self.env["mail.blacklist"].sudo()._add(blocked.email)
        campaign = self.oneshot()
        self.start(campaign)
        self.process_queue()
        trace = campaign.mailing_id.mailing_trace_ids.filtered(
            lambda t: t.res_id == blocked.id
        )
        self.assertEqual(trace.trace_status, "cancel")
        self.assertEqual(trace.failure_type, "mail_bl")
        self.assertFalse(
            self.env["mail.mail"].search(
                [
                    ("mailing_id", "=", campaign.mailing_id.id),
                    ("state", "!=", "cancel"),
                    ("email_to", "ilike", "blocked"),
                ]
            )
        )

    # ------------------------------------------------------------
    # Journeys
    # ------------------------------------------------------------

    def test_welcome_steps_go_out_on_their_day_once(self):
        member = self.new_member("Ann", join=DAY)
        self.new_member("Before", join=DAY - timedelta(days=1))
        campaign = self.journey(("joined", 0), ("joined", 7))
        day0, day7 = campaign.step_ids
        self.start(campaign)
        self.run_campaigns(DAY)
        self.assertEqual(
            self.delivered(campaign, day0).member_id,
            member,
            "joined before start: not enrolled",
        )
        self.assertEqual(self.delivered(campaign, day0).state, "sent")
        self.assertFalse(self.delivered(campaign, day7))
        self.run_campaigns(DAY + timedelta(days=6))
        self.assertFalse(self.delivered(campaign, day7))
        self.run_campaigns(DAY + timedelta(days=7))
        self.run_campaigns(DAY + timedelta(days=7))
        self.run_campaigns(DAY + timedelta(days=8))
        self.assertEqual(len(self.delivered(campaign, day7)), 1)
        self.assertEqual(len(day0.mailing_id.mailing_trace_ids), 1)
        self.assertEqual(len(day7.mailing_id.mailing_trace_ids), 1)
        mail = self.env["mail.mail"].search([("mailing_id", "=", day7.mailing_id.id)])
        self.assertEqual(mail.subject, "Hello Camp Ann")

    def test_renewal_step_fires_days_before_expiry(self):
        join = DAY + timedelta(days=30) - timedelta(days=365)
        member = self.new_member("Ann", join=join)
        self.pay(member._create_period_dues(join).move_id, join)
        self.assertEqual(member.date_end, DAY + timedelta(days=29))
        campaign = self.journey(("before_expiry", 30), start=DAY - timedelta(days=5))
        self.start(campaign)
        self.run_campaigns(DAY - timedelta(days=2))
        self.assertFalse(self.delivered(campaign), "31 days before: not yet")
        self.run_campaigns(DAY - timedelta(days=1))
        self.assertEqual(self.delivered(campaign).member_id, member)
        self.assertEqual(
            self.delivered(campaign).scheduled_date, DAY - timedelta(days=1)
        )

    def test_status_triggers_follow_the_history(self):
        members = {
            state: self.new_member(state.title(), join=DAY - timedelta(days=400))
            for state in ("active", "grace", "lapsed")
        }
        for state, member in members.items():
            self.env["membership.status.history"].sudo().create(
                {
                    "member_id": member.id,
                    "new_state": state,
                    "effective_date": DAY,
                    "reason": "test",
                }
            )
        campaign = self.journey(("activated", 0), ("grace_started", 0), ("lapsed", 3))
        activated, grace, lapsed = campaign.step_ids
        self.start(campaign)
        self.run_campaigns(DAY)
        self.assertEqual(
            self.delivered(campaign, activated).member_id, members["active"]
        )
        self.assertEqual(self.delivered(campaign, grace).member_id, members["grace"])
        self.assertFalse(self.delivered(campaign, lapsed))
        self.run_campaigns(DAY + timedelta(days=3))
        self.assertEqual(self.delivered(campaign, lapsed).member_id, members["lapsed"])

    def test_imported_and_migrated_members_start_no_journey(self):
        """Members brought in by an import or the migration joined and became
        active before: neither the welcome nor the activation journey mails
        them (the import's own *Send welcome mail* is the user's choice)."""
        new = self.new_member("New")
        imported = self.new_member("Imported", join=DAY)
        migrated = self.new_member("Migrated", join=DAY)
        History = self.env["membership.status.history"].sudo()
        for member, source in (
            (new, "staff"),
            (imported, "import"),
            (migrated, "migration"),
        ):
            History.create(
                {
                    "member_id": member.id,
                    "new_state": "active",
                    "effective_date": DAY,
                    "reason": "test",
                    "source": source,
                }
            )
        campaign = self.journey(("joined", 0), ("activated", 0))
        joined, activated = campaign.step_ids
        self.start(campaign)
        self.run_campaigns(DAY)
        self.assertEqual(self.delivered(campaign, joined).member_id, new)
        self.assertEqual(self.delivered(campaign, activated).member_id, new)

    def test_inactive_and_dues_paid_triggers_fire_once_per_occurrence(self):
        join = DAY - timedelta(days=40)
        member = self.new_member("Idle", join=join)
        self.pay(member._create_period_dues(join).move_id, join)
        self.assertEqual(member.last_activity_date, join)
        campaign = self.journey(
            ("inactive", 30), ("dues_paid", 0), start=join - timedelta(days=1)
        )
        inactive, paid = campaign.step_ids
        self.start(campaign)
        self.run_campaigns(DAY)
        self.assertEqual(self.delivered(campaign, paid).trigger_date, join)
        self.assertEqual(self.delivered(campaign, inactive).member_id, member)
        self.run_campaigns(DAY + timedelta(days=1))
        self.assertEqual(len(self.delivered(campaign, inactive)), 1)
        # active again, then quiet for 30 more days: a new occurrence
        with freeze_time(f"{DAY + timedelta(days=2)} 10:00:00"):
            member._record_login()
        self.run_campaigns(DAY + timedelta(days=31))
        self.assertEqual(len(self.delivered(campaign, inactive)), 1)
        self.run_campaigns(DAY + timedelta(days=32))
        self.assertEqual(len(self.delivered(campaign, inactive)), 2)
        self.assertEqual(len(self.delivered(campaign, paid)), 1)

    def test_birthday_step_every_year(self):
        member = self.new_member(
            "Ann", join=DAY - timedelta(days=900), birth_date=DAY.replace(year=1985)
        )
        self.new_member(
            "Other",
            join=DAY - timedelta(days=900),
            birth_date=(DAY + timedelta(days=1)).replace(year=1985),
        )
        campaign = self.journey(("birthday", 0), start=DAY - timedelta(days=1))
        self.start(campaign)
        self.run_campaigns(DAY)
        self.run_campaigns(DAY)
        self.assertEqual(self.delivered(campaign).member_id, member)
        next_year = DAY.replace(year=DAY.year + 1)
        self.run_campaigns(next_year)
        deliveries = self.delivered(campaign).filtered(lambda d: d.member_id == member)
        self.assertEqual(len(deliveries), 2, "once a year")
        self.assertEqual(len(campaign.step_ids.mailing_id.mailing_trace_ids), 2)

    def test_attended_event_step(self):
        member = self.new_member("Ann", join=DAY - timedelta(days=100))
        start = datetime.combine(DAY, time(9))
        event = self.env["event.event"].create(
            {
                "name": "Meet-up",
                "date_begin": start,
                "date_end": start + timedelta(hours=2),
                "event_mail_ids": [Command.clear()],
            }
        )
        registration = self.env["event.registration"].create(
            {"event_id": event.id, "partner_id": member.partner_id.id}
        )
        registration.write({"state": "done", "date_closed": start})
        campaign = self.journey(("attended_event", 1), start=DAY)
        self.start(campaign)
        self.run_campaigns(DAY)
        self.assertFalse(self.delivered(campaign))
        self.run_campaigns(DAY + timedelta(days=1))
        self.assertEqual(self.delivered(campaign).member_id, member)

    def test_extra_condition_filters_members(self):
        self.new_member("Ann", city="Tokyo")
        self.new_member("Bob", city="Osaka")
        campaign = self.journey(("joined", 0))
        campaign.step_ids.condition_domain = "[('city', '=', 'Tokyo')]"
        self.start(campaign)
        self.run_campaigns(DAY)
        self.assertEqual(self.delivered(campaign).member_id.name, "Camp Ann")

    def test_blacklisted_member_step_is_skipped(self):
        member = self.new_member("Ann")
        self.env["mail.blacklist"].sudo()._add(member.email)
        campaign = self.journey(("joined", 0))
        self.start(campaign)
        self.run_campaigns(DAY)
        delivery = self.delivered(campaign)
        self.assertEqual(delivery.state, "skipped")
        self.assertEqual(delivery.trace_id.failure_type, "mail_bl")

    def test_bounce_is_recorded_on_the_step(self):
        self.new_member("Ann")
        campaign = self.journey(("joined", 0))
        self.start(campaign)
        self.run_campaigns(DAY)
        delivery = self.delivered(campaign)
        delivery.trace_id.set_bounced()
        self.assertEqual(delivery.state, "bounced")
        self.assertEqual(campaign.bounced, 1)

    def test_no_double_send_after_a_crash_mid_run(self):
        """A worker dies after the first batch; the rerun sends the
        rest, nobody twice."""
        members = self.env["membership.member"]
        for name in ("Ann", "Bob", "Cid", "Dan"):
            members |= self.new_member(name)
        campaign = self.journey(("joined", 0))
        self.start(campaign)
        Delivery = type(self.env["membership.campaign.delivery"])
        original = Delivery._send
        calls = []

        def crashing_send(records):
            calls.append(records.ids)
            if len(calls) == 2:
                raise RuntimeError("worker killed")
            return original(records)

        cr = self.env.cr

        def commit():
            self.env.flush_all()
            cr.execute("SAVEPOINT mm_last_commit")

        with freeze_time(f"{DAY} 12:00:00"), patch.object(cr, "commit", commit):
            crashed = False
            with patch.object(Delivery, "_send", crashing_send):
                try:  # not assertRaises: it would roll back the first batch too
                    self.env["membership.campaign"]._cron_process_campaigns(
                        batch_size=2
                    )
                except RuntimeError:
                    crashed = True
            self.assertTrue(crashed)
            # what the database keeps: the work up to the last commit
            cr.execute("ROLLBACK TO SAVEPOINT mm_last_commit")
            self.env.invalidate_all()
            self.assertEqual(len(campaign.step_ids.mailing_id.mailing_trace_ids), 2)
            self.env["membership.campaign"]._cron_process_campaigns(batch_size=2)
            self.env["membership.campaign"]._cron_process_campaigns(batch_size=2)
        traces = campaign.step_ids.mailing_id.mailing_trace_ids
        self.assertEqual(sorted(traces.mapped("res_id")), sorted(members.ids))
        self.assertEqual(set(self.delivered(campaign).mapped("state")), {"sent"})

    def test_paused_journey_sends_nothing_and_resumes(self):
        self.new_member("Ann")
        campaign = self.journey(("joined", 0))
        self.start(campaign)
        campaign.action_pause()
        self.run_campaigns(DAY)
        self.assertFalse(self.delivered(campaign))
        self.start(campaign)
        self.run_campaigns(DAY)
        self.assertEqual(len(self.delivered(campaign)), 1)

    def test_journey_can_be_duplicated(self):
        campaign = self.journey(("joined", 0), ("joined", 7))
        self.start(campaign)
        copy = campaign.copy()
        self.assertEqual(copy.state, "draft")
        self.assertEqual(len(copy.step_ids), 2)
        self.assertFalse(copy.step_ids.mailing_id)

    def test_journey_without_steps_cannot_start(self):
        campaign = self.journey()
        with self.assertRaises(UserError):
            self.start(campaign)

    def test_member_form_lists_received_mails(self):
        member = self.new_member("Ann")
        campaign = self.journey(("joined", 0))
        self.start(campaign)
        self.run_campaigns(DAY)
        self.assertEqual(member.campaign_delivery_ids.campaign_id, campaign)
        self.assertEqual(member.campaign_delivery_ids.state, "sent")
        action = member.action_view_mailing_traces()
        traces = self.env["mailing.trace"].search(action["domain"])
        self.assertEqual(traces, member.campaign_delivery_ids.trace_id)

    def test_test_send_goes_to_me_only(self):
        self.new_member("Ann")
        campaign = self.journey(("joined", 0))
        self.officer.email = "officer@example.com"
        campaign.with_user(self.officer).step_ids.action_test()
        mail = self.env["mail.mail"].search([], order="id desc", limit=1)
        self.assertEqual(mail.email_to, self.officer.email_formatted)
        self.assertFalse(mail.recipient_ids)

    def test_shipped_journeys_are_inactive(self):
        for xmlid in (
            "journey_welcome",
            "journey_renewal",
            "journey_grace",
            "journey_winback",
            "journey_birthday",
        ):
            journey = self.env.ref(f"membership_management.{xmlid}").sudo()
            self.assertEqual(journey.state, "draft")
            self.assertTrue(journey.step_ids)

    def test_a_oneshot_campaign_asks_before_mailing_with_the_count(self):
        for name in ("Ann", "Bob", "Cy"):
            self.new_member(name)
        campaign = self.oneshot()
        action = campaign.action_start()
        self.assertEqual(action["res_model"], "membership.campaign.start")
        # asking sends nothing
        self.assertEqual(campaign.state, "draft")
        self.assertFalse(campaign.mailing_id)
        wizard = self.env["membership.campaign.start"].browse(action["res_id"])
        self.assertEqual(wizard.recipient_count, 3)
        self.assertIn("to 3 members now?", wizard.question)
        wizard.action_confirm()
        self.assertEqual(campaign.state, "running")
        self.assertEqual(campaign.mailing_id.state, "in_queue")

    def test_test_send_says_whether_it_went(self):
        self.new_member("Ann")
        campaign = self.oneshot()
        action = campaign.action_test()
        self.assertEqual(action["res_model"], "membership.campaign.test")
        wizard = self.env["membership.campaign.test"].browse(action["res_id"])
        server = type(self.env["ir.mail_server"])
        wizard.email_to = "staff@example.com"
        # the mail server accepts the test (tests never send real mail)
        with (
            patch.object(server, "_disable_send", lambda self: False),
            patch.object(server, "_connect__", lambda self, *a, **k: MagicMock()),
            patch.object(server, "send_email", lambda self, *a, **k: "<t@x>"),
        ):
            sent = wizard.action_send()
        self.assertEqual(sent["params"]["type"], "success", sent["params"]["message"])
        self.assertIn("staff@example.com", sent["params"]["message"])
        wizard.email_to = "not an address"
        refused = wizard.action_send()
        self.assertEqual(refused["params"]["type"], "danger")
        self.assertTrue(refused["params"]["sticky"])

        # the mail server refuses it: the reason is shown
        def refuse(*args, **kwargs):
            raise MailDeliveryException("Relay access denied")

        wizard.email_to = "staff@example.com"
        with (
            patch.object(server, "_disable_send", lambda self: False),
            patch.object(server, "_connect__", lambda self, *a, **k: MagicMock()),
            patch.object(server, "send_email", refuse),
            mute_logger("odoo.addons.mail.models.mail_mail"),
        ):
            failed = wizard.action_send()
        self.assertEqual(failed["params"]["type"], "danger")
        self.assertIn("Relay access denied", failed["params"]["message"])
        bodies = campaign.message_ids.mapped("body")
        self.assertEqual(len([b for b in bodies if "Test send" in b]), 3)
        # a test mails no member
        self.assertEqual(campaign.state, "draft")

    def test_campaigns_are_for_officers(self):
        campaign = self.journey(("joined", 0))
        for user in (self.portal_a, self.employee):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                campaign.with_user(user).read(["name"])
        self.assertTrue(campaign.with_user(self.officer).name)
        with self.assertRaises(AccessError):
            campaign.delivery_ids.with_user(self.officer).create(
                {
                    "campaign_id": campaign.id,
                    "step_id": campaign.step_ids.id,
                    "member_id": self.new_member("Zed").id,
                    "trigger_date": DAY,
                    "scheduled_date": DAY,
                }
            )

    def test_stopping_a_scheduled_oneshot_cancels_its_mailing(self):
        self.new_member("Ann")
        with freeze_time("2026-06-10 08:00:00"):
            campaign = self.oneshot(schedule_date=datetime(2026, 6, 12, 9, 0))
            self.start(campaign)
            campaign.action_stop()
        self.assertEqual(campaign.mailing_id.state, "draft")
        with freeze_time("2026-06-12 09:30:00"):
            self.process_queue()
        self.assertFalse(campaign.mailing_id.mailing_trace_ids)

    def test_consent_required_mails_only_consenting_members(self):
        ann = self.new_member("Ann", newsletter_consent=True)
        self.new_member("Bob", newsletter_consent=False)
        campaign = self.journey(("joined", 0))
        campaign.consent_required = True
        self.start(campaign)
        self.run_campaigns(DAY)
        self.assertEqual(self.delivered(campaign).member_id, ann)

    @mute_logger(
        "odoo.addons.membership_management.models.membership_campaign_delivery"
    )
    def test_a_broken_step_does_not_stop_the_others(self):
        self.new_member("Ann")
        broken = self.template.copy()
        campaign = self.journey(("joined", 0), ("joined", 0))
        campaign.step_ids[0].mail_template_id = broken
        self.start(campaign)
        Composer = type(self.env["mail.compose.message"])
        original = Composer._action_send_mail

        def send(composer, auto_commit=False):
            if composer.template_id == broken:
                raise UserError(composer.env._("The template cannot be rendered"))
            return original(composer, auto_commit=auto_commit)

        with patch.object(Composer, "_action_send_mail", send):
            self.run_campaigns(DAY)
        bad, good = campaign.step_ids
        self.assertEqual(self.delivered(campaign, bad).state, "error")
        self.assertIn("cannot be rendered", self.delivered(campaign, bad).error_message)
        self.assertEqual(self.delivered(campaign, good).state, "sent")
        self.run_campaigns(DAY)
        self.assertEqual(len(campaign.delivery_ids), 2, "errors are not retried")
        self.assertFalse(bad.mailing_id.mailing_trace_ids)

    def test_a_deleted_trace_never_means_a_second_mail(self):
        self.new_member("Ann")
        campaign = self.journey(("joined", 0))
        self.start(campaign)
        self.run_campaigns(DAY)
        delivery = self.delivered(campaign)
        delivery.trace_id.unlink()
        self.assertEqual(delivery.state, "sent")
        self.run_campaigns(DAY)
        self.assertEqual(
            len(
                self.env["mail.mail"].search(
                    [("mailing_id", "=", campaign.step_ids.mailing_id.id)]
                )
            ),
            1,
        )

    def test_leap_day_birthday_is_celebrated_on_28_february(self):
        member = self.new_member(
            "Leap",
            join=DAY - timedelta(days=900),
            birth_date=fields.Date.to_date("2000-02-29"),
        )
        day = fields.Date.to_date("2027-02-28")
        campaign = self.journey(("birthday", 0), start=day - timedelta(days=1))
        self.start(campaign)
        self.run_campaigns(day)
        self.assertEqual(self.delivered(campaign).member_id, member)

    def test_member_mailing_stays_within_the_users_companies(self):
        other_company = self.setup_other_company()["company"]
        ours = self.new_member("Ann")
        their_plan = self.plan_rolling.copy(
            {"code": "T-OTHER", "company_id": other_company.id}
        )
        theirs = self.create_member(
            plan=their_plan,
            join_date=DAY,
            name="Camp Other",
            email="other@example.com",
            company_id=other_company.id,
        )
        mailing = (
            self.env["mailing.mailing"]
            .with_user(self.officer)
            .create(
                {
                    "subject": "Everyone",
                    "mailing_model_id": self.env["ir.model"]._get_id(
                        "membership.member"
                    ),
                    "mailing_domain": "[('name', '=like', 'Camp %')]",
                    "body_html": "<p>Hi</p>",
                }
            )
        )
        recipients = mailing._get_recipients()
        self.assertIn(ours.id, recipients)
        self.assertNotIn(theirs.id, recipients)
