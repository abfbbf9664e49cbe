# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError


class MembershipErasureWizard(models.TransientModel):
    """*Erase Personal Data*: says what goes and what is kept (and why) before
    the irreversible erasure, and asks the manager to confirm."""

    _name = "membership.erasure.wizard"
    _description = "Erase a Member's Personal Data"

    member_id = fields.Many2one("membership.member", required=True, readonly=True)
    summary = fields.Html(compute="_compute_summary", sanitize=False)
    confirm = fields.Boolean(
        string="I understand that this cannot be undone",
        help="The personal data are erased for good: no backup is kept by the addon.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "membership.member":
            values.setdefault("member_id", self.env.context.get("active_id"))
        return values

    @api.depends("member_id")
    def _compute_summary(self):
        for wizard in self:
            if not wizard.member_id:
                wizard.summary = False
                continue
            summary = wizard.member_id._get_erasure_summary()
            parts = [
                Markup("<p><strong>%s</strong></p><ul>") % self.env._("Erased:"),
                *(Markup("<li>%s</li>") % item for item in summary["erased"]),
                Markup("</ul><p><strong>%s</strong></p><ul>") % self.env._("Kept:"),
                *(Markup("<li>%s</li>") % item for item in summary["kept"]),
                Markup("</ul>"),
            ]
            if summary["kept_until"]:
                parts.append(
                    Markup("<p>%s</p>")
                    % self.env._(
                        "Kept until %(date)s.",
                        date=fields.Date.to_string(summary["kept_until"]),
                    )
                )
            parts.append(
                Markup("<p class='text-muted'>%s</p>") % escape(summary["why"])
            )
            wizard.summary = Markup("").join(parts)

    def action_erase(self):
        self.ensure_one()
        if not self.confirm:
            raise UserError(
                self.env._("Tick the box to confirm: an erasure cannot be undone.")
            )
        self.member_id.action_erase_personal_data()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("The member's personal data were erased."),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
