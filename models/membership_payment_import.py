# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import base64
import csv
import hashlib
import io
import re
import unicodedata
from collections import Counter, defaultdict
from datetime import date, datetime

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from ..tools.bank_transfer import (
    DATE_FORMATS,
    REIWA_START,
    ZENGIN_FIELDS,
    ZENGIN_RECORD_LENGTH,
    normalize_name,
    parse_amount,
)
from ..tools.stored_text import stored_text


class MembershipPaymentImport(models.Model):
    """A bank file (generic CSV or Zengin) whose credits are matched to dues.

    Lines are proposed best match first; staff check them and confirm, which
    registers and reconciles the payments. A line already paid by an earlier
    import of the same transfer is marked duplicate and never paid again.
    """

    _name = "membership.payment.import"
    _description = "Membership Bank Payment Import"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(
        tracking=True,
        help="Leave empty to call the import after the day it was made, in each "
        "reader's language.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    journal_id = fields.Many2one(
        "account.journal",
        string="Bank Journal",
        required=True,
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
        default=lambda self: self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.env.company.id)], limit=1
        ),
    )
    file = fields.Binary(string="Bank File", attachment=True)
    filename = fields.Char()
    file_format = fields.Selection(
        [("generic", "CSV with a header row"), ("zengin", "Zengin (振込入金通知)")],
        required=True,
        default="generic",
    )
    encoding = fields.Selection(
        [("auto", "Detect"), ("utf-8", "UTF-8"), ("cp932", "Shift-JIS (cp932)")],
        required=True,
        default="auto",
    )
    zengin_era = fields.Selection(
        [("reiwa", "Japanese era (Reiwa)"), ("western", "Western years")],
        string="Zengin Dates",
        default="reiwa",
        help="How the bank writes the two-digit years of Zengin dates.",
    )
    delimiter = fields.Char(default=",", size=1)
    date_column = fields.Char(default="date")
    amount_column = fields.Char(default="amount")
    reference_column = fields.Char(default="reference")
    payer_column = fields.Char(default="name")
    date_format = fields.Char(
        default="%Y-%m-%d", help="Format of the date column, e.g. %d/%m/%Y."
    )
    state = fields.Selection(
        [("draft", "Draft"), ("review", "To Review"), ("done", "Done")],
        default="draft",
        required=True,
        tracking=True,
    )
    line_ids = fields.One2many("membership.payment.import.line", "import_id")
    line_count = fields.Integer(compute="_compute_line_stats")
    matched_count = fields.Integer(compute="_compute_line_stats")
    unmatched_count = fields.Integer(compute="_compute_line_stats")
    done_count = fields.Integer(compute="_compute_line_stats")

    @api.depends("name", "create_date")
    @api.depends_context("lang", "tz")
    def _compute_display_name(self):
        for batch in self:
            day = fields.Datetime.context_timestamp(
                batch, batch.create_date or fields.Datetime.now()
            ).date()
            batch.display_name = batch.name or self.env._(
                "Bank import of %(date)s", date=format_date(self.env, day)
            )

    @api.depends("line_ids.state")
    def _compute_line_stats(self):
        for batch in self:
            counts = Counter(batch.line_ids.mapped("state"))
            batch.line_count = len(batch.line_ids)
            batch.matched_count = counts["matched"]
            batch.unmatched_count = counts["unmatched"]
            batch.done_count = counts["done"]

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_parse(self):
        """Read the file into lines and propose a match for each."""
        self.ensure_one()
        if self.state == "done":
            raise UserError(self.env._("This import is already confirmed."))
        if not self.file:
            raise UserError(self.env._("Choose the bank file to import first."))
        raw = base64.b64decode(self.file)
        self.env["membership.audit.log"]._log_upload(
            self.env._("Bank file"), self.filename, len(raw)
        )
        if self.file_format == "zengin":
            rows = self._parse_zengin(raw)
        else:
            rows = self._parse_generic(raw)
        self.line_ids.unlink()
        self.env["membership.payment.import.line"].create(
            [dict(row, import_id=self.id) for row in self._add_import_keys(rows)]
        )
        self.line_ids._propose_matches()
        self.state = "review"
        return True

    def action_confirm(self):
        """Register a payment for every matched line, each in its own savepoint."""
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: line.state == "matched")
        if not lines:
            raise UserError(self.env._("No matched line to pay."))
        for line in lines:
            line._register_payment()
        # lines still unmatched can be matched and paid later: the import is
        # done only when none is left to match
        if not self.line_ids.filtered(
            lambda line: line.state in ("matched", "unmatched")
        ):
            self.state = "done"
        self.message_post(
            body=self.env._(
                "%(paid)s payments registered, %(left)s lines left unmatched.",
                paid=len(lines.filtered(lambda line: line.state == "done")),
                left=self.unmatched_count,
            )
        )
        return True

    def action_rematch(self):
        self.ensure_one()
        self.line_ids.filtered(
            lambda line: (
                line.state in ("matched", "unmatched") and line.match_rule != "manual"
            )
        )._propose_matches()
        return True

    # ------------------------------------------------------------
    # PARSING
    # ------------------------------------------------------------

    def _decode(self, raw):
        encodings = (
            ["utf-8-sig", "cp932"]
            if self.encoding == "auto"
            else ["utf-8-sig" if self.encoding == "utf-8" else self.encoding]
        )
        for encoding in encodings:
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise UserError(
            self.env._(
                "The file is neither UTF-8 nor Shift-JIS text: pick its encoding."
            )
        )

    def _parse_generic(self, raw):
        """Rows of a CSV with a header; a bad row becomes an error line."""
        text = self._decode(raw)
        reader = csv.DictReader(
            io.StringIO(text, newline=""), delimiter=self.delimiter or ","
        )
        try:
            fieldnames = reader.fieldnames or []
        except csv.Error as error:
            raise UserError(
                self.env._(
                    "The first line of the file is not CSV: %(error)s", error=error
                )
            ) from error
        headers = {(h or "").strip().lower(): h for h in fieldnames}
        columns = {}
        for key, wanted in (
            ("date", self.date_column),
            ("amount", self.amount_column),
            ("reference", self.reference_column),
            ("payer", self.payer_column),
        ):
            columns[key] = headers.get((wanted or "").strip().lower())
        missing = [name for name in ("date", "amount") if not columns[name]]
        if missing:
            raise UserError(
                self.env._(
                    "The file has no column %(columns)s. Its columns are: %(found)s.",
                    columns=", ".join(
                        getattr(self, f"{name}_column") or name for name in missing
                    ),
                    found=", ".join(fieldnames) or "-",
                )
            )
        rows = []
        for number, record in self._read_csv_records(reader):
            if isinstance(record, csv.Error):
                rows.append(
                    {
                        "sequence": number,
                        "state": "error",
                        "message_data": stored_text(
                            "bank.unreadable_csv", line=number, error=str(record)
                        ),
                    }
                )
                continue
            row = {
                "sequence": number,
                "reference": (record.get(columns["reference"]) or "").strip()
                if columns["reference"]
                else "",
                "payer_name": (record.get(columns["payer"]) or "").strip()
                if columns["payer"]
                else "",
                "raw_line": self._sanitize_raw(record),
            }
            try:
                row["date"] = self._parse_date(record.get(columns["date"]))
                row["amount"] = parse_amount(record.get(columns["amount"]))
            except ValueError as error:
                row.update(
                    state="error",
                    message_data=stored_text(
                        "bank.bad_line", line=number, error=str(error)
                    ),
                )
            rows.append(row)
        return rows

    @staticmethod
    def _read_csv_records(reader):
        """``(line number, record)`` for each row; a row the csv module cannot
        read (a field over its size limit, a stray quote...) gives the
        ``csv.Error`` in place of the record, and reading goes on."""
        unread = 0  # the csv module does not count the lines it failed on
        while True:
            number = reader.line_num + unread + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                unread += 1
                yield number, error
                continue
            yield number, record

    def _parse_date(self, value):
        value = unicodedata.normalize("NFKC", value or "").strip()
        for date_format in (self.date_format, *DATE_FORMATS):
            try:
                return datetime.strptime(value, date_format).date()
            except (ValueError, TypeError):
                continue
        raise ValueError(self.env._("unreadable date %r", value))

    def _parse_zengin(self, raw):
        """Data records (type 2) of a Zengin transfer notification, by bytes."""
        if b"\n" in raw:
            records = [r.rstrip(b"\r") for r in raw.split(b"\n")]
        else:
            records = [
                raw[i : i + ZENGIN_RECORD_LENGTH]
                for i in range(0, len(raw), ZENGIN_RECORD_LENGTH)
            ]
        rows = []
        for number, record in enumerate(records, start=1):
            if not record.strip() or record[:1] != b"2":
                continue  # header (1), trailer (8), end (9) records
            values = {
                key: record[start:end]
                .decode("cp932", errors="replace")
                .strip(" \u3000")
                for key, (start, end) in ZENGIN_FIELDS.items()
            }
            reference = " ".join(v for v in (values["edi"], values["payer_code"]) if v)
            row = {
                "sequence": number,
                "payer_name": values["payer"],
                "reference": reference,
                "raw_line": record.decode("cp932", errors="replace")[:200],
            }
            try:
                if len(record) < 128:
                    raise ValueError(self.env._("record too short"))
                if values["cancel"] not in ("", "0"):
                    raise ValueError(self.env._("transfer cancelled by the bank"))
                row["date"] = self._parse_zengin_date(values["date"])
                row["amount"] = parse_amount(values["amount"])
            except ValueError as error:
                row.update(
                    state="error",
                    message_data=stored_text(
                        "bank.bad_record", line=number, error=str(error)
                    ),
                )
            rows.append(row)
        if not rows:
            raise UserError(self.env._("The file holds no Zengin transfer record."))
        return rows

    def _parse_zengin_date(self, value):
        value = unicodedata.normalize("NFKC", value)
        if not re.fullmatch(r"\d{6}", value):
            raise ValueError(self.env._("unreadable date %r", value))
        year, month, day = int(value[:2]), int(value[2:4]), int(value[4:])
        year += REIWA_START if self.zengin_era == "reiwa" else 2000
        return date(year, month, day)

    @api.model
    def _sanitize_raw(self, record):
        return " | ".join(str(v) for v in record.values() if v)[:500]

    def _add_import_keys(self, rows):
        """Key each transfer by journal, date, amount, payer and reference, with
        a counter for identical transfers in one file: re-importing the file
        gives the same keys."""
        seen = defaultdict(int)
        for row in rows:
            if row.get("state") == "error":
                continue
            base = "|".join(
                str(v)
                for v in (
                    self.journal_id.id,
                    row["date"],
                    f"{row['amount']:.2f}",
                    normalize_name(row.get("payer_name")),
                    row.get("reference", ""),
                )
            )
            seen[base] += 1
            key = f"{base}|{seen[base]}"
            row["import_key"] = hashlib.sha256(key.encode()).hexdigest()
        return rows

    @api.constrains("delimiter")
    def _check_delimiter(self):
        for batch in self:
            if batch.file_format != "generic":
                continue
            if not batch.delimiter:
                raise ValidationError(self.env._("Give the CSV column separator."))
            if batch.delimiter in ('"', "\r", "\n"):
                raise ValidationError(
                    self.env._(
                        "The CSV column separator cannot be a quote or a line break."
                    )
                )
