# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models
from odoo.fields import Domain

NEWS_AUDIENCES = [
    ("all", "All members"),
    ("current", "Current members (active, waiting, in grace)"),
    ("lapsed", "Lapsed members"),
]
AUDIENCE_STATES = {
    "current": ("active", "waiting", "grace"),
    "lapsed": ("lapsed",),
}


class MembershipNews(models.Model):
    """An announcement shown to members on their portal page."""

    _name = "membership.news"
    _description = "Membership News"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"

    name = fields.Char(string="Title", required=True, translate=True, tracking=True)
    body = fields.Html(translate=True, sanitize=True)
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    is_published = fields.Boolean(string="Published", tracking=True)
    plan_ids = fields.Many2many(
        "membership.plan",
        string="Plans",
        help="Only members of these plans see it; empty means every plan.",
    )
    audience = fields.Selection(
        NEWS_AUDIENCES, required=True, default="all", tracking=True
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )

    def _get_member_domain(self, member):
        """Published news meant for ``member``, up to today."""
        domain = Domain.AND(
            [
                Domain("is_published", "=", True),
                Domain("company_id", "=", member.company_id.id),
                Domain("date", "<=", fields.Date.context_today(self)),
                Domain("plan_ids", "=", False)
                | Domain("plan_ids", "in", member.plan_id.ids),
            ]
        )
        audiences = ["all"] + [
            key for key, states in AUDIENCE_STATES.items() if member.state in states
        ]
        return domain & Domain("audience", "in", audiences)
