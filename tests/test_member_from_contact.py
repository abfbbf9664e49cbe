# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import datetime

from odoo.tests import tagged

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestMemberFromContact(MembershipCommon):
    """An existing contact made a member (the join form, an import, staff)
    keeps its own data: the member's create does not write the contact."""

    def test_a_contact_made_a_member_is_not_rewritten(self):
        definition = self.env[
            "properties.base.definition"
        ]._get_definition_for_property_field("res.partner", "properties")
        definition.properties_definition = [
            {"name": "shoe_size", "string": "Shoe size", "type": "integer"}
        ]
        contacts = self.env["res.partner"].create(
            [
                {"name": f"Contact {i}", "properties": {"shoe_size": 40 + i}}
                for i in range(3)
            ]
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET write_date = '2020-01-01' WHERE id IN %s",
            [tuple(contacts.ids)],
        )
        contacts.invalidate_recordset()
        with self.assertQueryCount(28):
            members = self.env["membership.member"].create(
                [
                    {"partner_id": contact.id, "plan_id": self.plan_fixed.id}
                    for contact in contacts
                ]
            )
            self.env.flush_all()
        self.assertEqual(members.partner_id, contacts)
        contacts.invalidate_recordset()
        for i, contact in enumerate(contacts):
            self.assertEqual(contact.properties["shoe_size"], 40 + i)
            self.assertEqual(contact.write_date, datetime(2020, 1, 1))
