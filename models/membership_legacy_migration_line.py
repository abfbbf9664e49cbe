# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models

from .membership_member import MEMBER_STATES

LEGACY_STATES = [
    ("none", "Non Member"),
    ("canceled", "Cancelled Member"),
    ("old", "Old Member"),
    ("waiting", "Waiting Member"),
    ("invoiced", "Invoiced Member"),
    ("free", "Free Member"),
    ("paid", "Paid Member"),
]


class MembershipLegacyMigrationLine(models.Model):
    """One row of a migration's report: a plan made from a product, a member
    made from a partner (with the state Odoo's membership showed and the one
    it has here), or a membership line that could not be migrated and why."""

    _name = "membership.legacy.migration.line"
    _description = "Migration from Odoo Membership: Report Row"
    _order = "id"

    migration_id = fields.Many2one(
        "membership.legacy.migration", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="migration_id.company_id", store=True, index=True
    )
    kind = fields.Selection(
        [("plan", "Plan"), ("member", "Member"), ("line", "Membership Line")],
        required=True,
    )
    legacy_ref = fields.Char(string="From")
    partner_id = fields.Many2one("res.partner", string="Contact")
    plan_id = fields.Many2one("membership.plan")
    member_id = fields.Many2one("membership.member", ondelete="set null")
    outcome = fields.Selection(
        [
            ("created", "Created"),
            ("existing", "Migrated Before"),
            ("skipped", "Not Migrated"),
            ("error", "Error"),
        ],
        required=True,
    )
    legacy_state = fields.Selection(LEGACY_STATES, string="State in Odoo Membership")
    new_state = fields.Selection(MEMBER_STATES, string="State Now")
    differs = fields.Boolean(
        string="State Differs",
        help="The member's state here does not say what Odoo's membership said "
        "(e.g. an unpaid invoice of a period that has ended: Odoo's membership "
        "calls the partner an old member, here the member waits for payment).",
    )
    message = fields.Text()
