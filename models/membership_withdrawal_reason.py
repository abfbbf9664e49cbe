# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models


class MembershipWithdrawalReason(models.Model):
    """Why members leave: kept as a list so that it can be reported on."""

    _name = "membership.withdrawal.reason"
    _description = "Membership Withdrawal Reason"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
