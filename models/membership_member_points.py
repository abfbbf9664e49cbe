# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).

from odoo import api, fields, models


class MembershipMember(models.Model):
    """Points and tiers: points are the ledger's sum; the tier rises with them and is
    never lowered by points."""

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    tier_id = fields.Many2one(
        "membership.tier",
        compute="_compute_tier_id",
        store=True,
        readonly=False,
        tracking=True,
        ondelete="restrict",
        index="btree_not_null",
        help="Rises by itself to the highest tier the member's points reach; "
        "staff may set a higher one, which points never lower.",
    )
    points = fields.Integer(
        compute="_compute_points", store=True, help="Sum of the points ledger."
    )
    points_line_ids = fields.One2many(
        "membership.points.line", "member_id", string="Points Ledger"
    )

    @api.depends("points_line_ids.points")
    def _compute_points(self):
        totals = {
            member.id: total
            for member, total in self.env["membership.points.line"]
            .sudo()
            ._read_group([("member_id", "in", self.ids)], ["member_id"], ["points:sum"])
        }
        for member in self:
            member.points = totals.get(member.id, 0)

    @api.depends("points")
    def _compute_tier_id(self):
        """Rank-up rule: the highest tier (of the member's company or shared)
        whose minimum the points reach; never lower than the current tier."""
        tiers = (
            self.env["membership.tier"]
            .sudo()
            .search([("company_id", "in", [False, *self.company_id.ids])])
        )
        for member in self:
            reached = tiers.filtered(
                lambda tier, m=member: (
                    (not tier.company_id or tier.company_id == m.company_id)
                    and tier.min_points <= m.points
                )
            )
            best = max(reached, key=lambda tier: tier.min_points, default=None)
            current = member.tier_id
            if best and (not current or best.min_points > current.min_points):
                member.tier_id = best
            else:
                member.tier_id = current
