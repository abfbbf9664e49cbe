# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models


class MembershipMember(models.Model):
    """A member's 口座振替 mandates, and whether their dues are collected by
    direct debit (the portal then says when instead of offering to pay)."""

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    direct_debit_mandate_ids = fields.One2many(
        "membership.direct.debit.mandate", "member_id", string="Direct Debit Mandates"
    )
    direct_debit_mandate_count = fields.Integer(compute="_compute_direct_debit_mandate")
    has_active_mandate = fields.Boolean(
        string="Pays by Direct Debit",
        compute="_compute_direct_debit_mandate",
        search="_search_has_active_mandate",
    )

    @api.depends("direct_debit_mandate_ids.state")
    def _compute_direct_debit_mandate(self):
        for member in self:
            mandates = member.direct_debit_mandate_ids
            member.direct_debit_mandate_count = len(mandates)
            member.has_active_mandate = any(m.state == "active" for m in mandates)

    def _search_has_active_mandate(self, operator, value):
        if operator != "in":
            return NotImplemented
        return [("direct_debit_mandate_ids.state", "=", "active")]

    def action_view_direct_debit_mandates(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "membership_management.membership_direct_debit_mandate_action"
        )
        action["domain"] = [("member_id", "=", self.id)]
        action["context"] = {"default_member_id": self.id}
        return action

    def _get_pending_direct_debits(self):
        """Debits sent to the bank and not answered yet, by invoice: what the
        portal shows instead of a pay button."""
        self.ensure_one()
        lines = (
            self.env["membership.direct.debit.line"]
            .sudo()
            .search(
                [
                    ("member_id", "=", self.id),
                    ("state", "=", "pending"),
                    ("batch_id.state", "=", "exported"),
                ]
            )
        )
        return {
            move: line.batch_id.debit_date for line in lines for move in line.move_ids
        }
