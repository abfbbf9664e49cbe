# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    membership_dues_ids = fields.One2many("membership.dues", "move_id", readonly=True)
    membership_registration_ids = fields.One2many(
        "event.registration", "membership_fee_move_id", readonly=True
    )

    def _invoice_paid_hook(self):
        """A paid participation fee confirms its event registration; paid dues
        reinstate a member suspended for not paying them."""
        result = super()._invoice_paid_hook()
        members = self.sudo().membership_dues_ids.member_id
        members._lift_unpaid_suspensions(self.sudo())
        registrations = (
            self.env["event.registration"]
            .sudo()
            .search(
                [("membership_fee_move_id", "in", self.ids), ("state", "=", "draft")]
            )
        )
        registrations._membership_confirm_paid()
        return result
