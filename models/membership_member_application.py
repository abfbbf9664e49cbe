# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import Command, api, fields, models
from odoo.tools import escape_psql


class MembershipMember(models.Model):
    """Applying online: one member per person, a portal user invited to set a
    password (none is ever generated), the first dues billed and their payment
    link e-mailed. The join page's controller only validates the form and
    answers every applicant the same way."""

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    # a field attachment: only those who may read the field (staff) open it,
    # not the applicant, not through /web/content
    application_document = fields.Binary(
        attachment=True,
        copy=False,
        groups="membership_management.group_membership_user",
        help="The document the plan asks applicants for (e.g. a student ID), "
        "uploaded with the online application. Only staff can open it.",
    )
    application_document_name = fields.Char(
        copy=False, groups="membership_management.group_membership_user"
    )

    @api.model
    def _apply_online(self, plan, values, newsletter=False):
        """Handle an application for ``plan`` with the form's cleaned
        ``values`` (name, e-mail normalised, phone in E.164, address, birth
        date). A known address creates nothing: its owner is e-mailed a
        sign-in link. Returns the new member, or an empty recordset."""
        email = values["email"]
        user = (
            self.env["res.users"]
            .sudo()
            .with_context(active_test=False)
            # an address like j%@corp.com is no pattern
            .search([("login", "=ilike", escape_psql(email))], limit=1)
        )
        member = (
            self.sudo()
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
            self.env.ref(
                "membership_management.mail_template_join_existing_account"
            ).sudo().send_mail(known_partner.id, email_values={"email_to": email})
            return self.browse()
        return self._create_from_application(plan, values, newsletter=newsletter)

    @api.model
    def _create_from_application(self, plan, values, newsletter=False):
        """Create the applicant's contact, member, portal user and first dues."""
        env = self.sudo().env
        today = fields.Date.context_today(plan)
        member_only = ("birth_date", "consent_purpose_ids", "consent_ip_address")
        partner_values = {k: v for k, v in values.items() if k not in member_only}
        partner = env["res.partner"].create(
            dict(partner_values, company_id=plan.company_id.id)
        )
        member = (
            env["membership.member"]
            .with_company(plan.company_id)
            .with_context(
                membership_state_source="portal",
                membership_consent_source="join",
                membership_consent_ip=values.get("consent_ip_address"),
            )
            .create(
                {
                    "partner_id": partner.id,
                    "plan_id": plan.id,
                    "company_id": plan.company_id.id,
                    "join_date": today,
                    "birth_date": values.get("birth_date"),
                    "consent_date": fields.Datetime.now(),
                    "newsletter_consent": bool(newsletter),
                    "consent_purpose_ids": [
                        Command.set(values.get("consent_purpose_ids") or [])
                    ],
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
        if member._is_awaiting_admission():
            # 入会審査: nothing is billed before staff approve the application
            member.message_post_with_source(
                "membership_management.mail_template_application_received",
                subtype_xmlid="mail.mt_comment",
                partner_ids=member.partner_id.ids,
            )
            return member
        dues = member._create_period_dues(today)
        if dues.move_id:
            # the link to pay goes by e-mail, so only the address owner gets it;
            # a free plan's member is welcomed when they become active
            member.message_post_with_source(
                "membership_management.mail_template_join_first_dues",
                subtype_xmlid="mail.mt_comment",
                partner_ids=member.partner_id.ids,
            )
        return member
