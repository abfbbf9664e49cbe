# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models
from odoo.fields import Domain


class MembershipMember(models.Model):
    """Surveys (アンケート): the member's answers, the link of the survey a
    journey sent, and segments on answers."""

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    survey_input_ids = fields.One2many(
        "survey.user_input", "membership_member_id", string="Survey Answers"
    )
    survey_input_count = fields.Integer(compute="_compute_survey_input_count")
    survey_invitation_url = fields.Char(
        compute="_compute_survey_invitation_url",
        groups="membership_management.group_membership_user",
    )
    survey_answer_ids = fields.Many2many(
        "survey.question.answer",
        string="Survey Choices",
        compute="_compute_survey_answer_ids",
        search="_search_survey_answer_ids",
        help="The choices this member picked in the surveys they completed: "
        "segments use it (e.g. members who answered “interested in "
        "volunteering”).",
    )

    def _compute_survey_input_count(self):
        counts = dict(
            self.env["survey.user_input"]
            .sudo()
            ._read_group(
                [("membership_member_id", "in", self.ids), ("test_entry", "=", False)],
                ["membership_member_id"],
                ["__count"],
            )
        )
        for member in self:
            member.survey_input_count = counts.get(member, 0)

    def _compute_survey_answer_ids(self):
        for member in self:
            member.survey_answer_ids = (
                member.sudo()
                .survey_input_ids.filtered(lambda a: a.state == "done")
                .user_input_line_ids.suggested_answer_id
            )

    @api.model
    def _search_survey_answer_ids(self, operator, value):
        if operator not in ("in", "any"):
            return NotImplemented
        lines = Domain("user_input_id.state", "=", "done") & Domain(
            "user_input_id.test_entry", "=", False
        )
        if operator == "in":
            lines &= Domain("suggested_answer_id", "in", value)
        else:
            lines &= Domain("suggested_answer_id", "any", value)
        query = (
            self.env["survey.user_input.line"]
            .sudo()
            ._search(lines)
            .subselect("user_input_id")
        )
        inputs = (
            self.env["survey.user_input"]
            .sudo()
            ._search([("id", "in", query), ("membership_member_id", "!=", False)])
        )
        return [("id", "in", inputs.subselect("membership_member_id"))]

    def _compute_survey_invitation_url(self):
        """The link of the latest survey a campaign or journey invited the
        member to and that they have not completed (its mail shows it)."""
        Answer = self.env["survey.user_input"].sudo()
        for member in self:
            answer = Answer.search(
                [
                    ("membership_member_id", "=", member.id),
                    ("membership_campaign_id", "!=", False),
                    ("state", "!=", "done"),
                ],
                order="id desc",
                limit=1,
            )
            member.survey_invitation_url = (
                answer._get_membership_url() if answer else False
            )

    def action_view_survey_inputs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "survey.action_survey_user_input"
        )
        action["domain"] = [("membership_member_id", "=", self.id)]
        action["context"] = {"create": False}
        return action
