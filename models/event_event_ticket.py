# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models

# A member in grace has not lost the benefits of membership yet.


class EventEventTicket(models.Model):
    """Member prices and member-only tickets.

    The price a registration pays is decided here, once, for whoever
    registers: the portal, the back office and any other channel call
    ``_get_membership_price``.
    """

    _inherit = "event.event.ticket"

    members_only = fields.Boolean(
        help="Only current members (active or in grace) may take this ticket, "
        "whoever registers them.",
    )
    member_price = fields.Float(
        min_display_digits="Product Price",
        help="Price for current members. Leave empty to charge members the "
        "normal price.",
    )
    has_member_price = fields.Boolean(
        help="Members pay the member price instead of the normal price.",
    )
    membership_plan_ids = fields.Many2many(
        "membership.plan",
        string="Eligible Plans",
        help="When set, only members of these plans get the member price (and, "
        "for members-only tickets, may register).",
    )

    @api.onchange("member_price")
    def _onchange_member_price(self):
        if self.member_price:
            self.has_member_price = True

    def _is_membership_eligible(self, member):
        """Whether ``member`` enjoys member conditions on this ticket."""
        self.ensure_one()
        if not member or member.state not in member._get_benefit_states():
            return False
        return (
            not self.membership_plan_ids or member.plan_id in self.membership_plan_ids
        )

    def _get_membership_price(self, member):
        """``(price, reason)`` this ticket costs ``member`` (may be empty).

        ``reason`` is ``member`` or ``non_member``.
        """
        self.ensure_one()
        eligible = self._is_membership_eligible(member)
        price = self.member_price if eligible and self.has_member_price else self.price
        return max(price, 0.0), "member" if eligible else "non_member"

    def _membership_price_with_taxes(self, price):
        """``price`` as the fee invoice will total it, with the product's taxes."""
        self.ensure_one()
        company = self.event_id.company_id or self.env.company
        taxes = self.product_id.taxes_id.filtered(
            lambda t: t.company_id == company or company in t.company_id.child_ids
        )
        if not price or not taxes:
            return price
        currency = company.currency_id
        return taxes.compute_all(price, currency, 1.0, product=self.product_id)[
            "total_included"
        ]
