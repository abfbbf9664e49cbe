# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.zengin_debit import ZenginError, to_zengin_kana

ACCOUNT_TYPES = [
    ("1", "Ordinary (普通)"),
    ("2", "Current (当座)"),
    ("4", "Savings (貯蓄)"),
]


KANA_FIELDS = (
    "membership_debit_consignor_name",
    "membership_debit_bank_name",
    "membership_debit_branch_name",
)


def kana_vals(model, vals, fnames):
    """Write the ``fnames`` of ``vals`` in half-width upper-case kana, as bank
    files take them; a character with no such form is refused, named with the
    field's label. Shared by the company's and the mandates' names."""
    for fname in fnames:
        if vals.get(fname):
            try:
                vals[fname] = to_zengin_kana(vals[fname], model.env._)
            except ZenginError as error:
                raise ValidationError(
                    model.env._(
                        "%(field)s: %(error)s.",
                        field=model._fields[fname].get_description(model.env)["string"],
                        error=error,
                    )
                ) from error


class ResCompany(models.Model):
    """The company as consignor (委託者) of 口座振替: the codes its collecting bank
    gave it, written in the header of every request file."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    membership_debit_consignor_code = fields.Char(
        string="Consignor Code",
        help="委託者コード: the 10 digits the collecting bank assigned.",
    )
    membership_debit_consignor_name = fields.Char(
        string="Consignor Name (kana)",
        help="委託者名 in half-width kana, as the bank registered it (40 characters).",
    )
    membership_debit_bank_code = fields.Char(string="Collecting Bank Code")
    membership_debit_bank_name = fields.Char(string="Collecting Bank Name (kana)")
    membership_debit_branch_code = fields.Char(string="Collecting Branch Code")
    membership_debit_branch_name = fields.Char(string="Collecting Branch Name (kana)")
    membership_debit_account_type = fields.Selection(
        ACCOUNT_TYPES, string="Collecting Account Type", default="1"
    )
    membership_debit_account_number = fields.Char(string="Collecting Account Number")
    membership_debit_line_breaks = fields.Boolean(
        string="Line Breaks in Bank Files",
        default=True,
        help="End each 120-byte record with CR+LF; some banks want the records "
        "without line breaks.",
    )

    @api.constrains(
        "membership_debit_consignor_code",
        "membership_debit_bank_code",
        "membership_debit_branch_code",
        "membership_debit_account_number",
    )
    def _check_membership_debit_codes(self):
        lengths = {
            "membership_debit_consignor_code": 10,
            "membership_debit_bank_code": 4,
            "membership_debit_branch_code": 3,
            "membership_debit_account_number": 7,
        }
        for company in self:
            for fname, length in lengths.items():
                value = company[fname]
                if value and not (value.isdigit() and len(value) == length):
                    raise ValidationError(
                        self.env._(
                            "%(field)s must be %(length)s digits.",
                            field=self._fields[fname].get_description(self.env)[
                                "string"
                            ],
                            length=length,
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._normalize_membership_debit_kana(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._normalize_membership_debit_kana(vals)
        return super().write(vals)

    @api.model
    def _normalize_membership_debit_kana(self, vals):
        """Names are stored as the bank file writes them."""
        kana_vals(self, vals, KANA_FIELDS)

    def _get_direct_debit_header(self, debit_date):
        """Header values of a request file, or a ``ValidationError`` saying what
        the settings still lack."""
        self.ensure_one()
        missing = [
            self._fields[fname].get_description(self.env)["string"]
            for fname in (
                "membership_debit_consignor_code",
                "membership_debit_consignor_name",
                "membership_debit_bank_code",
                "membership_debit_branch_code",
                "membership_debit_account_number",
            )
            if not self[fname]
        ]
        if missing:
            raise ValidationError(
                self.env._(
                    "Set the direct debit settings of %(company)s first "
                    "(Settings > Membership): %(fields)s.",
                    company=self.name,
                    fields=", ".join(missing),
                )
            )
        return {
            "code_type": 0,
            "consignor_code": self.membership_debit_consignor_code,
            "consignor_name": self.membership_debit_consignor_name,
            "debit_date": debit_date.strftime("%m%d"),
            "bank_code": self.membership_debit_bank_code,
            "bank_name": self.membership_debit_bank_name,
            "branch_code": self.membership_debit_branch_code,
            "branch_name": self.membership_debit_branch_name,
            "account_type": self.membership_debit_account_type or "1",
            "account_number": self.membership_debit_account_number,
        }
