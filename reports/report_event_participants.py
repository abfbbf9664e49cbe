# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, models


class ReportEventParticipants(models.AbstractModel):
    """The PDF participant list: personal data leaves Odoo, so every print is
    audited like the XLSX download."""

    _name = "report.membership_management.report_event_participants"
    _description = "Event Participant List"

    @api.model
    def _get_report_values(self, docids, data=None):
        events = self.env["event.event"].browse(docids)
        for event in events:
            self.env["membership.audit.log"]._log(
                "participant_export",
                description=self.env._("%(event)s (PDF)", event=event.display_name),
            )
        return {"doc_ids": events.ids, "doc_model": "event.event", "docs": events}
