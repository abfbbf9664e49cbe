# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import models


class IrBinary(models.AbstractModel):
    """Documents attached to a member are audited when downloaded too."""

    _inherit = "ir.binary"

    def _record_to_stream(self, record, field_name):
        stream = super()._record_to_stream(record, field_name)
        if (
            record._name == "ir.attachment"
            and record.res_model == "membership.member"
            and record.res_id
            and not record.res_field
        ):
            # /web/content is a read-only route: the entry gets its own cursor
            self.env["membership.audit.log"]._log_on_own_cursor(
                "file_download",
                self.env["membership.member"].sudo().browse(record.res_id).exists(),
                description=(record.name or "")[:250],
                user_id=self.env.uid,
            )
        return stream
