# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models


class MembershipVisitLocation(models.Model):
    """A place where members come in (a gym, a club house, a school campus):
    each has its own visit check-in page."""

    _name = "membership.visit.location"
    _description = "Visit Location"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    note = fields.Text(
        help="Opening hours or anything the desk should know; not shown to members."
    )
    visit_count = fields.Integer(compute="_compute_visit_count")
    visit_today_count = fields.Integer(
        string="Visits Today", compute="_compute_visit_count"
    )

    @api.depends_context("tz")
    def _compute_visit_count(self):
        Visit = self.env["membership.visit"]
        domain = [("location_id", "in", self.ids)]
        totals = dict(Visit._read_group(domain, ["location_id"], ["__count"]))
        today = dict(
            Visit._read_group(
                [*domain, ("visit_date", "=", fields.Date.context_today(self))],
                ["location_id"],
                ["__count"],
            )
        )
        for location in self:
            location.visit_count = totals.get(location, 0)
            location.visit_today_count = today.get(location, 0)

    def action_open_check_in(self):
        """The visit check-in page in a tab of its own."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/membership/visit/{self.id}",
            "target": "new",
        }

    def action_view_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "membership_management.membership_visit_action"
        )
        action["domain"] = [("location_id", "=", self.id)]
        action["context"] = {"default_location_id": self.id}
        return action
