# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

REGISTRATION_NUMBER = re.compile(r"T\d{13}")


class ResCompany(models.Model):
    _inherit = "res.company"

    membership_invoice_registration_number = fields.Char(
        string="Invoice Registration Number",
        help="Qualified invoice issuer number (適格請求書発行事業者登録番号): T "
        "followed by 13 digits. Printed on membership receipts, so that a "
        "receipt for a taxable fee serves as a qualified invoice.",
    )

    @api.constrains("membership_invoice_registration_number")
    def _check_membership_invoice_registration_number(self):
        for company in self:
            number = company.membership_invoice_registration_number
            if number and not REGISTRATION_NUMBER.fullmatch(number):
                raise ValidationError(
                    self.env._(
                        "The invoice registration number %(number)s is not valid: "
                        "it is a T followed by 13 digits, e.g. T1234567890123.",
                        number=number,
                    )
                )
