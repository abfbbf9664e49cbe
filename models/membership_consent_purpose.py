# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models


class MembershipConsentPurpose(models.Model):
    """Something a member may agree to (newsletters, the member directory,
    photos, the processing of their data), with the text they are shown. A
    change of the text raises its version: each consent records the version
    the member saw."""

    _name = "membership.consent.purpose"
    _description = "Consent Purpose"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True, help="Technical: how the addon finds this purpose."
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Html(
        string="Text Shown",
        translate=True,
        sanitize=True,
        help="What the member reads before giving this consent, on the join form "
        "and the portal.",
    )
    version = fields.Integer(
        default=1,
        readonly=True,
        help="Raised each time the text shown changes; every consent keeps the "
        "version the member saw.",
    )
    show_on_join = fields.Boolean(
        default=True, help="Asked on the online application form."
    )
    required_to_join = fields.Boolean(
        help="An application is refused without this consent (e.g. the processing "
        "of personal data)."
    )
    company_id = fields.Many2one(
        "res.company", help="Leave empty to share the purpose between companies."
    )

    _code_company_unique = models.Constraint(
        "UNIQUE NULLS NOT DISTINCT (code, company_id)",
        "A consent purpose with this code exists already.",
    )

    def write(self, vals):
        if "description" in vals and not self.env.context.get("lang_sync"):
            for purpose in self:
                if purpose.description != vals["description"]:
                    super(MembershipConsentPurpose, purpose).write(
                        {"version": purpose.version + 1}
                    )
        return super().write(vals)
