# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import base64

from odoo import fields, models
from odoo.exceptions import UserError


class MembershipDirectDebitResultImport(models.TransientModel):
    """Upload the bank's 振替結果データ for a collection."""

    _name = "membership.direct.debit.result.import"
    _description = "Import a Direct Debit Result File"

    batch_id = fields.Many2one(
        "membership.direct.debit.batch", required=True, ondelete="cascade"
    )
    file = fields.Binary(string="Result File", required=True)
    file_name = fields.Char()

    def action_import(self):
        self.ensure_one()
        if not self.file:
            raise UserError(self.env._("Choose the result file the bank sent."))
        content = base64.b64decode(self.file)
        self.env["membership.audit.log"]._log_upload(
            self.env._("Direct debit result file"), self.file_name, len(content)
        )
        self.batch_id._import_result(content)
        if self.file_name:
            self.batch_id.message_post(
                body=self.env._("Result file: %(name)s", name=self.file_name)
            )
        return {"type": "ir.actions.act_window_close"}
