# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import content_disposition, request


class MembershipEventStaff(http.Controller):
    """Staff pages outside the back office: a phone-sized check-in page and the
    participant list download. Both act as the signed-in user, so the event's
    own access rules apply."""

    def _get_event(self, event_id, group):
        env = request.env
        if not env.user.has_group(group):
            raise request.not_found()
        event = env["event.event"].browse(event_id).exists()
        if not event:
            raise request.not_found()
        try:
            event.check_access("read")
        except AccessError as error:
            raise request.not_found() from error
        return event

    @http.route(
        "/membership/checkin/<int:event_id>",
        type="http",
        auth="user",
        methods=["GET", "POST"],
    )
    def membership_check_in(self, event_id, code=None, **kw):
        event = self._get_event(event_id, "event.group_event_registration_desk")
        values = {"registration": None, "error": None, "status": None}
        if request.httprequest.method == "POST":
            Registration = request.env["event.registration"]
            registration, error = Registration._membership_find_for_check_in(
                code, event
            )
            values.update(registration=registration, error=error)
            if not error:
                values["status"] = self._check_in(registration)
            elif not registration:
                # a member with a valid card who is not registered: a walk-in
                member, tickets = event._membership_find_walk_in(code)
                if member:
                    values.update(
                        walk_in=member, walk_in_tickets=tickets, walk_in_code=code
                    )
        return self._render_check_in(event, values)

    @http.route(
        "/membership/checkin/<int:event_id>/walk-in",
        type="http",
        auth="user",
        methods=["POST"],
    )
    def membership_check_in_walk_in(self, event_id, code=None, ticket_id=None, **kw):
        """Register a member whose card was scanned, then check them in (a
        priced ticket waits for its fee, taken at the desk)."""
        event = self._get_event(event_id, "event.group_event_registration_desk")
        values = {"registration": None, "error": None, "status": None}
        # the card is read again: only a member who showed it is registered
        member, tickets = event._membership_find_walk_in(code)
        try:
            ticket = tickets.filtered(lambda t: t.id == int(ticket_id or 0))
        except ValueError:
            ticket = tickets.browse()
        if not member or (tickets and not ticket):
            values["error"] = request.env._(
                "This member cannot be registered here now: no seat left on that "
                "ticket, or they are registered already."
            )
            return self._render_check_in(event, values)
        try:
            with request.env.cr.savepoint():
                registration = event._membership_register(member.partner_id, ticket)
        except (UserError, ValidationError) as error:
            values["error"] = error.args[0]
            return self._render_check_in(event, values)
        registration._update_mail_schedulers()
        values["registration"] = registration.with_env(request.env)
        values["status"] = self._check_in(registration) or "walk_in_to_pay"
        return self._render_check_in(event, values)

    @http.route(
        "/membership/checkin/<int:event_id>/pay",
        type="http",
        auth="user",
        methods=["POST"],
    )
    def membership_check_in_pay(self, event_id, registration_id=None, **kw):
        """Take the fee in cash (officers), then check the attendee in."""
        event = self._get_event(event_id, "event.group_event_registration_desk")
        registration = request.env["event.registration"].browse(
            int(registration_id or 0)
        )
        # the registration must be this event's before anything is read of it
        if not registration.exists() or registration.sudo().event_id != event:
            raise request.not_found()
        # shown as the check-in shows what a code finds (a desk user need not
        # read members' plans); paid as the signed-in user
        values = {"registration": registration.sudo(), "error": None, "status": None}
        try:
            registration._membership_pay_at_door()
        except (AccessError, UserError) as error:
            values["error"] = str(error)
        else:
            values["status"] = self._check_in(registration, paid=True)
        return self._render_check_in(event, values)

    def _check_in(self, registration, paid=False):
        """Mark attended; the status the page shows."""
        registration = registration.with_env(request.env)
        if registration.state == "done":
            return "already"
        if registration.state != "open":
            return "paid" if paid else None
        registration.action_set_done()
        return "paid_checked_in" if paid else "checked_in"

    def _render_check_in(self, event, values):
        attended, expected = event._membership_check_in_counts()
        registration = values.get("registration")
        values.update(
            event=event,
            attended=attended,
            expected=expected,
            can_take_fee=bool(
                registration
                and registration.sudo().membership_fee_state in ("to_pay", "partial")
                and registration.sudo().state != "cancel"
                and request.env.user.has_group(
                    "membership_management.group_membership_user"
                )
            ),
        )
        return request.render("membership_management.event_check_in_page", values)

    @http.route(
        "/membership/event/<int:event_id>/participants.xlsx",
        type="http",
        auth="user",
    )
    def membership_participants_xlsx(self, event_id, **kw):
        event = self._get_event(event_id, "event.group_event_user")
        content = request.env[
            "report.membership_management.event_participants_xlsx"
        ]._generate(event)
        request.env["membership.audit.log"]._log(
            "participant_export",
            description=event.display_name,
        )
        filename = request.env._("Participants - %(event)s.xlsx", event=event.name)
        return request.make_response(
            content,
            headers=[
                (
                    "Content-Type",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )
