# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import models
from odoo.http import request


class ResUsers(models.Model):
    """The login audit: every member's sign-in is logged, flagged when it comes
    from an address the member never used."""

    _inherit = "res.users"

    def _update_last_login(self):
        """Members' logins go to the audit log, flagged when from a new address."""
        super()._update_last_login()
        members = (
            self.env["membership.member"]
            .sudo()
            .search([("partner_id", "in", self.partner_id.ids)])
        )
        if not members:
            return
        AuditLog = self.env["membership.audit.log"].sudo()
        ip_address = request.httprequest.remote_addr if request else False
        known = AuditLog.search_count(
            [
                ("user_id", "in", self.ids),
                ("event", "in", ("login", "new_location_login")),
                ("ip_address", "=", ip_address),
            ],
            limit=1,
        )
        AuditLog.with_user(self[:1])._log(
            "login" if known else "new_location_login", members
        )
