# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain


class MembershipMember(models.Model):
    """Renewal notices: members of plans that do not renew by themselves are told
    once per coverage end that it comes near, and renew on their portal (plans
    that auto-renew bill and e-mail the next period instead, see
    ``membership_dues_run_renewal``)."""

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    renewal_notice_date_end = fields.Date(
        copy=False,
        help="Technical: the coverage end for which the renewal notice was sent.",
    )

    @api.model
    def _send_renewal_notices(self, batch_size=200):
        """Tell active members of plans without auto-renew that their coverage ends
        soon, once per coverage end (``membership_management.renewal_notice_days``
        days before it; 0 turns the notices off)."""
        days = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("membership_management.renewal_notice_days", 30)
        )
        template = self.env.ref(
            "membership_management.mail_template_renewal_notice",
            raise_if_not_found=False,
        )
        if days <= 0 or not template:
            return
        today = fields.Date.context_today(self)
        domain = Domain.AND(
            [
                Domain("state", "=", "active"),
                Domain("plan_id.auto_renew", "=", False),
                # the organisation or family renews for the people it covers
                Domain("parent_member_id", "=", False),
                Domain("date_end", ">=", today),
                Domain("date_end", "<=", today + timedelta(days=days)),
                # a notice dated before today was for an earlier coverage end
                Domain("renewal_notice_date_end", "=", False)
                | Domain("renewal_notice_date_end", "<", today),
                Domain(self._get_mailable_domain()),
            ]
        )
        cron = self.env["ir.cron"]
        while members := self.search(domain, limit=batch_size, order="id"):
            for member in members:
                renewed = member.dues_ids.filtered(
                    lambda d, m=member: (
                        d.state != "cancelled" and d.date_start > m.date_end
                    )
                )
                if not renewed:
                    member.message_post_with_source(
                        template,
                        subtype_xmlid="mail.mt_comment",
                        partner_ids=member.partner_id.ids,
                    )
                member.renewal_notice_date_end = member.date_end
            if cron._commit_progress(len(members)) <= 0:
                return
