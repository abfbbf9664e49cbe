# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models


class MembershipDues(models.Model):
    """When dues were paid: the member's activity and the *Dues paid* journey
    trigger (one occurrence per paid dues)."""

    _inherit = "membership.dues"  # pylint: disable=consider-merging-classes-inherited

    paid_date = fields.Date(
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The day the invoice of these dues was found paid (carried-over "
        "dues have none).",
    )

    def _record_paid(self):
        """Called when their invoices are paid: the date of the payment that
        settled each invoice (today when it cannot be read)."""
        today = fields.Date.context_today(self)
        for dues in self.sudo().filtered(lambda d: not d.paid_date and d.move_id):
            receivable = dues.move_id.line_ids.filtered(
                lambda line: line.account_type == "asset_receivable"
            )
            dates = receivable.matched_credit_ids.mapped("max_date")
            dues.paid_date = max(dates, default=None) or today
