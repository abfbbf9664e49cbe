# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import json

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import content_disposition, request
from odoo.tools import email_normalize

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.res_company_direct_debit import ACCOUNT_TYPES
from ..tools.text import has_control_character, has_line_break, plain_email

# the only member fields a member may change from the portal
PROFILE_FIELDS = ("name", "name_kana", "email", "phone", "street", "zip", "city")


def clean_contact_values(post, fnames, default_country, required=()):
    """Contact fields ``fnames`` of a posted form, stripped and normalised
    (e-mail, E.164 phone, country id), and the errors to show by field.

    Shared by the profile form and the join form: only ``fnames`` (and
    ``country_id``) are ever read from the post.
    """
    env = request.env
    values = {fname: (post.get(fname) or "").strip() for fname in fnames}
    errors = {}
    for fname, value in values.items():
        if has_line_break(value):
            errors[fname] = env._("Line breaks are not allowed here.")
        elif has_control_character(value):
            errors[fname] = env._(
                "This field contains invisible control characters: type it again "
                "without them."
            )
    # a refused value is never used, not even to read a phone number
    values = {fname: value for fname, value in values.items() if fname not in errors}
    if "name" in values and not values["name"]:
        errors["name"] = env._("Your name is required.")
    if "email" not in errors and (values.get("email") or "email" in required):
        email = plain_email(values.get("email"))
        if email:
            values["email"] = email
        else:
            errors["email"] = env._("Enter a valid e-mail address.")
    country = default_country
    if post.get("country_id"):
        country_id = str(post["country_id"])
        country = (
            env["res.country"].sudo().browse(int(country_id)).exists()
            if country_id.isdigit()
            else env["res.country"]
        )
        if country:
            values["country_id"] = country.id
        else:
            errors["country_id"] = env._("Choose a country from the list.")
    if values.get("phone"):
        # E.164 by Odoo's phone_validation (national numbers read in ``country``)
        phone = env["res.partner"]._phone_format(
            number=values["phone"], country=country or env["res.country"]
        )
        if phone:
            values["phone"] = phone
        else:
            errors["phone"] = env._(
                "This phone number is not valid: write it with its country code, "
                "e.g. +81 3 1234 5678."
            )
    return values, errors


class MembershipPortal(CustomerPortal):
    """``/my/membership``: a member's own membership, dues, card and data.

    Records are read as the portal user, so record rules decide what exists;
    ``sudo()`` is used only on the member already found that way.
    """

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "membership_count" in counters:
            Member = request.env["membership.member"]
            values["membership_count"] = (
                Member.search_count(self._membership_domain())
                if Member.has_access("read")
                else 0
            )
        return values

    def _membership_domain(self):
        return [("partner_id", "=", request.env.user.partner_id.id)]

    def _get_my_member(self):
        """The current user's own member record (through record rules)."""
        Member = request.env["membership.member"]
        if not Member.has_access("read"):
            return Member
        return Member.search(self._membership_domain(), limit=1)

    def _get_my_member_or_404(self):
        member = self._get_my_member()
        if not member:
            raise request.not_found()
        return member

    def _get_member_page(self, records, domain, url, page, step):
        """``(records, pager)``: one page of ``records`` matching ``domain``
        (the caller limits it to the visitor's own member first)."""
        pager = portal_pager(
            url=url, total=records.search_count(domain), page=page, step=step
        )
        return records.search(domain, offset=pager["offset"], limit=step), pager

    def _prepare_membership_values(self, member, **extra):
        member_sudo = member.sudo()
        today = fields.Date.context_today(member)
        open_states = request.env["membership.dues"]._get_open_states()
        open_dues = member_sudo.dues_ids.filtered(lambda d: d.state in open_states)
        # members have no access rights on news: what their own member record is
        # targeted by (plans, audience, publication date) picks what they see
        News = request.env["membership.news"].sudo()
        news = News.search(News._get_member_domain(member_sudo), limit=5)
        return {
            "member": member_sudo,
            "news": news,
            "change_plans": member_sudo._get_online_change_plans(),
            "object": member,  # portal chatter: read and post as the member
            "page_name": "membership",
            "open_dues": open_dues,
            # own member (found by its record rule); reads its debits with sudo
            "direct_debits": member._get_pending_direct_debits(),
            "can_renew": member_sudo._can_renew_online(today),
            "saved_cards": member_sudo._get_saved_payment_tokens(),
            "can_request_debit": member_sudo._can_request_direct_debit_online(),
            "pending_mandate": member_sudo.direct_debit_mandate_ids.filtered(
                lambda m: m.state == "pending"
            )[:1],
            "today": today,
            **extra,
        }

    # ------------------------------------------------------------
    # Overview, card, renewal
    # ------------------------------------------------------------

    @http.route("/my/membership", type="http", auth="user", website=True, readonly=True)
    def portal_my_membership(self, **kw):
        member = self._get_my_member()
        if not member:
            return request.render(
                "membership_management.portal_no_membership",
                {"page_name": "membership"},
            )
        values = self._prepare_membership_values(
            member, updated=kw.get("updated"), message=kw.get("message")
        )
        return request.render("membership_management.portal_my_membership", values)

    @http.route(
        "/my/membership/card.png", type="http", auth="user", website=True, readonly=True
    )
    def portal_my_membership_card(self, **kw):
        member = self._get_my_member()
        png = member and member._get_card_qr_png()
        if not png:
            raise request.not_found()
        return request.make_response(
            png,
            headers=[("Content-Type", "image/png"), ("Cache-Control", "no-store")],
        )

    @http.route(
        "/my/membership/renew", type="http", auth="user", website=True, methods=["POST"]
    )
    def portal_my_membership_renew(self, **kw):
        member = self._get_my_member_or_404()
        dues = member.sudo()._renew_online()
        if dues.move_id:
            return request.redirect(dues.move_id[:1].get_portal_url())
        return request.redirect("/my/membership")

    @http.route(
        "/my/membership/change_plan",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_membership_change_plan(self, plan_id=None, **kw):
        member = self._get_my_member_or_404()
        plan = request.env["membership.plan"].sudo()
        if str(plan_id or "").isdigit():
            plan = plan.browse(int(plan_id)).exists()
        invoice = member.sudo()._change_plan_online(plan) if plan else False
        if invoice is False:
            return request.redirect("/my/membership?message=plan_refused")
        if invoice:
            return request.redirect(invoice.get_portal_url())
        return request.redirect("/my/membership?message=plan_changed")

    # ------------------------------------------------------------
    # Saved cards and automatic payment
    # ------------------------------------------------------------

    @http.route(
        "/my/membership/auto-payment",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_membership_auto_payment(self, token_id=None, consent=None, **kw):
        member = self._get_my_member_or_404()
        if not consent or not str(token_id or "").isdigit():
            return request.redirect("/my/membership?message=auto_payment_refused")
        try:
            # the model refuses a token that is not the member's own
            member.sudo()._set_auto_charge(int(token_id))
        except UserError:
            return request.redirect("/my/membership?message=auto_payment_refused")
        return request.redirect("/my/membership?message=auto_payment_on")

    @http.route(
        "/my/membership/auto-payment/stop",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_membership_auto_payment_stop(self, **kw):
        member = self._get_my_member_or_404()
        member.sudo()._stop_auto_charge(
            request.env._("The member stopped the automatic card payment of dues.")
        )
        return request.redirect("/my/membership?message=auto_payment_off")

    @http.route(
        "/my/membership/payment-methods/<int:token_id>/remove",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_membership_remove_payment_method(self, token_id, **kw):
        member = self._get_my_member_or_404()
        try:
            member.sudo()._remove_saved_payment_token(token_id)
        except UserError:
            raise request.not_found() from None
        return request.redirect("/my/membership?message=card_removed")

    @http.route(
        "/my/membership/direct-debit",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_my_membership_direct_debit(self, **post):
        member = self._get_my_member_or_404()
        error = False
        if request.httprequest.method == "POST":
            try:
                # reads only the account fields of the form
                member.sudo()._request_direct_debit_online(post)
            except UserError as exc:
                error = exc.args[0]
            else:
                return request.redirect("/my/membership?message=debit_requested")
        elif not member.sudo()._can_request_direct_debit_online():
            return request.redirect("/my/membership")
        return request.render(
            "membership_management.portal_my_membership_direct_debit",
            {
                "member": member.sudo(),
                "page_name": "membership_direct_debit",
                "error": error,
                "post": post,
                "account_types": ACCOUNT_TYPES,
            },
        )

    # ------------------------------------------------------------
    # Profile
    # ------------------------------------------------------------

    @http.route(
        "/my/membership/profile",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_my_membership_profile(self, **post):
        member = self._get_my_member_or_404()
        errors, values = {}, {}
        if request.httprequest.method == "POST":
            values, errors = self._validate_profile(member.sudo(), post)
            if not errors:
                # a new address waits for its mailbox's confirmation
                new_email = values.pop("email", None)
                member.sudo().with_context(membership_state_source="portal").write(
                    values
                )
                if new_email and new_email != member.sudo().email_normalized:
                    member._request_email_change(new_email)
                    return request.redirect(
                        "/my/membership?updated=1&message=email_pending"
                    )
                return request.redirect("/my/membership?updated=1")
        countries = request.env["res.country"].sudo().search([])
        return request.render(
            "membership_management.portal_my_membership_profile",
            {
                "member": member.sudo(),
                "page_name": "membership_profile",
                "errors": errors,
                "post": post,
                "countries": countries,
            },
        )

    @http.route(
        "/my/membership/email/confirm",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_my_membership_email_confirm(self, token=None, **kw):
        """The link mailed to a new address: a page to confirm (GET changes
        nothing, mail scanners open links), the change on POST."""
        member = self._get_my_member_or_404()
        if request.httprequest.method == "POST":
            try:
                confirmed = member._confirm_email_change(token)
            except UserError as error:
                return request.render(
                    "membership_management.portal_my_membership_email_confirm",
                    {"member": member.sudo(), "token": token, "error": error.args[0]},
                )
            if confirmed:
                # the login may have followed the address: stay signed in
                request.env.flush_all()
                request.session.session_token = request.env.user._compute_session_token(
                    request.session.sid
                )
            return request.redirect(
                "/my/membership?message="
                + ("email_changed" if confirmed else "email_link_invalid")
            )
        return request.render(
            "membership_management.portal_my_membership_email_confirm",
            {"member": member.sudo(), "token": token, "error": False},
        )

    def _validate_address_values(self, address_values, partner_sudo, *args, **kwargs):
        """Odoo's *My Account* form would change a member's e-mail at once:
        members change it on their membership profile, confirmed by mail."""
        invalid, missing, messages = super()._validate_address_values(
            address_values, partner_sudo, *args, **kwargs
        )
        if (
            partner_sudo
            and address_values.get("email")
            and email_normalize(address_values["email"])
            != partner_sudo.email_normalized
            and request.env["membership.member"]
            .sudo()
            .with_context(active_test=False)
            .search_count([("partner_id", "=", partner_sudo.id)], limit=1)
        ):
            invalid.add("email")
            messages.append(
                request.env._(
                    "Members change their e-mail address on their membership profile: "
                    "we confirm the new address first."
                )
            )
        return invalid, missing, messages

    def _validate_profile(self, member, post):
        """Whitelisted, normalised values of the profile form, and errors.

        An address, once given, must be whole: the portal's own rule of
        mandatory address fields for the country (localisations extend it),
        limited to the fields this form has.
        """
        fnames = [fname for fname in PROFILE_FIELDS if fname in post]
        values, errors = clean_contact_values(
            post, fnames, member.country_id or member.company_id.country_id
        )
        country = (
            request.env["res.country"]
            .sudo()
            .browse(values.get("country_id") or member.country_id.id)
        )
        mandatory = self._get_mandatory_address_fields(country)
        given = {fname: member[fname] for fname in mandatory if fname in member}
        given.update(values)
        # a country alone (the form always has one) is not an address yet
        if any(given.get(fname) for fname in mandatory - {"country_id"}):
            for fname in sorted(mandatory & set(fnames)):
                if not given.get(fname) and fname not in errors:
                    errors[fname] = request.env._(
                        "Complete your address: this field is required."
                    )
        return values, errors

    # ------------------------------------------------------------
    # Dues and receipts
    # ------------------------------------------------------------

    @http.route(
        "/my/membership/dues", type="http", auth="user", website=True, readonly=True
    )
    def portal_my_membership_dues(self, **kw):
        member = self._get_my_member_or_404()
        dues = request.env["membership.dues"].search(
            [("member_id", "=", member.id)], order="date_start desc, id desc"
        )
        return request.render(
            "membership_management.portal_my_membership_dues",
            {
                "member": member.sudo(),
                "dues": dues.sudo(),
                "direct_debits": member._get_pending_direct_debits(),
                "today": fields.Date.context_today(member),
                "page_name": "membership_dues",
            },
        )

    @http.route(
        "/my/membership/dues/<int:dues_id>/receipt",
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_membership_receipt(self, dues_id, **kw):
        try:
            dues = self._document_check_access("membership.dues", dues_id)
        except (AccessError, MissingError) as error:
            raise request.not_found() from error
        if (
            dues.partner_id != request.env.user.partner_id
            or dues._is_billed_to_other()
            or not dues._is_receipt_issuable()
        ):
            raise request.not_found()
        request.env["membership.audit.log"]._log(
            "receipt_download", dues.member_id, dues.receipt_number or dues.name
        )
        return self._show_report(
            dues,
            "pdf",
            "membership_management.action_report_dues_receipt",
            download=True,
        )

    # ------------------------------------------------------------
    # Privacy: consents, my data, erasure request
    # ------------------------------------------------------------

    @http.route(
        "/my/membership/consents",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_my_membership_consents(self, purpose_id=None, given=None, **kw):
        member = self._get_my_member_or_404()
        purposes = member.sudo()._get_consent_purposes()
        saved = False
        if request.httprequest.method == "POST":
            # only a purpose offered to this member, never "processing" (it
            # ends with the membership, by an erasure request)
            purpose = purposes.filtered(
                lambda p: str(p.id) == str(purpose_id) and p.code != "processing"
            )
            if not purpose:
                raise request.not_found()
            member.sudo()._record_consents(
                {purpose: given == "1"}, source="portal", channel="web"
            )
            saved = True
        latest = {}
        for consent in member.sudo().consent_ids.sorted(lambda c: (c.date, c.id)):
            latest[consent.purpose_id.id] = consent
        return request.render(
            "membership_management.portal_my_membership_consents",
            {
                "member": member.sudo(),
                "purposes": purposes,
                "latest": latest,
                "saved": saved,
                "page_name": "membership_consents",
            },
        )

    @http.route("/my/membership/data.json", type="http", auth="user", website=True)
    def portal_my_membership_data(self, **kw):
        member = self._get_my_member_or_404()
        data = json.dumps(member.sudo()._get_personal_data(), indent=2, default=str)
        return self._send_my_data(
            member, data, "application/json; charset=utf-8", "my-membership-data.json"
        )

    @http.route("/my/membership/data.zip", type="http", auth="user", website=True)
    def portal_my_membership_data_zip(self, **kw):
        member = self._get_my_member_or_404()
        content = member.sudo()._get_personal_data_zip()
        return self._send_my_data(
            member, content, "application/zip", "my-membership-data.zip"
        )

    def _send_my_data(self, member, content, content_type, filename):
        """A member's own data as a download, never cached, audited."""
        request.env["membership.audit.log"]._log("data_download", member)
        return request.make_response(
            content,
            headers=[
                ("Content-Type", content_type),
                ("Content-Disposition", content_disposition(filename)),
                ("Cache-Control", "no-store"),
            ],
        )

    @http.route(
        "/my/membership/erasure",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_membership_erasure(self, **kw):
        member = self._get_my_member_or_404()
        member.sudo()._request_erasure()
        return request.redirect("/my/membership?message=erasure")

    @http.route()
    def deactivate_account(self, validation, password, **post):
        """A member does not close their account at once (membership, dues and
        invoices would be left behind): they ask for erasure, the one path."""
        if self._get_my_member():
            return request.redirect("/my/membership?message=delete_account#erasure")
        return super().deactivate_account(validation, password, **post)

    # ------------------------------------------------------------
    # Public plans
    # ------------------------------------------------------------

    @http.route("/membership", type="http", auth="public", website=True, sitemap=True)
    def membership_plans(self, **kw):
        plans = request.env["membership.plan"].search(
            [
                ("website_published", "=", True),
                ("company_id", "=", request.env.company.id),
            ]
        )
        return request.render(
            "membership_management.membership_plans_page", {"plans": plans.sudo()}
        )
