# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import base64
import io
import uuid
from datetime import datetime, timedelta

import qrcode

from odoo import api, fields, models
from odoo.tools import consteq
from odoo.tools.misc import hmac

# the states in which a member's card opens members' prices and doors
CARD_STATES = ("active", "grace")


class MembershipMember(models.Model):
    """The membership card: a signed, expiring token that never holds the member id,
    revoked by a new card id."""

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    card_uuid = fields.Char(
        copy=False,
        default=lambda self: uuid.uuid4().hex,
        groups="membership_management.group_membership_user",
        help="Technical: identifies the membership card; a new one revokes the "
        "printed and on-screen cards.",
    )

    def action_revoke_card(self):
        """Invalidate every card shown or printed so far."""
        for member in self:
            member.card_uuid = uuid.uuid4().hex
            member.message_post(
                body=self.env._("Membership card revoked and reissued.")
            )
        return True

    def _has_valid_card(self):
        """A card is a key to members' prices and doors: only while the
        membership is active or in grace (not for an applicant who never paid,
        nor a lapsed, suspended or withdrawn member)."""
        self.ensure_one()
        return self.sudo().state in CARD_STATES

    def _get_card_token(self):
        """Signed card token for the QR code: ``<card id>.<expiry>.<signature>``,
        or ``False`` while the member has no valid card.

        It carries no member id; it expires with the coverage, at the end of
        grace (cards of memberships without an end after the days set in
        Settings, five years by default) and dies when the card is revoked.
        """
        self.ensure_one()
        member = self.sudo()
        if not member._has_valid_card():
            return False
        today = fields.Date.context_today(self)
        expiry = (
            member.grace_end
            or member.date_end
            or today + timedelta(days=self._get_card_validity_days())
        )
        payload = f"{member.card_uuid}.{expiry:%Y%m%d}"
        return f"{payload}.{self._sign_card_payload(payload)}"

    def _get_card_qr_png(self):
        """The card's QR code as PNG bytes (the portal shows the same), or
        ``False`` while the member has no valid card."""
        self.ensure_one()
        token = self._get_card_token()
        if not token:
            return False
        image = qrcode.make(token, box_size=8, border=2)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()

    def _get_card_qr_image(self):
        """The card's QR code, base64, for an ``<img>`` in a printed card."""
        png = self._get_card_qr_png()
        return png and base64.b64encode(png).decode()

    @api.model
    def _get_card_validity_days(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("membership_management.card_validity_days", "1825")
        )
        try:
            return max(int(value), 1)
        except ValueError:
            return 1825

    @api.model
    def _sign_card_payload(self, payload):
        return hmac(self.env(su=True), "membership_management-card", payload)[:32]

    @api.model
    def _get_member_from_card_token(self, token, states=CARD_STATES):
        """The member a card token belongs to, or an empty recordset when the
        token is malformed, tampered with, expired or revoked, or when the
        membership is not in one of ``states`` (active or in grace; ``None``
        accepts any state, for a desk that explains its refusal)."""
        Member = self.sudo().with_context(active_test=False)
        parts = (token or "").strip().split(".")
        if len(parts) != 3:
            return Member.browse()
        card_uuid, expiry, signature = parts
        expected = self._sign_card_payload(f"{card_uuid}.{expiry}")
        if not consteq(signature, expected):
            return Member.browse()
        try:
            expiry_date = datetime.strptime(expiry, "%Y%m%d").date()
        except ValueError:
            return Member.browse()
        if expiry_date < fields.Date.context_today(self):
            return Member.browse()
        domain = [("card_uuid", "=", card_uuid)]
        if states is not None:
            domain.append(("state", "in", states))
        return Member.search(domain, limit=1)
