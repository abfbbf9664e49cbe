# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo import api, fields, models


class MembershipJoinAttempt(models.Model):
    """Applications posted from one address, to throttle bots without any
    third-party service. Rows older than a day are vacuumed."""

    _name = "membership.join.attempt"
    _description = "Membership Application Attempt"
    _order = "id desc"

    ip_address = fields.Char(required=True, index=True)

    @api.model
    def _register_attempt(self, ip_address):
        """Record an attempt; ``False`` when this address posted too often in
        the last hour (``membership_management.join_limit_per_hour``)."""
        limit = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("membership_management.join_limit_per_hour", 10)
        )
        since = fields.Datetime.now() - timedelta(hours=1)
        recent = self.sudo().search_count(
            [("ip_address", "=", ip_address), ("create_date", ">=", since)]
        )
        if recent >= limit:
            return False
        self.sudo().create({"ip_address": ip_address})
        return True

    @api.autovacuum
    def _gc_old_attempts(self):
        self.sudo().search(
            [("create_date", "<", fields.Datetime.now() - timedelta(days=1))]
        ).unlink()
