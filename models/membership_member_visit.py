# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo import api, fields, models

# the desk is warned when coverage ends within this many days
VISIT_WARN_DAYS = 7


class MembershipMember(models.Model):
    """Visits (来館): who may come in, what the desk is told, and the history
    on the member."""

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    visit_ids = fields.One2many("membership.visit", "member_id", string="Visits")
    visit_count = fields.Integer(compute="_compute_visit_count")
    last_visit_date = fields.Date(
        compute="_compute_last_visit_date",
        store=True,
        help="The day of the member's latest recorded visit.",
    )

    def _compute_visit_count(self):
        counts = dict(
            self.env["membership.visit"]._read_group(
                [("member_id", "in", self.ids)], ["member_id"], ["__count"]
            )
        )
        for member in self:
            member.visit_count = counts.get(member, 0)

    @api.depends("visit_ids.visit_date")
    def _compute_last_visit_date(self):
        # the latest day per member in one query, not every visit of a regular
        last = dict(
            self.env["membership.visit"]
            .sudo()
            ._read_group(
                [("member_id", "in", self.ids)], ["member_id"], ["visit_date:max"]
            )
        )
        for member in self:
            member.last_visit_date = last.get(member, False)

    @api.model
    def _get_member_for_desk(self, code, company):
        """The member of ``company`` a desk code designates: a signed card
        token (whatever the member's state, so that the desk can be told why
        they may not come in) or a member number typed by hand."""
        code = (code or "").strip()
        Member = self.sudo().with_context(active_test=False)
        if not code:
            return Member.browse()
        if code.count(".") == 2:
            member = self._get_member_from_card_token(code, states=None)
        else:
            member = Member.search([("member_number", "=", code)], limit=1)
        return member.filtered(lambda m: m.company_id == company)

    def _get_visit_refusal(self):
        """Why this member may not come in today, or ``False``: only members
        in good standing (active or in grace) may."""
        self.ensure_one()
        member = self.sudo()
        name, number = member.name, member.member_number or ""
        if member.state in member._get_benefit_states():
            return False
        if member.state == "suspended":
            return self.env._(
                "%(name)s (member %(number)s) is suspended: please send them to "
                "the office.",
                name=name,
                number=number,
            )
        if member.state == "withdrawn":
            return self.env._(
                "%(name)s (member %(number)s) has withdrawn from membership.",
                name=name,
                number=number,
            )
        if member.state == "lapsed":
            return self.env._(
                "%(name)s (member %(number)s): the membership has lapsed "
                "(covered until %(date)s). It must be renewed before coming in.",
                name=name,
                number=number,
                date=member.date_end or "",
            )
        return self.env._(
            "%(name)s (member %(number)s) is not an active member yet.",
            name=name,
            number=number,
        )

    def _get_visit_warning(self):
        """A warning for the desk when coverage ends within a week."""
        self.ensure_one()
        member = self.sudo()
        today = fields.Date.context_today(self)
        if not member.date_end or member.date_end > today + timedelta(
            days=VISIT_WARN_DAYS
        ):
            return False
        if member.state == "grace":
            return self.env._(
                "The membership ended on %(date)s and is in its grace period: "
                "remind them to renew.",
                date=member.date_end,
            )
        return self.env._(
            "The membership ends on %(date)s: remind them to renew.",
            date=member.date_end,
        )

    def action_view_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "membership_management.membership_visit_action"
        )
        action["domain"] = [("member_id", "=", self.id)]
        action["context"] = {"default_member_id": self.id}
        return action
