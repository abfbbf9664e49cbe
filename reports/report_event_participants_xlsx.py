# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import io

import xlsxwriter

from odoo import models


class ReportEventParticipantsXlsx(models.AbstractModel):
    """Participant list of an event as an XLSX workbook.

    Every text cell is written with ``write_string``: a name such as
    ``=HYPERLINK(...)`` stays text and never becomes a formula.
    """

    _name = "report.membership_management.event_participants_xlsx"
    _description = "Event Participants (XLSX)"

    def _get_columns(self):
        env = self.env
        return [
            (env._("Attendee"), 28, lambda r: r.name or ""),
            (env._("Member No."), 12, lambda r: r.member_number or ""),
            (env._("Plan"), 16, lambda r: r.member_id.sudo().plan_id.name or ""),
            (env._("E-mail"), 28, lambda r: r.email or ""),
            (env._("Phone"), 18, lambda r: r.phone or ""),
            (env._("Ticket"), 18, lambda r: r.event_ticket_id.name or ""),
            (
                env._("Price Basis"),
                16,
                lambda r: self._selection_label(r, "membership_price_reason"),
            ),
            (env._("Price"), 10, lambda r: r.membership_price),
            (
                env._("Fee"),
                14,
                lambda r: self._selection_label(r, "membership_fee_state"),
            ),
            (env._("Status"), 12, lambda r: self._selection_label(r, "state")),
        ]

    def _selection_label(self, record, fname):
        selection = dict(record._fields[fname]._description_selection(self.env))
        return selection.get(record[fname], "") if record[fname] else ""

    def _generate(self, event):
        """Workbook bytes for ``event`` (registrations read as the current user)."""
        registrations = self.env["event.registration"].search(
            [("event_id", "=", event.id), ("state", "!=", "cancel")],
            order="name, id",
        )
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet(self.env._("Participants"))
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "#,##0.00"})
        columns = self._get_columns()
        sheet.write_string(0, 0, event.name or "", bold)
        for col, (title, width, __) in enumerate(columns):
            sheet.set_column(col, col, width)
            sheet.write_string(2, col, title, bold)
        for row, registration in enumerate(registrations, start=3):
            for col, (__, __, getter) in enumerate(columns):
                value = getter(registration)
                if isinstance(value, float):
                    sheet.write_number(row, col, value, money)
                else:
                    sheet.write_string(row, col, value)
        sheet.freeze_panes(3, 0)
        workbook.close()
        return buffer.getvalue()
