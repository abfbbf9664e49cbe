# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.fields import Command

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
# postal addresses of the first demo members, for the address labels
DEMO_ADDRESSES = [
    ("100-0005", "base.state_jp_jp-13", "千代田区", "丸の内1-9-1"),
    ("604-8005", "base.state_jp_jp-26", "京都市中京区", "河原町通三条上る恵比須町427"),
    ("530-0001", "base.state_jp_jp-27", "大阪市北区", "梅田3-1-1"),
    ("150-0002", "base.state_jp_jp-13", "渋谷区", "渋谷2-21-1"),
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
        people = iter(DEMO_PEOPLE)
        self._demo_populate_paying(people)
        self._demo_populate_special(people)
        self._demo_populate_direct_debit()
        self._demo_populate_addresses()
        self._demo_replay_history()
        return True

    def _demo_populate_addresses(self):
        """Japanese postal addresses for the first twelve members, so that the
        address labels have something to print."""
        members = self.search(
            [("company_id", "=", self.env.company.id), ("is_company", "=", False)],
            order="id",
            limit=12,
        )
        japan = self.env.ref("base.jp")
        for index, member in enumerate(members):
            zip_code, state, city, street = DEMO_ADDRESSES[index % len(DEMO_ADDRESSES)]
            member.write(
                {
                    "zip": zip_code,
                    "state_id": self.env.ref(state).id,
                    "city": city,
                    "street": street,
                    "country_id": japan.id,
                }
            )

    def _demo_replay_history(self):
        """Date the demo members' status history as if the addon had run all
        along: the story is created today, so every change would otherwise
        be dated today and the reports would start this month. From the join
        date, the state function is asked for the state and its next
        boundary, and each change is written on its day."""
        today = fields.Date.context_today(self)
        members = self.search([("company_id", "=", self.env.company.id)])
        self.env.flush_all()
        rows = []
        for member in members:
            day, state = member.join_date, False
            while day and day <= today:
                values = member._get_state_values(day)
                if values["state"] != state:
                    rows.append(
                        {
                            "member_id": member.id,
                            "old_state": state,
                            "new_state": values["state"],
                            "reason_data": values["reason"],
                            "effective_date": day,
                            "date": datetime.combine(day, time(9)),
                            "source": "system",
                        }
                    )
                    state = values["state"]
                day = values["state_next_date"]
        History = self.env["membership.status.history"].sudo()
        History.search([("member_id", "in", members.ids)]).unlink()
        History.create(rows)

    def _demo_populate_direct_debit(self):
        """Two members pay by 口座振替 (a collection is ready to send to the
        bank), a third one's form is not back from the bank yet."""
        company = self.env.company
        if not company.membership_debit_consignor_code:
            company.write(
                {
                    "membership_debit_consignor_code": "1234567890",
                    "membership_debit_consignor_name": "ｼﾔ)ﾆﾎﾝｶｶﾞｸｷﾖｳｶｲ",
                    "membership_debit_bank_code": "0001",
                    "membership_debit_bank_name": "ﾐｽﾞﾎ",
                    "membership_debit_branch_code": "001",
                    "membership_debit_branch_name": "ﾄｳｷﾖｳ",
                    "membership_debit_account_number": "1234567",
                }
            )
        unpaid = self.search(
            [("company_id", "=", company.id), ("state", "=", "waiting")],
            order="id",
            limit=3,
        )
        Mandate = self.env["membership.direct.debit.mandate"]
        accounts = [("0005", "123", "7654321"), ("0009", "456", "0012345")]
        accounts.append(("0001", "001", "2222222"))
        mandates = Mandate.create(
            [
                {
                    "member_id": member.id,
                    "bank_code": bank,
                    "branch_code": branch,
                    "account_number": number,
                    # banks take upper-case Latin letters too
                    "holder_name": "".join(
                        c for c in member.name if c.isalpha() or c == " "
                    ),
                }
                for member, (bank, branch, number) in zip(
                    unpaid, accounts, strict=False
                )
            ]
        )
        mandates[:2].action_activate()
        journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
        )
        if journal and mandates:
            today = fields.Date.context_today(self)
            batch = self.env["membership.direct.debit.batch"].create(
                {
                    "debit_date": (today + relativedelta(months=1)).replace(day=27),
                    "journal_id": journal.id,
                }
            )
            batch.action_collect()

    def _demo_new(self, people, plan, join_date, person=None, **extra):
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

    def _demo_pay(self, dues, day, amount=None):
        """Pay the invoices of ``dues`` (or the invoices given)."""
        moves = dues.move_id if dues._name == "membership.dues" else dues
        for move in moves:
            vals = {"payment_date": day}
            if amount:
                vals["amount"] = amount
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=move.ids
            ).create(vals)._create_payments()

    def _demo_populate_paying(self, people):
        """Regular members (paid, unpaid, paid in part) and students (active, in
        grace, lapsed)."""
        today = fields.Date.context_today(self)
        regular = self.env.ref("membership_management.membership_plan_regular_demo")
        student = self.env.ref("membership_management.membership_plan_student_demo")
        new, pay = self._demo_new, self._demo_pay
        year_ago = today - relativedelta(years=1)
        period_start = regular._get_period(today)[0]
        for months in (30, 26, 20, 18, 15, 14, 13, 40):
            member = new(people, regular, today - relativedelta(months=months))
            pay(member._create_period_dues(year_ago), year_ago + timedelta(days=12))
            pay(
                member._create_period_dues(period_start),
                period_start + timedelta(days=9),
            )
        for months in (16, 22, 28, 35):
            member = new(people, regular, today - relativedelta(months=months))
            pay(member._create_period_dues(year_ago), year_ago + timedelta(days=20))
            member._create_period_dues(today)
        member = new(people, regular, today - relativedelta(months=3))
        pay(member._create_period_dues(today), today - timedelta(days=2), amount=50.0)
        for days in (20, 90, 200, 300):
            member = new(people, student, today - timedelta(days=days))
            pay(
                member._create_period_dues(member.join_date),
                member.join_date + timedelta(days=3),
            )
        for days in (5, 9, 12):  # in grace
            join = today - relativedelta(years=1) - timedelta(days=days)
            member = new(people, student, join)
            pay(member._create_period_dues(join), join + timedelta(days=2))
        for months in (15, 18, 24):  # lapsed
            join = today - relativedelta(months=months)
            member = new(people, student, join)
            pay(member._create_period_dues(join), join + timedelta(days=4))

    def _demo_populate_special(self, people):
        """Companies, honorary and lifetime members, suspensions, withdrawals,
        applicants and a cancelled invoice."""
        ref = self.env.ref
        today = fields.Date.context_today(self)
        regular = ref("membership_management.membership_plan_regular_demo")
        period_start = regular._get_period(today)[0]
        new, pay = self._demo_new, self._demo_pay
        for name in DEMO_COMPANIES:
            login = name.lower().split()[0]
            member = new(
                people,
                ref("membership_management.membership_plan_corporate_demo"),
                today - relativedelta(months=10),
                person=(name, f"office.{login}"),
                is_company=True,
            )
            pay(member._create_period_dues(today), today - timedelta(days=30))
        for __ in range(2):
            new(
                people,
                ref("membership_management.membership_plan_honorary_demo"),
                today - relativedelta(years=5),
            )._create_period_dues(today)
        for __ in range(2):
            member = new(
                people,
                ref("membership_management.membership_plan_lifetime_demo"),
                today - relativedelta(years=3),
            )
            pay(
                member._create_period_dues(member.join_date),
                member.join_date + timedelta(days=1),
            )
        for __ in range(2):  # suspended for a stay abroad
            member = new(people, regular, today - relativedelta(years=3))
            pay(member._create_period_dues(today), period_start + timedelta(days=5))
            member.write(
                {
                    "suspended_from": today - timedelta(days=20),
                    "suspended_until": today + timedelta(days=70),
                    "suspension_reason": "Stay abroad",
                }
            )
        year_ago = today - relativedelta(years=1)
        for xmlid in ("withdrawal_reason_moved", "withdrawal_reason_no_time"):
            member = new(people, regular, today - relativedelta(years=4))
            pay(member._create_period_dues(year_ago), year_ago + timedelta(days=7))
            member.write(
                {
                    "withdrawal_date": today - timedelta(days=40),
                    "withdrawal_reason_id": ref(f"membership_management.{xmlid}").id,
                }
            )
        for days in (1, 3, 6):  # applicants not invoiced yet
            new(people, regular, today - timedelta(days=days))
        # an invoice sent by mistake, cancelled by a credit note, billed again
        member = new(people, regular, today - relativedelta(months=2))
        member._create_period_dues(today).action_cancel()
        pay(member._create_period_dues(today), today - timedelta(days=1))
        student = ref("membership_management.membership_plan_student_demo")
        member = new(people, student, today - timedelta(days=4))
        member._create_period_dues(today).action_cancel()

    @api.model
    def _demo_populate_events(self):
        """Three member events around the day the demo is installed: a
        general assembly for members only, a seminar with member prices and
        fees (paid and unpaid), and a past evening whose attendance shows on
        the members' history. The demo portal user (login ``portal``) is a
        member registered for the seminar."""
        # as for demo records: the events' scheduled mails do not run (Odoo's
        # event mail code would commit in the middle of the install)
        self = self.with_context(install_mode=True)  # noqa: PLW0642
        Event = self.env["event.event"]
        if Event.search_count([("membership_published", "=", True)]):
            return
        members = self.search(
            [("company_id", "=", self.env.company.id), ("is_company", "=", False)],
            order="id",
        )
        active = members.filtered(lambda m: m.state == "active")
        portal_member = self._demo_portal_member()
        today = fields.Date.context_today(self)

        def at(days, hour):
            return datetime.combine(today + timedelta(days=days), time(hour))

        assembly = Event.create(
            {
                "name": "Annual General Assembly",
                "date_begin": at(20, 9),
                "date_end": at(20, 12),
                "membership_published": True,
                "membership_points": 20,
                "seats_limited": True,
                "seats_max": 120,
                "event_ticket_ids": [
                    Command.create(
                        {"name": "Member", "price": 0.0, "members_only": True}
                    )
                ],
            }
        )
        seminar = Event.create(
            {
                "name": "Spring Research Seminar",
                "date_begin": at(35, 13),
                "date_end": at(35, 17),
                "membership_published": True,
                "membership_points": 30,
                "membership_cancel_days": 7,
                "event_ticket_ids": [
                    Command.create(
                        {
                            "name": "Standard",
                            "price": 50.0,
                            "has_member_price": True,
                            "member_price": 30.0,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Members' Dinner",
                            "price": 40.0,
                            "members_only": True,
                        }
                    ),
                ],
            }
        )
        evening = Event.create(
            {
                "name": "New Year Networking Evening",
                "date_begin": at(-40, 18),
                "date_end": at(-40, 21),
                "membership_published": True,
                "membership_points": 50,
                "event_ticket_ids": [Command.create({"name": "Entry", "price": 0.0})],
            }
        )
        Registration = self.env["event.registration"]
        Registration.create(
            [
                {
                    "event_id": assembly.id,
                    "event_ticket_id": assembly.event_ticket_ids.id,
                    "partner_id": member.partner_id.id,
                }
                for member in active[:10]
            ]
        )
        standard = seminar.event_ticket_ids.filtered(lambda t: not t.members_only)
        seminar_regs = Registration.create(
            [
                {
                    "event_id": seminar.id,
                    "event_ticket_id": standard.id,
                    "partner_id": partner.id,
                }
                for partner in (active[10:15].partner_id | portal_member.partner_id)
            ]
        )
        for registration in seminar_regs[:3]:
            self._demo_pay(registration.membership_fee_move_id, today)
        guest = self.env["res.partner"].create(
            {"name": "Pat Guest", "email": "pat.guest@example.com"}
        )
        Registration.create(
            {
                "event_id": seminar.id,
                "event_ticket_id": standard.id,
                "partner_id": guest.id,
            }
        )
        evening_regs = Registration.create(
            [
                {
                    "event_id": evening.id,
                    "event_ticket_id": evening.event_ticket_ids.id,
                    "partner_id": member.partner_id.id,
                }
                for member in members[:10]
                if member.state not in ("withdrawn", "draft")
            ]
        )
        # attending earns the evening's 50 points; staff gave some more
        evening_regs[:-2].write({"state": "done", "date_closed": evening.date_end})
        self.env["membership.points.line"].create(
            [
                {
                    "member_id": active[0].id,
                    "points": 480,
                    "reason": "Board member, term 2025–2026",
                },
                {
                    "member_id": active[1].id,
                    "points": 80,
                    "reason": "Volunteer at the summer fair",
                },
            ]
        )
        return True

    @api.model
    def _demo_populate_saved_card(self):
        """The demo portal member saved a card with Odoo's demo provider and
        pays their dues with it (only where ``payment_demo`` is installed)."""
        method = self.env.ref("payment_demo.payment_method_demo", False)
        provider = self.env.ref("payment.payment_provider_demo", False)
        member = self._demo_portal_member()
        if not (method and provider and member) or provider.state == "disabled":
            return
        if member.auto_charge_token_id:
            return
        token = (
            self.env["payment.token"]
            .sudo()
            .create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": method.id,
                    "partner_id": member.partner_id.id,
                    "payment_details": "4242",
                    "provider_ref": f"demo-saved-card-{member.id}",
                    "demo_simulated_state": "done",
                }
            )
        )
        member._set_auto_charge(token.id)

    @api.model
    def _demo_portal_member(self):
        """Make Odoo's demo portal user a paying member."""
        partner = self.env.ref("base.partner_demo_portal", raise_if_not_found=False)
        if not partner:
            return self.browse()
        member = self.search([("partner_id", "=", partner.id)], limit=1)
        if member:
            return member
        today = fields.Date.context_today(self)
        member = self.create(
            {
                "partner_id": partner.id,
                "plan_id": self.env.ref(
                    "membership_management.membership_plan_regular_demo"
                ).id,
                "join_date": today - timedelta(days=200),
            }
        )
        self._demo_pay(member._create_period_dues(today), today - timedelta(days=150))
        return member
