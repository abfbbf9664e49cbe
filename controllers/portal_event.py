# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import logging

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from .portal import MembershipPortal

_logger = logging.getLogger(__name__)

# outcomes shown after a redirect: codes only, never text from the URL
EVENT_MESSAGES = ("registered", "cancelled", "waitlisted", "left_waitlist")


class MembershipEventPortal(MembershipPortal):
    """``/my/membership/events``: events open to members, registration with the
    member's price, fee payment and cancellation.

    A registration is always created for the signed-in user's own contact with
    a fixed list of values; the price is decided by the model, never by the
    form.
    """

    def _get_portal_events(self):
        Event = request.env["event.event"].sudo()
        return Event.search(Event._membership_portal_domain(), order="date_begin")

    def _get_my_registrations(self):
        """The user's registrations, through the portal record rule."""
        Registration = request.env["event.registration"]
        if not Registration.has_access("read"):
            return Registration
        return Registration.search(
            [("partner_id", "=", request.env.user.partner_id.id)],
            order="id desc",
        )

    def _prepare_event_offers(self, events, registrations):
        """For each event: its tickets with the price for this person (as the
        fee invoice will charge it, taxes included) and why a ticket cannot be
        taken, if so."""
        taken = {r.event_id.id for r in registrations if r.state != "cancel"}
        # the user's own memberships, found through the record rules
        Member = request.env["membership.member"]
        memberships = (
            Member.search(self._membership_domain())
            if Member.has_access("read")
            else Member
        ).sudo()
        waitlist = (
            request.env["membership.event.waitlist"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", request.env.user.partner_id.id),
                    ("event_id", "in", events.ids),
                    ("state", "in", ("waiting", "offered")),
                ]
            )
        )
        offers = []
        for event in events:
            member = memberships.filtered(
                lambda m, event=event: (
                    not event.company_id or m.company_id == event.company_id
                )
            )[:1]
            tickets = []
            for ticket in event.event_ticket_ids:
                price, reason = ticket._get_membership_price(member)
                price = ticket._membership_price_with_taxes(price)
                refusal = False
                if ticket.members_only and not ticket._is_membership_eligible(member):
                    refusal = request.env._("Members only")
                elif ticket.is_expired or not ticket.is_launched:
                    refusal = request.env._("Not on sale")
                elif not event._membership_has_seat(ticket):
                    refusal = request.env._("Sold out")
                tickets.append(
                    {
                        "ticket": ticket,
                        "price": price,
                        "reason": reason,
                        "refusal": refusal,
                        "sold_out": refusal == request.env._("Sold out"),
                    }
                )
            offers.append(
                {
                    "event": event,
                    "tickets": tickets,
                    "registered": event.id in taken,
                    "open": event.event_registrations_open,
                    # seats held by waitlist offers count as taken
                    "full": event.event_registrations_sold_out
                    or (
                        not event.event_ticket_ids
                        and not event._membership_has_seat(event.event_ticket_ids)
                    )
                    or bool(tickets and all(line["refusal"] for line in tickets)),
                    "waitlist_entry": waitlist.filtered(
                        lambda w, event=event: w.event_id == event
                    )[:1],
                }
            )
        return offers

    @http.route(
        "/my/membership/events", type="http", auth="user", website=True, readonly=True
    )
    def portal_my_membership_events(self, message=None, **kw):
        return self._render_events(
            message=message if message in EVENT_MESSAGES else None
        )

    def _render_events(self, message=None, error=None):
        member = self._get_my_member().sudo()
        registrations = self._get_my_registrations()
        now = fields.Datetime.now()
        registrations_sudo = registrations.sudo()
        return request.render(
            "membership_management.portal_my_membership_events",
            {
                "member": member,
                "offers": self._prepare_event_offers(
                    self._get_portal_events(), registrations_sudo
                ),
                "upcoming": registrations_sudo.filtered(
                    lambda r: r.event_id.date_end >= now
                ),
                "past": registrations_sudo.filtered(
                    lambda r: r.event_id.date_end < now
                ),
                "now": now,
                "message": message,
                "error": error,
                "page_name": "membership_events",
            },
        )

    @http.route(
        "/my/membership/events/<int:event_id>/register",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_membership_event_register(self, event_id, ticket_id=None, **kw):
        env = request.env
        event, ticket = self._get_portal_event_ticket(event_id, ticket_id)
        if not ticket:
            return self._render_events(error=env._("Choose a ticket."))
        partner = env.user.partner_id
        error = self._check_can_register(event, ticket, partner)
        if error:
            return self._render_events(error=error)
        try:
            # the event's "after subscription" mails run after the savepoint:
            # outside tests Odoo's event mail code commits, which would end it
            with env.cr.savepoint():
                registration = event._membership_register(partner, ticket)
        except ValidationError as exc:
            return self._render_events(error=exc.args[0])
        except UserError as exc:
            _logger.warning("Event registration failed for %s: %s", partner.id, exc)
            return self._render_events(
                error=env._(
                    "Your registration could not be completed: please write to us."
                )
            )
        registration._update_mail_schedulers()
        move = registration.membership_fee_move_id
        if move and move.payment_state not in ("paid", "in_payment"):
            return request.redirect(move.get_portal_url())
        return self._events_redirect(message="registered")

    def _get_portal_event_ticket(self, event_id, ticket_id):
        """The portal event ``event_id`` (404 if it is not one) and its ticket
        ``ticket_id`` (empty when it is not one of the event's)."""
        event = self._get_portal_events().filtered(lambda e: e.id == event_id)
        if not event:
            raise request.not_found()
        try:
            ticket = event.event_ticket_ids.filtered(lambda t: t.id == int(ticket_id))
        except (TypeError, ValueError):
            ticket = event.event_ticket_ids.browse()
        return event, ticket

    def _check_can_register(self, event, ticket, partner):
        """Why ``partner`` cannot take ``ticket`` now, or ``False``."""
        env = request.env
        if not event._membership_has_seat(ticket):
            return env._("Sorry, there is no seat left.")
        if not event.event_registrations_open or not ticket.sale_available:
            return env._("Registration for this event is closed.")
        # as the user: the portal record rule already limits it to their own
        Registration = env["event.registration"]
        already = Registration.has_access("read") and Registration.search_count(
            [
                ("event_id", "=", event.id),
                ("partner_id", "=", partner.id),
                ("state", "!=", "cancel"),
            ],
            limit=1,
        )
        if already:
            return env._("You are already registered for this event.")
        member = (
            env["membership.member"]
            .sudo()
            .search([("partner_id", "=", partner.id)], limit=1)
        )
        if member and member._is_erasure_pending():
            return env._(
                "You asked for the erasure of your personal data: you cannot "
                "register any more."
            )
        return False

    @http.route(
        "/my/membership/registrations/<int:registration_id>/receipt",
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_membership_registration_receipt(self, registration_id, **kw):
        try:
            registration = self._document_check_access(
                "event.registration", registration_id
            )
        except (AccessError, MissingError) as error:
            raise request.not_found() from error
        if (
            registration.partner_id != request.env.user.partner_id
            or not registration._is_receipt_issuable()
        ):
            raise request.not_found()
        request.env["membership.audit.log"]._log(
            "receipt_download",
            registration.member_id or None,
            registration.receipt_number or registration.display_name,
        )
        return self._show_report(
            registration,
            "pdf",
            "membership_management.action_report_registration_receipt",
            download=True,
        )

    @http.route(
        "/my/membership/registrations/<int:registration_id>/cancel",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_membership_registration_cancel(self, registration_id, **kw):
        try:
            registration = self._document_check_access(
                "event.registration", registration_id
            )
        except (AccessError, MissingError) as error:
            raise request.not_found() from error
        if registration.partner_id != request.env.user.partner_id:
            raise request.not_found()
        if registration.state not in ("draft", "open"):
            return self._render_events(
                error=request.env._("This registration cannot be cancelled.")
            )
        if not registration.event_id._membership_can_cancel():
            return self._render_events(
                error=request.env._(
                    "It is too late to cancel online: please write to us."
                )
            )
        try:
            with request.env.cr.savepoint():
                registration.action_cancel()
        except UserError as exc:
            _logger.warning(
                "Cancelling registration %s failed: %s", registration.id, exc
            )
            return self._render_events(
                error=request.env._(
                    "Your registration could not be cancelled online: please "
                    "write to us."
                )
            )
        return self._events_redirect(message="cancelled")

    def _events_redirect(self, message):
        return request.redirect(f"/my/membership/events?message={message}")
