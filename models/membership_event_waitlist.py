# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError

from ..tools.signed_link import make_token, read_token

WAITLIST_SCOPE = "membership_management-waitlist"
WAITLIST_OPEN_STATES = ("waiting", "offered")


class MembershipEventWaitlist(models.Model):
    """A place on a full event's waitlist (キャンセル待ち).

    When a seat frees up the first in line is offered it by mail, with a
    signed link valid for the event's offer time; a pending offer holds the
    seat (nobody else can take it), accepting registers the person as any
    registration would (fee invoice included), and an offer left unanswered
    passes to the next in line. Seats are counted under the event row's lock,
    as registrations are, so that concurrent acceptances keep one.
    """

    _name = "membership.event.waitlist"
    _description = "Event Waitlist Entry"
    _inherit = ["mail.thread"]
    _order = "event_id, id"
    _rec_name = "partner_id"

    event_id = fields.Many2one(
        "event.event", required=True, index=True, ondelete="cascade"
    )
    event_ticket_id = fields.Many2one(
        "event.event.ticket",
        string="Ticket",
        ondelete="cascade",
        domain="[('event_id', '=', event_id)]",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Person", required=True, index=True, ondelete="cascade"
    )
    email = fields.Char(related="partner_id.email")
    member_id = fields.Many2one(
        "membership.member",
        compute="_compute_member_id",
        store=True,
        index="btree_not_null",
    )
    company_id = fields.Many2one(related="event_id.company_id", store=True)
    state = fields.Selection(
        [
            ("waiting", "In Line"),
            ("offered", "Seat Offered"),
            ("registered", "Registered"),
            ("expired", "Offer Expired"),
            ("cancelled", "Cancelled"),
        ],
        default="waiting",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    position = fields.Integer(
        compute="_compute_position",
        help="Place in line among the people still waiting (1 = next).",
    )
    offer_date = fields.Datetime(string="Offered On", readonly=True, copy=False)
    offer_deadline = fields.Datetime(
        string="Offer Valid Until", readonly=True, copy=False
    )
    registration_id = fields.Many2one(
        "event.registration", readonly=True, copy=False, ondelete="set null"
    )

    _one_place_per_person = models.UniqueIndex(
        "(event_id, partner_id) WHERE state IN ('waiting', 'offered')",
        "This person is already on the event's waitlist.",
    )

    @api.depends("partner_id", "event_id.company_id")
    def _compute_member_id(self):
        Member = self.env["membership.member"].sudo()
        members = Member.search([("partner_id", "in", self.partner_id.ids)])
        for entry in self:
            company = entry.event_id.company_id
            entry.member_id = members.filtered(
                lambda m, entry=entry, company=company: (
                    m.partner_id == entry.partner_id
                    and (not company or m.company_id == company)
                )
            )[:1]

    def _compute_position(self):
        waiting = self.filtered(lambda e: e.state == "waiting")
        ranks = {}
        if waiting:
            for event in waiting.event_id:
                queue = self.sudo().search(
                    [("event_id", "=", event.id), ("state", "=", "waiting")],
                    order="id",
                )
                ranks.update({entry.id: rank for rank, entry in enumerate(queue, 1)})
        for entry in self:
            entry.position = ranks.get(entry.id, 0)

    @api.constrains("event_id", "event_ticket_id")
    def _check_event_waitlist(self):
        for entry in self:
            if not entry.event_id.membership_waitlist:
                raise ValidationError(
                    self.env._(
                        "%(event)s has no waitlist: allow one on the event first.",
                        event=entry.event_id.name,
                    )
                )
            if (
                entry.event_ticket_id
                and entry.event_ticket_id.event_id != entry.event_id
            ):
                raise ValidationError(
                    self.env._("The ticket is not one of this event's.")
                )
            if not entry.event_ticket_id and entry.event_id.event_ticket_ids:
                raise ValidationError(
                    self.env._("Choose the ticket the person waits for.")
                )

    # ------------------------------------------------------------
    # OFFERS
    # ------------------------------------------------------------

    def _make_offer(self):
        """Hold a seat for these people and mail each the link to accept it."""
        template = self.env.ref("membership_management.mail_template_waitlist_offer")
        now = fields.Datetime.now()
        for entry in self.sudo():
            hours = entry.event_id.membership_offer_hours or 48
            entry.write(
                {
                    "state": "offered",
                    "offer_date": now,
                    "offer_deadline": now + timedelta(hours=hours),
                }
            )
            template.with_context(offer_url=entry._get_offer_url()).send_mail(
                entry.id,
                email_values={"recipient_ids": [Command.set(entry.partner_id.ids)]},
            )

    def _accept_offer(self):
        """Register the person on the seat offered to them.

        Returns ``(registration, error)``. The event row is locked first, so
        that two acceptances of the last seat are serialised: the later one
        finds no seat, says so, and its entry goes back to the head of the
        line (it keeps its place).
        """
        self.ensure_one()
        entry = self.sudo()
        event = entry.event_id
        event._membership_lock_seats()
        entry.invalidate_recordset()
        if entry.state == "registered":
            return entry.registration_id, False
        if entry.state != "offered" or entry.offer_deadline < fields.Datetime.now():
            return entry.registration_id, self.env._(
                "This offer is no longer valid: the seat went to the next person "
                "in line."
            )
        existing = entry._get_existing_registrations().get(entry)
        if existing:
            # registered meanwhile another way (by staff): that is their seat
            entry.write({"state": "registered", "registration_id": existing.id})
            return existing, False
        free = event._membership_free_seats(entry.event_ticket_id, exclude=entry)
        if free is not None and free <= 0:
            entry.write(
                {"state": "waiting", "offer_date": False, "offer_deadline": False}
            )
            return entry.registration_id, self.env._(
                "Sorry, the seat was taken in the meantime. You keep your place "
                "at the head of the waitlist."
            )
        registration = event._membership_register(
            entry.partner_id, entry.event_ticket_id
        )
        entry.write({"state": "registered", "registration_id": registration.id})
        return registration, False

    def _get_existing_registrations(self):
        """``{entry: registration}`` for the entries whose person has a live
        registration for the event already (one query for all)."""
        registrations = (
            self.env["event.registration"]
            .sudo()
            .search(
                [
                    ("event_id", "in", self.event_id.ids),
                    ("partner_id", "in", self.partner_id.ids),
                    ("state", "!=", "cancel"),
                ],
                order="id",
            )
        )
        found = {}
        for registration in registrations:
            found.setdefault(
                (registration.event_id, registration.partner_id), registration
            )
        return {
            entry: found[(entry.event_id, entry.partner_id)]
            for entry in self
            if (entry.event_id, entry.partner_id) in found
        }

    def action_decline_offer(self):
        """The person does not want the seat: it goes to the next in line."""
        entries = self.sudo().filtered(lambda e: e.state in WAITLIST_OPEN_STATES)
        entries.write({"state": "cancelled"})
        entries.event_id._membership_offer_free_seats()
        return True

    def action_cancel(self):
        self.check_access("write")
        return self.action_decline_offer()

    def action_offer_now(self):
        """Staff offer the seats free now (the usual way is automatic)."""
        self.check_access("write")
        self.event_id._membership_offer_free_seats()
        return True

    @api.model
    def _cron_expire_offers(self):
        """Offers not answered in time pass to the next in line; seats freed
        in ways nothing noticed (an archived registration, a raised limit on
        a ticket) are offered too. Committed per event, so that a crash keeps
        the mails of the events already done and never sends them twice."""
        now = fields.Datetime.now()
        Waitlist = self.sudo()
        expired = Waitlist.search(
            [("state", "=", "offered"), ("offer_deadline", "<", now)]
        )
        expired.write({"state": "expired"})
        events = (
            expired.event_id | Waitlist.search([("state", "=", "waiting")]).event_id
        ).filtered(lambda e: e.date_end >= now)
        Cron = self.env["ir.cron"]
        Cron._commit_progress(remaining=len(events))
        for event in events:
            event._membership_offer_free_seats()
            if Cron._commit_progress(1) <= 0:
                break

    # ------------------------------------------------------------
    # THE SIGNED LINK
    # ------------------------------------------------------------

    def _get_offer_token(self):
        # bound to the person and the offer's time: a new offer voids the link
        self.ensure_one()
        entry = self.sudo()
        return make_token(
            self.env,
            WAITLIST_SCOPE,
            entry.id,
            entry.offer_deadline,
            f"{entry.partner_id.id}.{entry.offer_date}",
        )

    def _get_offer_url(self):
        self.ensure_one()
        token = self._get_offer_token()
        return f"{self.get_base_url()}/membership/waitlist/offer?token={token}"

    @api.model
    def _get_by_offer_token(self, token):
        """The entry ``token`` is the current, unexpired offer link of."""
        Waitlist = self.sudo()

        def bound_of(record_id):
            entry = Waitlist.browse(record_id).exists()
            if not entry or not entry.offer_date:
                return None
            return f"{entry.partner_id.id}.{entry.offer_date}"

        found = read_token(self.env, WAITLIST_SCOPE, token, bound_of)
        return Waitlist.browse(found[0]) if found else Waitlist.browse()
