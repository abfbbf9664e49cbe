# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from ast import literal_eval

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain


class MembershipSegment(models.Model):
    """A saved, named set of members (a domain on ``membership.member``) used by
    campaigns, mailings, exports and the dashboard.

    The domain is parsed with ``literal_eval`` only (never evaluated as code)
    and searched as the current user, so record rules and field groups apply.
    """

    _name = "membership.segment"
    _description = "Member Segment"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    domain = fields.Char(
        default="[]",
        required=True,
        help="Which members belong to the segment (edited with the domain editor).",
    )
    member_count = fields.Integer(string="Members", compute="_compute_member_count")
    company_id = fields.Many2one(
        "res.company", help="Leave empty to share the segment between companies."
    )

    @api.constrains("domain")
    def _check_domain(self):
        for segment in self:
            segment._parse_member_domain(
                segment.domain,
                self.env._("the segment “%s”", segment.name),
            )

    @api.model
    def _parse_member_domain(self, text, what):
        """``text`` as a valid :class:`Domain` on members, read with
        ``literal_eval`` (never ``eval``); a :class:`ValidationError` naming
        ``what`` otherwise. Segments and journey steps share it."""
        try:
            value = literal_eval((text or "[]").strip())
            if not isinstance(value, (list, tuple)):
                raise ValueError(self.env._("a domain is a list of conditions"))
            domain = Domain(value)
            domain.validate(self.env["membership.member"])
        except (ValueError, SyntaxError, TypeError, KeyError) as error:
            raise ValidationError(
                self.env._(
                    "The conditions of %(what)s are not valid: %(error)s",
                    what=what,
                    error=error,
                )
            ) from error
        return domain

    @api.depends("domain")
    @api.depends_context("uid", "allowed_company_ids")
    def _compute_member_count(self):
        Member = self.env["membership.member"]
        for segment in self:
            try:
                segment.member_count = Member.search_count(segment._get_domain())
            except ValidationError:
                segment.member_count = 0

    def _get_domain(self):
        """The segment as a :class:`Domain`."""
        self.ensure_one()
        return self._parse_member_domain(
            self.domain, self.env._("the segment “%s”", self.name)
        )

    def action_view_members(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "membership_management.membership_member_action"
        )
        action.update(
            {
                "name": self.name,
                "domain": list(self._get_domain()),
                "context": {"create": False},
            }
        )
        return action

    def action_new_campaign(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "membership.campaign",
            "view_mode": "form",
            "context": {"default_segment_id": self.id, "default_name": self.name},
        }
