# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import MembershipEventCommon


@tagged("post_install", "-at_install")
class TestPointsAndTiers(MembershipEventCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["membership.tier"].search([]).active = False  # demo tiers
        Tier = cls.env["membership.tier"]
        cls.bronze = Tier.create({"name": "T-Bronze", "min_points": 0})
        cls.silver = Tier.create({"name": "T-Silver", "min_points": 100})
        cls.gold = Tier.create({"name": "T-Gold", "min_points": 500})
        cls.member = cls.create_member(name="Pointy")

    def add(self, points, member=None, user=None):
        Line = self.env["membership.points.line"]
        if user:
            Line = Line.with_user(user)
        return Line.create(
            {
                "member_id": (member or self.member).id,
                "points": points,
                "reason": "Test",
            }
        )

    def test_points_are_the_sum_of_the_ledger(self):
        self.add(30)
        self.add(-10)
        self.assertEqual(self.member.points, 20)

    def test_entries_cannot_be_changed_only_corrected(self):
        line = self.add(30)
        with self.assertRaisesRegex(UserError, "opposite points"):
            line.write({"points": 300})
        with self.assertRaisesRegex(ValidationError, "number of points"):
            self.add(0)
        self.assertEqual(self.member.points, 30)

    def test_points_rank_the_member_up_and_never_down(self):
        self.assertEqual(self.member.tier_id, self.bronze)
        self.add(120)
        self.assertEqual(self.member.tier_id, self.silver)
        self.add(-50)
        self.assertEqual(self.member.tier_id, self.silver)
        self.add(450)
        self.assertEqual(self.member.tier_id, self.gold)

    def test_a_tier_set_by_staff_above_the_points_is_kept(self):
        self.member.tier_id = self.gold
        self.add(10)
        self.assertEqual(self.member.tier_id, self.gold)

    def test_lowering_a_tier_minimum_ranks_members_up_at_once(self):
        self.add(150)
        self.assertEqual(self.member.tier_id, self.silver)
        self.gold.min_points = 150
        self.assertEqual(self.member.tier_id, self.gold)

    def test_attending_an_event_earns_its_points_once(self):
        self.event.membership_points = 25
        registration = self.register(self.member_a.partner_id, self.ticket_free)
        registration.action_set_done()
        self.assertEqual(self.member_a.points, 25)
        line = self.member_a.points_line_ids
        self.assertEqual(line.registration_id, registration)
        self.assertIn("Spring Seminar", line.reason)
        # a second check-in, or attended again after a mistake: nothing more
        registration.action_set_done()
        registration.write({"state": "open"})
        registration.action_set_done()
        self.assertEqual(self.member_a.points, 25)
        self.assertEqual(len(self.member_a.points_line_ids), 1)

    def test_a_registration_created_as_attended_earns_points(self):
        self.event.membership_points = 10
        self.register(self.member_a.partner_id, self.ticket_free, state="done")
        self.assertEqual(self.member_a.points, 10)

    def test_attendance_without_points_or_membership_earns_nothing(self):
        registration = self.register(self.member_a.partner_id, self.ticket_free)
        registration.action_set_done()  # the event gives no points
        self.event.membership_points = 25
        guest = self.register(self.non_member, self.ticket_free)
        guest.action_set_done()
        self.assertFalse(
            self.env["membership.points.line"].search(
                [("registration_id", "in", (registration | guest).ids)]
            )
        )

    def test_officers_add_points_but_cannot_change_or_delete_them(self):
        line = self.add(40, user=self.officer)
        self.assertEqual(self.member.points, 40)
        with self.assertRaises(UserError):
            line.with_user(self.officer).write({"points": 400})
        with self.assertRaises(AccessError):
            line.with_user(self.officer).unlink()
        with self.assertRaises(AccessError):
            self.add(40, user=self.employee)

    def test_portal_members_see_only_their_own_points(self):
        own = self.add(15, member=self.member_a)
        other = self.add(15)
        Line = self.env["membership.points.line"]
        self.assertEqual(Line.with_user(self.portal_a).search([]), own)
        self.assertFalse(Line.with_user(self.portal_b).search([]))
        with self.assertRaises(AccessError):
            other.with_user(self.portal_a).read(["points"])
        with self.assertRaises(AccessError):
            self.add(1000, member=self.member_a, user=self.portal_a)
