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

    def test_staff_two_factor_policy_is_set_from_the_membership_section(self):
        """The section shows Odoo's own 2FA policy (auth_totp_mail): enforcing
        it stores the policy the sign-in reads."""
        settings = self.env["res.config.settings"].create(
            {"auth_totp_enforce": True, "auth_totp_policy": "employee_required"}
        )
        settings.execute()
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(params.get_param("auth_totp.policy"), "employee_required")
        view = self.env.ref("membership_management.res_config_settings_view_form")
        self.assertIn('name="auth_totp_policy"', view.arch_db)
        self.assertIn('name="membership_card_validity_days"', view.arch_db)
