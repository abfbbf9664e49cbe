# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models
from odoo.exceptions import UserError

CONSENT_SOURCES = [
    ("join", "Join Form"),
    ("portal", "Portal"),
    ("staff", "Staff"),
    ("import", "Import"),
    ("migration", "Migration"),
]
CONSENT_CHANNELS = [
    ("web", "Website"),
    ("paper", "Paper Form"),
    ("email", "E-mail"),
    ("phone", "Phone"),
    ("in_person", "In Person"),
]


class MembershipConsent(models.Model):
    """The consent ledger: each time a member gives or withdraws a consent, a
    row that is never changed — what they agreed to (the purpose and the
    version of its text), when, how and from where. The latest row of a
    purpose is the member's current choice."""

    _name = "membership.consent"
    _description = "Membership Consent"
    _order = "date desc, id desc"
    _rec_name = "purpose_id"

    member_id = fields.Many2one(
        "membership.member",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(related="member_id.partner_id")
    company_id = fields.Many2one(related="member_id.company_id", store=True, index=True)
    purpose_id = fields.Many2one(
        "membership.consent.purpose", required=True, readonly=True, ondelete="restrict"
    )
    purpose = fields.Char(related="purpose_id.code", string="Purpose Code")
    state = fields.Selection(
        [("given", "Given"), ("withdrawn", "Withdrawn")], required=True, readonly=True
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    source = fields.Selection(CONSENT_SOURCES, required=True, readonly=True)
    channel = fields.Selection(CONSENT_CHANNELS, default="web", readonly=True)
    text_version = fields.Integer(readonly=True)
    ip_address = fields.Char(readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Recorded By", readonly=True, default=lambda s: s.env.uid
    )

    def write(self, vals):
        if self:
            raise UserError(
                self.env._("A consent cannot be changed: record a new one.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The consent ledger cannot be deleted."))

    def _erase_ip(self):
        """An erasure keeps the ledger (proof of consent) without the address."""
        if self:
            self.env.cr.execute(
                "UPDATE membership_consent SET ip_address = NULL WHERE id IN %s",
                [tuple(self.ids)],
            )
            self.invalidate_recordset(["ip_address"])
