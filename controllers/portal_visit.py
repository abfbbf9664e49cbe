# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import pager as portal_pager

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
        Visit = request.env["membership.visit"].sudo()
        domain = [("member_id", "=", member.id)]
        pager = portal_pager(
            url="/my/membership/visits",
            total=Visit.search_count(domain),
            page=page,
            step=PAGE_SIZE,
        )
        visits = Visit.search(domain, offset=pager["offset"], limit=PAGE_SIZE)
        return request.render(
            "membership_management.portal_my_membership_visits",
            {"visits": visits, "pager": pager, "page_name": "membership_visits"},
        )
