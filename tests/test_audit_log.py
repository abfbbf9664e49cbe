# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import base64
import contextlib
import re

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

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

    def sign_in(self, login, password=None):
        """Sign in through the login form, as a browser does (Odoo's
        ``authenticate`` of tests makes no HTTP request)."""
        page = self.url_open("/web/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return self.url_open(
            "/web/login",
            data={"login": login, "password": password or login, "csrf_token": token},
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

    def test_personal_data_changes_keep_old_and_new_values_for_managers(self):
        self.member.write({"phone": "+81312345678", "points": 5})
        self.member.write({"phone": "+81399999999"})
        change = self.entries("personal_data_change")[0]
        # the label in the description, the values in the managers' column
        self.assertEqual(change.description, "Phone")
        self.assertNotIn("399999999", change.description)
        self.assertEqual(change.changes, "Phone: +81312345678 \u2192 +81399999999")
        with self.assertRaises(AccessError):
            change.with_user(self.officer).read(["changes"])

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

    def test_failed_sign_ins_are_logged_with_the_login_typed(self):
        """Wrong passwords of a member, of staff and of nobody are logged on a
        cursor of their own (the refusal must not roll the entry back)."""
        Log = self.env["membership.audit.log"]
        for login in ("mm_portal_a", "mm_officer", "nobody@example.com"):
            with self.subTest(login=login), mute_logger("odoo.http"):
                self.sign_in(login, "wrong")
                entry = Log.search([("event", "=", "login_failed")], limit=1)
                self.assertEqual(entry.login, login)
                self.assertEqual(entry.ip_address, "127.0.0.1")
        member_entry = Log.search(
            [("event", "=", "login_failed"), ("login", "=", "mm_portal_a")]
        )
        self.assertEqual(member_entry.member_id, self.member)
        self.assertEqual(member_entry.user_id, self.portal_a)
        unknown = Log.search(
            [("event", "=", "login_failed"), ("login", "=", "nobody@example.com")]
        )
        self.assertFalse(unknown.user_id)

    def test_staff_sign_ins_are_logged_too(self):
        self.sign_in("mm_officer")
        entry = self.env["membership.audit.log"].search(
            [("user_id", "=", self.officer.id)], limit=1
        )
        self.assertEqual(entry.event, "new_location_login")
        self.assertFalse(entry.member_id)
        self.assertTrue(entry.user_agent)

    def test_a_new_address_mails_the_user_once(self):
        """The first sign-in ever alarms nobody; a new address mails "was this
        you?" once and is flagged; the same address again is a plain login."""
        Mail = self.env["mail.mail"].sudo()

        def warnings():
            return Mail.search(
                [
                    ("subject", "ilike", "Was this you"),
                    ("recipient_ids", "in", self.portal_a.partner_id.ids),
                ]
            )

        self.sign_in("mm_portal_a")
        self.assertFalse(warnings(), "the first sign-in ever")
        self.url_open("/web/session/logout")
        # the earlier sign-in came from elsewhere
        self.env.cr.execute(
            "UPDATE membership_audit_log SET ip_address = '198.51.100.7' "
            "WHERE user_id = %s",
            [self.portal_a.id],
        )
        self.env["membership.audit.log"].invalidate_model()
        self.sign_in("mm_portal_a")
        self.assertEqual(len(warnings()), 1)
        self.assertIn("127.0.0.1", warnings().body_html)
        flagged = self.entries("new_location_login").filtered("flagged")
        self.assertEqual(len(flagged), 1)
        self.url_open("/web/session/logout")
        self.sign_in("mm_portal_a")
        self.assertEqual(len(warnings()), 1, "once per new place")
        self.assertEqual(len(self.entries("new_location_login").filtered("flagged")), 1)

    def test_uploads_are_logged(self):
        """Bank files, member lists and documents attached to a member."""
        Log = self.env["membership.audit.log"]
        self.env["ir.attachment"].with_user(self.officer).create(
            {
                "name": "student-id.pdf",
                "raw": b"%PDF-1.4 test",
                "res_model": "membership.member",
                "res_id": self.member.id,
            }
        )
        entry = Log.search([("event", "=", "file_upload")], limit=1)
        self.assertEqual(entry.member_id, self.member)
        self.assertEqual(entry.user_id, self.officer)
        self.assertIn("student-id.pdf", entry.description)
        batch = (
            self.env["membership.payment.import"]
            .with_user(self.manager)
            .create(
                {
                    "file": base64.b64encode(b"date,amount,reference\n"),
                    "filename": "bank.csv",
                }
            )
        )
        with contextlib.suppress(UserError):
            batch.action_parse()
        entry = Log.search([("event", "=", "file_upload")], limit=1)
        self.assertIn("bank.csv", entry.description)
        self.assertEqual(entry.user_id, self.manager)

    def test_downloading_a_document_of_a_member_is_logged(self):
        """/web/content is a read-only route: the entry is written all the same."""
        attachment = self.env["ir.attachment"].create(
            {
                "name": "medical-note.pdf",
                "raw": b"%PDF-1.4 note",
                "res_model": "membership.member",
                "res_id": self.member.id,
            }
        )
        self.authenticate("mm_officer", "mm_officer")
        response = self.url_open(f"/web/content/{attachment.id}?download=true")
        self.assertEqual(response.content, b"%PDF-1.4 note")
        entry = self.env["membership.audit.log"].search(
            [("event", "=", "file_download")], limit=1
        )
        self.assertEqual(entry.member_id, self.member)
        self.assertEqual(entry.user_id, self.officer)
        self.assertEqual(entry.description, "medical-note.pdf")

    def test_exports_of_dues_registrations_and_contacts_are_logged(self):
        self.officer.group_ids |= self.env.ref("base.group_allow_export")
        Log = self.env["membership.audit.log"]
        for model in ("membership.dues", "event.registration", "res.partner"):
            with self.subTest(model=model):
                self.env[model].with_user(self.officer).search([], limit=2).export_data(
                    ["display_name"]
                )
                entry = Log.search([("event", "=", "export")], limit=1)
                self.assertIn(self.env[model]._description, entry.description)
                self.assertEqual(entry.user_id, self.officer)

    def test_purge_deletes_only_entries_past_the_retention_and_logs_itself(self):
        Log = self.env["membership.audit.log"]
        self.env["ir.config_parameter"].sudo().set_param(
            "membership_management.audit_retention_years", "3"
        )
        self.member.phone = "+81311111111"
        old, recent = self.entries("personal_data_change"), Log._log("export")
        self.env.cr.execute(
            "UPDATE membership_audit_log SET date = now() - interval '3 years 1 day' "
            "WHERE id = %s",
            [old.id],
        )
        self.env.cr.execute(
            "UPDATE membership_audit_log "
            "SET date = now() - interval '2 years 364 days' WHERE id = %s",
            [recent.id],
        )
        Log.invalidate_model()
        self.assertEqual(self.run_job(Log._cron_purge_expired), 0)
        self.assertFalse(old.exists())
        self.assertTrue(recent.exists())
        purge = Log.search([("event", "=", "audit_purge")])
        self.assertIn("1 entries", purge.description)

    @mute_logger("odoo.http")
    def test_staff_handling_member_data_can_be_required_to_use_two_factor(self):
        """Policy "staff handling member data": a membership officer without an
        app gets a code by e-mail; an employee outside membership does not."""
        self.env["ir.config_parameter"].sudo().set_param(
            "auth_totp.policy", "membership_staff_required"
        )
        self.assertEqual(self.officer._mfa_type(), "totp_mail")
        self.assertIsNone(self.employee._mfa_type())
        self.assertIsNone(self.portal_a._mfa_type())
