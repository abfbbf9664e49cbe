# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class MembershipMember(models.Model):
    """Dues paid by a saved card: which of the member's saved payment methods
    is charged when dues fall due, and the member's consent to it (its date).

    Cards are saved by Odoo's payment form (*Save my payment details* while
    paying an invoice); the member then chooses one and consents on the
    portal. A member with an active direct debit mandate is debited by the
    bank instead: the card is not charged.
    """

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    auto_charge_token_id = fields.Many2one(
        "payment.token",
        string="Card Charged for Dues",
        copy=False,
        tracking=True,
        ondelete="set null",
        help="The saved payment method charged when dues fall due, chosen by the "
        "member on the portal.",
    )
    auto_charge_consent_date = fields.Datetime(
        string="Automatic Payment Consent",
        copy=False,
        readonly=True,
        tracking=True,
        help="When the member agreed on the portal that their dues are charged "
        "to the chosen card; empty when they have not, or withdrew it.",
    )
    auto_charge_active = fields.Boolean(
        string="Pays by Saved Card",
        compute="_compute_auto_charge_active",
        store=True,
        help="A saved card and the member's consent: open dues are charged to "
        "it on their due date (unless a direct debit mandate is active).",
    )

    @api.constrains("auto_charge_token_id", "partner_id")
    def _check_auto_charge_token(self):
        for member in self.sudo().filtered("auto_charge_token_id"):
            if member.auto_charge_token_id.partner_id != member.partner_id:
                raise ValidationError(
                    self.env._(
                        "%(member)s can only be charged on a payment method saved "
                        "by themselves.",
                        member=member.display_name,
                    )
                )

    @api.depends(
        "auto_charge_token_id.active",
        "auto_charge_consent_date",
    )
    def _compute_auto_charge_active(self):
        for member in self.sudo():
            member.auto_charge_active = bool(
                member.auto_charge_token_id.active and member.auto_charge_consent_date
            )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def write(self, vals):
        """Another card is never charged on the consent given for one: staff
        changing the card end the consent, the member gives it again."""
        if "auto_charge_token_id" in vals and "auto_charge_consent_date" not in vals:
            vals = dict(vals, auto_charge_consent_date=False)
        return super().write(vals)

    def action_stop_auto_charge(self):
        """Staff stop the automatic payment (the member asked by phone...)."""
        self.check_access("write")
        self._stop_auto_charge(
            self.env._(
                "Automatic card payment of dues stopped by %(user)s.",
                user=self.env.user.name,
            )
        )
        return True

    # ------------------------------------------------------------
    # PORTAL
    # ------------------------------------------------------------

    def _get_saved_payment_tokens(self):
        """The member's own saved payment methods (active ones)."""
        self.ensure_one()
        return (
            self.env["payment.token"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.partner_id.id),
                    ("company_id", "in", [self.company_id.id, False]),
                    # a card is charged in one step: no authorisation to
                    # capture by hand later
                    ("provider_id.capture_manually", "=", False),
                ]
            )
        )

    def _get_saved_payment_token(self, token_id):
        """The member's saved payment method ``token_id``, refused when it is
        someone else's (or none): the portal passes ids straight from forms."""
        self.ensure_one()
        token = self._get_saved_payment_tokens().filtered(lambda t: t.id == token_id)
        if not token:
            raise UserError(self.env._("Choose one of your saved payment methods."))
        return token

    def _set_auto_charge(self, token_id):
        """The member chose ``token_id`` and consented: their dues are charged
        to it from now on, failed charges of open dues are tried again."""
        self.ensure_one()
        if self.state == "withdrawn":
            raise UserError(self.env._("A withdrawn membership is not charged."))
        token = self._get_saved_payment_token(token_id)
        member = self.sudo()
        member.write(
            {
                "auto_charge_token_id": token.id,
                "auto_charge_consent_date": fields.Datetime.now(),
            }
        )
        member.dues_ids.filtered(
            lambda d: d.state in d._get_open_states()
        )._reset_auto_charge()
        member.message_post(
            body=self.env._(
                "The member agreed that their dues are charged to %(card)s "
                "when they fall due.",
                card=token.display_name,
            )
        )
        return True

    def _stop_auto_charge(self, reason):
        members = self.sudo().filtered("auto_charge_token_id")
        if not members:
            return
        members.write(
            {"auto_charge_token_id": False, "auto_charge_consent_date": False}
        )
        for member in members:
            member.message_post(body=reason)

    def _remove_saved_payment_token(self, token_id):
        """The member removes one of their saved payment methods (archived, as
        Odoo's own *Delete* does); a card charged for dues stops being so."""
        self.ensure_one()
        token = self._get_saved_payment_token(token_id)
        token.action_archive()
        return True
