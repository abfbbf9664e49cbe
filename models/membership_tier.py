# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models


class MembershipTier(models.Model):
    """A rank members reach by points (bronze, silver, gold...)."""

    _name = "membership.tier"
    _description = "Membership Tier"
    _order = "sequence, min_points, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    min_points = fields.Integer(
        string="Minimum Points", help="Points a member needs to reach this tier."
    )
    company_id = fields.Many2one(
        "res.company", index=True, default=lambda self: self.env.company
    )
    member_ids = fields.One2many("membership.member", "tier_id", string="Members")

    _name_company_uniq = models.Constraint(
        "UNIQUE(name, company_id)", "A tier name must be unique per company."
    )

    @api.model_create_multi
    def create(self, vals_list):
        tiers = super().create(vals_list)
        tiers._rank_up_members()
        return tiers

    def write(self, vals):
        result = super().write(vals)
        if {"min_points", "company_id", "active"}.intersection(vals):
            self._rank_up_members()
        return result

    def _rank_up_members(self):
        """Members whose points reach a new or lowered tier rank up at once.
        Only they can change: tiers never lower a member by themselves."""
        Member = self.env["membership.member"].sudo()
        for tier in self.filtered("active"):
            domain = [("points", ">=", tier.min_points)]
            if tier.company_id:
                domain.append(("company_id", "=", tier.company_id.id))
            self.env.add_to_compute(Member._fields["tier_id"], Member.search(domain))
