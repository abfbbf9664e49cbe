# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class MembershipPlan(models.Model):
    """Plans for organisations (法人会員) and families: one fee covers a number
    of people. The organisation is the member that is billed; the people it
    covers are members of their own (card, portal, member prices) whose state
    follows the organisation's."""

    _inherit = "membership.plan"  # pylint: disable=consider-merging-classes-inherited

    seats_included = fields.Integer(
        tracking=True,
        help="People covered by one membership of this plan besides the holder "
        "(representatives of an organisation, family members). 0: a plan for "
        "one person.",
    )
    seat_kind = fields.Selection(
        [("organisation", "Organisation"), ("family", "Family")],
        string="Covers",
        default="organisation",
        help="Organisation: the holder is a company whose contacts are its "
        "representatives. Family: the holder's family members.",
    )
    allow_extra_seats = fields.Boolean(
        tracking=True,
        help="More people than the included seats may be covered, each for the "
        "extra-seat fee (prorated for the rest of the period when added during it).",
    )
    extra_seat_fee = fields.Monetary(
        tracking=True, help="Per extra seat and period, beyond the included seats."
    )

    _seats_included_positive = models.Constraint(
        "CHECK(seats_included >= 0)", "Included seats cannot be negative."
    )
    _extra_seat_fee_positive = models.Constraint(
        "CHECK(extra_seat_fee >= 0)", "The extra-seat fee cannot be negative."
    )

    @api.constrains("plan_type", "extra_seat_fee")
    def _check_free_plan_seat_fee(self):
        for plan in self.filtered(lambda p: p.plan_type == "free"):
            if plan.extra_seat_fee:
                raise ValidationError(
                    self.env._(
                        "The free plan %(plan)s cannot have fees.", plan=plan.name
                    )
                )

    def _get_extra_seat_amount(
        self, period_start, coverage_start, seats=1, prorate=True
    ):
        """Fee of ``seats`` extra seats for the period from ``period_start``,
        covered from ``coverage_start`` (prorated like the plan's fee when
        ``prorate``: a seat added during a period always is)."""
        self.ensure_one()
        if not seats or self.plan_type == "free" or not self.extra_seat_fee:
            return 0.0
        fee = self.extra_seat_fee * seats
        if self.period_type == "lifetime" or not prorate:
            return fee
        if coverage_start <= period_start:
            return fee
        return self._get_partial_amount(fee, period_start, coverage_start)

    def _get_period_start(self, day, dues_start):
        """Start of the whole period of dues starting on ``dues_start`` that
        contains ``day`` (a fixed plan's year, a rolling member's period)."""
        self.ensure_one()
        if self.period_type == "fixed":
            return self._get_period(day)[0]
        return dues_start
