# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import Command, api, fields, models


class MembershipDues(models.Model):
    """Seats on an organisation or family membership: the organisation's dues
    of a period include its extra seats (a line of their own on the invoice),
    and a seat added during a period is billed to the organisation as dues of
    the covered person, for the rest of that period (``seat_fee``)."""

    _inherit = "membership.dues"  # pylint: disable=consider-merging-classes-inherited

    seat_fee = fields.Boolean(
        string="Extra Seat",
        readonly=True,
        copy=False,
        help="The fee of a seat added during the period of the organisation or "
        "family that covers this member, billed to it. It does not decide the "
        "member's state: the organisation's membership does.",
    )
    extra_seat_count = fields.Integer(
        string="Extra Seats",
        readonly=True,
        copy=False,
        help="Seats beyond those the plan includes, billed with these dues.",
    )
    extra_seat_amount = fields.Monetary(
        string="Extra Seats Fee",
        readonly=True,
        copy=False,
        help="Part of the dues amount that pays for the extra seats.",
    )

    @api.model
    def _prepare_invoice_vals(self, member, dues_vals, invoice_values):
        """The extra seats are a line of their own; a seat fee says whose."""
        vals = super()._prepare_invoice_vals(member, dues_vals, invoice_values)
        extra = dues_vals.get("extra_seat_amount")
        lines = vals["invoice_line_ids"]
        if dues_vals.get("seat_fee") and lines:
            lines[0][2]["name"] = self.env._(
                "Extra seat for %(member)s (%(number)s): %(period)s",
                member=member.name,
                number=member.member_number,
                period=self._get_period_label(
                    member.plan_id, dues_vals["date_start"], dues_vals["date_end"]
                ),
            )
        elif extra and lines:
            lines[0][2]["price_unit"] -= extra
            lines.insert(
                1,
                Command.create(
                    {
                        "product_id": lines[0][2]["product_id"],
                        "name": self.env._(
                            "Extra seats: %(count)s",
                            count=dues_vals["extra_seat_count"],
                        ),
                        "quantity": 1,
                        "price_unit": extra,
                    }
                ),
            )
        return vals
