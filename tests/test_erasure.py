# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import MembershipCommon

TEXT_TYPES = ("char", "text", "html")


@tagged("post_install", "-at_install")
class TestErasure(MembershipCommon):
    """*Erase Personal Data*: no personal field left on the member, its contact,
    messages or attachments; accounting documents kept valid; managers only,
    audited, once; a member who asked is neither billed, mailed nor
    registered."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        cls.member = cls.create_paid_member(
            today - timedelta(days=30),
            partner_id=cls.portal_a.partner_id.id,
            name="Hanako Erasable",
            email="hanako.erasable@example.com",
            phone="+81312345678",
            street="1-2-3 Gion",
            zip="605-0001",
            city="Kyoto",
            name_kana="ハナコ イレイサブル",
            birth_date="1990-05-17",
            notes="<p>Allergic to peanuts</p>",
        )
        cls.invoice = cls.member.dues_ids.move_id
        cls.personal_values = (
            "Hanako",
            "Erasable",
            "hanako.erasable",
            "312345678",
            "Gion",
            "605-0001",
            "Kyoto",
            "ハナコ",
            "1990-05-17",
            "peanuts",
        )
        cls.member.message_post(body="Hanako Erasable called about Kyoto")
        cls.member.message_post(
            body="ID card",
            attachments=[("id-card.txt", b"Hanako Erasable, Kyoto")],
        )
        cls.env["mailing.contact"].create(
            {"name": "Hanako Erasable", "email": "hanako.erasable@example.com"}
        )

    def erase(self):
        return self.member.with_user(self.manager).action_erase_personal_data()

    def assert_no_personal_value(self, record, where):
        for fname, field in record._fields.items():
            if field.type not in TEXT_TYPES or not field.store:
                continue
            value = str(record[fname] or "")
            for personal in self.personal_values:
                self.assertNotIn(personal, value, f"{where}.{fname}")

    def test_erasure_leaves_no_personal_field_behind(self):
        partner = self.member.partner_id
        user = self.portal_a
        self.erase()
        self.member.invalidate_recordset()
        partner.invalidate_recordset()
        # the contract
        for fname in ("email", "phone", "street", "zip", "city"):
            self.assertFalse(partner[fname], fname)
        self.assertFalse(self.member.birth_date)
        self.assertNotIn("Hanako", partner.name)
        self.assertEqual(partner.name, f"Erased member {self.member.member_number}")
        # every text field of the member and its contact
        self.assert_no_personal_value(self.member, "member")
        self.assert_no_personal_value(partner, "partner")
        # messages and attachments: only the erasure note remains
        messages = self.env["mail.message"].search(
            [
                "|",
                "&",
                ("model", "=", "membership.member"),
                ("res_id", "=", self.member.id),
                "&",
                ("model", "=", "res.partner"),
                ("res_id", "=", partner.id),
            ]
        )
        self.assertEqual(len(messages), 1)
        self.assertIn("Personal data erased", str(messages.body))
        for message in messages:
            self.assert_no_personal_value(message, "message")
            for tracking in message.tracking_value_ids:
                self.assert_no_personal_value(tracking, "tracking")
        attachments = self.env["ir.attachment"].search(
            [
                ("res_model", "in", ("membership.member", "res.partner")),
                ("res_id", "in", (self.member.id, partner.id)),
            ]
        )
        self.assertFalse(attachments)
        # no way back in, no card, no list
        user.invalidate_recordset()
        self.assertFalse(user.active)
        self.assertNotIn("hanako", user.login)
        self.assertFalse(
            self.env["membership.member"]._get_member_from_card_token(
                self.member._get_card_token()
            )
        )
        self.assertFalse(
            self.env["mailing.contact"].search(
                [("email", "=", "hanako.erasable@example.com")]
            )
        )
        # the member number stays: the audit trail holds
        log = self.env["membership.audit.log"].search(
            [("event", "=", "erasure"), ("member_id", "=", self.member.id)]
        )
        self.assertEqual(log.user_id, self.manager)
        self.assertIn("Kept: 1 invoices and credit notes", log.description)
        for entry in self.env["membership.audit.log"].search(
            [("member_id", "=", self.member.id)]
        ):
            self.assertNotIn("Hanako", entry.changes or "")

    def test_erasure_keeps_every_accounting_document_valid(self):
        self.assertEqual(self.invoice.payment_state, "paid")
        self.erase()
        self.invoice.invalidate_recordset()
        self.assertEqual(self.invoice.state, "posted")
        self.assertEqual(self.invoice.payment_state, "paid")
        self.assertTrue(self.invoice.line_ids.filtered("reconciled"))
        self.assertEqual(self.invoice.partner_id, self.member.partner_id)
        self.assertTrue(self.member.dues_ids)
        self.assertEqual(self.member.dues_ids.state, "paid")

    def test_only_managers_erase_and_only_once(self):
        with self.assertRaises(AccessError):
            self.member.with_user(self.officer).action_erase_personal_data()
        with self.assertRaises(AccessError):
            self.member.with_user(self.portal_a).action_erase_personal_data()
        self.assertEqual(self.member.name, "Hanako Erasable")
        self.erase()
        with self.assertRaisesRegex(UserError, "erased already"):
            self.erase()

    def test_the_wizard_says_what_is_kept_and_asks_for_confirmation(self):
        wizard = (
            self.env["membership.erasure.wizard"]
            .with_user(self.manager)
            .with_context(active_model="membership.member", active_id=self.member.id)
            .create({})
        )
        self.assertIn("1 invoices and credit notes", wizard.summary)
        self.assertIn("Kept until", wizard.summary)
        with self.assertRaisesRegex(UserError, "cannot be undone"):
            wizard.action_erase()
        self.assertFalse(self.member.erased_date)
        wizard.confirm = True
        wizard.action_erase()
        self.assertTrue(self.member.erased_date)

    def test_a_member_who_asked_for_erasure_is_not_billed_mailed_or_registered(self):
        member = self.create_member(
            plan=self.plan_rolling,
            join_date=fields.Date.today(),
            email="ask@example.com",
        )
        member._request_erasure()
        self.assertTrue(member.erasure_requested_date)
        self.assertFalse(self.bill(member, fields.Date.today()))
        Member = self.env["membership.member"]
        self.assertNotIn(
            member, Member.search(Member._mailing_get_default_domain(False))
        )
        event = self.env["event.event"].create(
            {
                "name": "Erasure Evening",
                "date_begin": fields.Datetime.now() + timedelta(days=5),
                "date_end": fields.Datetime.now() + timedelta(days=5, hours=2),
                "event_mail_ids": [Command.clear()],
            }
        )
        with self.assertRaisesRegex(ValidationError, "erasure"):
            self.env["event.registration"].create(
                {"event_id": event.id, "partner_id": member.partner_id.id}
            )
