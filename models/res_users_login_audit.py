# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import logging

from odoo import SUPERUSER_ID, Command, api, models
from odoo.exceptions import AccessDenied
from odoo.tools import escape_psql

_logger = logging.getLogger(__name__)

MEMBERSHIP_STAFF_POLICY = "membership_staff_required"


class ResUsers(models.Model):
    """The login audit: members' and staff's sign-ins, failed ones too; a
    sign-in from an address the user never used is flagged and the user is
    asked "was this you?". Staff handling member data can be required to use
    two-factor authentication."""

    _inherit = "res.users"

    def _login(self, credential, user_agent_env):
        try:
            return super()._login(credential, user_agent_env)
        except AccessDenied:
            self._log_failed_login(credential.get("login"))
            raise

    @api.model
    def _log_failed_login(self, login):
        """Log a refused sign-in on a cursor of its own: the request's
        transaction may be rolled back with the refusal."""
        login = (login or "")[:100]
        try:
            env = self.env(user=SUPERUSER_ID, su=True)
            user = (
                env["res.users"]
                .with_context(active_test=False)
                .search([("login", "=ilike", escape_psql(login))], limit=1)
            )
            members = env["membership.member"]
            if user:
                members = members.search([("partner_id", "=", user.partner_id.id)])
                if user.share and not members:
                    return  # a portal user who is not a member: not ours
            # an unknown login is logged too: someone is guessing
            env["membership.audit.log"]._log_on_own_cursor(
                "login_failed",
                members,
                login=login,
                user_id=user.id,
                company_id=user.company_id.id,
            )
        except Exception:  # noqa: BLE001  pylint: disable=broad-except
            # the audit must never turn a refused sign-in into an error page
            _logger.exception("Could not log the failed sign-in of %s", login)

    def _update_last_login(self):
        """Members' and staff's logins go to the audit log, flagged (and the
        user mailed) when from an address they never used."""
        result = super()._update_last_login()
        AuditLog = self.env["membership.audit.log"].sudo()
        for user in self:
            members = (
                self.env["membership.member"]
                .sudo()
                .search([("partner_id", "=", user.partner_id.id)])
            )
            if not members and user.share:
                continue
            members._record_login()
            ip_address = AuditLog._get_request_values().get("ip_address")
            logins = AuditLog.search(
                [
                    ("user_id", "=", user.id),
                    ("event", "in", ("login", "new_location_login")),
                ],
                limit=1,
            )
            known = bool(logins) and AuditLog.search_count(
                [
                    ("user_id", "=", user.id),
                    ("event", "in", ("login", "new_location_login")),
                    ("ip_address", "=", ip_address),
                ],
                limit=1,
            )
            # the very first sign-in is new by nature: nobody is alarmed
            warn = bool(logins) and not known
            entries = AuditLog.with_user(user)._log(
                "login" if known else "new_location_login",
                members,
                login=user.login,
                flagged=warn,
            )
            if warn:
                user._notify_new_location_login(entries[:1])
        return result

    def _notify_new_location_login(self, entry):
        """Mail the user "was this you?" with the time, address and device."""
        self.ensure_one()
        self.env.ref(
            "membership_management.mail_template_new_location_login"
        ).sudo().send_mail(
            entry.id, email_values={"recipient_ids": [Command.set(self.partner_id.ids)]}
        )

    def _mfa_type(self):
        """Two-factor for staff handling member data (Settings): users of
        the membership groups without an authenticator app get a code by
        e-mail, as Odoo's own policies do."""
        result = super()._mfa_type()
        if result is not None:
            return result
        policy = self.env["ir.config_parameter"].sudo().get_param("auth_totp.policy")
        if policy == MEMBERSHIP_STAFF_POLICY and self.has_group(
            "membership_management.group_membership_user"
        ):
            return "totp_mail"
        return None
