# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import base64
import os
from datetime import datetime

import pytz

from odoo import fields, http
from odoo.http import request
from odoo.tools.mimetypes import guess_mimetype

from ..tools.text import has_control_character
from .portal import clean_contact_values

JOIN_FIELDS = ("name", "email", "phone", "street", "zip", "city")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = ("application/pdf", "image/png", "image/jpeg")


class MembershipJoin(http.Controller):
    """``/membership/join/<plan>``: apply, then continue from the e-mails.

    The applicant never chooses a password here: the portal user is created
    without one and ``auth_signup`` e-mails an invitation to set it; the link
    to pay the first dues goes by e-mail too, so the page answers every
    application alike and never tells whether an address is a member.
    """

    @http.route(
        "/membership/join/<int:plan_id>",
        type="http",
        auth="public",
        website=True,
        methods=["GET", "POST"],
        sitemap=False,
    )
    def membership_join(self, plan_id, **post):
        # read as the visitor: record rules only show published plans
        plan = request.env["membership.plan"].search(
            [("id", "=", plan_id), ("website_published", "=", True)], limit=1
        )
        if not plan:
            raise request.not_found()
        errors = {}
        if request.httprequest.method == "POST":
            if post.get("website_url"):
                # honeypot filled in: a bot; answer like a success, do nothing
                return self._render_check_email(plan.sudo())
            ip_address = request.httprequest.remote_addr or "unknown"
            if not request.env["membership.join.attempt"]._register_attempt(ip_address):
                errors["form"] = request.env._(
                    "Too many applications were sent from your network. Please try "
                    "again in an hour."
                )
            else:
                values, errors = self._validate_application(plan, post)
                if not errors:
                    return self._apply(plan.sudo(), values, post)
        countries = request.env["res.country"].sudo().search([])
        today = fields.Date.context_today(plan)
        return request.render(
            "membership_management.membership_join_page",
            {
                "plan": plan.sudo(),
                "quote": plan.sudo()._get_first_invoice_quote(today),
                "errors": errors,
                "post": post,
                "countries": countries,
                "consent_purposes": self._get_join_purposes(plan.sudo()),
            },
        )

    def _get_join_purposes(self, plan):
        """The consents the join form asks for, with their current text."""
        return (
            request.env["membership.consent.purpose"]
            .sudo()
            .search(
                [
                    ("show_on_join", "=", True),
                    ("company_id", "in", (plan.company_id.id, False)),
                ]
            )
        )

    def _validate_application(self, plan, post):
        env = request.env
        values, errors = clean_contact_values(
            post,
            JOIN_FIELDS,
            plan.sudo().company_id.country_id,
            required=("name", "email"),
        )
        if post.get("birth_date"):
            try:
                values["birth_date"] = datetime.strptime(
                    post["birth_date"], "%Y-%m-%d"
                ).date()
            except ValueError:
                errors["birth_date"] = env._("Enter the birth date as YYYY-MM-DD.")
        if not post.get("accept_terms"):
            errors["accept_terms"] = env._(
                "Please accept the membership terms and privacy policy."
            )
        given = []
        processing = request.env["membership.member"]._get_consent_purpose(
            "processing", plan.sudo().company_id
        )
        if post.get("accept_terms") and processing:
            # accepting the terms and privacy policy is this consent
            given.append(processing.id)
        for purpose in self._get_join_purposes(plan.sudo()):
            key = f"consent_{purpose.id}"
            if post.get(key):
                given.append(purpose.id)
            elif purpose.required_to_join:
                errors[key] = env._("This consent is needed to become a member.")
        values["consent_purpose_ids"] = given
        values.update(self._validate_admission(plan.sudo(), post, errors))
        return values, errors

    def _validate_admission(self, plan, post, errors):
        """What a plan with admission rules asks for: its referees' member
        numbers and its document (name and base64 content)."""
        env = request.env
        values = {}
        numbers = []
        for index in range(1, plan.referees_required + 1):
            key = f"referee_{index}"
            number = (post.get(key) or "").strip()
            if not number:
                errors[key] = env._("Enter the member number of a current member.")
            elif len(number) > 32 or has_control_character(number):
                errors[key] = env._("This is not a member number.")
            elif number in numbers:
                errors[key] = env._("Name two different referees.")
            else:
                numbers.append(number)
        if numbers:
            values["referee_numbers"] = numbers
        if plan.application_document_label:
            upload = request.httprequest.files.get("application_document")
            content = upload.read(MAX_DOCUMENT_BYTES + 1) if upload else b""
            if not content:
                errors["application_document"] = env._("Please attach the document.")
            elif len(content) > MAX_DOCUMENT_BYTES:
                errors["application_document"] = env._("The file is larger than 10 MB.")
            elif guess_mimetype(content) not in DOCUMENT_TYPES:
                errors["application_document"] = env._("Send a PDF, PNG or JPEG file.")
            else:
                name = os.path.basename(upload.filename or "document")[:128]
                values["application_document"] = (
                    name,
                    base64.b64encode(content).decode(),
                )
        return values

    def _apply(self, plan, values, post):
        """Queue the application; the job creates the applicant, their portal
        user and first dues invoice, or mails the known address's owner.

        Whatever happens, the visitor sees the same "check your mailbox" page,
        as fast (the form must not tell who is a member); what differs is the
        e-mail the address owner receives.
        """
        values = dict(
            values,
            **self._visitor_locale(plan),
            # the consents' ledger keeps where they were given from
            consent_ip_address=request.httprequest.remote_addr,
        )
        document = values.pop("application_document", None)
        # queued: a known and a new address cost this request the same time
        request.env["membership.join.request"]._enqueue(plan, values, document=document)
        return self._render_check_email(plan)

    def _visitor_locale(self, plan):
        """The new member's language and time zone: the page's language, and
        the browser's time zone (the ``tz`` cookie Odoo's website sets), else
        the company's."""
        tz = request.httprequest.cookies.get("tz")
        if tz not in pytz.all_timezones_set:
            tz = plan.company_id.partner_id.tz
        locale = {"lang": request.lang.code}
        if tz:
            locale["tz"] = tz
        return locale

    def _render_check_email(self, plan):
        """The one answer to every application, known address or not: what the
        first invoice e-mailed to a new applicant totals, not who is a member."""
        today = fields.Date.context_today(plan)
        return request.render(
            "membership_management.membership_join_check_email",
            {"plan": plan, "quote": plan._get_first_invoice_quote(today)},
        )
