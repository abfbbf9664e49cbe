# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request


class MembershipVisitDesk(http.Controller):
    """The visit check-in page (来館受付): the member check-in page without an
    event, one per location. Staff of the membership app only; it acts as
    the signed-in user, so the company rules apply."""

    def _get_location(self, location_id):
        env = request.env
        if not env.user.has_group("membership_management.group_membership_user"):
            raise request.not_found()
        location = env["membership.visit.location"].browse(location_id).exists()
        if not location:
            raise request.not_found()
        try:
            location.check_access("read")
        except AccessError as error:
            raise request.not_found() from error
        return location

    @http.route("/membership/visit", type="http", auth="user", methods=["GET"])
    def membership_visit_locations(self, **kw):
        env = request.env
        if not env.user.has_group("membership_management.group_membership_user"):
            raise request.not_found()
        locations = env["membership.visit.location"].search([])
        if len(locations) == 1:
            return request.redirect(f"/membership/visit/{locations.id}")
        return request.render(
            "membership_management.visit_locations_page", {"locations": locations}
        )

    @http.route(
        "/membership/visit/<int:location_id>",
        type="http",
        auth="user",
        methods=["GET", "POST"],
    )
    def membership_visit_check_in(self, location_id, code=None, **kw):
        location = self._get_location(location_id)
        values = {"member": None, "visit": None, "error": None, "warning": None}
        if request.httprequest.method == "POST":
            try:
                member, visit, error, warning = request.env[
                    "membership.visit"
                ]._record_by_code(code, location)
            except (AccessError, UserError) as exc:
                member, visit, error, warning = None, None, str(exc), None
            values.update(member=member, visit=visit, error=error, warning=warning)
        values["location"] = location
        return request.render("membership_management.visit_check_in_page", values)
