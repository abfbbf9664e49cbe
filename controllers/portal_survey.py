# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from .portal import MembershipPortal


class MembershipPortalSurveys(MembershipPortal):
    """``/my/membership/surveys``: the surveys this member is asked to answer
    (sent by a journey, or offered on the portal) and those they answered."""

    def _get_portal_surveys(self):
        return (
            request.env["survey.survey"]
            .sudo()
            .search([("membership_portal", "=", True), ("active", "=", True)])
        )

    @http.route(
        "/my/membership/surveys", type="http", auth="user", website=True, readonly=True
    )
    def portal_my_membership_surveys(self, **kw):
        member = self._get_my_member_or_404().sudo()
        # members have no access rights on answers: their own member, found
        # through the record rules, limits what is read
        answers = (
            request.env["survey.user_input"]
            .sudo()
            .search(
                [("membership_member_id", "=", member.id), ("test_entry", "=", False)],
                order="id desc",
            )
        )
        answered = answers.filtered(lambda a: a.state == "done")
        pending = answers.filtered(lambda a: a.state != "done" and a.survey_id.active)
        offered = self._get_portal_surveys() - answers.survey_id
        return request.render(
            "membership_management.portal_my_membership_surveys",
            {
                "pending": pending,
                "offered": offered,
                "answered": answered,
                "page_name": "membership_surveys",
            },
        )

    @http.route(
        "/my/membership/surveys/<int:survey_id>/start",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_membership_survey_start(self, survey_id, **kw):
        """Start a survey offered on the portal (or continue the answer
        already begun): the answer is the member's own, tied to their
        contact."""
        member = self._get_my_member_or_404().sudo()
        survey = self._get_portal_surveys().filtered(lambda s: s.id == survey_id)
        if not survey:
            raise request.not_found()
        Answer = request.env["survey.user_input"].sudo()
        answer = Answer.search(
            [
                ("survey_id", "=", survey.id),
                ("membership_member_id", "=", member.id),
                ("state", "!=", "done"),
                ("test_entry", "=", False),
            ],
            limit=1,
        )
        if not answer:
            try:
                answer = survey._create_answer(
                    user=request.env.user, partner=member.partner_id
                )
            except UserError as error:
                return request.render(
                    "membership_management.portal_my_membership_surveys",
                    {
                        "pending": Answer,
                        "offered": survey.browse(),
                        "answered": Answer,
                        "error": error.args[0],
                        "page_name": "membership_surveys",
                    },
                )
        return request.redirect(answer.get_start_url())
