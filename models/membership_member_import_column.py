# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models

IMPORT_FIELDS = [
    ("member_number", "Member Number"),
    ("name", "Name"),
    ("name_kana", "Name Reading (kana)"),
    ("email", "E-mail"),
    ("phone", "Phone"),
    ("zip", "ZIP"),
    ("state", "Prefecture / State"),
    ("city", "City"),
    ("street", "Street"),
    ("plan", "Plan (code or name)"),
    ("join_date", "Join Date"),
    ("paid_through", "Paid Through"),
    ("birth_date", "Birth Date"),
    ("comment", "Notes"),
]


class MembershipMemberImportColumn(models.Model):
    """One column of an imported file and the member field it fills (proposed
    from its header, changed by the user before the check)."""

    _name = "membership.member.import.column"
    _description = "Member Import Column"
    _order = "import_id, sequence"

    import_id = fields.Many2one(
        "membership.member.import", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="import_id.company_id", store=True, index=True)
    sequence = fields.Integer(readonly=True, help="Position of the column (0 first).")
    header = fields.Char(readonly=True)
    sample = fields.Char(readonly=True, help="The first value of the column.")
    field_name = fields.Selection(
        IMPORT_FIELDS,
        string="Imported As",
        help="Leave empty to ignore the column.",
    )
