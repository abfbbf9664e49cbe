# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize

from ..tools.signed_link import make_token, read_token

EMAIL_CHANGE_HOURS = 24
EMAIL_CHANGE_SCOPE = "membership_management-email-change"


class MembershipMember(models.Model):
    """A member's new e-mail address takes effect only once confirmed from that
    mailbox: otherwise a member could take someone else's address, and that
    person's own application would then be treated as "already a member"."""

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    pending_email = fields.Char(
        string="New E-mail (unconfirmed)",
        copy=False,
        readonly=True,
        groups="membership_management.group_membership_user",
        help="Asked for on the portal; it replaces the e-mail once the member opens "
        "the confirmation link sent to it.",
    )

    def _request_email_change(self, new_email):
        """Keep ``new_email`` aside and mail it a confirmation link (the
        current address is kept until then). A newer request voids the
        older link."""
        self.ensure_one()
        member = self.sudo()
        email = email_normalize(new_email)
        if not email:
            raise UserError(self.env._("Enter a valid e-mail address."))
        member.pending_email = email
        expiry = fields.Datetime.now() + timedelta(hours=EMAIL_CHANGE_HOURS)
        token = member._get_email_change_token(expiry)
        url = f"{member.get_base_url()}/my/membership/email/confirm?token={token}"
        member._mail_address(
            "membership_management.mail_template_email_change_confirm",
            email,
            confirm_url=url,
        )
        member.message_post(
            body=self.env._(
                "A change of e-mail address to %(email)s was asked for on the portal; "
                "it waits for confirmation from that mailbox.",
                email=email,
            )
        )
        return True

    def _mail_address(self, template_xmlid, email, **context):
        """Mail ``email`` only (not the member's current address)."""
        self.ensure_one()
        self.env.ref(template_xmlid).sudo().with_context(**context).send_mail(
            self.id, email_values={"email_to": email, "recipient_ids": []}
        )

    def _get_email_change_token(self, expiry):
        # the pending address is signed too: a link is only good for its address
        self.ensure_one()
        return make_token(
            self.env, EMAIL_CHANGE_SCOPE, self.id, expiry, self.sudo().pending_email
        )

    def _confirm_email_change(self, token):
        """Apply the pending address when ``token`` is this member's current,
        unexpired link. Returns ``False`` for any other token."""
        self.ensure_one()
        member = self.sudo()
        if not member.pending_email or not read_token(
            self.env,
            EMAIL_CHANGE_SCOPE,
            token,
            lambda record_id: member.pending_email if record_id == self.id else None,
        ):
            return False
        old_email, new_email = member.email_normalized, member.pending_email
        users = member.partner_id.user_ids.filtered(
            lambda u: email_normalize(u.login) == old_email
        )
        if users and self.env["res.users"].sudo().with_context(
            active_test=False
        ).search_count([("login", "=ilike", new_email), ("id", "not in", users.ids)]):
            raise UserError(
                self.env._(
                    "Another account signs in with %(email)s: contact us to change "
                    "your address.",
                    email=new_email,
                )
            )
        member.with_context(membership_state_source="portal").write(
            {"email": new_email, "pending_email": False}
        )
        # the member signs in with their address: it follows
        users.login = new_email
        if old_email:
            member._mail_address(
                "membership_management.mail_template_email_changed_notice", old_email
            )
        member.message_post(
            body=self.env._(
                "E-mail address changed to %(email)s after confirmation from that "
                "mailbox.",
                email=new_email,
            )
        )
        return True
