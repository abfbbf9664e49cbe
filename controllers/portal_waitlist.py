# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from .portal_event import MembershipEventPortal


class MembershipWaitlistPortal(MembershipEventPortal):
    """Waitlists on ``/my/membership/events``: join the line of a full event,
    leave it; and the signed link of a seat offered by mail."""

    @http.route(
        "/my/membership/events/<int:event_id>/waitlist",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_membership_event_waitlist(self, event_id, ticket_id=None, **kw):
        env = request.env
        event, ticket = self._get_portal_event_ticket(event_id, ticket_id)
        if event.event_ticket_ids and not ticket:
            return self._render_events(error=env._("Choose a ticket."))
        partner = env.user.partner_id
        member = self._get_my_member().sudo()
        if ticket.members_only and not ticket._is_membership_eligible(member):
            return self._render_events(error=env._("This ticket is for members only."))
        try:
            event._membership_join_waitlist(partner, ticket)
        except UserError as error:
            return self._render_events(error=error.args[0])
        return self._events_redirect(message="waitlisted")

    @http.route(
        "/my/membership/waitlist/<int:entry_id>/leave",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_membership_waitlist_leave(self, entry_id, **kw):
        entry = (
            request.env["membership.event.waitlist"].sudo().browse(entry_id).exists()
        )
        # the entry must be the user's own before anything is done with it
        if not entry or entry.partner_id != request.env.user.partner_id:
            raise request.not_found()
        entry.action_decline_offer()
        return self._events_redirect(message="left_waitlist")

    @http.route(
        "/membership/waitlist/offer",
        type="http",
        auth="public",
        website=True,
        methods=["GET", "POST"],
        sitemap=False,
    )
    def membership_waitlist_offer(self, token=None, answer=None, **kw):
        """Shown on GET (mail scanners open links), answered on POST only."""
        entry = request.env["membership.event.waitlist"]._get_by_offer_token(token)
        values = {"entry": entry, "token": token}
        if not entry:
            values["invalid"] = True
        elif request.httprequest.method == "POST" and answer == "decline":
            if entry.state == "offered":
                entry.action_decline_offer()
            values["declined"] = True
        elif request.httprequest.method == "POST":
            try:
                with request.env.cr.savepoint():
                    registration, error = entry._accept_offer()
            except (UserError, ValidationError) as exc:
                registration, error = None, exc.args[0]
            if error:
                values["error"] = error
            else:
                registration._update_mail_schedulers()
                move = registration.membership_fee_move_id
                if move and move.payment_state not in ("paid", "in_payment"):
                    return request.redirect(move.get_portal_url())
                values["accepted"] = True
        return request.render(
            "membership_management.membership_waitlist_offer_page", values
        )
