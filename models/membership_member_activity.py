# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain

from .res_config_settings import read_membership_parameter

# churn risk: coverage ending within this many days
CHURN_ENDING_DAYS = 60


class MembershipMember(models.Model):
    """Activity and dormant members (離脱兆候).

    ``last_activity_date`` is the latest of the last visit, the last portal
    sign-in, the last event attended and the last dues payment, stored and
    indexed so that the *Dormant* segment and the *Inactive for N days*
    journey trigger read it cheaply. The churn-risk flag is a plain,
    explained rule, not a score: a member in good standing who pays by hand,
    whose coverage ends within 60 days and who has shown no activity for the
    dormant period.
    """

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    last_login_date = fields.Date(
        string="Last Portal Sign-in", readonly=True, copy=False
    )
    last_payment_date = fields.Date(
        compute="_compute_last_payment_date",
        store=True,
        help="When dues of this member were last paid.",
    )
    last_activity_date = fields.Date(
        compute="_compute_last_activity_date",
        store=True,
        index="btree_not_null",
        help="Latest of: last visit, last portal sign-in, last event attended, "
        "last dues payment.",
    )
    is_dormant = fields.Boolean(
        string="Dormant",
        compute="_compute_is_dormant",
        search="_search_is_dormant",
        help="A member in good standing with no activity (visit, sign-in, "
        "event, payment) for the dormant period of the settings.",
    )
    churn_risk = fields.Boolean(
        compute="_compute_churn_risk",
        search="_search_churn_risk",
        help="Active or in grace, pays by hand (no saved card, no direct debit), "
        "coverage ends within 60 days, and no activity for the dormant period.",
    )

    @api.depends("dues_ids.paid_date")
    def _compute_last_payment_date(self):
        for member in self:
            dates = [d for d in member.dues_ids.mapped("paid_date") if d]
            member.last_payment_date = max(dates, default=False)

    @api.depends(
        "last_login_date",
        "event_last_attended_date",
        "last_payment_date",
        "last_visit_date",
    )
    def _compute_last_activity_date(self):
        for member in self:
            dates = [
                d
                for d in (
                    member.last_visit_date,
                    member.last_login_date,
                    member.event_last_attended_date,
                    member.last_payment_date,
                )
                if d
            ]
            member.last_activity_date = max(dates, default=False)

    # ------------------------------------------------------------
    # DORMANT AND CHURN RISK
    # ------------------------------------------------------------

    @api.model
    def _get_dormant_cutoff(self):
        days = read_membership_parameter(self.env, "membership_dormant_days")
        return fields.Date.context_today(self) - timedelta(days=days)

    def _get_dormant_domain(self):
        """Members in good standing whose last activity (or, with none, their
        joining) is before the dormant cutoff."""
        cutoff = self._get_dormant_cutoff()
        return Domain("state", "in", self._get_benefit_states()) & (
            Domain("last_activity_date", "<", cutoff)
            | (
                Domain("last_activity_date", "=", False)
                & Domain("join_date", "<", cutoff)
            )
        )

    def _get_churn_risk_domain(self):
        today = fields.Date.context_today(self)
        return (
            self._get_dormant_domain()
            & Domain("date_end", ">=", today)
            & Domain("date_end", "<=", today + timedelta(days=CHURN_ENDING_DAYS))
            & Domain("auto_charge_active", "=", False)
            & Domain("has_active_mandate", "=", False)
        )

    def _compute_is_dormant(self):
        dormant = self.filtered_domain(self._get_dormant_domain())
        for member in self:
            member.is_dormant = member in dormant

    def _compute_churn_risk(self):
        at_risk = self.filtered_domain(self._get_churn_risk_domain())
        for member in self:
            member.churn_risk = member in at_risk

    def _search_is_dormant(self, operator, value):
        return self._search_flag(self._get_dormant_domain(), operator, value)

    def _search_churn_risk(self, operator, value):
        return self._search_flag(self._get_churn_risk_domain(), operator, value)

    def _search_flag(self, domain, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            return NotImplemented
        wanted = bool(value) if operator in ("=", "!=") else True in value
        if operator in ("!=", "not in"):
            wanted = not wanted
        return domain if wanted else ~domain

    # ------------------------------------------------------------
    # RECORDING ACTIVITY
    # ------------------------------------------------------------

    def _record_login(self):
        """A sign-in to the portal (once a day is enough to store)."""
        today = fields.Date.context_today(self)
        self.sudo().filtered(lambda m: m.last_login_date != today).write(
            {"last_login_date": today}
        )
