# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import models


class PaymentToken(models.Model):
    _inherit = "payment.token"

    def write(self, vals):
        """A saved card that is removed (archived, by the member or Odoo) is no
        longer charged for dues: the members' consent ends with it."""
        if "active" in vals and not vals["active"]:
            members = (
                self.env["membership.member"]
                .sudo()
                .search([("auto_charge_token_id", "in", self.ids)])
            )
            members._stop_auto_charge(
                self.env._(
                    "The card charged for dues was removed: dues are no longer "
                    "charged automatically."
                )
            )
        return super().write(vals)
