# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import base64
import io
import logging
import time
from datetime import date, timedelta

import psycopg2
import xlsxwriter
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import email_normalize

from ..tools.member_import import (
    ImportValueError,
    normalize_email,
    normalize_header,
    normalize_width,
    normalize_zip,
    parse_date,
    propose_mapping,
    read_table,
    to_katakana,
)

_logger = logging.getLogger(__name__)

DEDUPE_CHOICES = [
    ("update", "Update the member"),
    ("skip", "Skip the row"),
    ("create", "Create anyway"),
]
# duplicate rules, strongest first: (rule, label of what matched)
DEDUPE_RULES = ("member_number", "email", "phone", "reading_birth")
BATCH_SIZE = 200
RUN_NOW_SECONDS = 20
DATE_FIELDS = ("join_date", "paid_through", "birth_date")
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
# highest number an ir.sequence can hand out (int4)
MAX_SEQUENCE_NUMBER = 2**31 - 2


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
        self.env["membership.audit.log"]._log(
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

    # ------------------------------------------------------------
    # READING AND CHECKING
    # ------------------------------------------------------------

    def _read_file(self):
        try:
            return read_table(
                base64.b64decode(self.file or b""), self.file_name, self.env._
            )
        except ImportValueError as error:
            raise UserError(str(error)) from error

    def _ensure_columns(self, headers, rows):
        """Propose the columns' fields from the headers, once: the user's own
        choices are kept when the file is checked again."""
        if len(self.column_ids) == len(headers) and not self.env.context.get(
            "membership_import_remap"
        ):
            return
        self.column_ids.unlink()
        proposed = propose_mapping(headers)
        saved = self.profile_id.mapping or {}
        for index, header in enumerate(headers):
            key = normalize_header(header)
            if key in saved:
                proposed[index] = saved[key] or None
        self.env["membership.member.import.column"].create(
            [
                {
                    "import_id": self.id,
                    "sequence": index,
                    "header": header,
                    "sample": next((row[index] for __, row in rows if row[index]), ""),
                    "field_name": proposed.get(index),
                }
                for index, header in enumerate(headers)
            ]
        )

    def _check_rows(self, rows, mapping):
        """Line values of every row: normalised values, outcome, messages."""
        plans, states = self._get_plan_index(), self._get_state_index()
        width = len(self.column_ids)
        parsed = [
            self._parse_row(row, mapping, plans, states, width) for __, row in rows
        ]
        existing = self._find_existing(parsed)
        seen = {rule: {} for rule in DEDUPE_RULES}
        matched_members = {}
        vals_list = []
        for (number, __), (values, errors, warnings) in zip(rows, parsed, strict=True):
            line = {
                "import_id": self.id,
                "row_number": number,
                "name": values.get("name"),
                "email": values.get("email"),
            }
            if errors:
                line.update(state="error", message="\n".join(errors + warnings))
                vals_list.append(line)
                continue
            state, member, partner, matched = "create", False, False, False
            for rule in DEDUPE_RULES:
                key = self._dedupe_key(rule, values)
                if not key:
                    continue
                choice = self[f"on_{rule}"]
                if key in seen[rule]:
                    # one member number is never created twice
                    if choice != "create" or rule == "member_number":
                        state = "skip"
                        matched = self.env._(
                            "%(what)s as row %(row)s",
                            what=self._rule_label(rule),
                            row=seen[rule][key],
                        )
                        break
                    continue
                found = existing[rule].get(key)
                if found and choice != "create":
                    matched = self.env._(
                        "%(what)s as %(record)s",
                        what=self._rule_label(rule),
                        record=found.display_name,
                    )
                    if found._name == "res.partner":
                        partner = found  # a contact, not a member yet
                    elif found.id in matched_members:
                        state = "skip"
                        matched = self.env._(
                            "%(what)s as row %(row)s",
                            what=self._rule_label(rule),
                            row=matched_members[found.id],
                        )
                    else:
                        state, member = choice, found
                    break
                if found:
                    warnings.append(
                        self.env._(
                            "%(what)s as %(record)s: created anyway.",
                            what=self._rule_label(rule),
                            record=found.display_name,
                        )
                    )
            if (
                state == "create"
                and values.get("member_number") in existing["member_number"]
            ):
                errors.append(
                    self.env._(
                        "The member number %(number)s is taken already.",
                        number=values["member_number"],
                    )
                )
                state = "error"
            if state in ("create", "update"):
                for rule in DEDUPE_RULES:
                    key = self._dedupe_key(rule, values)
                    if key:
                        seen[rule].setdefault(key, number)
                if member:
                    matched_members[member.id] = number
            line.update(
                state=state,
                message="\n".join(errors + warnings) or False,
                matched_by=matched or False,
                member_id=member and member.id,
                partner_id=partner and partner.id,
                values=values,
            )
            vals_list.append(line)
        return vals_list

    def _rule_label(self, rule):
        return {
            "member_number": self.env._("Same member number"),
            "email": self.env._("Same e-mail"),
            "phone": self.env._("Same phone"),
            "reading_birth": self.env._("Same reading and birth date"),
        }[rule]

    @api.model
    def _dedupe_key(self, rule, values):
        if rule == "reading_birth":
            if values.get("name_kana") and values.get("birth_date"):
                return (values["name_kana"].replace(" ", ""), values["birth_date"])
            return None
        return values.get(rule) or None

    def _parse_row(self, row, mapping, plans, states, width):
        """``(values, errors, warnings)`` of one row; values are JSON-ready
        (dates as ISO strings, records as ids)."""
        raw = {}
        for index, fname in sorted(mapping.items()):
            # two columns of one field (電話 and 携帯): the first that has it
            raw[fname] = raw.get(fname) or row[index]
        values, errors, warnings = {}, [], []
        if any(row[width:]):
            errors.append(
                self.env._(
                    "The row has more cells than the header: a separator inside a "
                    "value? Put such values in quotes."
                )
            )
        for fname in ("name", "city", "street", "comment"):
            if raw.get(fname):
                values[fname] = " ".join(raw[fname].split())
        if not values.get("name"):
            errors.append(self.env._("The name is missing."))
        if raw.get("member_number"):
            values["member_number"] = normalize_width(raw["member_number"])
        if raw.get("name_kana"):
            values["name_kana"] = to_katakana(raw["name_kana"])
        if raw.get("zip"):
            values["zip"] = normalize_zip(raw["zip"])
        self._parse_contact(raw, values, errors, warnings, states)
        self._parse_membership(raw, values, errors, warnings, plans)
        return values, errors, warnings

    def _parse_contact(self, raw, values, errors, warnings, states):
        """E-mail (refused when invalid), prefecture, and phone in E.164 in
        the prefecture's country or the company's (kept as written, with a
        warning, when it cannot be read)."""
        if raw.get("email"):
            email = email_normalize(normalize_email(raw["email"]))
            if email:
                values["email"] = email
            else:
                errors.append(
                    self.env._(
                        "“%(value)s” is not an e-mail address.", value=raw["email"]
                    )
                )
        if raw.get("state"):
            state = states.get(normalize_width(raw["state"]).casefold())
            if state:
                values["state_id"] = state.id
                values["country_id"] = state.country_id.id
            else:
                warnings.append(
                    self.env._(
                        "The prefecture “%(value)s” is unknown: left empty.",
                        value=raw["state"],
                    )
                )
        if raw.get("phone"):
            typed = normalize_width(raw["phone"])
            country = self.env["res.country"].browse(values.get("country_id"))
            values["phone"] = self.env["res.partner"]._phone_format(
                number=typed, country=country or self.company_id.country_id
            )
            if not values["phone"]:
                values["phone"] = typed
                warnings.append(
                    self.env._(
                        "The phone number %(value)s could not be checked: kept as "
                        "written.",
                        value=raw["phone"],
                    )
                )

    def _parse_membership(self, raw, values, errors, warnings, plans):
        """Dates (Japanese and Western forms) and the plan (code or name)."""
        for fname in DATE_FIELDS:
            if raw.get(fname):
                try:
                    values[fname] = parse_date(raw[fname], self.env._).isoformat()
                except ImportValueError as error:
                    errors.append(str(error))
        plan = (
            plans.get(normalize_width(raw["plan"]).casefold())
            if raw.get("plan")
            else self.default_plan_id
        )
        if plan:
            values["plan_id"] = plan.id
        elif raw.get("plan"):
            errors.append(
                self.env._("The plan “%(value)s” is unknown.", value=raw["plan"])
            )
        else:
            errors.append(
                self.env._("The row names no plan and the import has no default plan.")
            )
        paid_through, joined = values.get("paid_through"), values.get("join_date")
        if paid_through and joined and paid_through < joined:
            errors.append(self.env._("Paid through a date before joining."))
        elif plan and (paid_through or plan.period_type == "lifetime"):
            self._set_coverage(plan, values, warnings)

    def _set_coverage(self, plan, values, warnings):
        """The carried-over coverage of a row: up to *paid through* (none for
        a lifetime plan), from the start of the plan's period then covering
        today, or ending then (not before joining). A member without a join
        date joined when that coverage starts."""
        today = fields.Date.context_today(self)
        joined = values.get("join_date") and fields.Date.from_string(
            values["join_date"]
        )
        if plan.period_type == "lifetime":
            start, end = joined or today, False
        else:
            end = fields.Date.from_string(values["paid_through"])
            if plan.period_type == "fixed":
                start = plan._get_period(min(today, end))[0]
                if plan._get_period(end)[1] != end:
                    warnings.append(
                        self.env._(
                            "Paid through %(date)s is not the end of a period of "
                            "the plan: the next period is billed from the day "
                            "after.",
                            date=values["paid_through"],
                        )
                    )
            else:
                start = min(
                    today,
                    end + timedelta(days=1) - relativedelta(months=plan.period_months),
                )
            if joined:
                start = max(start, joined)
            start = min(start, end)
        values["coverage_start"] = start.isoformat()
        values["coverage_end"] = end and end.isoformat()
        values.setdefault("join_date", start.isoformat())

    def _get_plan_index(self):
        """Plans of the company by code and by name, width and case folded."""
        index = {}
        for plan in self.env["membership.plan"].search(
            [("company_id", "in", [self.company_id.id, False])]
        ):
            for key in (plan.code, plan.name):
                if key:
                    index.setdefault(normalize_width(key).casefold(), plan)
        return index

    def _get_state_index(self):
        """States of the company's country, then Japan's prefectures, by every
        name a list may use: 東京都, 東京, JP-13, 13."""
        countries = self.company_id.country_id | self.env.ref("base.jp")
        index = {}
        states = self.env["res.country.state"].search(
            [("country_id", "in", countries.ids)]
        )
        own = self.company_id.country_id
        for state in states.sorted(lambda s: s.country_id != own):
            names = {state.code, state.code.rpartition("-")[2], state.name}
            for name in list(names):
                names.add(name.removesuffix("都").removesuffix("府").removesuffix("県"))
            for name in names:
                if name:
                    index.setdefault(normalize_width(name).casefold(), state)
        return index

    def _find_existing(self, parsed):
        """Members and contacts the rows match, by rule and key, read in a
        few queries for the whole file."""
        Member = self.env["membership.member"].with_context(active_test=False)
        company = Domain("company_id", "=", self.company_id.id)
        keys = {rule: set() for rule in DEDUPE_RULES}
        for values, __, ___ in parsed:
            for rule in DEDUPE_RULES:
                if key := self._dedupe_key(rule, values):
                    keys[rule].add(key)
        found = {rule: {} for rule in DEDUPE_RULES}
        if keys["member_number"]:
            for member in Member.search(
                company & Domain("member_number", "in", list(keys["member_number"]))
            ):
                found["member_number"][member.member_number] = member
        if keys["email"]:
            members = Member.search(
                company & Domain("email_normalized", "in", list(keys["email"]))
            )
            for member in members:
                found["email"][member.email_normalized] = member
            # only the company's or shared contacts of people (no users,
            # companies or a company's employees, whose data others share)
            partners = self.env["res.partner"].search(
                [
                    ("email_normalized", "in", list(keys["email"])),
                    ("id", "not in", members.partner_id.ids),
                    ("company_id", "in", [self.company_id.id, False]),
                    ("is_company", "=", False),
                    ("parent_id", "=", False),
                    ("user_ids", "=", False),
                ]
            )
            for partner in partners:
                found["email"].setdefault(partner.email_normalized, partner)
        if keys["phone"]:
            for member in Member.search(
                company & Domain("phone_sanitized", "in", list(keys["phone"]))
            ):
                found["phone"][member.phone_sanitized] = member
        if keys["reading_birth"]:
            births = list({birth for __, birth in keys["reading_birth"]})
            for member in Member.search(
                company
                & Domain("birth_date", "in", births)
                & Domain("name_kana", "!=", False)
            ):
                key = (
                    to_katakana(member.name_kana).replace(" ", ""),
                    member.birth_date.isoformat(),
                )
                found["reading_birth"][key] = member
        return found

    # ------------------------------------------------------------
    # WRITING
    # ------------------------------------------------------------

    def _import_lines(self, lines):
        """Create or update the members of ``lines`` (one batch) with their
        carried-over coverage, mailing nobody unless asked. Everything, the
        state changes it causes included, runs and is flushed in the import's
        context (the status history says "import"). A batch that fails is
        written row by row: the rows that fail become errors with their
        reason, the others are imported."""
        self = self.with_context(  # noqa: PLW0642
            membership_state_source="import",
            membership_no_welcome=not self.send_welcome,
            mail_create_nolog=True,
            tracking_disable=True,
        )
        lines = lines.with_env(self.env)
        try:
            with self.env.cr.savepoint():
                self._write_lines(lines)
        except (UserError, ValidationError, psycopg2.Error):
            self.env.invalidate_all()  # what the failed batch left in the cache
            for line in lines:
                try:
                    with self.env.cr.savepoint():
                        self._write_lines(line)
                except (UserError, ValidationError, psycopg2.Error) as error:
                    self.env.invalidate_all()
                    message = getattr(error, "pgerror", None) or str(error)
                    line.write(
                        {
                            "state": "error",
                            "message": "\n".join(
                                filter(None, [line.message, message.strip()])
                            ),
                            "member_id": False,
                            "done": True,
                        }
                    )
        self.env.flush_all()

    def _write_lines(self, lines):
        Member = self.env["membership.member"]
        creates = lines.filtered(lambda x: x.state == "create")
        vals_list = [
            self._member_values(line.values, partner=line.partner_id)
            for line in creates
        ]
        members = Member.create(vals_list) if vals_list else Member
        for line, member in zip(creates, members, strict=True):
            line.member_id = member
        for line in lines.filtered(lambda x: x.state == "update"):
            member = line.member_id
            values = self._member_values(line.values, update=True)
            if values.get("notes") and member.notes:
                values["notes"] = member.notes + values["notes"]  # added to
            member.write(values)
        self._create_carried_over_dues(lines)
        lines.write({"done": True})
        self.env.flush_all()
        # the database's overlap rule now, not at the commit of the batch
        self.env.cr.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.env.cr.execute("SET CONSTRAINTS ALL DEFERRED")

    def _member_values(self, values, partner=None, update=False):
        member_fields = ("plan_id", "join_date", "birth_date", "member_number")
        contact_fields = (
            "name",
            "name_kana",
            "email",
            "phone",
            "zip",
            "state_id",
            "country_id",
            "city",
            "street",
        )
        # an existing contact made a member keeps its own data: others (its
        # company, its documents) may rely on them
        fnames = member_fields if partner else member_fields + contact_fields
        vals = {fname: values[fname] for fname in fnames if values.get(fname)}
        if values.get("comment"):
            vals["notes"] = Markup("<p>%s</p>") % values["comment"]
        if update:
            # an update never renumbers or moves a member to another plan
            vals.pop("member_number", None)
            vals.pop("plan_id", None)
            vals.pop("join_date", None)
            return vals
        vals["company_id"] = self.company_id.id
        if partner:
            vals["partner_id"] = partner.id
        vals.setdefault("join_date", fields.Date.context_today(self).isoformat())
        return vals

    def _create_carried_over_dues(self, lines):
        """The coverage the check found (up to *paid through*) as a paid period
        without an invoice, for the part no live dues of the member covers."""
        vals_list = []
        for line in lines.filtered(lambda x: x.values.get("coverage_start")):
            member = line.member_id
            start = fields.Date.from_string(line.values["coverage_start"])
            end = fields.Date.from_string(line.values.get("coverage_end") or False)
            live = member.dues_ids.filtered(lambda d: d.state != "cancelled")
            covered_until = max(
                (
                    d.date_end or date.max
                    for d in live
                    if d.date_start <= (end or date.max)
                ),
                default=None,
            )
            if covered_until:
                if end and covered_until >= end or not end:
                    continue  # covered already (or a lifetime membership)
                start = max(start, covered_until + timedelta(days=1))
            vals_list.append(
                {
                    "member_id": member.id,
                    "plan_id": member.plan_id.id,
                    "date_start": start,
                    "date_end": end,
                    "amount": 0.0,
                    "carried_over": True,
                }
            )
        if vals_list:
            self.env["membership.dues"].create(vals_list)

    def _move_sequence(self, lines):
        """Imported member numbers stay; the company's sequence moves past the
        highest of them that it could have made, so it never hands one out."""
        numbers = [
            line.values.get("member_number")
            for line in lines
            if line.values.get("member_number")
        ]
        if not numbers:
            return
        sequence = self.env["membership.member"]._get_member_sequence(self.company_id)
        prefix, suffix = sequence._get_prefix_suffix()
        highest = 0
        for number in numbers:
            if not (number.startswith(prefix) and number.endswith(suffix)):
                continue
            digits = number[len(prefix) : len(number) - len(suffix)]
            if digits.isdigit() and int(digits) <= MAX_SEQUENCE_NUMBER:
                highest = max(highest, int(digits))
        if highest >= sequence.number_next_actual:
            sequence.number_next = highest + 1
