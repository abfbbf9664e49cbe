# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestMembershipSettings(TransactionCase):
    """The Membership section of Settings writes the system parameters."""

    def param(self, key):
        return (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(f"membership_management.{key}")
        )

    def test_settings_show_defaults_and_save_parameters(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.membership_dues_run_batch_size, 200)
        self.assertEqual(settings.membership_renewal_notice_days, 30)
        settings.write(
            {
                "membership_dues_run_batch_size": 50,
                "membership_renewal_notice_days": 0,  # no renewal notices
                "membership_event_fee_reminder_days": 5,
                "membership_invoice_registration_number": "T1234567890123",
            }
        )
        settings.execute()
        self.assertEqual(self.param("dues_run_batch_size"), "50")
        self.assertEqual(self.param("renewal_notice_days"), "0")
        self.assertEqual(self.param("event_fee_reminder_days"), "5")
        self.assertEqual(
            self.env.company.membership_invoice_registration_number, "T1234567890123"
        )
        again = self.env["res.config.settings"].create({})
        self.assertEqual(again.membership_renewal_notice_days, 0)

    def test_a_zero_batch_size_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "positive number"):
            self.env["res.config.settings"].create(
                {"membership_dues_run_batch_size": 0}
            )
