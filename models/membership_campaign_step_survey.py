# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL


class MembershipCampaignStep(models.Model):
    """Surveys in journeys: a step can invite its members to a survey (each
    gets a personal answer link, which the step's mail shows), and a step
    can be triggered by a member completing a given survey."""

    _inherit = "membership.campaign.step"

    trigger = fields.Selection(
        selection_add=[("survey_answered", "Answered a survey")],
        ondelete={"survey_answered": "cascade"},
    )
    trigger_survey_id = fields.Many2one(
        "survey.survey",
        string="Answered Survey",
        ondelete="cascade",
        help="The step starts for members who completed this survey.",
    )
    survey_id = fields.Many2one(
        "survey.survey",
        string="Survey to Send",
        ondelete="restrict",
        help="Each member of the step gets a personal link to answer this "
        "survey: use a mail that shows it (e.g. “Membership: survey "
        "invitation”). A member who already completed it is not asked again.",
    )

    @api.constrains("trigger", "trigger_survey_id")
    def _check_trigger_survey(self):
        for step in self:
            if step.trigger == "survey_answered" and not step.trigger_survey_id:
                raise ValidationError(
                    self.env._(
                        "The step “%(step)s” starts when a survey is answered: "
                        "choose the survey.",
                        step=step.name,
                    )
                )

    def _get_trigger_query(self, start, today):
        if self.trigger != "survey_answered":
            return super()._get_trigger_query(start, today)
        last = today - timedelta(days=self.offset_days)
        if last < start:
            return None
        local_day = SQL(
            "((end_datetime AT TIME ZONE 'UTC') AT TIME ZONE %s)::date",
            self.campaign_id._get_tz(),
        )
        return SQL(
            """
            SELECT s.member_id, s.trigger_date,
                   s.trigger_date + %(offset)s AS scheduled_date
              FROM (
                SELECT DISTINCT membership_member_id AS member_id,
                       %(day)s AS trigger_date
                  FROM survey_user_input
                 WHERE membership_member_id IS NOT NULL
                   AND state = 'done' AND NOT test_entry
                   AND survey_id = %(survey)s
                   AND %(day)s BETWEEN %(start)s AND %(last)s
              ) AS s
            """,
            offset=self.offset_days,
            day=local_day,
            survey=self.trigger_survey_id.id,
            start=start,
            last=last,
        )

    def _invite_to_survey(self, members):
        """Give ``members`` their answer link to the step's survey."""
        self.ensure_one()
        return self.campaign_id._invite_to_survey(self.survey_id, members, step=self)
