# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import http
from odoo.exceptions import AccessError, MissingError

from odoo.addons.account.controllers.portal import PortalAccount


class MembershipPortalInvoice(PortalAccount):
    """A membership invoice opened on the portal shows its official PDF."""

    @http.route()
    def portal_my_invoice_detail(
        self, invoice_id, access_token=None, report_type=None, download=False, **kw
    ):
        try:
            # the visitor's right to the invoice first, as Odoo checks it
            invoice_sudo = self._document_check_access(
                "account.move", invoice_id, access_token
            )
        except (AccessError, MissingError):
            invoice_sudo = None
        if invoice_sudo:
            invoice_sudo._membership_ensure_official_pdf()
        return super().portal_my_invoice_detail(
            invoice_id,
            access_token=access_token,
            report_type=report_type,
            download=download,
            **kw,
        )
