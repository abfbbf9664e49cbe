# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import re

import pyotp

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestLoginSecurity(MembershipCommon, HttpCase):
    """Members sign in with two-factor codes when they enabled them, staff
    when the policy asks, password guessing is slowed down, and signing in
    never leads off the site."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = cls.create_member(
            partner_id=cls.portal_a.partner_id.id, name="Portal Member A"
        )

    def setUp(self):
        super().setUp()
        # the failure counter lives on the registry, keyed by address: start
        # and leave every test with a clean one
        self.addCleanup(self.forget_login_failures)
        self.forget_login_failures()

    def forget_login_failures(self):
        getattr(self.registry, "_login_failures", {}).clear()

    def csrf_token(self, url):
        page = self.url_open(url).text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def sign_in(self, password, redirect="/my/membership", login="mm_portal_a"):
        return self.url_open(
            "/web/login",
            data={
                "login": login,
                "password": password,
                "csrf_token": self.csrf_token("/web/login"),
                "redirect": redirect,
            },
        )

    def send_code(self, code):
        return self.url_open(
            "/web/login/totp",
            data={
                "totp_token": code,
                "csrf_token": self.csrf_token("/web/login/totp"),
                "redirect": "/my/membership",
            },
        )

    def membership_page(self):
        return self.url_open("/my/membership")

    @mute_logger("odoo.http", "odoo.addons.base.models.res_users")
    def test_member_with_two_factor_needs_the_current_code(self):
        secret = pyotp.random_base32()
        self.portal_a.sudo().totp_secret = secret
        self.assertTrue(self.portal_a.totp_enabled)
        response = self.sign_in("mm_portal_a")
        self.assertIn("/web/login/totp", response.url)
        self.assertNotIn(self.member.member_number, self.membership_page().text)
        current = pyotp.TOTP(secret).now()
        wrong = f"{(int(current) + 500_000) % 1_000_000:06d}"
        refused = self.send_code(wrong)
        self.assertIn("Verification failed", refused.text)
        self.assertNotIn(self.member.member_number, self.membership_page().text)
        accepted = self.send_code(pyotp.TOTP(secret).now())
        self.assertTrue(accepted.url.endswith("/my/membership"))
        self.assertIn(self.member.member_number, self.membership_page().text)

    @mute_logger("odoo.http", "odoo.addons.base.models.res_users")
    def test_repeated_wrong_passwords_put_the_login_on_cooldown(self):
        self.env["ir.config_parameter"].sudo().set_param("base.login_cooldown_after", 3)
        for __ in range(3):
            self.assertIn("Wrong login/password", self.sign_in("guess").text)
        # even the right password is refused while the cooldown lasts
        blocked = self.sign_in("mm_portal_a")
        self.assertIn("Too many login failures", blocked.text)
        self.assertNotIn(self.member.member_number, self.membership_page().text)

    def test_sign_in_never_redirects_to_another_site(self):
        for target in ("https://evil.example/my", "//evil.example/my"):
            with self.subTest(target=target):
                self.url_open("/web/session/logout")
                response = self.sign_in("mm_portal_a", redirect=target)
                self.assertTrue(response.url.startswith(self.base_url()))
                self.assertNotIn("evil.example", response.url.split("?")[0])

    @mute_logger("odoo.http")
    def test_staff_two_factor_policy_is_enforced_on_employees_only(self):
        """With the policy "required for employees" (Settings, from
        auth_totp_mail), staff without an app get a code by e-mail before they
        are in; members without two-factor sign in as before."""
        self.env["ir.config_parameter"].sudo().set_param(
            "auth_totp.policy", "employee_required"
        )
        staff = self.sign_in("mm_officer", redirect="/odoo", login="mm_officer")
        self.assertIn("/web/login/totp", staff.url)
        self.url_open("/web/session/logout")
        member = self.sign_in("mm_portal_a")
        self.assertTrue(member.url.endswith("/my/membership"))
        self.assertIn(self.member.member_number, member.text)
