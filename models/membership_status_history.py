# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models

from .membership_member import MEMBER_STATES

HISTORY_SOURCES = [
    ("staff", "Staff"),
    ("accounting", "Accounting"),
    ("portal", "Portal"),
    ("cron", "Scheduled Job"),
    ("system", "System"),
    ("import", "Import"),
    ("migration", "Migration"),
]


class MembershipStatusHistory(models.Model):
    """One row per change of a member's state, written by the state compute.

    Rows are created with sudo by the membership code only; nobody edits them.
    The reason is stored as a message code and shown in the reader's language.
    """

    _name = "membership.status.history"
    _inherit = ["membership.stored.text.mixin"]
    _description = "Membership Status History"
    _order = "date desc, id desc"
    _rec_name = "new_state"
    _stored_texts = {"reason": "reason_data"}

    member_id = fields.Many2one(
        "membership.member", required=True, index=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(related="member_id.partner_id", store=True)
    company_id = fields.Many2one(related="member_id.company_id", store=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    effective_date = fields.Date(help="Day on which the new state took effect.")
    old_state = fields.Selection(MEMBER_STATES, string="From")
    new_state = fields.Selection(MEMBER_STATES, string="To", required=True)
    reason = fields.Char(
        compute="_compute_stored_texts", inverse="_inverse_stored_texts"
    )
    reason_data = fields.Json(readonly=True)
    source = fields.Selection(HISTORY_SOURCES, required=True, default="system")
    user_id = fields.Many2one(
        "res.users", string="By", default=lambda self: self.env.user
    )
