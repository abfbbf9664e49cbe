# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models
from odoo.http import request

NEWSLETTER = "newsletter"


class MembershipMember(models.Model):
    """Consents: the ledger of what the member agreed to, and the purposes
    they agree to now (what campaigns and the directory read). Staff record a
    consent by ticking the purpose on the form (from a paper form); members
    give and withdraw theirs on the portal."""

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    consent_ids = fields.One2many("membership.consent", "member_id", string="Consents")
    consent_purpose_ids = fields.Many2many(
        "membership.consent.purpose",
        "membership_member_consent_purpose_rel",
        "member_id",
        "purpose_id",
        string="Consents Given",
        copy=False,
        help="What the member agrees to now: the latest consent of each purpose. "
        "Ticking or removing one records it in the consent ledger.",
    )

    @api.model
    def _get_consent_purpose(self, code, company=None):
        """The active purpose ``code`` of ``company`` (or a shared one)."""
        company = company or self.env.company
        return (
            self.env["membership.consent.purpose"]
            .sudo()
            .search(
                [("code", "=", code), ("company_id", "in", (company.id, False))],
                order="company_id, id",
                limit=1,
            )
        )

    def _get_consent_purposes(self):
        """The purposes this member may give, in order."""
        self.ensure_one()
        return (
            self.env["membership.consent.purpose"]
            .sudo()
            .search([("company_id", "in", (self.company_id.id, False))])
        )

    def _record_consents(self, choices, source, channel="web"):
        """Record ``choices`` (``{purpose: True/False}``): one ledger row per
        purpose whose answer changes (or is given for the first time), the
        current purposes updated, the newsletter flag kept in step, audited."""
        self.ensure_one()
        member = self.sudo()
        ip_address = self.env.context.get("membership_consent_ip") or (
            request.httprequest.remote_addr if request else False
        )
        rows, current = [], member.consent_purpose_ids
        for purpose, given in choices.items():
            if bool(given) == (purpose in current):
                continue
            rows.append(
                {
                    "member_id": member.id,
                    "purpose_id": purpose.id,
                    "state": "given" if given else "withdrawn",
                    "source": source,
                    "channel": channel,
                    "text_version": purpose.version,
                    "ip_address": ip_address,
                    "user_id": self.env.uid,
                }
            )
            current = current | purpose if given else current - purpose
        if not rows:
            return self.env["membership.consent"]
        consents = self.env["membership.consent"].sudo().create(rows)
        values = {"consent_purpose_ids": [fields.Command.set(current.ids)]}
        if NEWSLETTER in consents.purpose_id.mapped("code"):
            values["newsletter_consent"] = NEWSLETTER in current.mapped("code")
        member.with_context(membership_consent_recorded=True).write(values)
        states = dict(consents._fields["state"]._description_selection(self.env))
        self.env["membership.audit.log"]._log(
            "consent_change",
            member,
            ", ".join(f"{c.purpose_id.name}: {states[c.state]}" for c in consents)[
                :250
            ],
        )
        return consents

    def write(self, vals):
        """Staff tick purposes or the newsletter box: the ledger records it."""
        if self.env.context.get("membership_consent_recorded") or not (
            "consent_purpose_ids" in vals or "newsletter_consent" in vals
        ):
            return super().write(vals)
        vals = dict(vals)
        purpose_commands = vals.pop("consent_purpose_ids", None)
        newsletter = vals.pop("newsletter_consent", None)
        result = super().write(vals) if vals else True
        for member in self:
            choices = {}
            if purpose_commands is not None:
                wanted = member._apply_m2m_commands(purpose_commands)
                for purpose in member.consent_purpose_ids | wanted:
                    choices[purpose] = purpose in wanted
            if newsletter is not None:
                purpose = member._get_consent_purpose(NEWSLETTER, member.company_id)
                if purpose:
                    choices[purpose] = bool(newsletter)
                else:
                    super(MembershipMember, member).write(
                        {"newsletter_consent": bool(newsletter)}
                    )
            member._record_consents(choices, source="staff", channel="paper")
        return result

    @api.model_create_multi
    def create(self, vals_list):
        """Consents given at creation (staff, the join form, an import) go
        to the ledger too."""
        wanted = []
        for vals in vals_list:
            wanted.append(
                (
                    vals.pop("consent_purpose_ids", None),
                    vals.pop("newsletter_consent", None),
                )
            )
        members = super().create(vals_list)
        source = self.env.context.get("membership_consent_source", "staff")
        channel = "web" if source in ("join", "portal") else "paper"
        for member, (commands, newsletter) in zip(members, wanted, strict=True):
            choices = {}
            if commands:
                for purpose in member._apply_m2m_commands(commands):
                    choices[purpose] = True
            if newsletter:
                purpose = member._get_consent_purpose(NEWSLETTER, member.company_id)
                if purpose:
                    choices[purpose] = True
                else:
                    member.with_context(membership_consent_recorded=True).write(
                        {"newsletter_consent": True}
                    )
            if choices:
                member._record_consents(choices, source=source, channel=channel)
        return members

    def _apply_m2m_commands(self, commands):
        """The purposes ``commands`` would leave on this member."""
        Purpose = self.env["membership.consent.purpose"].sudo()
        ids = set(self.consent_purpose_ids.ids)
        for command in commands:
            if command[0] == fields.Command.SET:
                ids = set(command[2])
            elif command[0] == fields.Command.LINK:
                ids.add(command[1])
            elif command[0] in (fields.Command.UNLINK, fields.Command.DELETE):
                ids.discard(command[1])
            elif command[0] == fields.Command.CLEAR:
                ids = set()
        return Purpose.browse(sorted(ids))
