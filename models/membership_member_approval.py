# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.stored_text import render_stored_texts, stored_text

APPROVAL_STATES = [
    ("pending", "Waiting for Approval"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]


class MembershipMember(models.Model):
    """Admission (入会審査): the applicants of a plan that requires approval wait
    in *Members > Applications*; staff approve or reject them with a reason,
    the applicant is mailed either way, and only an approved applicant is
    billed. The status history says who decided and when."""

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    approval_state = fields.Selection(
        APPROVAL_STATES,
        string="Admission",
        copy=False,
        tracking=True,
        index="btree_not_null",
        help="For plans that require approval: the board's decision on this "
        "application. Nothing is billed while it waits or once it is rejected.",
    )
    approval_date = fields.Datetime(string="Decided On", readonly=True, copy=False)
    approval_user_id = fields.Many2one(
        "res.users", string="Decided By", readonly=True, copy=False
    )
    rejection_reason = fields.Text(
        copy=False, help="Told to the applicant in the rejection e-mail."
    )

    @api.model_create_multi
    def create(self, vals_list):
        members = super().create(vals_list)
        # an applicant of a plan that requires approval waits for it
        members.filtered(
            lambda m: m.plan_id.requires_approval and not m.approval_state
        ).approval_state = "pending"
        return members

    def _is_awaiting_admission(self):
        """Not billed: waiting for the board, or rejected."""
        self.ensure_one()
        return self.sudo().approval_state in ("pending", "rejected")

    def _check_pending_application(self):
        for member in self:
            if member.approval_state != "pending":
                raise UserError(
                    self.env._(
                        "%(name)s has no application waiting for a decision.",
                        name=member.name,
                    )
                )

    def action_approve(self):
        """Admit the applicants: record the decision, bill the first dues and
        mail the applicant (with the link to pay, when there is one)."""
        self.check_access("write")
        self._check_pending_application()
        today = fields.Date.context_today(self)
        for member in self:
            member.write(
                {
                    "approval_state": "approved",
                    "approval_date": fields.Datetime.now(),
                    "approval_user_id": self.env.uid,
                }
            )
            member._log_admission(stored_text("approval.approved"))
            dues = member._create_period_dues(today)
            member.message_post_with_source(
                "membership_management.mail_template_application_approved",
                subtype_xmlid="mail.mt_comment",
                partner_ids=member.partner_id.ids,
            )
            if dues.move_id:
                dues.move_id._portal_ensure_token()
        return True

    def action_reject(self):
        """Refuse the applicants, with the reason written on the form (told to
        them by mail); nothing is ever billed."""
        self.check_access("write")
        self._check_pending_application()
        for member in self:
            member.write(
                {
                    "approval_state": "rejected",
                    "approval_date": fields.Datetime.now(),
                    "approval_user_id": self.env.uid,
                }
            )
            member._log_admission(
                stored_text(
                    "approval.rejected",
                    reason=member.rejection_reason or self.env._("no reason given"),
                )
            )
            member.message_post_with_source(
                "membership_management.mail_template_application_rejected",
                subtype_xmlid="mail.mt_comment",
                partner_ids=member.partner_id.ids,
            )
        return True

    def _log_admission(self, reason):
        """A status-history row for the decision (the state does not change),
        and an audit log entry."""
        self.ensure_one()
        self.env["membership.audit.log"]._log(
            "approval_decision",
            self,
            (render_stored_texts(self.env, [reason])[0] or "")[:250],
        )
        self.env["membership.status.history"].sudo().create(
            {
                "member_id": self.id,
                "old_state": self.state,
                "new_state": self.state,
                "reason_data": reason,
                "effective_date": fields.Date.context_today(self),
                "source": "staff",
                "user_id": self.env.uid,
            }
        )
