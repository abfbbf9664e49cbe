# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from markupsafe import Markup

from odoo import fields, models

# appended to a one-shot campaign's message when it sends a survey: each
# member's own answer link (rendered per member by mass mailing)
SURVEY_BUTTON = Markup(
    '<p style="margin: 16px 0px;" t-if="object.survey_invitation_url">'
    '<a t-att-href="object.survey_invitation_url" style="background-color: '
    "#875A7B; padding: 8px 16px; color: #fff; border-radius: 5px; "
    'text-decoration: none;">%s</a></p>'
)


class MembershipCampaign(models.Model):
    """Surveys sent by campaigns: a one-shot campaign can send one to its
    segment (the message gets an *Answer the survey* button with each
    member's own link); journey steps use the same invitations."""

    _inherit = "membership.campaign"  # pylint: disable=consider-merging-classes-inherited

    survey_id = fields.Many2one(
        "survey.survey",
        string="Survey to Send",
        ondelete="restrict",
        help="Each member mailed gets a personal link to answer this survey, "
        "as a button under the message. Members who already completed it are "
        "mailed without it.",
    )

    def _start_oneshot(self):
        result = super()._start_oneshot()
        if self.survey_id:
            members = self.env["membership.member"].search(self._get_target_domain())
            self._invite_to_survey(self.survey_id, members)
            # on the mailing only: the campaign's message stays as written
            button = SURVEY_BUTTON % self.env._("Answer the survey")
            mailing = self.mailing_id
            mailing.write(
                {
                    "body_html": Markup(mailing.body_html or "") + button,
                    "body_arch": Markup(mailing.body_arch or "") + button,
                }
            )
        return result

    def _invite_to_survey(self, survey, members, step=None):
        """Give each of ``members`` an answer link to ``survey`` (an answer
        they have not finished is reused and becomes the one the mails show);
        members who completed it are left out. Returns the members invited."""
        self.ensure_one()
        survey = survey.sudo()
        Answer = self.env["survey.user_input"].sudo()
        existing = Answer.search(
            [
                ("survey_id", "=", survey.id),
                ("membership_member_id", "in", members.ids),
                ("test_entry", "=", False),
            ]
        )
        done = existing.filtered(lambda a: a.state == "done").membership_member_id
        open_answers = existing.filtered(lambda a: a.state != "done")
        links = {
            "membership_campaign_id": self.id,
            "membership_step_id": step.id if step else False,
        }
        open_answers.write(links)
        for member in members - done - open_answers.membership_member_id:
            survey._create_answer(
                partner=member.partner_id, check_attempts=False, **links
            )
        return members - done
