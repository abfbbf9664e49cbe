# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models
from odoo.fields import Domain

DIRECTORY = "directory"
# what a member may show besides their name, in the order of the page
DIRECTORY_FIELDS = (
    ("directory_show_organisation", "organisation"),
    ("directory_show_email", "email"),
    ("directory_show_phone", "phone"),
    ("directory_show_city", "city"),
)


class MembershipMember(models.Model):
    """The members-only directory (会員名簿) on the portal.

    Only members who gave the *directory* consent are listed, only while
    they are members; each chooses what is shown besides the name. The page
    gets plain values built here, never the records: a field the member did
    not choose to show cannot leak through the template, and searching
    matches only what is shown (a hidden city cannot be guessed by search).
    """

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    directory_show_organisation = fields.Boolean(
        string="Directory: Organisation",
        help="Show the member's organisation in the members' directory.",
    )
    directory_show_email = fields.Boolean(string="Directory: E-mail")
    directory_show_phone = fields.Boolean(string="Directory: Phone")
    directory_show_city = fields.Boolean(string="Directory: City")

    def _get_directory_purpose(self):
        self.ensure_one()
        return self._get_consent_purpose(DIRECTORY, self.company_id)

    def _is_in_directory(self):
        self.ensure_one()
        return self._get_directory_purpose() in self.consent_purpose_ids

    def _can_see_directory(self):
        """The directory is for members enjoying their membership."""
        self.ensure_one()
        return self.state in self._get_benefit_states() and not self.erased_date

    def _get_directory_organisation(self):
        self.ensure_one()
        return self.parent_member_id.name or self.partner_id.parent_id.name or ""

    def _get_directory_domain(self, search=None):
        """Listed members of this viewer's company, matching ``search`` on
        what they show."""
        self.ensure_one()
        domain = Domain(
            [
                ("company_id", "=", self.company_id.id),
                ("state", "in", self._get_benefit_states()),
                ("consent_purpose_ids", "in", self._get_directory_purpose().ids),
                ("erasure_requested_date", "=", False),
            ]
        )
        search = (search or "").strip()
        if search:
            domain &= (
                Domain("name", "ilike", search)
                | Domain("name_kana", "ilike", search)
                | (
                    Domain("directory_show_city", "=", True)
                    & Domain("city", "ilike", search)
                )
                | (
                    Domain("directory_show_organisation", "=", True)
                    & (
                        Domain("parent_member_id.name", "ilike", search)
                        | Domain("partner_id.parent_id.name", "ilike", search)
                    )
                )
            )
        return domain

    def _count_directory(self, search=None):
        self.ensure_one()
        if not self._can_see_directory():
            return 0
        return self.sudo().search_count(self._get_directory_domain(search))

    def _get_directory_entries(self, search=None, offset=0, limit=20):
        """The page of the directory this member sees: a dict per listed
        member with what they chose to show."""
        self.ensure_one()
        if not self._can_see_directory():
            return []
        members = self.sudo().search(
            self._get_directory_domain(search),
            order="name, id",
            offset=offset,
            limit=limit,
        )
        entries = []
        for member in members:
            entry = {"name": member.name, "is_me": member == self}
            values = {
                "organisation": member._get_directory_organisation(),
                "email": member.email or "",
                "phone": member.phone or "",
                "city": member.city or "",
            }
            for fname, key in DIRECTORY_FIELDS:
                if member[fname]:
                    entry[key] = values[key]
            entries.append(entry)
        return entries

    def _set_directory_entry(self, listed, shown):
        """The member's own choice: listed or not (a consent in the ledger,
        with its date) and which fields (``shown``: keys of DIRECTORY_FIELDS)
        are visible."""
        self.ensure_one()
        member = self.sudo()
        member.write({fname: key in shown for fname, key in DIRECTORY_FIELDS})
        purpose = member._get_directory_purpose()
        if purpose:
            member._record_consents({purpose: listed}, source="portal", channel="web")
        return True
