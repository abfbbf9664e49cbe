# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models


class SurveySurvey(models.Model):
    """Surveys (アンケート) sent to members: a reward in points for answering,
    and whether members find it on their portal."""

    _inherit = "survey.survey"

    membership_points = fields.Integer(
        string="Points for Answering",
        help="Points a member earns when they complete this survey, once per "
        "member (the points ledger); they count towards the member's tier.",
    )
    membership_portal = fields.Boolean(
        string="Offer on Member Portal",
        help="Members see this survey under My Membership → Surveys and can "
        "answer it there.",
    )
