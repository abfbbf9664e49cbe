# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import models


class EventRegistration(models.Model):
    """A seat freed by a cancelled, archived or deleted registration goes to
    the event's waitlist at once."""

    _inherit = "event.registration"  # pylint: disable=consider-merging-classes-inherited

    def write(self, vals):
        freeing = (
            self.filtered(lambda r: r.state in ("open", "done") and r.active)
            if vals.get("state") in ("cancel", "draft") or vals.get("active") is False
            else self.browse()
        )
        result = super().write(vals)
        if freeing:
            freeing.event_id._membership_offer_free_seats()
        return result

    def unlink(self):
        events = self.filtered(lambda r: r.state in ("open", "done")).event_id
        result = super().unlink()
        events.exists()._membership_offer_free_seats()
        return result
