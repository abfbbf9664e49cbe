# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from collections import defaultdict
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

MEMBER_STATES = [
    ("draft", "Applicant"),
    ("waiting", "Waiting Payment"),
    ("active", "Active"),
    ("grace", "In Grace"),
    ("lapsed", "Lapsed"),
    ("suspended", "Suspended"),
    ("withdrawn", "Withdrawn"),
]
OPEN_END = date.max
# contact data whose changes go to the audit log
PERSONAL_FIELDS = frozenset(
    ("name", "name_kana", "email", "phone", "street", "street2", "zip", "city",
     "country_id", "birth_date")
)  # fmt: skip


class MembershipMember(models.Model):
    """A member: a contact (``_inherits`` res.partner) with a plan and dues.

    This file holds the member's identity, numbering, CRUD and views; each
    other concern has a file of its own that inherits this model:
    ``membership_member_state`` (the state machine, its history and daily job),
    ``membership_member_billing`` (which period is billed, dues and invoices),
    ``membership_member_renewal`` (renewal notices), ``membership_member_points``
    (points and tiers), ``membership_member_event`` (registrations and
    attendance), ``membership_member_privacy`` (personal data, export, erasure)
    and ``membership_member_card`` (the card token).
    """

    _name = "membership.member"
    _description = "Member"
    _inherits = {"res.partner": "partner_id"}
    _inherit = ["mail.thread.blacklist", "mail.activity.mixin"]
    _primary_email = "email"
    _mailing_enabled = True
    _order = "member_number desc, id desc"
    _rec_names_search = ["name", "member_number", "email"]
    _mail_post_access = "read"
    _check_company_auto = True  # its plan and withdrawal reason are its company's

    partner_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        ondelete="cascade",
    )
    # personal data of the contact, tracked on the member's chatter
    name = fields.Char(
        related="partner_id.name", inherited=True, readonly=False, tracking=1
    )
    email = fields.Char(
        related="partner_id.email", inherited=True, readonly=False, tracking=2
    )
    phone = fields.Char(
        related="partner_id.phone", inherited=True, readonly=False, tracking=3
    )
    street = fields.Char(
        related="partner_id.street", inherited=True, readonly=False, tracking=4
    )
    zip = fields.Char(
        related="partner_id.zip", inherited=True, readonly=False, tracking=5
    )
    city = fields.Char(
        related="partner_id.city", inherited=True, readonly=False, tracking=6
    )
    name_kana = fields.Char(
        string="Name Reading",
        tracking=True,
        help="Reading of the name in kana (フリガナ): bank transfers show payers "
        "this way.",
    )
    birth_date = fields.Date(
        tracking=7, groups="membership_management.group_membership_user"
    )
    notes = fields.Html(
        string="Internal Notes", groups="membership_management.group_membership_user"
    )
    # membership
    member_number = fields.Char(
        readonly=True, copy=False, index=True, tracking=True, default=False
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    plan_id = fields.Many2one(
        "membership.plan",
        required=True,
        tracking=True,
        ondelete="restrict",
        index=True,
        check_company=True,
    )
    join_date = fields.Date(
        default=fields.Date.context_today,
        tracking=True,
        help="Day the member joined; rolling plans count their periods from it.",
    )
    consent_date = fields.Datetime(
        readonly=True,
        copy=False,
        help="When the member accepted the terms and privacy policy online.",
    )
    newsletter_consent = fields.Boolean(
        tracking=True, help="The member agreed to receive news by e-mail."
    )
    dues_ids = fields.One2many("membership.dues", "member_id")
    status_history_ids = fields.One2many("membership.status.history", "member_id")
    birth_month = fields.Integer(
        compute="_compute_birth_month",
        store=True,
        index="btree_not_null",
        groups="membership_management.group_membership_user",
        help="Month of the birth date (1-12), for birthday segments.",
    )
    is_birthday_month = fields.Boolean(
        string="Birthday This Month",
        compute="_compute_is_birthday_month",
        search="_search_is_birthday_month",
        groups="membership_management.group_membership_user",
    )
    campaign_delivery_ids = fields.One2many(
        "membership.campaign.delivery", "member_id", string="Campaign Mails"
    )

    history_count = fields.Integer(compute="_compute_history_count")

    _number_company_uniq = models.Constraint(
        "UNIQUE(company_id, member_number)",
        "A member number is unique within a company.",
    )
    _partner_company_uniq = models.Constraint(
        "UNIQUE(partner_id, company_id)",
        "This contact is already a member of this company.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("name", "member_number")
    def _compute_display_name(self):
        for member in self:
            if member.member_number:
                member.display_name = f"{member.name} ({member.member_number})"
            else:
                member.display_name = member.name or ""

    @api.depends("birth_date")
    def _compute_birth_month(self):
        for member in self:
            member.birth_month = member.birth_date.month if member.birth_date else 0

    def _compute_is_birthday_month(self):
        month = fields.Date.context_today(self).month
        for member in self:
            member.is_birthday_month = member.birth_month == month

    def _search_is_birthday_month(self, operator, value):
        if operator != "in":
            return NotImplemented
        month = fields.Date.context_today(self).month
        if True in value:
            return Domain("birth_month", "=", month)
        return Domain("birth_month", "!=", month)

    @api.model
    def _mailing_get_default_domain(self, mailing):
        """Mailings on members target current and former members, never the
        withdrawn nor those who asked for erasure (opt-out and blacklist are
        applied by mass mailing)."""
        return [("state", "!=", "withdrawn"), *self._get_mailable_domain()]

    @api.model
    def _get_mailable_domain(self):
        """Members the addon may still write to: not those who asked for the
        erasure of their data."""
        return [("erasure_requested_date", "=", False), ("erased_date", "=", False)]

    def _compute_history_count(self):
        counts = dict(
            self.env["membership.status.history"]._read_group(
                [("member_id", "in", self.ids)], ["member_id"], ["__count"]
            )
        )
        for member in self:
            member.history_count = counts.get(member, 0)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        unnumbered = defaultdict(list)
        for vals in vals_list:
            if not vals.get("member_number"):
                company_id = vals.get("company_id") or self.env.company.id
                unnumbered[company_id].append(vals)
        for company_id, company_vals in unnumbered.items():
            numbers = self._next_member_numbers(
                self.env["res.company"].browse(company_id), len(company_vals)
            )
            for vals, number in zip(company_vals, numbers, strict=True):
                vals["member_number"] = number
        members = super().create(vals_list)
        members._link_event_registrations()
        return members

    def write(self, vals):
        AuditLog = self.env["membership.audit.log"]
        changes = AuditLog._get_personal_changes(self, vals, PERSONAL_FIELDS)
        relink = "partner_id" in vals or "company_id" in vals
        former_partners = self.partner_id if relink else None
        # the write of these members' own contacts would log the change again
        res = super(
            MembershipMember,
            self.with_context(
                membership_audited_partner_ids=tuple(self.partner_id.ids)
            ),
        ).write(vals)
        if relink:
            self._link_event_registrations(former_partners)
        if changes:
            AuditLog._log_personal_changes({m.id: m for m in self}, changes)
        return res

    def _prepare_create_values(self, vals_list):
        """A member made from an existing contact leaves the contact alone.
        Odoo fills the contact's properties in from the contact itself, one
        new record at a time, and writes them back to each contact on its own:
        they are left out instead."""
        if "properties" not in self._fields:
            return super()._prepare_create_values(vals_list)
        own = [bool(v.get("partner_id")) and "properties" not in v for v in vals_list]
        vals_list = [
            dict(vals, properties=False) if keep else vals
            for vals, keep in zip(vals_list, own, strict=True)
        ]
        result = super()._prepare_create_values(vals_list)
        for vals, keep in zip(result, own, strict=True):
            if keep:
                vals.pop("properties", None)
        return result

    def copy_data(self, default=None):
        raise UserError(
            self.env._("A member cannot be duplicated: create a new member instead.")
        )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_view_dues(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "membership_management.membership_dues_action"
        )
        action["domain"] = [("member_id", "=", self.id)]
        action["context"] = {"default_member_id": self.id}
        return action

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("membership_dues_ids.member_id", "=", self.id)]
        action["context"] = {"default_move_type": "out_invoice", "create": False}
        return action

    def action_view_mailing_traces(self):
        """Every mass mail sent to this member (one-shot campaigns, journeys,
        any mailing on members), with its delivery status."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "mass_mailing.mailing_trace_action"
        )
        action["domain"] = [("model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_view_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "membership_management.membership_status_history_action"
        )
        action["domain"] = [("member_id", "=", self.id)]
        return action

    def action_change_plan(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Change Plan"),
            "res_model": "membership.plan.change",
            "view_mode": "form",
            "target": "new",
            "context": {"default_member_id": self.id},
        }

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    @api.model
    def _next_member_number(self, company):
        """Next number of ``company``'s own member sequence."""
        return self._next_member_numbers(company, 1)[0]

    @api.model
    def _next_member_numbers(self, company, count):
        """The next ``count`` numbers of ``company``'s own member sequence,
        in one query when the sequence is a plain PostgreSQL one (an import
        numbers thousands of members at once)."""
        sequence = self._get_member_sequence(company)
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence.next_by_id() for __ in range(count)]
        rows = self.env.execute_query(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{sequence.id:03d}",
                count,
            )
        )
        return [sequence.get_next_char(number) for number in sorted(r[0] for r in rows)]

    @api.model
    def _get_member_sequence(self, company):
        """``company``'s own member sequence (created on first use)."""
        sequence = self.env["ir.sequence"].sudo()
        seq = sequence.search(
            [("code", "=", "membership.member"), ("company_id", "=", company.id)],
            limit=1,
        )
        if not seq:
            template = self.env.ref(
                "membership_management.seq_membership_member",
                raise_if_not_found=False,
            )
            vals = {"company_id": company.id, "code": "membership.member"}
            if template:
                seq = template.sudo().copy(vals)
            else:
                seq = sequence.create(
                    dict(vals, name="Member Number", prefix="M", padding=6)
                )
        return seq
