# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models

LINE_STATES = [
    ("create", "Create"),
    ("update", "Update"),
    ("skip", "Skip"),
    ("error", "Error"),
]


class MembershipMemberImportLine(models.Model):
    """One row of an imported file: what the check found (the outcome, its
    errors and warnings, the member it matched) and, once imported, the
    member it made or updated."""

    _name = "membership.member.import.line"
    _description = "Member Import Row"
    _order = "import_id, row_number"

    import_id = fields.Many2one(
        "membership.member.import", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="import_id.company_id", store=True, index=True)
    row_number = fields.Integer(string="Row", readonly=True)
    name = fields.Char(readonly=True)
    email = fields.Char(readonly=True)
    state = fields.Selection(LINE_STATES, string="Outcome", readonly=True, index=True)
    message = fields.Text(readonly=True, help="Errors and warnings of the row.")
    matched_by = fields.Char(readonly=True, help="What the row matched, if anything.")
    member_id = fields.Many2one("membership.member", readonly=True, ondelete="set null")
    partner_id = fields.Many2one(
        "res.partner",
        string="Existing Contact",
        readonly=True,
        ondelete="set null",
        help="A contact that is not a member yet, made a member by the import.",
    )
    values = fields.Json(readonly=True, help="Technical: the row's values, read.")
    done = fields.Boolean(readonly=True, index=True, help="Imported already.")
