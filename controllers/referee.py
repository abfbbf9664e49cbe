# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import http
from odoo.exceptions import UserError
from odoo.http import request


class MembershipReferee(http.Controller):
    """``/membership/referee``: the link mailed to a referee (推薦者). It is
    signed and expires: it works without signing in (referees read mail on
    any device), shows the request on GET (mail scanners open links) and
    records the answer on POST only."""

    def _render(self, referee, **values):
        return request.render(
            "membership_management.membership_referee_page",
            {"referee": referee, **values},
        )

    @http.route(
        "/membership/referee",
        type="http",
        auth="public",
        website=True,
        methods=["GET", "POST"],
        sitemap=False,
    )
    def membership_referee(self, token=None, answer=None, **kw):
        referee = request.env["membership.referee"]._get_by_token(token)
        if not referee:
            return self._render(referee, invalid=True)
        if request.httprequest.method == "POST":
            try:
                referee._answer(answer == "confirm")
            except UserError as error:
                return self._render(referee, error=error.args[0], token=token)
            return self._render(referee, done=True)
        return self._render(referee, token=token)
