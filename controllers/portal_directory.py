# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.membership_member_directory import DIRECTORY_FIELDS
from .portal import MembershipPortal

PAGE_SIZE = 20


class MembershipPortalDirectory(MembershipPortal):
    """``/my/membership/directory``: the members-only directory, and the
    member's own entry (listed or not, which fields)."""

    def _get_my_directory_member_or_404(self):
        # the visitor's own member (record rules), then read with sudo
        member = self._get_my_member()
        if not member or not member.sudo()._can_see_directory():
            raise request.not_found()
        return member.sudo()

    @http.route(
        ["/my/membership/directory", "/my/membership/directory/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_membership_directory(self, page=1, search=None, saved=None, **kw):
        member = self._get_my_directory_member_or_404()
        search = (search or "").strip()[:100]
        count = member._count_directory(search)
        pager = portal_pager(
            url="/my/membership/directory",
            url_args={"search": search} if search else {},
            total=count,
            page=page,
            step=PAGE_SIZE,
        )
        entries = member._get_directory_entries(search, pager["offset"], PAGE_SIZE)
        return request.render(
            "membership_management.portal_my_membership_directory",
            {
                "member": member,
                "entries": entries,
                "count": count,
                "pager": pager,
                "search": search,
                "listed": member._is_in_directory(),
                "saved": saved,
                "page_name": "membership_directory",
            },
        )

    @http.route(
        "/my/membership/directory/entry",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_membership_directory_entry(self, **post):
        member = self._get_my_directory_member_or_404()
        shown = {key for __, key in DIRECTORY_FIELDS if post.get(key) == "1"}
        member._set_directory_entry(post.get("listed") == "1", shown)
        return request.redirect("/my/membership/directory?saved=1")
