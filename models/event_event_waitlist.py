# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class EventEvent(models.Model):
    """Waitlists of member events: the seats they count, and the offers made
    when seats free up."""

    _inherit = "event.event"  # pylint: disable=consider-merging-classes-inherited

    membership_waitlist = fields.Boolean(
        string="Waitlist When Full",
        help="When no seat is left, members can join a waitlist; a freed seat "
        "is offered by mail to the first in line, who has the offer time to "
        "accept it before it passes to the next.",
    )
    membership_offer_hours = fields.Integer(
        string="Offer Valid For (Hours)",
        default=48,
        help="How long a waitlisted person has to accept a seat offered to them.",
    )
    membership_waitlist_ids = fields.One2many(
        "membership.event.waitlist", "event_id", string="Waitlist"
    )
    membership_waitlist_count = fields.Integer(
        string="Waiting", compute="_compute_membership_waitlist_count"
    )

    def _compute_membership_waitlist_count(self):
        counts = dict(
            self.env["membership.event.waitlist"]._read_group(
                [("event_id", "in", self.ids), ("state", "in", ("waiting", "offered"))],
                ["event_id"],
                ["__count"],
            )
        )
        for event in self:
            event.membership_waitlist_count = counts.get(event, 0)

    def write(self, vals):
        result = super().write(vals)
        if {"seats_max", "seats_limited", "membership_waitlist"}.intersection(vals):
            self._membership_offer_free_seats()
        return result

    def _membership_lock_seats(self):
        """Serialise seat counting with registrations (which touch the event
        row too): a concurrent transaction that counted the same seat fails
        and is retried by Odoo's request and cron loops."""
        if self.ids:
            self.env.cr.execute(
                SQL(
                    "UPDATE event_event SET write_date = write_date WHERE id IN %s",
                    tuple(self.ids),
                )
            )
            self.invalidate_recordset(["seats_available", "seats_taken"])
            self.event_ticket_ids.invalidate_recordset(
                ["seats_available", "seats_taken"]
            )

    def _membership_free_seats(self, ticket, exclude=None):
        """Seats of ``ticket`` (or of the event) nobody holds: the event's own
        availability less the seats offered to waitlisted people. For the
        acceptance of ``exclude``'s offer, only the offers made to people
        ahead of it in line count (when seats were lowered under the offers
        made, the first in line keep theirs). ``None`` when unlimited."""
        self.ensure_one()
        available = self._get_seats_availability([(self.env["event.slot"], ticket)])[0]
        if available is None:
            return None
        domain = [
            ("event_id", "=", self.id),
            ("state", "=", "offered"),
        ]
        if exclude:
            domain.append(("id", "<", exclude.id))
        if not (self.seats_limited and self.seats_max) and ticket:
            # only the ticket is limited: only its offers hold its seats
            domain.append(("event_ticket_id", "=", ticket.id))
        held = self.env["membership.event.waitlist"].sudo().search_count(domain)
        return available - held

    def _membership_offer_free_seats(self):
        """Offer the free seats to the first people in line, one seat each.
        Returns the entries offered a seat."""
        Waitlist = self.env["membership.event.waitlist"].sudo()
        offered = Waitlist
        now = fields.Datetime.now()
        events = self.sudo().filtered(
            lambda e: e.membership_waitlist and e.date_end and e.date_end >= now
        )
        for event in events:
            queue = Waitlist.search(
                [("event_id", "=", event.id), ("state", "=", "waiting")], order="id"
            )
            if not queue:
                continue
            event._membership_lock_seats()
            registered = queue._get_existing_registrations()
            for entry in queue:
                existing = registered.get(entry)
                if existing:
                    # registered meanwhile another way: out of the line
                    entry.write({"state": "registered", "registration_id": existing.id})
                    continue
                free = event._membership_free_seats(entry.event_ticket_id)
                if free is not None and free <= 0:
                    continue
                entry._make_offer()
                offered |= entry
        return offered

    def _membership_waitlist_open(self):
        """Whether people may join the line: the event has a waitlist and
        takes registrations but for its seats."""
        self.ensure_one()
        return bool(
            self.membership_waitlist
            and self.kanban_state != "cancel"
            and self.event_registrations_started
            and self.date_end >= fields.Datetime.now()
        )

    def _membership_join_waitlist(self, partner, ticket):
        """Put ``partner`` in line for ``ticket``; a ``UserError`` says why not."""
        self.ensure_one()
        env = self.env
        if not self.membership_waitlist:
            raise UserError(env._("This event has no waitlist."))
        if not self._membership_waitlist_open():
            raise UserError(env._("Registration for this event is closed."))
        if self._membership_has_seat(ticket):
            raise UserError(env._("There is a seat left: register instead."))
        Waitlist = env["membership.event.waitlist"].sudo()
        if Waitlist.search_count(
            [
                ("event_id", "=", self.id),
                ("partner_id", "=", partner.id),
                ("state", "in", ("waiting", "offered")),
            ],
            limit=1,
        ):
            raise UserError(env._("You are already on the waitlist of this event."))
        if (
            env["event.registration"]
            .sudo()
            .search_count(
                [
                    ("event_id", "=", self.id),
                    ("partner_id", "=", partner.id),
                    ("state", "!=", "cancel"),
                ],
                limit=1,
            )
        ):
            raise UserError(env._("You are already registered for this event."))
        return Waitlist.create(
            {
                "event_id": self.id,
                "event_ticket_id": ticket.id,
                "partner_id": partner.id,
            }
        )

    def _membership_register(self, partner, ticket):
        """Register ``partner`` on ``ticket`` as the member portal does: the
        price decided by the model, a priced seat invoiced. The event's own
        mails are deferred: the caller runs ``_update_mail_schedulers`` once
        its savepoint is over (Odoo's event mail code commits)."""
        self.ensure_one()
        return (
            self.env["event.registration"]
            .sudo()
            .with_context(membership_defer_mail_schedulers=True)
            .create(
                {
                    "event_id": self.id,
                    "event_ticket_id": ticket.id,
                    "partner_id": partner.id,
                    "name": partner.name,
                    "email": partner.email,
                    "phone": partner.phone,
                }
            )
            .with_context(membership_defer_mail_schedulers=False)
        )

    def action_membership_view_waitlist(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "membership_management.membership_event_waitlist_action"
        )
        action["domain"] = [("event_id", "=", self.id)]
        action["context"] = {
            "default_event_id": self.id,
            "search_default_open": 1,
        }
        return action
