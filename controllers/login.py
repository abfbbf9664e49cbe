# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo.http import request

from odoo.addons.portal.controllers.web import Home


class MembershipLogin(Home):
    """After signing in, the portal speaks the member's language: the
    website language cookie, left by the pages seen before signing in (or
    by the browser's language), would otherwise win over the language saved
    on the member's account."""

    def _login_redirect(self, uid, redirect=None):
        url = super()._login_redirect(uid, redirect=redirect)
        user = request.env["res.users"].sudo().browse(uid)
        if user.share:
            lang = request.env["ir.http"].get_nearest_lang(user.lang)
            if lang and request.cookies.get("frontend_lang") != lang:
                request.future_response.set_cookie("frontend_lang", lang)
        return url
