# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    membership_dues_ids = fields.One2many("membership.dues", "move_id", readonly=True)
    membership_registration_ids = fields.One2many(
        "event.registration", "membership_fee_move_id", readonly=True
    )

    def _invoice_paid_hook(self):
        """A paid participation fee confirms its event registration; paid dues
        reinstate a member suspended for not paying them."""
        result = super()._invoice_paid_hook()
        dues = self.sudo().membership_dues_ids
        dues._record_paid()
        dues.member_id._lift_unpaid_suspensions(self.sudo())
        registrations = (
            self.env["event.registration"]
            .sudo()
            .search(
                [("membership_fee_move_id", "in", self.ids), ("state", "=", "draft")]
            )
        )
        registrations._membership_confirm_paid()
        return result

    def _membership_ensure_official_pdf(self):
        """Make the official PDF of posted membership invoices (dues, event
        fees) that have none, so that a member never sees a "Proforma
        Invoice": invoices posted on the portal, at joining or for an event
        are not sent, and Odoo makes the official document only when sending.
        Done when a member first opens the invoice; a failure is written on
        the invoice and the pro forma stays."""
        moves = self.filtered(
            lambda m: (
                m.state == "posted"
                and m.is_sale_document()
                and not m.invoice_pdf_report_id
                and not m.sending_data
                and (m.membership_dues_ids or m.membership_registration_ids)
            )
        )
        if moves:
            self.env["account.move.send"]._generate_and_send_invoices(
                moves, allow_raising=False, sending_methods=[]
            )

    # ------------------------------------------------------------
    # MAILING
    # ------------------------------------------------------------

    def _membership_queue_sending(self):
        """E-mail these posted invoices as *Send* does for many: Odoo's own
        sending job (``account.ir_cron_account_move_send``) generates the
        official PDF, attaches it and mails it with the portal link, by each
        contact's sending preference, outside the caller's transaction.
        Returns ``False`` when that job is not active (nothing is sent)."""
        moves = self.filtered(
            lambda m: m.state == "posted" and m.partner_id.email and not m.sending_data
        )
        if not moves:
            return True
        moves.sudo().sending_data = {
            "author_user_id": self.env.user.id,
            "author_partner_id": self.env.user.partner_id.id,
        }
        cron = self.env.ref(
            "account.ir_cron_account_move_send", raise_if_not_found=False
        )
        if not cron or not cron.sudo().active:
            return False
        cron._trigger()
        return True

    def _get_mail_template(self):
        """A dues invoice collected without the member acting (saved card,
        direct debit) is sent with a mail that says when and how, instead of
        asking for payment."""
        if len(self) == 1 and self._get_membership_auto_payment():
            return self.env.ref(
                "membership_management.mail_template_dues_invoice_auto_payment"
            )
        return super()._get_mail_template()

    def _get_membership_auto_payment(self):
        """How this open dues invoice is paid by itself: ``{"method": "debit",
        "date": debit date or False}`` for a member with an active direct debit
        mandate, ``{"method": "card", "date": ..., "card": name}`` for a
        member whose saved card is charged, else ``{}``."""
        self.ensure_one()
        dues = self.sudo().membership_dues_ids[:1]
        if not dues or dues.state not in dues._get_open_states():
            return {}
        member = dues.member_id
        if member.has_active_mandate:
            return {
                "method": "debit",
                "date": member._get_pending_direct_debits().get(self, False),
            }
        charge_date = dues._get_auto_charge_date()
        if charge_date:
            return {
                "method": "card",
                "date": charge_date,
                "card": member.auto_charge_token_id.display_name,
            }
        return {}
