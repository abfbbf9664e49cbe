# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.http import request

AUDIT_EVENTS = [
    ("login", "Login"),
    ("new_location_login", "Login from a new address"),
    ("data_download", "Personal data downloaded"),
    ("receipt_download", "Receipt downloaded"),
    ("export", "Members exported"),
    ("participant_export", "Event participants exported"),
    ("personal_data_change", "Personal data changed"),
    ("direct_debit_export", "Bank accounts exported for direct debit"),
    ("member_import", "Members imported"),
    ("legacy_migration", "Members migrated from Odoo Membership"),
    ("door_payment", "Event fee taken at the door"),
    ("card_print", "Membership cards printed"),
]


class MembershipAuditLog(models.Model):
    """Append-only trail of who looked at, took or changed members' data.

    Rows are written with sudo by the addon; nobody edits or deletes them
    through the ORM, not even the superuser.
    """

    _name = "membership.audit.log"
    _description = "Membership Audit Log"
    _order = "id desc"
    _rec_name = "event"

    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    event = fields.Selection(AUDIT_EVENTS, required=True, readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users", string="By", readonly=True, default=lambda self: self.env.uid
    )
    member_id = fields.Many2one(
        "membership.member", readonly=True, index="btree_not_null", ondelete="set null"
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    ip_address = fields.Char(readonly=True)
    description = fields.Char(readonly=True)

    def write(self, vals):
        if self:
            raise UserError(self.env._("The membership audit log cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The membership audit log cannot be deleted."))

    @api.model
    def _get_changed_labels(self, records, vals, fnames):
        """Labels of the fields ``fnames`` that ``vals`` really changes on any of
        ``records`` (read before the write): saving a form unchanged is no
        change, and the log says *Phone*, not ``phone``. Empty and unset count
        as the same value."""
        labels = []
        for fname in sorted(fnames.intersection(vals)):
            field = records._fields.get(fname)
            if not field:
                continue
            new = field.convert_to_cache(vals[fname], records[:1], validate=False)
            if any(
                (field.convert_to_cache(record[fname], record, validate=False) or False)
                != (new or False)
                for record in records
            ):
                labels.append(field._description_string(self.env))
        return labels

    @api.model
    def _log(self, event, members=None, description=""):
        """Append one row per member (or one row without member)."""
        ip_address = request.httprequest.remote_addr if request else False
        company = self.env.company
        vals_list = [
            {
                "event": event,
                "member_id": member.id,
                "company_id": member.company_id.id or company.id,
                "ip_address": ip_address,
                "description": description,
                "user_id": self.env.uid,
            }
            for member in (members or [self.env["membership.member"]])
        ]
        return self.sudo().create(vals_list)
