# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

# (name, email) of the demo members, in the order the story uses them
DEMO_PEOPLE = [
    ("Hanako Yamada", "hanako.yamada"),
    ("Lucas Martin", "lucas.martin"),
    ("Amelia Clarke", "amelia.clarke"),
    ("Kenji Watanabe", "kenji.watanabe"),
    ("Sofia Rossi", "sofia.rossi"),
    ("Noah Schmidt", "noah.schmidt"),
    ("Yui Takahashi", "yui.takahashi"),
    ("Olivia Dubois", "olivia.dubois"),
    ("Mateo Garcia", "mateo.garcia"),
    ("Emma Johansson", "emma.johansson"),
    ("Haruto Suzuki", "haruto.suzuki"),
    ("Chloe Bernard", "chloe.bernard"),
    ("Liam O'Brien", "liam.obrien"),
    ("Sakura Ito", "sakura.ito"),
    ("Ethan Novak", "ethan.novak"),
    ("Mia Kowalski", "mia.kowalski"),
    ("Ren Kobayashi", "ren.kobayashi"),
    ("Isabella Costa", "isabella.costa"),
    ("Daniel Weber", "daniel.weber"),
    ("Aoi Nakamura", "aoi.nakamura"),
    ("Lea Fischer", "lea.fischer"),
    ("Sota Kato", "sota.kato"),
    ("Grace Miller", "grace.miller"),
    ("Hugo Laurent", "hugo.laurent"),
    ("Mei Yoshida", "mei.yoshida"),
    ("Oscar Lindqvist", "oscar.lindqvist"),
    ("Riko Yamamoto", "riko.yamamoto"),
    ("Nora Hansen", "nora.hansen"),
    ("Takumi Sasaki", "takumi.sasaki"),
    ("Elena Petrova", "elena.petrova"),
    ("Yuto Matsumoto", "yuto.matsumoto"),
    ("Clara Moreau", "clara.moreau"),
    ("Akira Inoue", "akira.inoue"),
    ("Ava Thompson", "ava.thompson"),
    ("Kaito Kimura", "kaito.kimura"),
    ("Zoe Anderson", "zoe.anderson"),
    ("Hina Shimizu", "hina.shimizu"),
    ("Jonas Becker", "jonas.becker"),
    ("Lina Haddad", "lina.haddad"),
]
DEMO_COMPANIES = ["Kyoto Instruments Ltd", "Northwind Analytics", "Sakura Logistics"]


class MembershipMember(models.Model):
    _inherit = "membership.member"

    @api.model
    def _demo_populate(self):
        """Forty members whose dues tell the story of every state, dated from
        the day the demo is installed."""
        if self.search_count([("company_id", "=", self.env.company.id)]):
            return
        ref = self.env.ref
        today = fields.Date.context_today(self)
        regular = ref("membership_management.membership_plan_regular_demo")
        student = ref("membership_management.membership_plan_student_demo")
        corporate = ref("membership_management.membership_plan_corporate_demo")
        honorary = ref("membership_management.membership_plan_honorary_demo")
        lifetime = ref("membership_management.membership_plan_lifetime_demo")
        reasons = ref("membership_management.withdrawal_reason_moved") | ref(
            "membership_management.withdrawal_reason_no_time"
        )
        people = iter(DEMO_PEOPLE)

        def new(plan, join_date, person=None, **extra):
            name, login = person or next(people)
            return self.create(
                dict(
                    name=name,
                    email=f"{login}@example.com",
                    plan_id=plan.id,
                    join_date=join_date,
                    **extra,
                )
            )

        def bill(member, day):
            return member._create_period_dues(day)

        def pay(dues, day, amount=None):
            for move in dues.move_id:
                vals = {"payment_date": day}
                if amount:
                    vals["amount"] = amount
                self.env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=move.ids
                ).create(vals)._create_payments()

        year_ago = today - relativedelta(years=1)
        period_start = regular._get_period(today)[0]
        # regular members, paid last year and this year
        for months in (30, 26, 20, 18, 15, 14, 13, 40):
            member = new(regular, today - relativedelta(months=months))
            pay(bill(member, year_ago), year_ago + timedelta(days=12))
            pay(bill(member, period_start), period_start + timedelta(days=9))
        # regular members invoiced this period, not paid yet (one paid in part)
        for months in (16, 22, 28, 35):
            member = new(regular, today - relativedelta(months=months))
            pay(bill(member, year_ago), year_ago + timedelta(days=20))
            bill(member, today)
        member = new(regular, today - relativedelta(months=3))
        pay(bill(member, today), today - timedelta(days=2), amount=50.0)
        # students: active, in grace and lapsed
        for days in (20, 90, 200, 300):
            member = new(student, today - timedelta(days=days))
            pay(bill(member, member.join_date), member.join_date + timedelta(days=3))
        for days in (5, 9, 12):
            join = today - relativedelta(years=1) - timedelta(days=days)
            member = new(student, join)
            pay(bill(member, join), join + timedelta(days=2))
        for months in (15, 18, 24):
            join = today - relativedelta(months=months)
            member = new(student, join)
            pay(bill(member, join), join + timedelta(days=4))
        # corporate members (companies)
        for name in DEMO_COMPANIES:
            login = name.lower().split()[0]
            member = new(
                corporate,
                today - relativedelta(months=10),
                person=(name, f"office.{login}"),
                is_company=True,
            )
            pay(bill(member, today), today - timedelta(days=30))
        # honorary and lifetime members
        for __ in range(2):
            bill(new(honorary, today - relativedelta(years=5)), today)
        for __ in range(2):
            member = new(lifetime, today - relativedelta(years=3))
            pay(bill(member, member.join_date), member.join_date + timedelta(days=1))
        # suspended for a stay abroad, withdrawn members
        for __ in range(2):
            member = new(regular, today - relativedelta(years=3))
            pay(bill(member, today), period_start + timedelta(days=5))
            member.write(
                {
                    "suspended_from": today - timedelta(days=20),
                    "suspended_until": today + timedelta(days=70),
                    "suspension_reason": "Stay abroad",
                }
            )
        for reason in reasons:
            member = new(regular, today - relativedelta(years=4))
            pay(bill(member, year_ago), year_ago + timedelta(days=7))
            member.write(
                {
                    "withdrawal_date": today - timedelta(days=40),
                    "withdrawal_reason_id": reason.id,
                }
            )
        # applicants who have not been invoiced yet
        for days in (1, 3, 6):
            new(regular, today - timedelta(days=days))
        # an invoice sent by mistake and cancelled by a credit note, then billed
        # again and paid; and one cancelled applicant
        member = new(regular, today - relativedelta(months=2))
        bill(member, today).action_cancel()
        pay(bill(member, today), today - timedelta(days=1))
        member = new(student, today - timedelta(days=4))
        bill(member, today).action_cancel()
        return True
