# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.fields import Command
from odoo.tests import freeze_time, new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class RolledBackRaisesMixin:
    """``assertRaisesRegex`` rolls the refused operation back, as Odoo's
    ``assertRaises`` does (a savepoint): unittest's own keeps whatever the
    operation wrote before it raised, for the rest of the test to trip on."""

    def assertRaisesRegex(
        self, expected_exception, expected_regex, *args, rollback=True, **kwargs
    ):
        """``rollback=False``: unittest's own, for a test that simulates a
        crash with savepoints of its own and wants what was written kept."""
        if not rollback:
            return super().assertRaisesRegex(
                expected_exception, expected_regex, *args, **kwargs
            )
        if args:
            func, *args = args
            with self._raises_regex_rolled_back(expected_exception, expected_regex):
                func(*args, **kwargs)
            return None
        return self._raises_regex_rolled_back(
            expected_exception, expected_regex, **kwargs
        )

    @contextmanager
    def _raises_regex_rolled_back(self, expected_exception, expected_regex, msg=None):
        with self.assertRaises(expected_exception, msg=msg) as caught:
            yield caught
        self.assertRegex(str(caught.exception), expected_regex, msg=msg)


class MembershipCommon(RolledBackRaisesMixin, AccountTestInvoicingCommon):
    """Plans of every kind, staff and portal users, and helpers to bill and pay."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref(
            "membership_management.group_membership_manager"
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        Plan = cls.env["membership.plan"]
        cls.plan_fixed = Plan.create(
            {
                "name": "Regular",
                "code": "T-REG",
                "fee": 120.0,
                "entry_fee": 20.0,
                "period_type": "fixed",
                "fixed_start_month": 4,
                "fixed_start_day": 1,
                "prorate": True,
                "grace_days": 30,
            }
        )
        cls.plan_rolling = Plan.create(
            {
                "name": "Student",
                "code": "T-STU",
                "fee": 40.0,
                "period_type": "rolling",
                "grace_days": 15,
            }
        )
        cls.plan_lifetime = Plan.create(
            {
                "name": "Lifetime",
                "code": "T-LIFE",
                "fee": 1500.0,
                "period_type": "lifetime",
            }
        )
        cls.plan_free = Plan.create(
            {
                "name": "Honorary",
                "code": "T-HON",
                "plan_type": "free",
                "period_type": "fixed",
                "fixed_start_month": 1,
            }
        )
        company_ids = cls.company.ids
        cls.officer = new_test_user(
            cls.env,
            login="mm_officer",
            groups="base.group_user,membership_management.group_membership_user",
            company_id=cls.company.id,
            company_ids=company_ids,
        )
        cls.manager = new_test_user(
            cls.env,
            login="mm_manager",
            groups="base.group_user,membership_management.group_membership_manager",
            company_id=cls.company.id,
            company_ids=company_ids,
        )
        cls.employee = new_test_user(
            cls.env,
            login="mm_employee",
            groups="base.group_user",
            company_id=cls.company.id,
            company_ids=company_ids,
        )
        cls.portal_a = new_test_user(
            cls.env,
            login="mm_portal_a",
            name="Portal Member A",
            email="a@example.com",
            groups="base.group_portal",
            company_id=cls.company.id,
            company_ids=company_ids,
        )
        cls.portal_b = new_test_user(
            cls.env,
            login="mm_portal_b",
            name="Portal Member B",
            email="b@example.com",
            groups="base.group_portal",
            company_id=cls.company.id,
            company_ids=company_ids,
        )

    @classmethod
    def create_member(cls, plan=None, join_date=date(2026, 4, 1), **vals):
        return cls.env["membership.member"].create(
            {
                "name": vals.pop("name", "Test Member"),
                "email": vals.pop("email", "member@example.com"),
                "plan_id": (plan or cls.plan_fixed).id,
                "join_date": join_date,
                **vals,
            }
        )

    @classmethod
    def create_paid_member(cls, join_date, **vals):
        """A student (rolling plan) member whose first period is billed and
        paid on ``join_date``."""
        member = cls.create_member(plan=cls.plan_rolling, join_date=join_date, **vals)
        cls.pay(member._create_period_dues(join_date).move_id, join_date)
        return member

    @classmethod
    def pay(cls, moves, pay_date, amount=None):
        """Register a payment on ``moves`` like the "Register Payment" button."""
        vals = {"payment_date": pay_date}
        if amount is not None:
            vals["amount"] = amount
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create(vals)
            ._create_payments()
        )

    @classmethod
    def bill(cls, member, day):
        return member._create_period_dues(day)

    def run_job(self, job, day=None, **kwargs):
        """Run a scheduled job's method as its cron would (on ``day`` when
        given) and return how many times it committed."""
        commits = []
        with ExitStack() as stack:
            if day:
                stack.enter_context(freeze_time(f"{day} 12:00:00"))
            stack.enter_context(
                patch.object(self.env.cr, "commit", lambda: commits.append(1))
            )
            job(**kwargs)
        return len(commits)


class MembershipEventCommon(MembershipCommon):
    """A member (portal user A), a non-member (portal user B) and a seminar with
    a standard ticket (member price), a members-only ticket and a free one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member_a = cls.create_paid_member(
            fields.Date.today() - timedelta(days=30),
            partner_id=cls.portal_a.partner_id.id,
            name="Portal Member A",
        )
        cls.non_member = cls.portal_b.partner_id
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=10)
        cls.event = cls.env["event.event"].create(
            {
                "name": "Spring Seminar",
                "date_begin": start,
                "date_end": start + timedelta(hours=3),
                "membership_published": True,
                "event_mail_ids": [Command.clear()],
                "company_id": cls.company.id,
            }
        )
        Ticket = cls.env["event.event.ticket"]
        cls.ticket_standard = Ticket.create(
            {
                "event_id": cls.event.id,
                "name": "Standard",
                "price": 50.0,
                "has_member_price": True,
                "member_price": 30.0,
            }
        )
        cls.ticket_members = Ticket.create(
            {
                "event_id": cls.event.id,
                "name": "Members' Dinner",
                "price": 20.0,
                "members_only": True,
            }
        )
        cls.ticket_free = Ticket.create(
            {"event_id": cls.event.id, "name": "Lecture Only", "price": 0.0}
        )

    @classmethod
    def register(cls, partner, ticket, **vals):
        return cls.env["event.registration"].create(
            {
                "event_id": ticket.event_id.id,
                "event_ticket_id": ticket.id,
                "partner_id": partner.id,
                **vals,
            }
        )
