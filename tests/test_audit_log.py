# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestAuditLog(MembershipCommon, HttpCase):
    """Logins, downloads, exports and personal-data changes are logged, append-only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = cls.create_member(
            partner_id=cls.portal_a.partner_id.id, name="Audited Member"
        )

    def entries(self, event):
        return self.env["membership.audit.log"].search(
            [("event", "=", event), ("member_id", "=", self.member.id)]
        )

    def test_logins_are_logged_and_new_addresses_flagged(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        self.assertEqual(len(self.entries("new_location_login")), 1)
        self.authenticate("mm_portal_a", "mm_portal_a")
        self.assertEqual(len(self.entries("login")), 1)

    def test_data_download_and_export_are_logged(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        self.url_open("/my/membership/data.json")
        self.assertEqual(len(self.entries("data_download")), 1)
        self.officer.group_ids |= self.env.ref("base.group_allow_export")
        self.member.with_user(self.officer).export_data(["name", "email"])
        export = self.env["membership.audit.log"].search([("event", "=", "export")])
        self.assertIn("name, email", export.description)
        self.assertEqual(export.user_id, self.officer)

    def test_personal_data_changes_are_logged_without_values(self):
        self.member.write({"phone": "+81312345678", "points": 5})
        change = self.entries("personal_data_change")
        self.assertEqual(change.description, "Phone")
        self.assertNotIn("312345678", change.description)

    def test_only_fields_whose_value_changed_are_logged_by_label(self):
        """A profile saved with all its fields logs the one that changed, by
        its label; saving it unchanged logs nothing."""
        member = self.member
        form = {
            "name": member.name,
            "email": member.email,
            "street": member.street or "",
            "zip": "",
            "city": "Kyoto",
            "country_id": member.country_id.id,
        }
        member.write(form)
        self.assertEqual(self.entries("personal_data_change").description, "City")
        member.write(form)
        self.assertEqual(len(self.entries("personal_data_change")), 1)

    def test_changes_made_on_the_contact_are_logged_too(self):
        """The contact form and the portal's own address page write the
        contact, not the member: the change is logged all the same, once,
        with the user who made it (the portal writes as superuser)."""
        partner = self.member.partner_id
        partner.with_user(self.portal_a).sudo().write({"city": "Kyoto"})
        change = self.entries("personal_data_change")
        self.assertEqual(len(change), 1)
        self.assertEqual(change.description, "City")
        self.assertEqual(change.user_id, self.portal_a)
        partner.write({"comment": "<p>Prefers e-mail</p>"})
        self.assertEqual(len(self.entries("personal_data_change")), 1)

    def test_log_is_append_only_for_everyone(self):
        self.member.phone = "+81300000000"
        entry = self.entries("personal_data_change")
        with self.assertRaises(UserError):
            entry.with_user(self.manager).write({"description": "rewritten"})
        with self.assertRaises(AccessError):
            entry.with_user(self.manager).unlink()
        # not even the superuser
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            entry.sudo().write({"description": "rewritten"})
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            entry.sudo().unlink()
        self.assertTrue(entry.with_user(self.manager).description)
        with self.assertRaises(AccessError):
            entry.with_user(self.officer).read(["description"])
