# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import base64
import json

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from ..tools.table_export import to_csv, to_xlsx

EXPORT_MODELS = [
    ("membership.member", "Members"),
    ("membership.dues", "Dues"),
]


class MembershipExport(models.TransientModel):
    """*Export for Officers*: the member or dues list a secretary needs, as XLSX
    or CSV, for the records chosen in a list (or all of a filter, or of a
    segment). Odoo's own export needs a group the membership roles do not
    imply; this one has fixed columns, reads with the officer's rights,
    writes no formula and is written to the audit log."""

    _name = "membership.export"
    _description = "Membership Export for Officers"

    res_model = fields.Selection(EXPORT_MODELS, string="Export", required=True)
    record_ids = fields.Json(help="The records chosen in the list.")
    domain = fields.Char(help="All records of this filter, when none are chosen.")
    segment_id = fields.Many2one("membership.segment")
    file_format = fields.Selection(
        [("xlsx", "Excel (XLSX)"), ("csv", "CSV (UTF-8)")],
        required=True,
        default="xlsx",
    )
    record_count = fields.Integer(compute="_compute_record_count", string="Rows")
    # kept in the wizard's own row (not an attachment): the file goes when
    # Odoo vacuums the wizard, personal data is not left behind
    file = fields.Binary(attachment=False, readonly=True)
    file_name = fields.Char(readonly=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        model = context.get("active_model")
        if model in dict(EXPORT_MODELS):
            values["res_model"] = model
            if context.get("active_domain") is not None:
                values["domain"] = json.dumps(context["active_domain"], default=str)
            else:
                values["record_ids"] = context.get("active_ids") or []
        elif model == "membership.segment" and context.get("active_id"):
            values.update(
                res_model="membership.member", segment_id=context["active_id"]
            )
        return values

    @api.depends("res_model", "record_ids", "domain", "segment_id")
    def _compute_record_count(self):
        for export in self:
            export.record_count = export.res_model and len(export._get_records()) or 0

    def _get_records(self):
        """The records to export, read with the user's rights."""
        self.ensure_one()
        Model = self.env[self.res_model]
        if self.segment_id:
            domain = self.segment_id._get_domain()
        elif self.domain:
            domain = Domain(json.loads(self.domain))
        else:
            domain = Domain("id", "in", self.record_ids or [])
        order = "member_number, id" if self.res_model == "membership.member" else None
        return Model.search(domain, order=order)

    def action_export(self):
        """Write the file, log the export, download it."""
        self.ensure_one()
        records = self._get_records()
        if not records:
            raise UserError(self.env._("There is nothing to export: no record."))
        columns = self._get_columns()
        rows = [[getter(record) for __, __, getter in columns] for record in records]
        heads = [(title, width) for title, width, __ in columns]
        label = dict(self._fields["res_model"]._description_selection(self.env))[
            self.res_model
        ]
        if self.file_format == "csv":
            content, mimetype = to_csv(heads, rows), "text/csv"
        else:
            content = to_xlsx(label, heads, rows)
            mimetype = (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
        today = fields.Date.context_today(self)
        self.write(
            {
                "file": base64.b64encode(content),
                "file_name": f"{label}-{today:%Y%m%d}.{self.file_format}",
            }
        )
        self.env["membership.audit.log"]._log(
            "export",
            description=self.env._(
                "%(what)s (%(format)s): %(count)s rows%(segment)s",
                what=label,
                format=self.file_format.upper(),
                count=len(records),
                segment=self.segment_id and f", {self.segment_id.display_name}" or "",
            )[:250],
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content?model={self._name}&id={self.id}&field=file"
            f"&filename_field=file_name&mimetype={mimetype}&download=true",
            "target": "download",
        }

    def _get_columns(self):
        """``(title, width, getter)`` of the file's columns."""
        if self.res_model == "membership.dues":
            return self._get_dues_columns()
        return self._get_member_columns()

    def _selection(self, record, fname):
        field = record._fields[fname]
        return dict(field._description_selection(self.env)).get(record[fname], "")

    def _get_member_columns(self):
        return [
            (self.env._("Member No."), 12, lambda m: m.member_number or ""),
            (self.env._("Name"), 24, lambda m: m.name or ""),
            (self.env._("Name Reading"), 20, lambda m: m.name_kana or ""),
            (self.env._("Plan"), 16, lambda m: m.plan_id.name or ""),
            (self.env._("Status"), 14, lambda m: self._selection(m, "state")),
            (self.env._("Covered From"), 12, lambda m: m.date_start or None),
            (self.env._("Covered Until"), 12, lambda m: m.date_end or None),
            (self.env._("E-mail"), 28, lambda m: m.email or ""),
            (self.env._("Phone"), 16, lambda m: m.phone or ""),
            (self.env._("Postal Code"), 10, lambda m: m.zip or ""),
            (self.env._("Prefecture / State"), 12, lambda m: m.state_id.name or ""),
            (self.env._("City"), 16, lambda m: m.city or ""),
            (self.env._("Street"), 28, lambda m: m.street or ""),
            (self.env._("Street 2"), 20, lambda m: m.street2 or ""),
            (self.env._("Country"), 12, lambda m: m.country_id.name or ""),
            (self.env._("Amount Due"), 12, lambda m: m.amount_due),
        ]

    def _get_dues_columns(self):
        return [
            (self.env._("Member No."), 12, lambda d: d.member_id.member_number or ""),
            (self.env._("Member"), 24, lambda d: d.member_id.name or ""),
            (self.env._("Period"), 30, lambda d: d.display_name or ""),
            (self.env._("Plan"), 16, lambda d: d.plan_id.name or ""),
            (self.env._("Invoice"), 18, lambda d: d.move_id.name or ""),
            (self.env._("Due Date"), 12, lambda d: d.date_due or None),
            (self.env._("Billed Amount"), 12, lambda d: d.amount_billed),
            (self.env._("Amount Due"), 12, lambda d: d.amount_residual),
            (self.env._("Status"), 12, lambda d: self._selection(d, "state")),
        ]
