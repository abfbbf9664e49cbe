# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models

from .membership_member import PERSONAL_FIELDS


class ResPartner(models.Model):
    _inherit = "res.partner"

    membership_member_ids = fields.One2many(
        "membership.member", "partner_id", string="Memberships"
    )
    membership_member_count = fields.Integer(
        compute="_compute_membership_member_count",
        groups="membership_management.group_membership_user",
    )

    membership_billed_member_count = fields.Integer(
        string="Memberships Paid",
        compute="_compute_membership_billed_member_count",
        groups="membership_management.group_membership_user",
        help="Memberships whose dues are billed to this contact.",
    )

    def _compute_membership_billed_member_count(self):
        counts = dict(
            self.env["membership.member"]
            .with_context(active_test=False)
            ._read_group(
                [("bill_to_partner_id", "in", self.ids)],
                ["bill_to_partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.membership_billed_member_count = counts.get(partner, 0)

    def _compute_membership_member_count(self):
        counts = dict(
            self.env["membership.member"]
            .with_context(active_test=False)
            ._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"])
        )
        for partner in self:
            partner.membership_member_count = counts.get(partner, 0)

    def write(self, vals):
        """Audit personal-data changes made on a member's contact (the contact
        form, the portal's own address page), not only on the member form."""
        AuditLog = self.env["membership.audit.log"]
        changes = AuditLog._get_personal_changes(self, vals, PERSONAL_FIELDS)
        res = super().write(vals)
        if changes:
            # a member's own write logs the change itself
            audited = self.env.context.get("membership_audited_partner_ids") or ()
            members = (
                self.env["membership.member"]
                .sudo()
                .with_context(active_test=False)
                .search(
                    [("partner_id", "in", [i for i in changes if i not in audited])]
                )
            )
            AuditLog._log_personal_changes(
                {
                    partner_id: members.filtered(
                        lambda m, p=partner_id: m.partner_id.id == p
                    )
                    for partner_id in changes
                },
                changes,
            )
        return res

    def export_data(self, fields_to_export):
        """Contacts hold members' data: every export is audited."""
        self.env["membership.audit.log"]._log_export(self, fields_to_export)
        return super().export_data(fields_to_export)

    def action_view_memberships(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "membership_management.membership_member_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id, "active_test": False}
        return action

    def action_view_billed_memberships(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "membership_management.membership_member_action"
        )
        action["domain"] = [("bill_to_partner_id", "=", self.id)]
        action["context"] = {"default_bill_to_partner_id": self.id}
        return action
