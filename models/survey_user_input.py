# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import contextlib

from psycopg2.errors import UniqueViolation

from odoo import api, fields, models


class SurveyUserInput(models.Model):
    """A survey answer linked to the member who gave it, with the reward for
    completing it (once per member and survey)."""

    _inherit = "survey.user_input"

    membership_member_id = fields.Many2one(
        "membership.member",
        string="Member",
        compute="_compute_membership_member_id",
        store=True,
        index="btree_not_null",
    )
    membership_campaign_id = fields.Many2one(
        "membership.campaign",
        string="Sent by Campaign",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    membership_step_id = fields.Many2one(
        "membership.campaign.step",
        string="Sent by Journey Step",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )

    @api.depends("partner_id")
    def _compute_membership_member_id(self):
        partners = self.partner_id
        members = (
            self.env["membership.member"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "in", partners.ids)], order="id")
            if partners
            else self.env["membership.member"]
        )
        first = {}
        for member in members:
            first.setdefault(member.partner_id.id, member)
        for answer in self:
            answer.membership_member_id = first.get(answer.partner_id.id, False)

    def _mark_done(self):
        result = super()._mark_done()
        self._membership_award_points()
        return result

    def _membership_award_points(self):
        """The survey's points, once per member and survey: the points line's
        unique index on (member, survey) is the guard, so answering again or
        a concurrent completion adds nothing."""
        done = self.sudo().filtered(
            lambda a: (
                a.state == "done"
                and not a.test_entry
                and a.membership_member_id
                and a.survey_id.membership_points
            )
        )
        if not done:
            return
        Line = self.env["membership.points.line"].sudo()
        rewarded = {
            (line.member_id.id, line.survey_id.id)
            for line in Line.search(
                [
                    ("member_id", "in", done.membership_member_id.ids),
                    ("survey_id", "in", done.survey_id.ids),
                ]
            )
        }
        for answer in done:
            key = (answer.membership_member_id.id, answer.survey_id.id)
            if key in rewarded:
                continue
            rewarded.add(key)
            with contextlib.suppress(UniqueViolation), self.env.cr.savepoint():
                Line.create(
                    {
                        "member_id": answer.membership_member_id.id,
                        "points": answer.survey_id.membership_points,
                        "reason": self.env._(
                            "Answered %(survey)s", survey=answer.survey_id.title
                        ),
                        "survey_id": answer.survey_id.id,
                    }
                )

    def _get_membership_url(self):
        """The full link to (continue) answering."""
        self.ensure_one()
        return f"{self.get_base_url()}{self.get_start_url()}"
