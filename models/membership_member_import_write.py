# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import logging

import psycopg2
from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)

# highest number an ir.sequence can hand out (int4)
MAX_SEQUENCE_NUMBER = 2**31 - 2
# the row's fields that are the member's own, and those of its contact
MEMBER_FIELDS = ("plan_id", "join_date", "birth_date", "member_number", "name_kana")
CONTACT_FIELDS = (
    "name",
    "email",
    "phone",
    "zip",
    "state_id",
    "country_id",
    "city",
    "street",
)


class MembershipMemberImport(models.Model):
    """Writing the checked rows: members created or updated, their
    carried-over coverage, the member numbering moved past the file's; a
    batch that fails is written row by row."""

    _inherit = "membership.member.import"  # pylint: disable=consider-merging-classes-inherited

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
        # the checked values of each row, read once (each read is a copy)
        row_values = {line: line.values for line in lines}
        Member = self.env["membership.member"]
        creates = lines.filtered(lambda x: x.state == "create")
        # the new contacts in one create of their own: the members' create
        # would read every contact default again for each; with neither a
        # parent nor children they have nothing to synchronise (as the
        # contacts of Odoo's own import)
        new_contacts = creates.filtered(lambda x: not x.partner_id)
        partners = (
            self.env["res.partner"]
            .with_context(_partners_skip_fields_sync=True)
            .create([self._contact_values(row_values[line]) for line in new_contacts])
        )
        partner_of = dict(zip(new_contacts, partners, strict=True))
        vals_list = [
            self._member_values(
                row_values[line], partner=line.partner_id or partner_of[line]
            )
            for line in creates
        ]
        members = Member.create(vals_list) if vals_list else Member
        for line, member in zip(creates, members, strict=True):
            line.member_id = member
        for line in lines.filtered(lambda x: x.state == "update"):
            member = line.member_id
            values = self._member_values(row_values[line], update=True)
            if values.get("notes") and member.notes:
                values["notes"] = member.notes + values["notes"]  # added to
            member.write(values)
        self._create_carried_over_dues(lines, row_values)
        lines.write({"done": True})
        self.env.flush_all()
        # the database's overlap rule now, not at the commit of the batch
        self.env.cr.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.env.cr.execute("SET CONSTRAINTS ALL DEFERRED")

    def _contact_values(self, values):
        """The contact's part of a row (its address book data)."""
        return {fname: values[fname] for fname in CONTACT_FIELDS if values.get(fname)}

    def _member_values(self, values, partner=None, update=False):
        """A row's values for a new member on the contact ``partner`` (made
        by the import, or existing: an existing contact keeps its own data,
        which others, its company or its documents, may rely on; the reading
        is the member's), or for an update of a member and its contact."""
        vals = {fname: values[fname] for fname in MEMBER_FIELDS if values.get(fname)}
        if values.get("comment"):
            vals["notes"] = Markup("<p>%s</p>") % values["comment"]
        if update:
            # an update never renumbers or moves a member to another plan
            vals.pop("member_number", None)
            vals.pop("plan_id", None)
            vals.pop("join_date", None)
            return {**self._contact_values(values), **vals}
        vals["company_id"] = self.company_id.id
        vals["partner_id"] = partner.id
        vals.setdefault("join_date", fields.Date.context_today(self).isoformat())
        return vals

    def _create_carried_over_dues(self, lines, row_values):
        """The coverage the check found (up to *paid through*) as a paid period
        without an invoice, for the part no live dues of the member covers."""
        vals_list = []
        for line in lines:
            values = row_values[line]
            if not values.get("coverage_start"):
                continue
            vals = line.member_id._get_carried_over_dues_vals(
                fields.Date.from_string(values["coverage_start"]),
                fields.Date.from_string(values.get("coverage_end") or False),
            )
            if vals:
                vals_list.append(vals)
        if vals_list:
            self.env["membership.dues"].create(vals_list)

    def _move_sequence(self, lines):
        """Imported member numbers stay; the company's sequence moves past the
        highest of them that it could have made, so it never hands one out."""
        numbers = [line.values.get("member_number") for line in lines]
        numbers = [number for number in numbers if number]
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
