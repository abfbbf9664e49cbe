# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from .portal import clean_contact_values


class MembershipPortalSeats(CustomerPortal):
    """``/my/membership/seats``: the administrator of an organisation or
    family membership adds, removes and replaces the people it covers.

    Who manages which membership is decided first (the visitor's own
    contact is the holder or its seat administrator); only then is the holder
    read with ``sudo()``, and a person is touched only if that holder covers
    them.
    """

    def _get_my_seat_holder_or_404(self):
        holder = request.env["membership.member"]._get_managed_seat_holder(
            request.env.user.partner_id
        )
        if not holder:
            raise request.not_found()
        return holder

    def _get_my_seat_or_404(self, holder, member_id):
        try:
            return holder._get_seat_member_online(member_id)
        except UserError as error:
            raise request.not_found() from error

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "membership_seat_count" in counters:
            holder = request.env["membership.member"]._get_managed_seat_holder(
                request.env.user.partner_id
            )
            values["membership_seat_count"] = holder.seat_count if holder else 0
        return values

    def _render_seats(self, holder, **values):
        return request.render(
            "membership_management.portal_my_membership_seats",
            {
                "holder": holder,
                "seats": holder.seat_member_ids.sorted("name"),
                "page_name": "membership_seats",
                "errors": {},
                "post": {},
                **values,
            },
        )

    @http.route("/my/membership/seats", type="http", auth="user", website=True)
    def portal_my_membership_seats(self, message=None, **kw):
        return self._render_seats(self._get_my_seat_holder_or_404(), message=message)

    def _change_seats(self, holder, post, change):
        """Validate the person's name and e-mail, then ``change(values)``;
        refusals are shown on the page, in the visitor's words."""
        values, errors = clean_contact_values(
            post, ("name", "email"), None, required=("email",)
        )
        if not errors:
            try:
                change(values)
            except (UserError, ValidationError) as error:
                errors["form"] = error.args[0]
        if errors:
            return self._render_seats(holder, errors=errors, post=post)
        return request.redirect("/my/membership/seats?message=saved")

    @http.route(
        "/my/membership/seats/add",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_membership_seats_add(self, **post):
        holder = self._get_my_seat_holder_or_404()
        return self._change_seats(holder, post, holder._add_seat_online)

    @http.route(
        "/my/membership/seats/<int:member_id>/replace",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_membership_seats_replace(self, member_id, **post):
        holder = self._get_my_seat_holder_or_404()
        self._get_my_seat_or_404(holder, member_id)
        return self._change_seats(
            holder, post, lambda values: holder._replace_seat_online(member_id, values)
        )

    @http.route(
        "/my/membership/seats/<int:member_id>/remove",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_membership_seats_remove(self, member_id, **kw):
        holder = self._get_my_seat_holder_or_404()
        member = self._get_my_seat_or_404(holder, member_id)
        member.with_context(membership_state_source="portal")._end_seat()
        return request.redirect("/my/membership/seats?message=removed")
