# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import http
from odoo.http import request

from .portal import MembershipPortal

PAGE_SIZE = 10


class MembershipPortalNews(MembershipPortal):
    """``/my/membership/news``: every announcement meant for this member,
    newest first, a page at a time (the overview shows the latest five)."""

    @http.route(
        ["/my/membership/news", "/my/membership/news/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_membership_news(self, page=1, **kw):
        member = self._get_my_member_or_404()
        # members have no access rights on news: what their own member record
        # is targeted by picks what they see
        News = request.env["membership.news"].sudo()
        news, pager = self._get_member_page(
            News,
            News._get_member_domain(member.sudo()),
            "/my/membership/news",
            page,
            PAGE_SIZE,
        )
        return request.render(
            "membership_management.portal_my_membership_news",
            {"news": news, "pager": pager, "page_name": "membership_news"},
        )
