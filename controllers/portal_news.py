# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import pager as portal_pager

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
        domain = News._get_member_domain(member.sudo())
        pager = portal_pager(
            url="/my/membership/news",
            total=News.search_count(domain),
            page=page,
            step=PAGE_SIZE,
        )
        news = News.search(domain, offset=pager["offset"], limit=PAGE_SIZE)
        return request.render(
            "membership_management.portal_my_membership_news",
            {"news": news, "pager": pager, "page_name": "membership_news"},
        )
