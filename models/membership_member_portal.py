# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo import fields, models

RENEWAL_WINDOW_DAYS = 60


class MembershipMember(models.Model):
    """What a member does for themselves on the portal: renew early, change to
    another plan. The portal controller only checks who asks and renders; the
    rules live here, testable without HTTP."""

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    def _can_renew_online(self, today=None):
        """Renewing early is offered near the end of coverage, once."""
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        if self.state not in ("active", "grace", "lapsed") or not self.date_end:
            return False
        if self.date_end > today + timedelta(days=RENEWAL_WINDOW_DAYS):
            return False
        return not self.dues_ids.filtered(
            lambda d: d.state != "cancelled" and d.date_start > self.date_end
        )

    def _renew_online(self):
        """Bill the period after the current one; returns the new dues (none
        when renewing is not offered)."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        if not self._can_renew_online(today):
            return self.env["membership.dues"]
        return self._create_period_dues(today, renew=True)

    def _get_online_change_plans(self):
        """Plans an active member may switch to by themselves."""
        self.ensure_one()
        Plan = self.env["membership.plan"].sudo()
        if self.state != "active":
            return Plan
        return Plan.search(
            [
                ("portal_change_allowed", "=", True),
                ("website_published", "=", True),
                ("company_id", "=", self.company_id.id),
                ("id", "!=", self.plan_id.id),
            ]
        )

    def _change_plan_online(self, plan):
        """Change to ``plan`` from today (unused dues credited, the new plan
        billed); returns the invoice to pay, if any. Refused plans change
        nothing and return ``False``."""
        self.ensure_one()
        if plan not in self._get_online_change_plans():
            return False
        change = (
            self.env["membership.plan.change"]
            .sudo()
            .with_context(membership_state_source="portal")
            .create({"member_id": self.id, "new_plan_id": plan.id})
        )
        change.action_apply()
        open_states = self.env["membership.dues"]._get_open_states()
        return self.dues_ids.filtered(
            lambda d: d.plan_id == plan and d.state in open_states
        ).move_id[:1]
