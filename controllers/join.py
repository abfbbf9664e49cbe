# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import datetime

from odoo import Command, fields, http
from odoo.http import request
from odoo.tools import escape_psql

from .portal import clean_contact_values

JOIN_FIELDS = ("name", "email", "phone", "street", "zip", "city")


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
                return request.render(
                    "membership_management.membership_join_check_email",
                    {"plan": plan.sudo()},
                )
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
            },
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
        return values, errors

    def _apply(self, plan, values, post):
        """Create the applicant, their portal user and first dues invoice.

        Whatever happens, the visitor sees the same "check your mailbox" page
        (SECURITY 21: the form must not tell who is a member); what differs is
        the e-mail the address owner receives.
        """
        env = request.env(su=True)
        email = values["email"]  # normalised by clean_contact_values
        user = (
            env["res.users"]
            .with_context(active_test=False)
            # an address like j%@corp.com is no pattern
            .search([("login", "=ilike", escape_psql(email))], limit=1)
        )
        member = (
            env["membership.member"]
            .with_context(active_test=False)
            .search(
                [
                    ("email_normalized", "=", email),
                    ("company_id", "=", plan.company_id.id),
                ],
                limit=1,
            )
        )
        known_partner = user.partner_id or member.partner_id
        if known_partner:
            # one member per person: tell the address owner, create nothing
            env.ref(
                "membership_management.mail_template_join_existing_account"
            ).send_mail(known_partner.id, email_values={"email_to": email})
        else:
            self._create_applicant(env, plan, values, post)
        return request.render(
            "membership_management.membership_join_check_email", {"plan": plan}
        )

    def _create_applicant(self, env, plan, values, post):
        partner_values = {k: v for k, v in values.items() if k != "birth_date"}
        partner = env["res.partner"].create(
            dict(partner_values, company_id=plan.company_id.id)
        )
        member = (
            env["membership.member"]
            .with_company(plan.company_id)
            .with_context(membership_state_source="portal")
            .create(
                {
                    "partner_id": partner.id,
                    "plan_id": plan.id,
                    "company_id": plan.company_id.id,
                    "join_date": fields.Date.context_today(plan),
                    "birth_date": values.get("birth_date"),
                    "consent_date": fields.Datetime.now(),
                    "newsletter_consent": bool(post.get("newsletter")),
                }
            )
        )
        # no password: auth_signup e-mails an invitation to set one
        env["res.users"].with_company(plan.company_id).create(
            {
                "name": partner.name,
                "login": values["email"],
                "partner_id": partner.id,
                "company_id": plan.company_id.id,
                "company_ids": [Command.set(plan.company_id.ids)],
                "group_ids": [Command.set(env.ref("base.group_portal").ids)],
            }
        )
        member.message_post(
            body=env._(
                "Applied online for the %(plan)s plan; terms accepted.", plan=plan.name
            )
        )
        dues = member.with_context(
            membership_state_source="portal"
        )._create_period_dues(fields.Date.context_today(plan))
        if dues.move_id:
            # the link to pay goes by e-mail, so only the address owner gets it;
            # a free plan's member is welcomed when they become active
            member.message_post_with_source(
                "membership_management.mail_template_join_first_dues",
                subtype_xmlid="mail.mt_comment",
                partner_ids=member.partner_id.ids,
            )
