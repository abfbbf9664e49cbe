# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import base64
import logging
import time
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import email_normalize

from ..tools.member_import import (
    ImportValueError,
    normalize_email,
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
        """A new file is read again from the start."""
        if "file" in vals:
            self.column_ids.unlink()
            self.line_ids.unlink()
            vals.setdefault("state", "draft")
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
            raise UserError(
                self.env._(
                    "No column is imported as the name: choose it under Columns "
                    "(headers such as “Name” or “氏名” are found by themselves)."
                )
            )
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
        self.state = "running"
        self._run_batches(deadline=time.monotonic() + RUN_NOW_SECONDS)
        if self.state == "running":
            self.env.ref("membership_management.ir_cron_member_import")._trigger()
        return True

    def action_reset(self):
        """Check the file again (e.g. after changing the columns or rules)."""
        self.filtered(lambda r: r.state == "checked").write({"state": "draft"})
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
            record._run_batches()

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
            remaining = cron._commit_progress(len(lines))
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
        if len(self.column_ids) == len(headers):
            return
        self.column_ids.unlink()
        proposed = propose_mapping(headers)
        self.env["membership.member.import.column"].create(
            [
                {
                    "import_id": self.id,
                    "sequence": index,
                    "header": header,
                    "sample": next((row[index] for row in rows if row[index]), ""),
                    "field_name": proposed.get(index),
                }
                for index, header in enumerate(headers)
            ]
        )

    def _check_rows(self, rows, mapping):
        """Line values of every row: normalised values, outcome, messages."""
        plans, states = self._get_plan_index(), self._get_state_index()
        parsed = [self._parse_row(row, mapping, plans, states) for row in rows]
        existing = self._find_existing(parsed)
        seen = {rule: {} for rule in DEDUPE_RULES}
        vals_list = []
        for number, (values, errors, warnings) in enumerate(parsed, start=2):
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
                    if choice != "create":
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
            if state != "skip":
                for rule in DEDUPE_RULES:
                    key = self._dedupe_key(rule, values)
                    if key:
                        seen[rule].setdefault(key, number)
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

    def _parse_row(self, row, mapping, plans, states):
        """``(values, errors, warnings)`` of one row; values are JSON-ready
        (dates as ISO strings, records as ids)."""
        raw = {fname: row[index] for index, fname in mapping.items()}
        values, errors, warnings = {}, [], []
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
        self._parse_membership(raw, values, errors, plans)
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

    def _parse_membership(self, raw, values, errors, plans):
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
            partners = self.env["res.partner"].search(
                [
                    ("email_normalized", "in", list(keys["email"])),
                    ("id", "not in", members.partner_id.ids),
                ]
            )
            for partner in partners:
                found["email"].setdefault(partner.email_normalized, partner)
        if keys["phone"]:
            for member in Member.search(
                company & Domain("phone", "in", list(keys["phone"]))
            ):
                found["phone"][member.phone] = member
        if keys["reading_birth"]:
            births = list({birth for __, birth in keys["reading_birth"]})
            for member in Member.search(
                company
                & Domain("birth_date", "in", births)
                & Domain("name_kana", "!=", False)
            ):
                key = (member.name_kana.replace(" ", ""), member.birth_date.isoformat())
                found["reading_birth"][key] = member
        return found

    # ------------------------------------------------------------
    # WRITING
    # ------------------------------------------------------------

    def _import_lines(self, lines):
        """Create or update the members of ``lines`` (one batch), with their
        carried-over coverage; mails only when asked. Everything, the state
        changes it causes included, runs and is flushed in the import's
        context: the status history says "import"."""
        self = self.with_context(  # noqa: PLW0642
            membership_state_source="import",
            membership_no_welcome=not self.send_welcome,
            mail_create_nolog=True,
            tracking_disable=True,
        )
        lines = lines.with_env(self.env)
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
            values = self._member_values(line.values, update=True)
            line.member_id.write(values)
        self._create_carried_over_dues(lines)
        self._move_sequence(lines)
        lines.write({"done": True})
        self.env.flush_all()

    def _member_values(self, values, partner=None, update=False):
        vals = {
            fname: values[fname]
            for fname in (
                "name",
                "name_kana",
                "email",
                "phone",
                "zip",
                "state_id",
                "country_id",
                "city",
                "street",
                "plan_id",
                "join_date",
                "birth_date",
                "member_number",
            )
            if values.get(fname)
        }
        if values.get("comment"):
            vals["notes"] = Markup("<p>%s</p>") % values["comment"]
        if update:
            # an update never renumbers or moves a member to another plan
            vals.pop("member_number", None)
            vals.pop("plan_id", None)
            return vals
        vals["company_id"] = self.company_id.id
        if partner:
            vals["partner_id"] = partner.id
        if not vals.get("join_date"):
            today = fields.Date.context_today(self).isoformat()
            vals["join_date"] = values.get("paid_through") or today
        return vals

    def _create_carried_over_dues(self, lines):
        """The *paid through* date as a paid period without an invoice, from
        the plan's period ending then (not before joining), unless the member
        is covered by then already."""
        vals_list = []
        for line in lines.filtered(lambda x: x.values.get("paid_through")):
            member = line.member_id
            end = fields.Date.from_string(line.values["paid_through"])
            if member.date_end and member.date_end >= end:
                continue
            plan = member.plan_id
            if plan.period_type == "lifetime":
                start = member.join_date
                end = False
            else:
                start = (
                    end + timedelta(days=1) - relativedelta(months=plan.period_months)
                )
            start = max(start, member.join_date or start)
            if member.date_end and member.date_end >= start:
                start = member.date_end + timedelta(days=1)
            vals_list.append(
                {
                    "member_id": member.id,
                    "plan_id": plan.id,
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
            if line.state == "create" and line.values.get("member_number")
        ]
        if not numbers:
            return
        sequence = self.env["membership.member"]._get_member_sequence(self.company_id)
        prefix = sequence.prefix or ""
        highest = max(
            (
                int(number[len(prefix) :])
                for number in numbers
                if number.startswith(prefix) and number[len(prefix) :].isdigit()
            ),
            default=0,
        )
        if highest >= sequence.number_next_actual:
            sequence.number_next = highest + 1
