# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).

from odoo import fields, models


class MembershipMember(models.Model):
    """Personal data: exports are audited, a member's data can be downloaded and
    erasure requested."""

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    def export_data(self, fields_to_export):
        self.env["membership.audit.log"]._log_export(self, fields_to_export)
        return super().export_data(fields_to_export)

    def _get_personal_data(self):
        """Everything the addon holds about this member, for "download my data"."""
        self.ensure_one()
        member = self.sudo()
        return {
            "member": {
                "member_number": member.member_number,
                "name": member.name,
                "name_kana": member.name_kana,
                "email": member.email,
                "phone": member.phone,
                "street": member.street,
                "zip": member.zip,
                "city": member.city,
                "country": member.country_id.name,
                "birth_date": member.birth_date,
                "plan": member.plan_id.name,
                "state": member.state,
                "join_date": member.join_date,
                "covered_from": member.date_start,
                "covered_until": member.date_end,
                "suspended_from": member.suspended_from,
                "suspended_until": member.suspended_until,
                "withdrawal_date": member.withdrawal_date,
                "tier": member.tier_id.name,
                "points": member.points,
            },
            "dues": [
                {
                    "period": dues.name,
                    "amount": dues.amount_total,
                    "currency": dues.currency_id.name,
                    "state": dues.state,
                    "invoice": dues.move_id.name,
                    "receipt": dues.receipt_number,
                }
                for dues in member.dues_ids
            ],
            "status_history": [
                {
                    "date": history.date,
                    "from": history.old_state,
                    "to": history.new_state,
                    "reason": history.reason,
                }
                for history in member.status_history_ids
            ],
            "points": [
                {"date": line.date, "points": line.points, "reason": line.reason}
                for line in member.points_line_ids
            ],
        }

    def _request_erasure(self):
        """Record a member's erasure request as a to-do for membership managers."""
        manager_group = self.env.ref("membership_management.group_membership_manager")
        responsible = manager_group.sudo().user_ids.filtered(
            lambda u: u.active and not u.share and not u._is_superuser()
        )[:1] or self.env.ref("base.user_admin")
        for member in self.sudo():
            member.erasure_requested_date = member.erasure_requested_date or (
                fields.Datetime.now()
            )
            member.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Personal data erasure requested"),
                note=self.env._(
                    "The member asked from the portal for the erasure of their "
                    "personal data: settle what is open, then use Erase Personal "
                    "Data on the member."
                ),
                user_id=responsible.id,
            )
            member.message_post(
                body=self.env._(
                    "The member asked for the erasure of their personal data."
                )
            )
