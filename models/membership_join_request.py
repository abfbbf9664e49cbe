# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

BATCH_SIZE = 20


class MembershipJoinRequest(models.Model):
    """An online application waiting for the job that handles it.

    The join page only validates the form and queues it here: a known address
    and a new one then cost the visitor's request the same work and the same
    time, so the answer's speed tells nobody who is a member. The job creates
    the member (or mails the known address's owner) and deletes the row; a
    batch is committed at once, so a crash neither loses an application nor
    handles one twice.
    """

    _name = "membership.join.request"
    _description = "Queued Online Application"
    _order = "id"

    plan_id = fields.Many2one(
        "membership.plan", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    values = fields.Json(
        readonly=True, help="The form's cleaned values (name, e-mail, phone, ...)."
    )
    newsletter = fields.Boolean(readonly=True)
    document = fields.Binary(
        attachment=True, readonly=True, help="The document the plan asks for."
    )
    document_name = fields.Char(readonly=True)
    state = fields.Selection(
        [("queued", "Queued"), ("failed", "Failed")],
        default="queued",
        required=True,
        readonly=True,
        index=True,
    )
    error = fields.Text(readonly=True)

    @api.model
    def _enqueue(self, plan, values, newsletter=False, document=None):
        """Queue an application and wake the job up; ``document`` is
        ``(file name, base64 content)`` when the plan asks for one."""
        values = dict(values)
        if values.get("birth_date"):
            values["birth_date"] = fields.Date.to_string(values["birth_date"])
        request = self.sudo().create(
            {
                "plan_id": plan.id,
                "values": values,
                "newsletter": bool(newsletter),
                "document_name": document and document[0],
                "document": document and document[1],
            }
        )
        self.env.ref("membership_management.ir_cron_join_requests").sudo()._trigger()
        return request

    @api.model
    def _cron_process(self):
        """Handle the queued applications, a committed batch at a time."""
        cron = self.env["ir.cron"]
        domain = [("state", "=", "queued")]
        while requests := self.sudo().search(domain, limit=BATCH_SIZE):
            for request in requests:
                request._process()
            remaining = cron._commit_progress(
                len(requests), remaining=self.sudo().search_count(domain)
            )
            if remaining <= 0:
                return

    def _process(self):
        """Apply one queued application; a failure is kept on the row for the
        managers (the applicant's data is not lost) and the others go on."""
        self.ensure_one()
        values = dict(self.values or {})
        if values.get("birth_date"):
            values["birth_date"] = fields.Date.to_date(values["birth_date"])
        plan = self.plan_id.sudo()
        # the history says the member came from the portal, not from staff
        env = self.with_context(membership_state_source="portal").sudo().env
        try:
            with self.env.cr.savepoint():
                member = (
                    env["membership.member"]
                    .with_company(plan.company_id)
                    ._apply_online(plan, values, newsletter=self.newsletter)
                )
                if member and self.document:
                    member.write(
                        {
                            "application_document": self.document,
                            "application_document_name": self.document_name,
                        }
                    )
                env.flush_all()
                self.unlink()
        except Exception as error:  # noqa: BLE001  pylint: disable=broad-except
            _logger.exception("Queued online application %s failed", self.id)
            self.write({"state": "failed", "error": str(error)})

    def action_retry(self):
        """Queue failed applications again (after the cause was fixed)."""
        self.write({"state": "queued", "error": False})
        self.env.ref("membership_management.ir_cron_join_requests").sudo()._trigger()
        return True
