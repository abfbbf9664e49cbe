# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import http
from odoo.exceptions import AccessError
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
        values = {"event": event, "registration": None, "error": None, "status": None}
        if request.httprequest.method == "POST":
            Registration = request.env["event.registration"]
            registration, error = Registration._membership_find_for_check_in(
                code, event
            )
            values.update(registration=registration, error=error)
            if not error:
                if registration.state == "done":
                    values["status"] = "already"
                else:
                    registration.with_env(request.env).action_set_done()
                    values["status"] = "checked_in"
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
