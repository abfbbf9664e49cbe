# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).

from odoo import api, fields, models


class MembershipMember(models.Model):
    """Members at events: their registrations, attendance counts and last attended
    date."""

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    event_registration_ids = fields.One2many("event.registration", "member_id")
    event_registration_count = fields.Integer(
        string="Events", compute="_compute_event_registration_count"
    )
    event_attended_count = fields.Integer(
        string="Events Attended",
        compute="_compute_event_attendance",
        store=True,
        help="Events this member attended (checked in).",
    )
    event_last_attended_date = fields.Date(
        string="Last Attended",
        compute="_compute_event_attendance",
        store=True,
        index="btree_not_null",
        help="Date of the last event this member attended.",
    )

    def _compute_event_registration_count(self):
        counts = dict(
            self.env["event.registration"]._read_group(
                [("member_id", "in", self.ids), ("state", "!=", "cancel")],
                ["member_id"],
                ["__count"],
            )
        )
        for member in self:
            member.event_registration_count = counts.get(member, 0)

    @api.depends("event_registration_ids.state", "event_registration_ids.date_closed")
    def _compute_event_attendance(self):
        data = {
            member.id: (count, last)
            for member, count, last in self.env["event.registration"]
            .sudo()
            ._read_group(
                [("member_id", "in", self.ids), ("state", "=", "done")],
                ["member_id"],
                ["__count", "date_closed:max"],
            )
        }
        for member in self:
            count, last = data.get(member.id, (0, False))
            member.event_attended_count = count
            member.event_last_attended_date = last and last.date()

    def _link_event_registrations(self, former_partners=None):
        """Registrations made before the membership existed (or moved to
        another contact) now belong to the member; those of ``former_partners``
        (the contacts before a change) are looked at again."""
        partners = self.partner_id | (former_partners or self.env["res.partner"])
        registrations = (
            self.env["event.registration"]
            .sudo()
            .search([("partner_id", "in", partners.ids)])
        )
        if registrations:
            self.env.add_to_compute(registrations._fields["member_id"], registrations)

    def action_view_event_registrations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "membership_management.action_membership_event_registration"
        )
        action["domain"] = [("member_id", "=", self.id)]
        action["context"] = {"search_default_filter_not_cancelled": 1}
        return action
