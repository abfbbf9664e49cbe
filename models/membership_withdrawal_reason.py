# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models


class MembershipWithdrawalReason(models.Model):
    """Why members leave: kept as a list so that it can be reported on.

    A reason without company is shared by every company; one with a company
    is that company's own (multi-company rule)."""

    _name = "membership.withdrawal.reason"
    _description = "Membership Withdrawal Reason"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to share the reason."
    )
