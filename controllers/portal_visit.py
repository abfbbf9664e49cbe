# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import http
from odoo.http import request

from .portal import MembershipPortal

PAGE_SIZE = 20


class MembershipPortalVisits(MembershipPortal):
    """``/my/membership/visits``: the member's own visit history."""

    @http.route(
        ["/my/membership/visits", "/my/membership/visits/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_membership_visits(self, page=1, **kw):
        member = self._get_my_member_or_404()
        # members have no access rights on visits: their own member, found
        # through the record rules, limits what is read
        visits, pager = self._get_member_page(
            request.env["membership.visit"].sudo(),
            [("member_id", "=", member.id)],
            "/my/membership/visits",
            page,
            PAGE_SIZE,
        )
        return request.render(
            "membership_management.portal_my_membership_visits",
            {"visits": visits, "pager": pager, "page_name": "membership_visits"},
        )
