# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

# representatives of the first demo company, and a family
DEMO_REPRESENTATIVES = [
    ("Ichiro Tanaka", "ichiro.tanaka"),
    ("Maria Lopez", "maria.lopez"),
    ("Peter Novak", "peter.novak"),
]
DEMO_FAMILY = ("Sato Family", "sato.family")
DEMO_FAMILY_MEMBERS = [("Yoko Sato", "yoko.sato"), ("Ken Sato", "ken.sato")]


class MembershipMember(models.Model):
    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _demo_populate_groups(self):
        """法人会員 and families, payer ≠ member, an application to review: a
        corporate member with three representatives, a family covering two
        people, a student whose parent pays, and an applicant to a plan that
        requires approval."""
        ref = self.env.ref
        company = self.search(
            [("name", "=", "Kyoto Instruments Ltd"), ("is_company", "=", True)],
            limit=1,
        )
        if not company or company.seat_member_ids:
            return
        today = fields.Date.context_today(self)
        for name, login in DEMO_REPRESENTATIVES:
            partner = self.env["res.partner"].create(
                {
                    "name": name,
                    "email": f"{login}@example.com",
                    "parent_id": company.partner_id.id,
                }
            )
            self.create(
                {
                    "partner_id": partner.id,
                    "plan_id": company.plan_id.id,
                    "parent_member_id": company.id,
                    "join_date": today - relativedelta(months=9),
                }
            )
        family_plan = ref("membership_management.membership_plan_family_demo")
        name, login = DEMO_FAMILY
        family = self.create(
            {
                "name": name,
                "email": f"{login}@example.com",
                "plan_id": family_plan.id,
                "join_date": today - relativedelta(months=4),
            }
        )
        self._demo_pay(
            family._create_period_dues(family.join_date),
            family.join_date + timedelta(days=5),
        )
        for name, login in DEMO_FAMILY_MEMBERS:
            self.create(
                {
                    "name": name,
                    "email": f"{login}@example.com",
                    "plan_id": family_plan.id,
                    "parent_member_id": family.id,
                    "join_date": family.join_date,
                }
            )
        # a student whose mother pays the dues
        parent = self.env["res.partner"].create(
            {"name": "Michiko Mori", "email": "michiko.mori@example.com"}
        )
        student = self.create(
            {
                "name": "Daiki Mori",
                "email": "daiki.mori@example.com",
                "plan_id": ref("membership_management.membership_plan_student_demo").id,
                "join_date": today - timedelta(days=10),
                "bill_to_partner_id": parent.id,
            }
        )
        student._create_period_dues(student.join_date)
        # an application waiting for the board (入会審査), vouched for by Hanako
        applicant = self.create(
            {
                "name": "Takeshi Ueda",
                "email": "takeshi.ueda@example.com",
                "plan_id": ref("membership_management.membership_plan_fellow_demo").id,
                "join_date": today - timedelta(days=2),
            }
        )
        referee = self.search(
            [("name", "=", "Hanako Yamada"), ("state", "=", "active")], limit=1
        )
        if referee:
            self.env["membership.referee"].create(
                {"applicant_id": applicant.id, "referee_id": referee.id}
            )._answer(True)
        return True
