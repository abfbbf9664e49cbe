# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.card_charge import DEFAULT_RETRY_DAYS, RETRY_PARAMETER, parse_retry_days
from ..tools.invoice import SEND_PARAMETER

# settings field -> (system parameter, default); stored by hand so that 0 is
# kept (Odoo's config_parameter would delete the parameter for 0)
MEMBERSHIP_PARAMETERS = {
    "membership_dues_run_batch_size": (
        "membership_management.dues_run_batch_size",
        200,
    ),
    "membership_renewal_notice_days": ("membership_management.renewal_notice_days", 30),
    "membership_join_limit_per_hour": ("membership_management.join_limit_per_hour", 10),
    "membership_campaign_batch_size": (
        "membership_management.campaign_batch_size",
        500,
    ),
    "membership_event_fee_reminder_days": (
        "membership_management.event_fee_reminder_days",
        3,
    ),
    "membership_card_validity_days": (
        "membership_management.card_validity_days",
        1825,
    ),
    "membership_audit_retention_years": (
        "membership_management.audit_retention_years",
        3,
    ),
    "membership_accounting_retention_years": (
        "membership_management.accounting_retention_years",
        7,
    ),
    "membership_dormant_days": ("membership_management.dormant_days", 180),
}
POSITIVE = (
    "membership_dormant_days",
    "membership_audit_retention_years",
    "membership_accounting_retention_years",
    "membership_card_validity_days",
    "membership_dues_run_batch_size",
    "membership_join_limit_per_hour",
    "membership_campaign_batch_size",
)


def read_membership_parameter(env, fname):
    """The whole-number setting ``fname`` of :data:`MEMBERSHIP_PARAMETERS`,
    its default when unset or not a number (at least 1 where 0 makes no
    sense)."""
    key, default = MEMBERSHIP_PARAMETERS[fname]
    try:
        value = int(env["ir.config_parameter"].sudo().get_param(key, default))
    except ValueError:
        return default
    return max(value, 1) if fname in POSITIVE else value


class ResConfigSettings(models.TransientModel):
    """The *Membership* section of Settings: what was only system parameters."""

    _inherit = "res.config.settings"

    membership_dues_run_batch_size = fields.Integer(
        string="Dues Run Batch Size",
        help="Members billed per committed batch of a dues run.",
    )
    membership_renewal_notice_days = fields.Integer(
        string="Renewal Notice Days",
        help="Days before coverage ends that members of plans without auto-renew "
        "are told to renew on their portal; 0 sends no renewal notices.",
    )
    membership_join_limit_per_hour = fields.Integer(
        string="Applications per Hour and Address",
        help="Online applications accepted from one network address per hour.",
    )
    membership_campaign_batch_size = fields.Integer(
        string="Campaign Batch Size",
        help="Journey mails sent per committed batch.",
    )
    membership_event_fee_reminder_days = fields.Integer(
        string="Event Fee Reminder Days",
        help="Days after the due date of an unpaid participation fee that its one "
        "reminder is sent.",
    )
    membership_card_validity_days = fields.Integer(
        string="Card Validity Without End",
        help="Days a membership card shown or printed stays valid when the "
        "membership has no end (lifetime plans); other cards expire when the "
        "grace period ends.",
    )
    auth_totp_policy = fields.Selection(
        selection_add=[
            ("membership_staff_required", "Required for staff handling member data")
        ],
        ondelete={"membership_staff_required": "set null"},
    )
    membership_audit_retention_years = fields.Integer(
        string="Audit Log Retention (years)",
        help="Audit log entries older than this are deleted by a daily job (the "
        "purge is logged itself).",
    )
    membership_accounting_retention_years = fields.Integer(
        string="Accounting Retention (years)",
        help="Statutory retention of invoices, payments and receipts: an erasure "
        "keeps them, with the name and address printed on them, for this long.",
    )
    membership_dormant_days = fields.Integer(
        string="Dormant After (days)",
        help="Members in good standing with no sign-in, event or payment for this "
        "many days are dormant (segment, journey trigger, churn risk).",
    )
    membership_invoice_dues_send = fields.Boolean(
        string="E-mail Invoices Billed by Hand",
        help="Invoice Dues on the member form e-mails the invoice (its official "
        "PDF and the link to pay) through Odoo's sending, as dues runs can.",
    )
    membership_auto_charge_retry_days = fields.Char(
        string="Card Charge Retries",
        config_parameter=RETRY_PARAMETER,
        default=DEFAULT_RETRY_DAYS,
        help="Days after the first failed charge of a saved card on which it is "
        "tried again, separated by commas (e.g. 3,7); 0 for no retry. Then the "
        "payment reminders take over.",
    )
    membership_invoice_registration_number = fields.Char(
        related="company_id.membership_invoice_registration_number",
        readonly=False,
    )
    membership_debit_consignor_code = fields.Char(
        related="company_id.membership_debit_consignor_code", readonly=False
    )
    membership_debit_consignor_name = fields.Char(
        related="company_id.membership_debit_consignor_name", readonly=False
    )
    membership_debit_bank_code = fields.Char(
        related="company_id.membership_debit_bank_code", readonly=False
    )
    membership_debit_bank_name = fields.Char(
        related="company_id.membership_debit_bank_name", readonly=False
    )
    membership_debit_branch_code = fields.Char(
        related="company_id.membership_debit_branch_code", readonly=False
    )
    membership_debit_branch_name = fields.Char(
        related="company_id.membership_debit_branch_name", readonly=False
    )
    membership_debit_account_type = fields.Selection(
        related="company_id.membership_debit_account_type", readonly=False
    )
    membership_debit_account_number = fields.Char(
        related="company_id.membership_debit_account_number", readonly=False
    )
    membership_debit_line_breaks = fields.Boolean(
        related="company_id.membership_debit_line_breaks", readonly=False
    )

    @api.model
    def get_values(self):
        values = super().get_values()
        params = self.env["ir.config_parameter"].sudo()
        for fname, (key, default) in MEMBERSHIP_PARAMETERS.items():
            try:
                values[fname] = int(params.get_param(key, default))
            except ValueError:
                values[fname] = default
        values["membership_invoice_dues_send"] = params.get_param(
            SEND_PARAMETER, "True"
        ) not in ("False", "0", "")
        return values

    def set_values(self):
        result = super().set_values()
        params = self.env["ir.config_parameter"].sudo()
        for fname, (key, __) in MEMBERSHIP_PARAMETERS.items():
            params.set_param(key, str(self[fname]))
        params.set_param(SEND_PARAMETER, str(bool(self.membership_invoice_dues_send)))
        return result

    @api.constrains("membership_auto_charge_retry_days")
    def _check_membership_auto_charge_retry_days(self):
        for settings in self:
            try:
                parse_retry_days(settings.membership_auto_charge_retry_days)
            except ValueError:
                raise ValidationError(
                    self.env._(
                        "Card charge retries are days (up to a year) separated by "
                        "commas, "
                        "e.g. 3,7 (0 for no retry)."
                    )
                ) from None

    @api.constrains(*MEMBERSHIP_PARAMETERS)
    def _check_membership_parameters(self):
        for settings in self:
            for fname in MEMBERSHIP_PARAMETERS:
                value = settings[fname]
                if value < 0 or (fname in POSITIVE and value < 1):
                    raise ValidationError(
                        self.env._(
                            "%(setting)s must be a positive number.",
                            setting=settings._fields[fname].string,
                        )
                    )
