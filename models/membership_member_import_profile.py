# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models


class MembershipMemberImportProfile(models.Model):
    """The columns of a member list as an association keeps it, saved from one
    import and applied to the next (each header to its field)."""

    _name = "membership.member.import.profile"
    _description = "Member Import Profile"
    _order = "name"

    name = fields.Char(required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    mapping = fields.Json(
        help="Technical: the normalised header of each column and the field it "
        "fills (empty: not imported)."
    )
    column_count = fields.Integer(compute="_compute_column_count", string="Columns")

    def _compute_column_count(self):
        for profile in self:
            profile.column_count = len(profile.mapping or {})
