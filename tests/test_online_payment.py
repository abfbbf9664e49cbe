# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import date
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import freeze_time, tagged

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestOnlinePayment(MembershipCommon):
    """Dues invoices paid online (account_payment) with the demo provider."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        demo = cls.env.ref("payment.payment_provider_demo").sudo()
        cls.provider = demo.copy({"company_id": cls.company.id, "state": "test"})
        cls.method = cls.env.ref("payment_demo.payment_method_demo")

    def pay_online(self, invoice):
        tx = (
            self.env["payment.transaction"]
            .sudo()
            .create(
                {
                    "provider_id": self.provider.id,
                    "payment_method_id": self.method.id,
                    "reference": f"{invoice.name}-online",
                    "amount": invoice.amount_residual,
                    "currency_id": invoice.currency_id.id,
                    "partner_id": invoice.partner_id.id,
                    "invoice_ids": [Command.set(invoice.ids)],
                    "operation": "online_direct",
                }
            )
        )
        tx._process(
            "demo",
            {
                "reference": tx.reference,
                "payment_details": "4242",
                "simulated_state": "done",
            },
        )
        tx._post_process()
        return tx

    def test_paying_the_invoice_online_activates_and_welcomes_the_member(self):
        today = fields.Date.today()
        member = self.create_member(join_date=today, email="online@example.com")
        dues = self.bill(member, today)
        self.assertEqual(member.state, "waiting")
        tx = self.pay_online(dues.move_id)
        self.assertEqual(tx.state, "done")
        self.assertEqual(dues.move_id.payment_state, "paid")
        self.assertEqual(dues.state, "paid")
        self.assertEqual(member.state, "active")
        welcome = member.message_ids.filtered(
            lambda m: m.subject and m.subject.startswith("Welcome")
        )
        self.assertEqual(len(welcome), 1)

    def test_welcome_is_sent_only_for_the_first_activation(self):
        with freeze_time("2025-05-01 12:00:00"):
            member = self.create_member(join_date=date(2025, 4, 1), email="w@x.com")
            first = self.bill(member, date(2025, 5, 1))
            self.pay(first.move_id, date(2025, 5, 1))
            self.assertEqual(member.state, "active")
        with freeze_time("2026-04-10 12:00:00"):
            with patch.object(self.env.cr, "commit", lambda: None):
                member._cron_update_states()
            self.assertEqual(member.state, "grace")
            renewal = self.bill(member, date(2026, 4, 10))
            self.pay(renewal.move_id, date(2026, 4, 10))
            self.assertEqual(member.state, "active")
        welcome = member.message_ids.filtered(
            lambda m: m.subject and m.subject.startswith("Welcome")
        )
        self.assertEqual(len(welcome), 1)
