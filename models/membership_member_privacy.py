# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).

import io
import json
import zipfile

from odoo import fields, models
from odoo.tools import html2plaintext, is_html_empty

from ..tools.table_export import to_csv


def _csv_value(value):
    return "" if value is None or value is False else str(value)


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
            "payments": [
                {
                    "date": payment.date,
                    "amount": payment.amount,
                    "currency": payment.currency_id.name,
                    "method": payment.payment_method_line_id.name,
                    "reference": payment.memo,
                }
                for payment in self.env["account.payment"]
                .sudo()
                .search(
                    [
                        ("partner_id", "=", member.partner_id.id),
                        ("state", "!=", "draft"),
                    ],
                    order="date, id",
                )
            ],
            "event_registrations": [
                {
                    "event": registration.event_id.name,
                    "date": registration.event_id.date_begin,
                    "ticket": registration.event_ticket_id.name,
                    "status": registration.state,
                    "attended": registration.state == "done",
                    "price": registration.membership_price,
                    "fee": registration.membership_fee_state,
                }
                for registration in self.env["event.registration"]
                .sudo()
                .search([("partner_id", "=", member.partner_id.id)], order="id")
            ],
            "consents": [
                {
                    "purpose": consent.purpose_id.name,
                    "state": consent.state,
                    "date": consent.date,
                    "source": consent.source,
                    "channel": consent.channel,
                    "text_version": consent.text_version,
                }
                for consent in member.consent_ids.sorted(lambda c: (c.date, c.id))
            ],
            "messages": [
                {
                    "date": message.date,
                    "author": message.author_id.name,
                    "text": html2plaintext(message.body or ""),
                }
                # what the member sees in their portal chatter: no internal
                # note, no field tracking
                for message in member.message_ids.filtered(
                    lambda m: (
                        m.message_type in ("comment", "email", "notification")
                        and m.subtype_id
                        and not m.subtype_id.internal
                        and not m.is_internal
                        and not is_html_empty(m.body)
                    )
                ).sorted(lambda m: (m.date, m.id))
            ],
            "logins": [
                {
                    "date": entry.date,
                    "event": entry.event,
                    "address": entry.ip_address,
                    "device": entry.user_agent,
                }
                for entry in self.env["membership.audit.log"]
                .sudo()
                .search(
                    [
                        ("member_id", "=", member.id),
                        (
                            "event",
                            "in",
                            ("login", "new_location_login", "login_failed"),
                        ),
                    ],
                    order="date, id",
                )
            ],
        }

    def _get_personal_data_zip(self):
        """*Download my data*: a ZIP with everything as JSON, and each list
        as a CSV a spreadsheet opens (UTF-8 with BOM, no formula)."""
        self.ensure_one()
        data = self._get_personal_data()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "my-data.json",
                json.dumps(data, indent=2, default=str, ensure_ascii=False),
            )
            archive.writestr(
                "profile.csv",
                to_csv(
                    [(key, 0) for key in data["member"]],
                    [[_csv_value(v) for v in data["member"].values()]],
                ),
            )
            for section, rows in data.items():
                if section == "member" or not rows:
                    continue
                archive.writestr(
                    f"{section}.csv",
                    to_csv(
                        [(key, 0) for key in rows[0]],
                        [[_csv_value(v) for v in row.values()] for row in rows],
                    ),
                )
        return buffer.getvalue()

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
