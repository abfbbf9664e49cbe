# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import models


class MembershipMember(models.Model):
    """The welcome mail, sent when a member becomes active for the first time.

    Called from the state change (:meth:`_compute_state`) with all the members
    of that change at once: the template renders and queues them in one batch
    (a dues run or an import of hundreds of newly active members does not post
    one message each), and a member whose history says they were active before
    is never welcomed again.
    """

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    def _welcome_first_activations(self, history):
        """Welcome the members that ``history`` (new status history rows)
        makes active for the first time."""
        if self.env.context.get("membership_no_welcome"):
            return  # imported members are not welcomed unless asked for
        activated = history.filtered(lambda h: h.new_state == "active").member_id
        if not activated:
            return
        before = (
            self.env["membership.status.history"]
            .sudo()
            .search(
                [
                    ("member_id", "in", activated.ids),
                    ("new_state", "=", "active"),
                    ("id", "not in", history.ids),
                ]
            )
            .member_id
        )
        (activated - before)._send_welcome_mails()

    def _send_welcome_mails(self):
        template = self.env.ref(
            "membership_management.mail_template_member_welcome",
            raise_if_not_found=False,
        )
        members = self.filtered("email")
        if not template or not members:
            return
        # one batch render and one mail.mail create for all of them, queued
        # for the mail job; the message stays in the member's chatter after
        # the mail itself is deleted once sent
        template.sudo().send_mail_batch(
            members.ids, email_values={"is_notification": True}
        )
