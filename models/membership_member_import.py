# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import base64
import io
import logging
import time

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.member_import import normalize_header

_logger = logging.getLogger(__name__)

DEDUPE_CHOICES = [
    ("update", "Update the member"),
    ("skip", "Skip the row"),
    ("create", "Create anyway"),
]
BATCH_SIZE = 500
RUN_NOW_SECONDS = 20
# options the check depends on
CHECKED_OPTIONS = {
    "profile_id",
    "default_plan_id",
    "on_member_number",
    "on_email",
    "on_phone",
    "on_reading_birth",
    "company_id",
}


class MembershipMemberImport(models.Model):
    """Bring a member list (名簿) in: read a CSV or XLSX file, check every row
    first (outcome, errors and warnings, duplicates against the members,
    contacts and the file itself) without writing a member, then import the
    valid rows in committed batches that resume after a crash.

    Imported members are not welcomed by e-mail unless asked; their *paid
    through* date becomes a carried-over dues period (no invoice, counted as
    paid), so their state is right at once.
    """

    _name = "membership.member.import"
    _description = "Member Import"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(compute="_compute_name", store=True)
    file = fields.Binary(required=True, attachment=True)
    file_name = fields.Char()
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    profile_id = fields.Many2one(
        "membership.member.import.profile",
        string="Columns Profile",
        domain="[('company_id', '=', company_id)]",
        help="The columns as saved from an earlier import of the same list; the "
        "headers it does not know are proposed as usual.",
    )
    default_plan_id = fields.Many2one(
        "membership.plan",
        domain="[('company_id', '=', company_id)]",
        help="Plan of the rows that name none.",
    )
    on_member_number = fields.Selection(
        DEDUPE_CHOICES, string="Same Member Number", default="update", required=True
    )
    on_email = fields.Selection(
        DEDUPE_CHOICES, string="Same E-mail", default="update", required=True
    )
    on_phone = fields.Selection(
        DEDUPE_CHOICES, string="Same Phone", default="skip", required=True
    )
    on_reading_birth = fields.Selection(
        DEDUPE_CHOICES,
        string="Same Reading and Birth Date",
        default="skip",
        required=True,
    )
    send_welcome = fields.Boolean(
        string="Welcome New Active Members",
        help="Send the welcome mail to imported members who are active; off by "
        "default: an import mails nobody.",
    )
    state = fields.Selection(
        [
            ("draft", "To Check"),
            ("checked", "Checked"),
            ("running", "Importing"),
            ("done", "Done"),
        ],
        default="draft",
        required=True,
        tracking=True,
    )
    column_ids = fields.One2many("membership.member.import.column", "import_id")
    line_ids = fields.One2many("membership.member.import.line", "import_id")
    create_count = fields.Integer(compute="_compute_counts")
    update_count = fields.Integer(compute="_compute_counts")
    skip_count = fields.Integer(compute="_compute_counts")
    error_count = fields.Integer(compute="_compute_counts")
    done_count = fields.Integer(compute="_compute_counts")
    progress = fields.Float(compute="_compute_counts")

    @api.depends("file_name", "create_date")
    def _compute_name(self):
        for record in self:
            record.name = record.file_name or self.env._("Member import")

    @api.depends("line_ids.state", "line_ids.done")
    def _compute_counts(self):
        groups = self.env["membership.member.import.line"]._read_group(
            [("import_id", "in", self.ids)],
            ["import_id", "state", "done"],
            ["__count"],
        )
        counts = {}
        for record, state, done, count in groups:
            bucket = counts.setdefault(record.id, {"done": 0})
            bucket[state] = bucket.get(state, 0) + count
            if done:
                bucket["done"] += count
        for record in self:
            bucket = counts.get(record.id, {"done": 0})
            record.create_count = bucket.get("create", 0)
            record.update_count = bucket.get("update", 0)
            record.skip_count = bucket.get("skip", 0)
            record.error_count = bucket.get("error", 0)
            record.done_count = bucket["done"]
            todo = record.create_count + record.update_count
            record.progress = 100.0 * record.done_count / todo if todo else 0.0

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        """A new file is read again from the start; changed options send a
        checked file back to be checked again (the rows would be stale)."""
        if "file" in vals:
            if self.filtered(lambda r: r.state in ("running", "done")):
                raise UserError(self.env._("This file was imported already."))
            self.column_ids.unlink()
            self.line_ids.unlink()
            vals.setdefault("state", "draft")
        elif CHECKED_OPTIONS & vals.keys() and "state" not in vals:
            if self.filtered(lambda r: r.state in ("running", "done")):
                raise UserError(self.env._("This file was imported already."))
            vals = dict(vals, state="draft")
        if "profile_id" in vals:
            self.column_ids.unlink()  # proposed again from the profile
        return super().write(vals)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_dry_run(self):
        """Check every row and show its outcome; writes no member."""
        self.ensure_one()
        if self.state in ("running", "done"):
            raise UserError(self.env._("This file was imported already."))
        self.env["membership.audit.log"]._log_upload(
            self.env._("Member list"),
            self.file_name,
            len(base64.b64decode(self.file or b"")),
        )
        headers, rows = self._read_file()
        self._ensure_columns(headers, rows)
        mapping = {
            column.sequence: column.field_name
            for column in self.column_ids
            if column.field_name
        }
        if "name" not in mapping.values():
            # the columns stay, so that the user can say which one is the name
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "warning",
                    "message": self.env._(
                        "No column is imported as the name: choose it under "
                        "Columns (headers such as “Name” or “氏名” are found by "
                        "themselves), then check the file again."
                    ),
                    "next": {"type": "ir.actions.client", "tag": "soft_reload"},
                },
            }
        self.line_ids.unlink()
        self.env["membership.member.import.line"].create(
            self._check_rows(rows, mapping)
        )
        self.state = "checked"
        return True

    def action_import(self):
        """Import the rows the check found valid: at once for up to
        ``RUN_NOW_SECONDS``, the rest by the background job."""
        self.ensure_one()
        if self.state == "done":
            raise UserError(self.env._("This file was imported already."))
        if self.state == "draft":
            self.action_dry_run()
        if self.state == "draft":
            raise UserError(
                self.env._("Choose the column of the names under Columns first.")
            )
        if self.state == "checked":
            # before any member is numbered: new numbers never meet the file's
            self._move_sequence(self.line_ids.filtered(lambda x: x.state == "create"))
            self.state = "running"
        self._run_batches(deadline=time.monotonic() + RUN_NOW_SECONDS)
        if self.state == "running":
            self.env.ref("membership_management.ir_cron_member_import")._trigger()
        return True

    def action_reset(self):
        """Check the file again (e.g. after changing the columns or rules)."""
        self.filtered(lambda r: r.state == "checked").write({"state": "draft"})
        return True

    def action_download_results(self):
        """The rows and what became of them, as an XLSX file (every cell
        written as text: a value starting with = is never a formula)."""
        self.ensure_one()
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = book.add_worksheet(self.env._("Rows"))
        bold = book.add_format({"bold": True})
        states = dict(
            self.env["membership.member.import.line"]
            ._fields["state"]
            ._description_selection(self.env)
        )
        headers = [
            self.env._("Row"),
            self.env._("Outcome"),
            self.env._("Name"),
            self.env._("E-mail"),
            self.env._("Member"),
            self.env._("Matched By"),
            self.env._("Errors and Warnings"),
        ]
        for col, header in enumerate(headers):
            sheet.write_string(0, col, header, bold)
        for row, line in enumerate(self.line_ids, start=1):
            values = [
                str(line.row_number),
                states.get(line.state, ""),
                line.name or "",
                line.email or "",
                line.member_id.member_number or "",
                line.matched_by or "",
                line.message or "",
            ]
            for col, value in enumerate(values):
                sheet.write_string(row, col, value)
        sheet.set_column(0, 1, 10)
        sheet.set_column(2, 5, 24)
        sheet.set_column(6, 6, 60)
        book.close()
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{(self.name or 'import').rsplit('.', 1)[0]}-results.xlsx",
                "raw": buffer.getvalue(),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/vnd.openxmlformats-officedocument."
                "spreadsheetml.sheet",
            }
        )
        self.env["membership.audit.log"]._log(
            "export",
            description=self.env._(
                "%(file)s: the results of %(count)s imported rows",
                file=attachment.name,
                count=len(self.line_ids),
            ),
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    def action_save_profile(self):
        """Save the columns as a profile (the one chosen, or a new one named
        after the file) for the next import of the same list."""
        self.ensure_one()
        mapping = {
            normalize_header(column.header): column.field_name or False
            for column in self.column_ids
        }
        if self.profile_id:
            self.profile_id.mapping = mapping
            return True
        profile = self.env["membership.member.import.profile"].create(
            {"name": self.name, "company_id": self.company_id.id, "mapping": mapping}
        )
        # the columns are the profile's already: nothing to check again
        super().write({"profile_id": profile.id})
        return True

    def action_view_members(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Imported Members"),
            "res_model": "membership.member",
            "view_mode": "list,form",
            "domain": [("id", "in", self.line_ids.member_id.ids)],
        }

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _cron_import_members(self):
        """Work the imports left running (large files, or cut off by a crash)
        in committed batches."""
        for record in self.search([("state", "=", "running")], order="id"):
            try:
                record._run_batches()
            except Exception as error:  # noqa: BLE001  pylint: disable=broad-except
                _logger.exception("Member import %s failed", record.id)
                self.env.cr.rollback()
                record.message_post(
                    body=self.env._("The import stopped: %(error)s", error=error)
                )
                self.env["ir.cron"]._commit_progress()

    def _run_batches(self, deadline=None):
        self.ensure_one()
        cron = self.env["ir.cron"]
        Line = self.env["membership.member.import.line"]
        domain = [
            ("import_id", "=", self.id),
            ("state", "in", ("create", "update")),
            ("done", "=", False),
        ]
        while lines := Line.search(domain, limit=BATCH_SIZE, order="row_number"):
            self._import_lines(lines)
            remaining = cron._commit_progress(
                len(lines), remaining=Line.search_count(domain)
            )
            if remaining <= 0 or (deadline and time.monotonic() > deadline):
                return
        self._finish()

    def _finish(self):
        self.state = "done"
        members = self.line_ids.filtered("done").member_id
        # by the person who imported, also when the job finishes the import
        self.env["membership.audit.log"].with_user(self.create_uid)._log(
            "member_import",
            description=self.env._(
                "%(file)s: %(created)s created, %(updated)s updated, %(skipped)s "
                "skipped, %(errors)s with errors",
                file=self.name,
                created=self.create_count,
                updated=self.update_count,
                skipped=self.skip_count,
                errors=self.error_count,
            ),
        )
        self.message_post(
            body=self.env._(
                "Import done: %(count)s members created or updated.",
                count=len(members),
            )
        )
