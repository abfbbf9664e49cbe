# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools.signed_link import make_token, read_token

REFEREE_DAYS = 14
REFEREE_SCOPE = "membership_management-referee"


class MembershipReferee(models.Model):
    """A referee (推薦者) of an application: an existing member asked to vouch
    for the applicant. They are mailed a signed link, valid for
    ``REFEREE_DAYS`` days, to confirm or decline; the answer shows in the
    applications queue, where staff decide."""

    _name = "membership.referee"
    _description = "Application Referee"
    _inherit = ["mail.thread"]
    _order = "applicant_id, id"

    applicant_id = fields.Many2one(
        "membership.member",
        required=True,
        index=True,
        ondelete="cascade",
    )
    referee_id = fields.Many2one(
        "membership.member",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="applicant_id.company_id", store=True, index=True
    )
    state = fields.Selection(
        [
            ("pending", "Waiting"),
            ("confirmed", "Confirmed"),
            ("declined", "Declined"),
        ],
        default="pending",
        required=True,
        readonly=True,
        tracking=True,
    )
    expiry = fields.Datetime(string="Link Valid Until", readonly=True, copy=False)
    decision_date = fields.Datetime(string="Answered On", readonly=True, copy=False)

    _applicant_referee_uniq = models.Constraint(
        "UNIQUE(applicant_id, referee_id)", "A member vouches once for an applicant."
    )

    @api.constrains("applicant_id", "referee_id")
    def _check_referee(self):
        for row in self:
            if row.referee_id == row.applicant_id:
                raise ValidationError(
                    self.env._("An applicant cannot be their own referee.")
                )
            if row.referee_id.state not in row.referee_id._get_benefit_states():
                raise ValidationError(
                    self.env._(
                        "%(referee)s is not a member in good standing: only "
                        "current members can vouch for an applicant.",
                        referee=row.referee_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        rows = super().create(vals_list)
        rows._send_request()
        return rows

    def _send_request(self):
        """Mail each referee a fresh link (a new one voids the previous)."""
        template = self.env.ref("membership_management.mail_template_referee_request")
        for row in self.sudo():
            row.write(
                {
                    "state": "pending",
                    "decision_date": False,
                    "expiry": fields.Datetime.now() + timedelta(days=REFEREE_DAYS),
                }
            )
            template.with_context(referee_url=row._get_answer_url()).send_mail(
                row.id,
                email_values={
                    "recipient_ids": [Command.set(row.referee_id.partner_id.ids)]
                },
            )

    def action_send_again(self):
        self.check_access("write")
        self._send_request()
        return True

    # ------------------------------------------------------------
    # THE SIGNED LINK
    # ------------------------------------------------------------

    def _get_token(self):
        # bound to the referee: a link is only good for the member it was sent to
        self.ensure_one()
        return make_token(
            self.env, REFEREE_SCOPE, self.id, self.expiry, self.sudo().referee_id.id
        )

    def _get_answer_url(self):
        self.ensure_one()
        return f"{self.get_base_url()}/membership/referee?token={self._get_token()}"

    @api.model
    def _get_by_token(self, token):
        """The referee row ``token`` is the current, unexpired link of, or an
        empty recordset (sudo). A link sent again voids the earlier one."""
        Referee = self.sudo()
        found = read_token(
            self.env,
            REFEREE_SCOPE,
            token,
            lambda record_id: Referee.browse(record_id).exists().referee_id.id or None,
        )
        if not found:
            return Referee.browse()
        row = Referee.browse(found[0])
        if row.expiry != found[1]:
            return Referee.browse()
        return row

    def _answer(self, confirmed):
        """The referee's answer, once: later clicks change nothing."""
        self.ensure_one()
        if self.state != "pending":
            raise UserError(self.env._("You have answered this request already."))
        if self.applicant_id.approval_state != "pending":
            raise UserError(self.env._("This application was decided already."))
        self.sudo().write(
            {
                "state": "confirmed" if confirmed else "declined",
                "decision_date": fields.Datetime.now(),
            }
        )
        if confirmed:
            body = self.env._(
                "%(referee)s vouches for this application.",
                referee=self.referee_id.name,
            )
        else:
            body = self.env._(
                "%(referee)s does not vouch for this application.",
                referee=self.referee_id.name,
            )
        self.applicant_id.sudo().message_post(body=body)
        return True
