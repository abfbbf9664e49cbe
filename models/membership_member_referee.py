# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models


class MembershipMember(models.Model):
    """Referees (推薦者) of an application: a plan may ask for one or two
    current members to vouch for the applicant. Online applicants give their
    member numbers; staff add referees on the applicant's form. Each referee
    is mailed a link to confirm or decline; the queue shows the answers."""

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    referee_ids = fields.One2many(
        "membership.referee",
        "applicant_id",
        string="Referees",
        groups="membership_management.group_membership_user",
    )
    referee_summary = fields.Char(
        string="Referees Confirmed",
        compute="_compute_referee_summary",
        groups="membership_management.group_membership_user",
        help="Referees who confirmed, out of those the plan asks for.",
    )

    @api.depends("referee_ids.state", "plan_id.referees_required")
    def _compute_referee_summary(self):
        for member in self:
            needed = member.plan_id.referees_required
            if not needed and not member.referee_ids:
                member.referee_summary = False
                continue
            confirmed = len(
                member.referee_ids.filtered(lambda r: r.state == "confirmed")
            )
            member.referee_summary = self.env._(
                "%(confirmed)s of %(needed)s",
                confirmed=confirmed,
                needed=max(needed, len(member.referee_ids)),
            )

    def _add_referees_by_number(self, numbers):
        """Ask the members with these member numbers (of the applicant's
        company, in good standing) to vouch; numbers that match nobody are
        noted for staff. Returns the referee rows."""
        self.ensure_one()
        Referee = self.env["membership.referee"].sudo()
        numbers = [n.strip() for n in numbers if n and n.strip()]
        if not numbers:
            return Referee
        found = self.sudo().search(
            [
                ("member_number", "in", numbers),
                ("company_id", "=", self.company_id.id),
                ("state", "in", self._get_benefit_states()),
                ("id", "!=", self.id),
            ]
        )
        rows = Referee.create(
            [{"applicant_id": self.id, "referee_id": referee.id} for referee in found]
        )
        missing = set(numbers) - set(found.mapped("member_number"))
        if missing:
            self.sudo().message_post(
                body=self.env._(
                    "The applicant named as referees member numbers that match no "
                    "current member: %(numbers)s.",
                    numbers=", ".join(sorted(missing)),
                )
            )
        return rows

    @api.model
    def _create_from_application(self, plan, values, newsletter=False):
        values = dict(values)
        numbers = values.pop("referee_numbers", None) or []
        member = super()._create_from_application(plan, values, newsletter=newsletter)
        if member and numbers:
            member._add_referees_by_number(numbers)
        return member
