# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount

from ..tools.invoice import register_payment


class EventRegistration(models.Model):
    """Taking an unpaid fee in cash at the check-in desk: a cash payment of
    what the fee invoice still asks, registered by a membership officer,
    written to the audit log; the registration is then confirmed by the
    payment, as any paid fee confirms it."""

    _inherit = "event.registration"  # pylint: disable=consider-merging-classes-inherited

    def _membership_pay_at_door(self):
        """Pay the fee of this registration in cash today. Returns the
        payment."""
        self.ensure_one()
        if not self.env.user.has_group("membership_management.group_membership_user"):
            raise AccessError(
                self.env._("Only membership officers can take a fee at the door.")
            )
        move = self.membership_fee_move_id
        if self.state == "cancel" or self.membership_fee_state not in (
            "to_pay",
            "partial",
        ):
            raise UserError(self.env._("This registration has no fee to pay."))
        journal = self.env["account.journal"].search(
            [
                ("type", "=", "cash"),
                *self.env["account.journal"]._check_company_domain(move.company_id),
            ],
            limit=1,
        )
        if not journal:
            raise UserError(
                self.env._(
                    "%(company)s has no cash journal: create one in Accounting to "
                    "take fees at the door.",
                    company=move.company_id.name,
                )
            )
        if move.state == "draft":
            move.action_post()
        amount = format_amount(self.env, move.amount_residual, move.currency_id)
        payment = register_payment(move, journal, fields.Date.context_today(self))
        self.env["membership.audit.log"]._log(
            "door_payment",
            members=self.member_id or None,
            description=self.env._(
                "%(event)s: %(amount)s in cash from %(name)s (%(invoice)s)",
                event=self.event_id.name,
                amount=amount,
                name=self.name or self.partner_id.name,
                invoice=move.name,
            ),
        )
        return payment
