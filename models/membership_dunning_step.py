# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain


class MembershipDunningStep(models.Model):
    """A payment reminder sent a number of days after the dues' due date.

    The steps of a company, ordered by days, are levels 1, 2, 3...: dues at
    level N only ever receive a later step, so no reminder is sent twice.
    """

    _name = "membership.dunning.step"
    _description = "Membership Payment Reminder Step"
    _order = "days_after_due, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty to use the step in every company that has no steps of "
        "its own.",
    )
    days_after_due = fields.Integer(
        required=True, help="Days after the invoice due date to send this reminder."
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        required=True,
        domain=[("model", "=", "membership.dues")],
    )
    suspend_member = fields.Boolean(
        help="Also suspend the member from the day this reminder is sent."
    )

    _days_positive = models.Constraint(
        "CHECK(days_after_due >= 0)", "Reminders are sent on or after the due date."
    )

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _cron_send_reminders(self, batch_size=200):
        """Send due reminders in batches, latest step first, then the reminders
        of unpaid event fees (renewal notices have a job of their own).

        Each batch is committed: a crash resumes without resending, since the
        dues' ``dunning_level`` is raised in the same transaction as the mail.
        """
        today = fields.Date.context_today(self)
        cron = self.env["ir.cron"]
        Dues = self.env["membership.dues"]
        open_states = Dues._get_open_states()
        unpaid = Dues._read_group([("state", "in", open_states)], ["company_id"])
        for (company,) in unpaid:
            steps = self.search([("company_id", "=", company.id)]) or self.search(
                [("company_id", "=", False)]
            )
            # the latest step that is due wins: a 60-day-late dues gets the
            # final notice only, not the three reminders at once
            for level, step in reversed(list(enumerate(steps, start=1))):
                domain = Domain.AND(
                    [
                        Domain("company_id", "=", company.id),
                        Domain("state", "in", open_states),
                        Domain("dunning_level", "<", level),
                        Domain(
                            "date_due",
                            "<=",
                            today - timedelta(days=step.days_after_due),
                        ),
                        # a saved card still to be charged (or retried) first
                        ~Dues._get_auto_charge_pending_domain(),
                        Dues._get_auto_collected_domain(),
                        Domain(
                            "member_id",
                            "any",
                            self.env["membership.member"]._get_mailable_domain(),
                        ),
                    ]
                )
                while dues := (
                    self.env["membership.dues"]
                    .search(domain, limit=batch_size, order="id")
                    .try_lock_for_update(allow_referencing=True)
                ):
                    # claimed: a second worker on this job leaves these dues
                    step._send(dues, level)
                    if cron._commit_progress(len(dues)) <= 0:
                        return
        self.env["event.registration"]._send_fee_reminders(batch_size=batch_size)

    def _send(self, dues, level):
        """Mail this reminder for ``dues`` and log it on the dues and members."""
        self.ensure_one()
        for record in dues:
            record.message_post_with_source(
                self.mail_template_id,
                subtype_xmlid="mail.mt_comment",
                partner_ids=record.invoice_partner_id.ids,
            )
            record.member_id.message_post(
                body=self.env._(
                    "Payment reminder “%(step)s” sent for %(dues)s.",
                    step=self.name,
                    dues=record.name,
                ),
            )
        dues.write({"dunning_level": level})
        if self.suspend_member:
            today = fields.Date.context_today(self)
            dues.member_id.filtered(
                lambda m: m.state not in ("suspended", "withdrawn")
            ).write(
                {
                    "suspended_from": today,
                    "suspended_until": False,
                    "suspension_kind": "unpaid",
                    "suspension_reason": self.env._(
                        "Dues unpaid after the reminder “%(step)s”", step=self.name
                    ),
                }
            )
