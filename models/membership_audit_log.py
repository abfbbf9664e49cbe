# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools import SQL

from .res_config_settings import read_membership_parameter

PURGE_BATCH = 5000

AUDIT_EVENTS = [
    ("login", "Login"),
    ("new_location_login", "Login from a new address"),
    ("login_failed", "Failed login"),
    ("data_download", "Personal data downloaded"),
    ("receipt_download", "Receipt downloaded"),
    ("export", "Data exported"),
    ("participant_export", "Event participants exported"),
    ("personal_data_change", "Personal data changed"),
    ("direct_debit_export", "Bank accounts exported for direct debit"),
    ("member_import", "Members imported"),
    ("legacy_migration", "Members migrated from Odoo Membership"),
    ("door_payment", "Event fee taken at the door"),
    ("card_print", "Membership cards printed"),
    ("file_upload", "File uploaded"),
    ("file_download", "File downloaded"),
    ("erasure", "Personal data erased"),
    ("consent_change", "Consent given or withdrawn"),
    ("approval_decision", "Application approved or rejected"),
    ("audit_purge", "Old audit entries purged"),
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
    user_agent = fields.Char(string="Device", readonly=True)
    country_code = fields.Char(
        string="Country",
        readonly=True,
        help="From the IP address, when Odoo is given a GeoIP country database "
        "(geoip_country_db); empty otherwise.",
    )
    login = fields.Char(
        readonly=True, help="The login typed, for sign-ins (failed ones included)."
    )
    description = fields.Char(readonly=True)
    changes = fields.Text(
        readonly=True,
        help="Personal data changes: each field's old and new value.",
    )
    flagged = fields.Boolean(
        readonly=True,
        index=True,
        help="Worth a manager's look: a sign-in from an address the user never "
        "used before (the user was mailed about it).",
    )

    def write(self, vals):
        if self:
            raise UserError(self.env._("The membership audit log cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The membership audit log cannot be deleted."))

    @api.model
    def _get_personal_changes(self, records, vals, fnames):
        """What ``vals`` really changes among the fields ``fnames`` of each of
        ``records`` (read before the write): ``{record id: [(label, old,
        new), ...]}`` with the values as shown to people. Saving a form
        unchanged is no change; empty and unset count as the same value."""
        changes = {}
        if self.env.su and self.env.context.get("membership_erasing"):
            return changes  # an erasure logs itself, never the erased values
        for fname in sorted(fnames.intersection(vals)):
            field = records._fields.get(fname)
            if not field:
                continue
            new = field.convert_to_cache(vals[fname], records[:1], validate=False)
            label = field._description_string(self.env)
            for record in records:
                old = field.convert_to_cache(record[fname], record, validate=False)
                if (old or False) != (new or False):
                    changes.setdefault(record.id, []).append(
                        (
                            label,
                            self._display_value(record, field, record[fname]),
                            self._display_value(
                                record,
                                field,
                                field.convert_to_record(new, record),
                            ),
                        )
                    )
        return changes

    @api.model
    def _display_value(self, record, field, value):
        if field.type == "many2one":
            return value.sudo().display_name or ""
        return field.convert_to_export(value, record) or ""

    @api.model
    def _log_personal_changes(self, members_by_record, changes):
        """One *Personal data changed* row per member: the field labels in the
        description, old and new values in ``changes`` (managers only read the
        log)."""
        for record_id, members in members_by_record.items():
            record_changes = changes.get(record_id)
            if not record_changes or not members:
                continue
            self._log(
                "personal_data_change",
                members,
                ", ".join(label for label, __, __ in record_changes),
                changes="\n".join(
                    f"{label}: {old} \u2192 {new}" for label, old, new in record_changes
                ),
            )

    @api.model
    def _get_request_values(self):
        """Where the current HTTP request comes from: address, device and,
        with a GeoIP database, country."""
        if not request:
            return {}
        values = {
            "ip_address": request.httprequest.remote_addr,
            "user_agent": (request.httprequest.user_agent.string or "")[:250],
        }
        try:
            values["country_code"] = request.geoip.country_code or False
        except Exception:  # noqa: BLE001  pylint: disable=broad-except
            # no GeoIP database (the default): the country stays empty
            values["country_code"] = False
        return values

    @api.model
    def _log(self, event, members=None, description="", **values):
        """Append one row per member (or one row without member); ``values``
        sets other columns (``changes``, ``login``, ``flagged``, and the
        ``company_id`` of rows without member: the current one by default)."""
        company_id = values.pop("company_id", self.env.company.id)
        common = {
            **self._get_request_values(),
            "event": event,
            "description": description,
            "user_id": self.env.uid,
            **values,
        }
        vals_list = [
            {
                **common,
                "member_id": member.id,
                "company_id": member.company_id.id or company_id,
            }
            for member in (members or [self.env["membership.member"]])
        ]
        return self.sudo().create(vals_list)

    @api.model
    def _log_export(self, records, fields_to_export):
        """An export of ``records`` by the current user (Odoo's *Export*)."""
        return self._log(
            "export",
            description=self.env._(
                "%(count)s %(model)s, fields: %(fields)s",
                count=len(records),
                model=records._description,
                fields=", ".join(fields_to_export),
            )[:250],
        )

    @api.model
    def _log_upload(self, kind, file_name, size, members=None):
        """A file brought in by the current user: a bank file, a member list,
        a bank's result file, a document attached to a member."""
        return self._log(
            "file_upload",
            members,
            description=self.env._(
                "%(kind)s: %(name)s (%(size)s bytes)",
                kind=kind,
                name=file_name or self.env._("unnamed file"),
                size=size,
            )[:250],
        )

    @api.model
    def _log_on_own_cursor(self, event, members=None, description="", **values):
        """Log on a cursor of its own: for read-only routes (a download through
        ``/web/content``) and refusals whose transaction is rolled back."""
        if self.env.cr.readonly:
            # as Odoo's device log does: nothing to keep in a read-only one
            self.env.cr.rollback()
        with self.env.registry.cursor(readonly=False) as cr:
            env = self.env(cr=cr)
            members = env["membership.member"].browse(members.ids if members else [])
            env["membership.audit.log"]._log(event, members, description, **values)

    @api.model
    def _get_retention_years(self):
        return read_membership_parameter(self.env, "membership_audit_retention_years")

    @api.model
    def _cron_purge_expired(self):
        """Delete the rows older than the retention set in Settings (years),
        a committed batch at a time, and log the purge itself. Done in SQL:
        the ORM refuses to delete from the log, to everyone."""
        cutoff = fields.Datetime.now() - relativedelta(
            years=self._get_retention_years()
        )
        purged = 0
        while True:
            self.env.cr.execute(
                SQL(
                    "DELETE FROM membership_audit_log WHERE id IN ("
                    " SELECT id FROM membership_audit_log WHERE date < %s"
                    " ORDER BY id LIMIT %s)",
                    cutoff,
                    PURGE_BATCH,
                )
            )
            count = self.env.cr.rowcount
            purged += count
            if count < PURGE_BATCH:
                break
            self.env["ir.cron"]._commit_progress(count)
        if purged:
            self.invalidate_model()
            self._log(
                "audit_purge",
                description=self.env._(
                    "%(count)s entries older than %(date)s deleted",
                    count=purged,
                    date=fields.Date.to_string(cutoff.date()),
                ),
            )
        return purged
