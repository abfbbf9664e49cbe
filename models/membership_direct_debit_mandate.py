# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .res_company_direct_debit import ACCOUNT_TYPES, kana_vals

DIGIT_FIELDS = {
    "bank_code": 4,
    "branch_code": 3,
    "account_number": 7,
}
KANA_FIELDS = ("holder_name", "bank_name", "branch_name")
ACCOUNT_FIELDS = {"bank_code", "branch_code", "account_type", "account_number"}
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９－", "0123456789-")


class MembershipDirectDebitMandate(models.Model):
    """A member's 口座振替 authorisation (預金口座振替依頼書): the account the
    association may debit for dues once the signed form has arrived.

    Its own model rather than fields on ``res.partner.bank``: the Zengin
    account data (bank and branch codes, account type, kana holder name,
    customer number) have no place there, and a mandate has a life of its own
    (pending until the bank form is back, revoked by the bank or the member)
    that must survive a change of account, with its history.
    """

    _name = "membership.direct.debit.mandate"
    _description = "Direct Debit Mandate (口座振替)"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _rec_name = "customer_number"

    member_id = fields.Many2one(
        "membership.member",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
    )
    partner_id = fields.Many2one(related="member_id.partner_id")
    company_id = fields.Many2one(related="member_id.company_id", store=True, index=True)
    bank_code = fields.Char(required=True, tracking=True, help="4 digits.")
    bank_name = fields.Char(string="Bank Name (kana)", help="Half-width kana.")
    branch_code = fields.Char(required=True, tracking=True, help="3 digits.")
    branch_name = fields.Char(string="Branch Name (kana)", help="Half-width kana.")
    account_type = fields.Selection(
        ACCOUNT_TYPES, required=True, default="1", tracking=True
    )
    account_number = fields.Char(required=True, tracking=True, help="7 digits.")
    account_number_masked = fields.Char(
        string="Account", compute="_compute_account_number_masked"
    )
    holder_name = fields.Char(
        string="Account Holder (kana)",
        required=True,
        tracking=True,
        help="預金者名 in half-width kana, as the bank has it (full-width and "
        "lower-case kana are converted).",
    )
    customer_number = fields.Char(
        required=True,
        copy=False,
        tracking=True,
        help="顧客番号: up to 20 digits that the bank returns with each result; "
        "the member's number by default.",
    )
    date_signed = fields.Date(tracking=True)
    state = fields.Selection(
        [("pending", "Pending"), ("active", "Active"), ("revoked", "Revoked")],
        default="pending",
        required=True,
        tracking=True,
        index=True,
    )
    revoke_reason = fields.Char(tracking=True)
    date_last_debit = fields.Date(
        string="Last Debited",
        readonly=True,
        copy=False,
        help="Day of the last successful debit.",
    )
    account_changed = fields.Boolean(
        readonly=True,
        copy=False,
        help="Technical: the account changed since the last successful debit "
        "(the next request says so to the bank).",
    )
    new_code = fields.Selection(
        [("1", "First debit"), ("2", "Account changed"), ("0", "Other")],
        string="Zengin New Code",
        compute="_compute_new_code",
        help="新規コード of the next request: 1 before the first successful debit, "
        "2 after a change of account, 0 otherwise.",
    )
    line_ids = fields.One2many("membership.direct.debit.line", "mandate_id")

    _customer_number_uniq = models.UniqueIndex(
        "(company_id, customer_number) WHERE state != 'revoked'",
        "Two live mandates of one company cannot share a customer number.",
    )

    @api.depends("account_number")
    def _compute_account_number_masked(self):
        for mandate in self:
            number = mandate.account_number or ""
            mandate.account_number_masked = number and "*" * 4 + number[-3:]

    @api.depends("date_last_debit", "account_changed")
    def _compute_new_code(self):
        for mandate in self:
            if not mandate.date_last_debit:
                mandate.new_code = "1"
            elif mandate.account_changed:
                mandate.new_code = "2"
            else:
                mandate.new_code = "0"

    @api.constrains(*DIGIT_FIELDS, "customer_number")
    def _check_digits(self):
        for mandate in self:
            for fname, length in DIGIT_FIELDS.items():
                value = mandate[fname] or ""
                if not (value.isdigit() and len(value) == length):
                    raise ValidationError(
                        self.env._(
                            "%(field)s must be %(length)s digits (%(value)s).",
                            field=self._fields[fname].get_description(self.env)[
                                "string"
                            ],
                            length=length,
                            value=value,
                        )
                    )
            number = mandate.customer_number or ""
            if not (number.isdigit() and len(number) <= 20):
                raise ValidationError(
                    self.env._(
                        "The customer number is up to 20 digits (%(value)s).",
                        value=number,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        members = self.env["membership.member"].browse(
            [vals.get("member_id") for vals in vals_list]
        )
        for vals, member in zip(vals_list, members, strict=True):
            self._normalize(vals)
            if not vals.get("customer_number") and member:
                digits = "".join(c for c in member.member_number or "" if c.isdigit())
                vals["customer_number"] = (
                    digits.lstrip("0") and digits[-20:] or str(member.id)
                )
        return super().create(vals_list)

    def write(self, vals):
        self._normalize(vals)
        debited = self.browse()
        if ACCOUNT_FIELDS & vals.keys():
            debited = self.filtered("date_last_debit")
        res = super().write(vals)
        if debited:
            # the next request tells the bank the account changed (新規コード 2)
            super(MembershipDirectDebitMandate, debited).write(
                {"account_changed": True}
            )
        return res

    @api.model
    def _normalize(self, vals):
        """Codes without spaces or hyphens, names as the bank file writes them;
        a character with no half-width form is refused, named."""
        for fname in (*DIGIT_FIELDS, "customer_number"):
            if vals.get(fname):
                # full-width digits as typed on a Japanese keyboard, spaces
                # and hyphens as printed on a bank book
                value = str(vals[fname]).translate(FULL_WIDTH_DIGITS)
                vals[fname] = "".join(value.split()).replace("-", "")
        kana_vals(self, vals, KANA_FIELDS)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_activate(self):
        """The signed form is back from the bank: the mandate can be debited;
        the member's previous active mandate, if any, is replaced."""
        if self.filtered(lambda m: m.state != "pending"):
            raise UserError(self.env._("Only a pending mandate can be activated."))
        today = fields.Date.context_today(self)
        for mandate in self:
            previous = mandate.member_id.direct_debit_mandate_ids.filtered(
                lambda m, current=mandate: m != current and m.state == "active"
            )
            previous.action_revoke(self.env._("Replaced by a new mandate"))
            mandate.write(
                {"state": "active", "date_signed": mandate.date_signed or today}
            )
        return True

    def action_revoke(self, reason=None):
        self.filtered(lambda m: m.state != "revoked").write(
            {
                "state": "revoked",
                "revoke_reason": reason or self.env._("Revoked by staff"),
            }
        )
        return True

    def action_reset_to_pending(self):
        self.filtered(lambda m: m.state == "revoked").write(
            {"state": "pending", "revoke_reason": False}
        )
        return True
