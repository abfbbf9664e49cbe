# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command, Domain
from odoo.tests import freeze_time, tagged

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestSegments(MembershipCommon):
    """The shipped segments on edge data; injected domains refused; staff only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the segments count days from today: a run crossing midnight must
        # not move "today" between building the data and reading it
        cls.startClassPatcher(freeze_time(fields.Datetime.now().replace(hour=12)))
        today = cls.today = fields.Date.today()
        year = relativedelta(years=1)

        def paid_member(name, join):
            return cls.create_paid_member(join, name=name)

        cls.active = paid_member("Active", today - timedelta(days=30))
        cls.unpaid = cls.create_member(
            plan=cls.plan_rolling, join_date=today - timedelta(days=40), name="Unpaid"
        )
        cls.unpaid._create_period_dues(cls.unpaid.join_date)
        # coverage ends exactly 30 and 31 days from today
        cls.expiring_30 = paid_member("Expiring 30", today + timedelta(days=31) - year)
        cls.expiring_31 = paid_member("Expiring 31", today + timedelta(days=32) - year)
        # grace (15 days) ended 60 and 120 days ago
        cls.lapsed_60 = paid_member("Lapsed 60", today - timedelta(days=74) - year)
        cls.lapsed_120 = paid_member("Lapsed 120", today - timedelta(days=134) - year)
        cls.new = cls.create_member(plan=cls.plan_rolling, join_date=today, name="New")
        cls.born_this_month = cls.active
        cls.active.birth_date = today.replace(year=1990, day=1)
        cls.unpaid.birth_date = (
            today.replace(day=1) + relativedelta(months=1)
        ).replace(year=1990)
        start = fields.Datetime.now() - timedelta(days=500)
        event = cls.env["event.event"].create(
            {
                "name": "Past Meeting",
                "date_begin": start,
                "date_end": start + timedelta(hours=1),
                "event_mail_ids": [Command.clear()],
            }
        )
        for member, days in ((cls.expiring_30, 90), (cls.expiring_31, 400)):
            registration = cls.env["event.registration"].create(
                {"event_id": event.id, "partner_id": member.partner_id.id}
            )
            registration.write(
                {
                    "state": "done",
                    "date_closed": datetime.combine(
                        today - timedelta(days=days), time(12)
                    ),
                }
            )
        cls.ours = (
            cls.active
            | cls.unpaid
            | cls.expiring_30
            | cls.expiring_31
            | cls.lapsed_60
            | cls.lapsed_120
            | cls.new
        )

    def members_of(self, xmlid):
        segment = self.env.ref(f"membership_management.{xmlid}")
        return self.env["membership.member"].search(
            Domain.AND([segment._get_domain(), [("id", "in", self.ours.ids)]])
        )

    def test_states_are_as_built(self):
        self.assertEqual(self.active.state, "active")
        self.assertEqual(self.unpaid.state, "waiting")
        self.assertEqual(self.expiring_30.date_end, self.today + timedelta(days=30))
        self.assertEqual(self.lapsed_60.state, "lapsed")
        self.assertEqual(self.lapsed_60.grace_end, self.today - timedelta(days=60))

    def test_active_members(self):
        self.assertEqual(
            self.members_of("segment_active"),
            self.active | self.expiring_30 | self.expiring_31,
        )

    def test_dues_unpaid(self):
        self.assertEqual(self.members_of("segment_unpaid"), self.unpaid)
        self.assertTrue(self.unpaid.has_unpaid_dues)
        self.assertFalse(self.active.has_unpaid_dues)

    def test_expiring_in_30_days_includes_day_30_not_31(self):
        self.assertEqual(self.members_of("segment_expiring_30"), self.expiring_30)

    def test_lapsed_in_the_last_90_days(self):
        self.assertEqual(self.members_of("segment_lapsed_90"), self.lapsed_60)

    def test_new_this_month(self):
        found = self.members_of("segment_new_month")
        self.assertIn(self.new, found)
        self.assertNotIn(self.unpaid, found)

    def test_birthday_this_month(self):
        self.assertEqual(self.members_of("segment_birthday_month"), self.active)
        self.assertEqual(self.active.birth_month, self.today.month)

    def test_attended_an_event_in_the_last_12_months(self):
        self.assertEqual(self.members_of("segment_attended_12m"), self.expiring_30)

    def test_member_count_is_one_query(self):
        segment = self.env.ref("membership_management.segment_active")
        self.assertTrue(segment.member_count)  # flush pending work, warm caches
        segment.invalidate_recordset(["member_count"])
        with self.assertQueryCount(1):
            self.assertGreaterEqual(segment.member_count, 3)

    def test_invalid_or_injected_domains_are_refused(self):
        Segment = self.env["membership.segment"]
        for domain in (
            "[('no_such_field', '=', 1)]",
            "__import__('os').system('echo pwned')",
            "[('state', '=', 'active')] + __import__('os').listdir('/')",
            "{'state': 'active'}",
            "[('state', 'like')]",
        ):
            with self.subTest(domain=domain), self.assertRaises(ValidationError):
                Segment.create({"name": "Bad", "domain": domain})

    def test_segments_are_staff_only(self):
        segment = self.env.ref("membership_management.segment_active")
        for user in (self.portal_a, self.employee):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                segment.with_user(user).read(["name", "domain"])
        officer_segment = (
            self.env["membership.segment"]
            .with_user(self.officer)
            .create({"name": "Tokyo", "domain": "[('city', '=', 'Tokyo')]"})
        )
        self.assertEqual(officer_segment.member_count, 0)
