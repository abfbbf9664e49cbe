# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models


class MembershipDuesRunLine(models.Model):
    """What a dues run did with one member, and why."""

    _name = "membership.dues.run.line"
    _inherit = ["membership.stored.text.mixin"]
    _description = "Membership Dues Run Result"
    _order = "id"
    _stored_texts = {"reason": "reason_data"}

    run_id = fields.Many2one(
        "membership.dues.run", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    member_id = fields.Many2one(
        "membership.member", required=True, index=True, ondelete="cascade"
    )
    status = fields.Selection(
        [("billed", "Billed"), ("skipped", "Skipped"), ("error", "Error")],
        required=True,
        index=True,
    )
    reason = fields.Char(
        compute="_compute_stored_texts", inverse="_inverse_stored_texts"
    )
    reason_data = fields.Json(readonly=True)
    dues_id = fields.Many2one("membership.dues", ondelete="set null")
    move_id = fields.Many2one(related="dues_id.move_id", string="Invoice")

    _run_member_uniq = models.UniqueIndex(
        "(run_id, member_id)", "A dues run handles each member once."
    )

    def _run_member_uniq_name(self):
        """The database name of the unique index above (two workers that both
        handled a member meet on it)."""
        return self._run_member_uniq.full_name(self)
