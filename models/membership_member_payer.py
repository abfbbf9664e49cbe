# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class MembershipMember(models.Model):
    """Payer ≠ member: an employer or a parent pays the dues of a member.

    The dues invoices (and their reminders) go to the *bill to* contact; the
    member keeps their own state, card and portal, where each dues line says
    to whom it was billed. The payer sees the invoices on their own portal
    (*My Invoices*), nothing else of the member; the member does not see the
    payer's invoices. Saved cards and direct debit offered on the member's
    portal are the member's own, so they are not offered while someone else
    pays.
    """

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    bill_to_partner_id = fields.Many2one(
        "res.partner",
        string="Bill To",
        tracking=True,
        index="btree_not_null",
        ondelete="restrict",
        help="The contact invoiced for this member's dues instead of the member "
        "(an employer, a parent). Invoices already issued keep their contact.",
    )

    @api.constrains("bill_to_partner_id", "partner_id", "company_id")
    def _check_bill_to_partner(self):
        for member in self.sudo().filtered("bill_to_partner_id"):
            payer = member.bill_to_partner_id
            if payer == member.partner_id:
                raise ValidationError(
                    self.env._(
                        "%(member)s pays their own dues: leave “Bill To” empty.",
                        member=member.display_name,
                    )
                )
            if payer.company_id and payer.company_id != member.company_id:
                raise ValidationError(
                    self.env._(
                        "%(payer)s belongs to another company than the membership "
                        "of %(member)s.",
                        payer=payer.display_name,
                        member=member.display_name,
                    )
                )

    def _get_invoice_partner(self):
        """The contact dues invoices of this member are addressed to."""
        self.ensure_one()
        return self.bill_to_partner_id or self.partner_id

    def _is_billed_to_other(self):
        self.ensure_one()
        return bool(self.bill_to_partner_id)

    def _get_saved_payment_tokens(self):
        """A card saved by the member cannot pay what someone else is billed."""
        if self._is_billed_to_other():
            return self.env["payment.token"]
        return super()._get_saved_payment_tokens()

    def _can_request_direct_debit_online(self):
        """The payer, not the member, decides how the payer's invoices are paid."""
        return (
            not self._is_billed_to_other()
            and super()._can_request_direct_debit_online()
        )

    def write(self, vals):
        """The member's saved card is not charged for invoices of the payer."""
        res = super().write(vals)
        if vals.get("bill_to_partner_id"):
            self._stop_auto_charge(
                self.env._(
                    "Automatic card payment of dues stopped: the dues are now "
                    "billed to another contact."
                )
            )
        return res

    def _can_renew_online(self, today=None):
        """Renewing bills the payer: their invoice comes from the renewal run,
        not from a button on the member's portal."""
        return not self._is_billed_to_other() and super()._can_renew_online(today)

    def _get_online_change_plans(self):
        """A change of plan bills the payer: staff make it, not the member."""
        if self._is_billed_to_other():
            return self.env["membership.plan"]
        return super()._get_online_change_plans()
