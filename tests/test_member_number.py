# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestMemberNumber(MembershipCommon):
    def test_numbers_follow_the_company_sequence(self):
        first = self.create_member(name="First")
        second = self.create_member(name="Second")
        self.assertTrue(first.member_number.startswith("M"))
        self.assertNotEqual(first.member_number, second.member_number)
        self.assertGreater(second.member_number, first.member_number)

    def test_each_company_has_its_own_sequence(self):
        other = self.setup_other_company(name="Second Society")["company"]
        here = self.create_member(name="Here")
        plan = self.env["membership.plan"].create(
            {"name": "Other", "code": "OTH", "fee": 10, "company_id": other.id}
        )
        there = (
            self.env["membership.member"]
            .with_company(other)
            .create({"name": "There", "plan_id": plan.id, "company_id": other.id})
        )
        sequences = self.env["ir.sequence"].search([("code", "=", "membership.member")])
        self.assertIn(here.company_id, sequences.company_id)
        self.assertIn(other, sequences.company_id)
        self.assertEqual(there.member_number, "M000001")

    def test_members_created_together_are_numbered_as_the_sequence_writes(self):
        sequence = self.env["membership.member"]._get_member_sequence(self.company)
        sequence.write({"prefix": "%(year)s-", "suffix": "/J", "padding": 4})
        first = sequence.number_next_actual
        members = self.env["membership.member"].create(
            [{"name": f"Batch {i}", "plan_id": self.plan_fixed.id} for i in range(3)]
        )
        # as Odoo's sequence writes them one at a time: year, padding, suffix
        self.assertEqual(
            members.mapped("member_number"),
            [sequence.get_next_char(first + i) for i in range(3)],
        )
        self.assertRegex(members[0].member_number, r"^\d{4}-\d{4}/J$")

    def test_numbers_are_never_reused(self):
        member = self.create_member(name="Leaving")
        number = member.member_number
        member.unlink()
        self.assertNotEqual(self.create_member(name="Next").member_number, number)

    @mute_logger("odoo.sql_db")
    def test_duplicate_number_in_a_company_is_refused(self):
        first = self.create_member(name="First")
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self.create_member(name="Copy", member_number=first.member_number)

    @mute_logger("odoo.sql_db")
    def test_one_member_per_contact_and_company(self):
        first = self.create_member(name="First")
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self.create_member(partner_id=first.partner_id.id)

    def test_member_cannot_be_duplicated(self):
        with self.assertRaisesRegex(UserError, "cannot be duplicated"):
            self.create_member().copy()
