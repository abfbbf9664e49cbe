# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, models


class IrAttachment(models.Model):
    """Documents attached to a member (chatter, uploads) are audited."""

    _inherit = "ir.attachment"

    @api.model_create_multi
    def create(self, vals_list):
        attachments = super().create(vals_list)
        on_members = attachments.filtered(
            lambda a: a.res_model == "membership.member" and a.res_id
        )
        if on_members:
            AuditLog = self.env["membership.audit.log"]
            members = (
                self.env["membership.member"]
                .sudo()
                .browse(on_members.mapped("res_id"))
                .exists()
            )
            for attachment in on_members:
                member = members.filtered(lambda m, a=attachment: m.id == a.res_id)
                AuditLog._log_upload(
                    self.env._("Document on a member"),
                    attachment.name,
                    attachment.file_size,
                    member,
                )
        return attachments
