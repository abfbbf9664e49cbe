# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class MembershipPointsLine(models.Model):
    """One entry of a member's points ledger; the member's points are its sum.

    A ledger, not a counter: entries are never edited, a mistake is corrected
    by a new entry with the opposite points. Attending an event earns the
    event's points once per registration (the unique index is the guard).
    """

    _name = "membership.points.line"
    _description = "Membership Points"
    _order = "date desc, id desc"
    _rec_name = "reason"

    member_id = fields.Many2one(
        "membership.member", required=True, index=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(related="member_id.partner_id", store=True)
    company_id = fields.Many2one(related="member_id.company_id", store=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    points = fields.Integer(
        required=True, help="Points earned, or taken back when negative."
    )
    reason = fields.Char(required=True)
    registration_id = fields.Many2one(
        "event.registration",
        string="Event Registration",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    survey_id = fields.Many2one(
        "survey.survey",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    user_id = fields.Many2one(
        "res.users", string="By", readonly=True, default=lambda self: self.env.user
    )

    _registration_uniq = models.UniqueIndex(
        "(registration_id) WHERE registration_id IS NOT NULL",
        "An event registration earns its points only once.",
    )

    _survey_uniq = models.UniqueIndex(
        "(member_id, survey_id) WHERE survey_id IS NOT NULL",
        "A survey earns a member its points only once.",
    )

    @api.constrains("points")
    def _check_points(self):
        if self.filtered(lambda line: not line.points):
            raise ValidationError(
                self.env._("A points entry needs a number of points.")
            )

    def write(self, vals):
        if self:
            raise UserError(
                self.env._(
                    "Points entries cannot be changed: add an entry with the "
                    "opposite points to correct one."
                )
            )
        return super().write(vals)
