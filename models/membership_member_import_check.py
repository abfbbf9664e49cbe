# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import base64
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

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
from ..tools.text import plain_email

DATE_FIELDS = ("join_date", "paid_through", "birth_date")
# duplicate rules, strongest first
DEDUPE_RULES = ("member_number", "email", "phone", "reading_birth")


class MembershipMemberImport(models.Model):
    """Reading and checking a member list: the columns, each row's values
    normalised, its errors and warnings, and the duplicates it has with the
    company's members and contacts and with the rows before it. Writes no
    member."""

    _inherit = "membership.member.import"  # pylint: disable=consider-merging-classes-inherited

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
        periods = {}  # (plan, day): period; thousands of rows share a few
        parsed = [
            self._parse_row(row, mapping, plans, states, width, periods)
            for __, row in rows
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

    def _parse_row(self, row, mapping, plans, states, width, periods=None):
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
        self._parse_membership(raw, values, errors, warnings, plans, periods)
        return values, errors, warnings

    def _parse_contact(self, raw, values, errors, warnings, states):
        """E-mail (refused when invalid), prefecture, and phone in E.164 in
        the prefecture's country or the company's (kept as written, with a
        warning, when it cannot be read)."""
        if raw.get("email"):
            email = plain_email(normalize_email(raw["email"]))
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

    def _parse_membership(self, raw, values, errors, warnings, plans, periods=None):
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
            self._set_coverage(plan, values, warnings, periods)

    def _set_coverage(self, plan, values, warnings, periods=None):
        """The carried-over coverage of a row: up to *paid through* (none for
        a lifetime plan), from the start of the plan's period then covering
        today, or ending then (not before joining). A member without a join
        date joined when that coverage starts."""
        today = fields.Date.context_today(self)
        periods = {} if periods is None else periods

        def period(day):
            if (plan, day) not in periods:
                periods[plan, day] = plan._get_period(day)
            return periods[plan, day]

        joined = values.get("join_date") and fields.Date.from_string(
            values["join_date"]
        )
        if plan.period_type == "lifetime":
            start, end = joined or today, False
        else:
            end = fields.Date.from_string(values["paid_through"])
            if plan.period_type == "fixed":
                start = period(min(today, end))[0]
                if period(end)[1] != end:
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
