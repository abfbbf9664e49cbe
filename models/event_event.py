# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo import api, fields, models


class EventEvent(models.Model):
    """Events offered to members on the portal, with the fee collection
    status staff need at a glance."""

    _inherit = "event.event"

    membership_published = fields.Boolean(
        string="Show on Member Portal",
        help="Members see this event under My Membership → Events and can "
        "register there.",
    )
    membership_cancel_days = fields.Integer(
        string="Members Can Cancel Until",
        default=2,
        help="Members may cancel their registration on the portal until this "
        "many days before the event starts.",
    )
    membership_points = fields.Integer(
        string="Points for Attending",
        help="Points a member earns once when marked as attended; they count "
        "towards the member's tier.",
    )
    membership_fee_paid_count = fields.Integer(
        string="Fees Paid", compute="_compute_membership_fee_figures"
    )
    membership_fee_to_pay_count = fields.Integer(
        string="Fees To Pay", compute="_compute_membership_fee_figures"
    )
    membership_fee_amount_due = fields.Monetary(
        string="Fees Due",
        compute="_compute_membership_fee_figures",
        currency_field="membership_currency_id",
    )
    membership_currency_id = fields.Many2one(
        "res.currency", compute="_compute_membership_currency"
    )
    member_registration_count = fields.Integer(
        string="Members Registered", compute="_compute_membership_fee_figures"
    )

    @api.depends("company_id")
    def _compute_membership_currency(self):
        for event in self:
            event.membership_currency_id = (
                event.company_id.currency_id or self.env.company.currency_id
            )

    def _compute_membership_fee_figures(self):
        Registration = self.env["event.registration"]
        counts = {
            (event.id, fee_state): count
            for event, fee_state, count in Registration._read_group(
                [("event_id", "in", self.ids), ("state", "!=", "cancel")],
                ["event_id", "membership_fee_state"],
                ["__count"],
            )
        }
        members = dict(
            Registration._read_group(
                self._get_membership_registrations_domain(), ["event_id"], ["__count"]
            )
        )
        # the sum of the rows' *Fee Due*, tax included as invoiced
        due = dict.fromkeys(self.ids, 0.0)
        for registration in Registration.search(
            [
                ("event_id", "in", self.ids),
                ("state", "!=", "cancel"),
                ("membership_fee_state", "in", ("to_pay", "partial")),
            ]
        ):
            due[registration.event_id.id] += registration.membership_fee_amount_due
        for event in self:
            event.membership_fee_paid_count = counts.get((event.id, "paid"), 0)
            event.membership_fee_to_pay_count = counts.get(
                (event.id, "to_pay"), 0
            ) + counts.get((event.id, "partial"), 0)
            event.membership_fee_amount_due = due.get(event.id, 0.0)
            event.member_registration_count = members.get(event, 0)

    def _membership_can_cancel(self, now=None):
        """Whether members may still cancel on the portal."""
        self.ensure_one()
        now = now or fields.Datetime.now()
        return now <= self.date_begin - timedelta(days=self.membership_cancel_days)

    def _membership_has_seat(self, ticket, slot=None):
        """Whether one more seat can be taken on ``ticket`` (and ``slot``):
        the event's own availability rule, event, slot and ticket limits,
        less the seats held by offers to waitlisted people."""
        self.ensure_one()
        if slot:
            available = self._get_seats_availability([(slot, ticket)])[0]
        else:
            available = self._membership_free_seats(ticket)
        return available is None or available > 0

    @api.model
    def _membership_portal_domain(self):
        return [
            ("membership_published", "=", True),
            ("date_end", ">=", fields.Datetime.now()),
            ("company_id", "in", [False, *self.env.companies.ids]),
        ]

    def action_membership_participants_xlsx(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/membership/event/{self.id}/participants.xlsx",
            "target": "download",
        }

    def action_membership_check_in(self):
        """The check-in page in a tab of its own: the back office stays open."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/membership/checkin/{self.id}",
            "target": "new",
        }

    def _membership_check_in_counts(self):
        """(checked in, expected): attended registrations, and confirmed or
        attended ones, for the check-in page's tally."""
        self.ensure_one()
        counts = dict(
            self.env["event.registration"]._read_group(
                [("event_id", "=", self.id), ("state", "in", ("open", "done"))],
                ["state"],
                ["__count"],
            )
        )
        return counts.get("done", 0), counts.get("open", 0) + counts.get("done", 0)

    def _membership_find_walk_in(self, code):
        """``(member, tickets)`` for a walk-in at the check-in page: the member
        whose valid card ``code`` is, when they are not registered yet, and
        the tickets they may take now (on sale, a seat left, members-only
        ones if eligible). An event without tickets offers the empty ticket
        while a seat is left. No member when nothing can be offered."""
        self.ensure_one()
        Member = self.env["membership.member"]
        Ticket = self.env["event.event.ticket"]
        member = Member._get_member_from_card_token(code)
        if not member or (self.company_id and member.company_id != self.company_id):
            return Member.browse(), Ticket
        Registration = self.env["event.registration"].sudo()
        if Registration.search_count(
            [
                ("event_id", "=", self.id),
                ("partner_id", "=", member.partner_id.id),
                ("state", "!=", "cancel"),
            ],
            limit=1,
        ):
            return Member.browse(), Ticket
        event = self.sudo()
        if not event.event_ticket_ids:
            return (
                member if event._membership_has_seat(Ticket) else Member.browse()
            ), Ticket
        tickets = event.event_ticket_ids.filtered(
            lambda t: (
                t.sale_available
                and event._membership_has_seat(t)
                and (not t.members_only or t._is_membership_eligible(member))
            )
        )
        return (member if tickets else Member.browse()), tickets

    def _get_membership_registrations_domain(self):
        """The registrations of members, not cancelled: what the *Members*
        button counts and opens."""
        return [
            ("event_id", "in", self.ids),
            ("state", "!=", "cancel"),
            ("member_id", "!=", False),
        ]

    def action_membership_view_registrations(self):
        """The event's registrations (the fee button)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "membership_management.action_membership_event_registration"
        )
        action["domain"] = [("event_id", "=", self.id)]
        action["context"] = {"default_event_id": self.id}
        return action

    def action_membership_view_member_registrations(self):
        """The registrations the *Members* button counts, and only those."""
        action = self.action_membership_view_registrations()
        action["domain"] = self._get_membership_registrations_domain()
        return action
