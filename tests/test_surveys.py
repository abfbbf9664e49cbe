# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import re
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import HttpCase, freeze_time, tagged

from .common import MembershipCommon

DAY = fields.Date.to_date("2026-06-10")


@tagged("post_install", "-at_install")
class TestSurveys(MembershipCommon, HttpCase):
    """アンケート: answers linked to the member, points earned once, journeys
    sending a personal survey link, the *answered survey* trigger, segments
    on answers, and the member's own list on the portal."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref("survey.group_survey_manager")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey = cls.env["survey.survey"].create(
            {
                "title": "After the seminar",
                "access_mode": "token",
                "membership_points": 10,
                "membership_portal": True,
            }
        )
        cls.question = cls.env["survey.question"].create(
            {
                "survey_id": cls.survey.id,
                "title": "Would you help as a volunteer?",
                "question_type": "simple_choice",
            }
        )
        cls.env["survey.question.answer"].create(
            [
                {"question_id": cls.question.id, "value": "Yes", "sequence": 1},
                {"question_id": cls.question.id, "value": "No", "sequence": 2},
            ]
        )
        cls.yes, cls.no = cls.question.suggested_answer_ids
        join = DAY - timedelta(days=30)
        cls.member = cls.create_paid_member(
            join, partner_id=cls.portal_a.partner_id.id, name="Portal Member A"
        )
        cls.other = cls.create_paid_member(
            join, partner_id=cls.portal_b.partner_id.id, name="Portal Member B"
        )

    def answer(self, member, choice, done=True):
        answer = self.survey._create_answer(
            partner=member.partner_id, check_attempts=False
        )
        answer._save_lines(self.question, choice.id)
        if done:
            answer._mark_done()
        return answer

    def points_lines(self, member):
        return self.env["membership.points.line"].search(
            [("member_id", "=", member.id), ("survey_id", "=", self.survey.id)]
        )

    def test_answers_are_linked_and_points_earned_once(self):
        first = self.answer(self.member, self.yes)
        self.assertEqual(first.membership_member_id, self.member)
        self.assertEqual(self.member.survey_input_ids, first)
        self.assertEqual(self.points_lines(self.member).points, 10)
        self.answer(self.member, self.no)
        first._membership_award_points()
        self.assertEqual(len(self.points_lines(self.member)), 1, "once per survey")
        self.assertEqual(self.member.survey_input_count, 2)

    def test_unfinished_or_test_answers_earn_nothing(self):
        self.answer(self.member, self.yes, done=False)
        test = self.answer(self.member, self.yes, done=False)
        test.test_entry = True
        test._mark_done()
        self.assertFalse(self.points_lines(self.member))

    def test_segment_on_an_answer(self):
        self.answer(self.member, self.yes)
        self.answer(self.other, self.no)
        segment = self.env["membership.segment"].create(
            {
                "name": "Volunteers",
                "domain": f"[('survey_answer_ids', 'in', [{self.yes.id}])]",
            }
        )
        Member = self.env["membership.member"]
        self.assertEqual(Member.search(segment._get_domain()), self.member)
        self.assertEqual(self.member.survey_answer_ids, self.yes)
        unfinished = self.create_paid_member(DAY, name="Undecided Uma")
        self.answer(unfinished, self.yes, done=False)
        self.assertEqual(Member.search(segment._get_domain()), self.member)

    # ------------------------------------------------------------
    # journeys
    # ------------------------------------------------------------

    def journey(self, **step_vals):
        segment = self.env["membership.segment"].create(
            {"name": "Survey members", "domain": "[('name', 'like', 'Portal Member')]"}
        )
        campaign = self.env["membership.campaign"].create(
            {
                "name": "Survey journey",
                "campaign_type": "journey",
                "segment_id": segment.id,
                "start_date": DAY - timedelta(days=60),
                "step_ids": [
                    Command.create(
                        {
                            "name": "Survey step",
                            "mail_template_id": self.env.ref(
                                "membership_management.mail_template_journey_survey"
                            ).id,
                            **step_vals,
                        }
                    )
                ],
            }
        )
        campaign.action_start()
        return campaign

    def run_campaigns(self, day):
        self.env.flush_all()
        self.run_job(self.env["membership.campaign"]._cron_process_campaigns, day)

    def test_journey_step_mails_a_personal_survey_link_once(self):
        self.answer(self.other, self.no)
        campaign = self.journey(
            trigger="joined", offset_days=0, survey_id=self.survey.id
        )
        self.run_campaigns(DAY)
        answer = self.member.survey_input_ids
        self.assertEqual(answer.membership_step_id, campaign.step_ids)
        self.assertEqual(answer.state, "new")
        mail = self.env["mail.mail"].search(
            [
                ("model", "=", "membership.member"),
                ("res_id", "=", self.member.id),
                ("subject", "=", "Tell us what you think"),
            ]
        )
        # mass mailing tracks the link: the tracker leads to the personal URL
        tracker = self.env["link.tracker"].search(
            [("url", "like", answer.access_token)]
        )
        self.assertTrue(tracker)
        self.assertIn(tracker.short_url, mail.body_html)
        deliveries = campaign.delivery_ids
        skipped = deliveries.filtered(lambda d: d.member_id == self.other)
        self.assertEqual(skipped.skip_reason, "Already answered the survey")
        self.run_campaigns(DAY + timedelta(days=1))
        self.assertEqual(len(self.member.survey_input_ids), 1, "no second link")

    def test_oneshot_campaign_mails_each_member_their_own_link(self):
        self.answer(self.other, self.no)
        segment = self.env["membership.segment"].create(
            {"name": "Survey members", "domain": "[('name', 'like', 'Portal Member')]"}
        )
        campaign = self.env["membership.campaign"].create(
            {
                "name": "Members survey",
                "segment_id": segment.id,
                "subject": "Your opinion",
                "body_html": "<p>Tell us about the year.</p>",
                "survey_id": self.survey.id,
            }
        )
        campaign.with_context(membership_campaign_confirmed=True).action_start()
        self.assertEqual(
            campaign.body_html, "<p>Tell us about the year.</p>", "as written"
        )
        answer = self.member.survey_input_ids
        self.assertEqual(answer.membership_campaign_id, campaign)
        self.assertEqual(len(self.other.survey_input_ids), 1, "no new link")
        self.run_job(self.env["mailing.mailing"]._process_mass_mailing_queue)
        mails = self.env["mail.mail"].search([("subject", "=", "Your opinion")])
        mine = mails.filtered(lambda m: m.res_id == self.member.id)
        theirs = mails.filtered(lambda m: m.res_id == self.other.id)
        tracker = self.env["link.tracker"].search(
            [("url", "like", answer.access_token)]
        )
        self.assertIn(tracker.short_url, mine.body_html)
        self.assertIn("Tell us about the year.", theirs.body_html)
        self.assertNotIn("Answer the survey", theirs.body_html, "already answered")

    def test_answered_survey_trigger_fires_once(self):
        campaign = self.journey(
            trigger="survey_answered", trigger_survey_id=self.survey.id, offset_days=1
        )
        with freeze_time(datetime(2026, 6, 9, 3, 0)):
            self.answer(self.member, self.yes)
        self.run_campaigns(DAY)
        self.assertEqual(campaign.delivery_ids.member_id, self.member)
        self.assertEqual(campaign.delivery_ids.trigger_date, DAY - timedelta(days=1))
        self.run_campaigns(DAY + timedelta(days=1))
        self.assertEqual(len(campaign.delivery_ids), 1)

    def test_answered_trigger_needs_its_survey(self):
        with self.assertRaises(ValidationError):
            self.journey(trigger="survey_answered", offset_days=0)

    # ------------------------------------------------------------
    # portal
    # ------------------------------------------------------------

    def test_portal_lists_the_members_own_surveys(self):
        self.answer(self.other, self.yes)
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/membership/surveys").text
        self.assertIn("After the seminar", page)
        self.assertIn("No survey answered yet", page)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = self.url_open(
            f"/my/membership/surveys/{self.survey.id}/start",
            data={"csrf_token": token},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        answer = self.member.survey_input_ids
        self.assertIn(answer.access_token, response.headers["Location"])
        self.assertEqual(answer.partner_id, self.portal_a.partner_id)
        again = self.url_open(
            f"/my/membership/surveys/{self.survey.id}/start",
            data={"csrf_token": token},
            allow_redirects=False,
        )
        self.assertIn(answer.access_token, again.headers["Location"])
        self.assertEqual(len(self.member.survey_input_ids), 1, "the same answer")

    def test_a_survey_not_offered_on_the_portal_cannot_be_started(self):
        self.survey.membership_portal = False
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/home").text
        token = re.search(r'csrf_token: "([^"]+)"', page).group(1)
        response = self.url_open(
            f"/my/membership/surveys/{self.survey.id}/start",
            data={"csrf_token": token},
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.member.survey_input_ids)
