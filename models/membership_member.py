# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import consteq, format_date
from odoo.tools.misc import hmac

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

    The state is computed in one place, :meth:`_get_state_values`, from the paid
    dues periods, suspension and withdrawal dates; every change of it is written
    to ``membership.status.history`` with the reason.
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
    state = fields.Selection(
        MEMBER_STATES,
        string="Status",
        compute="_compute_state",
        store=True,
        index=True,
        tracking=True,
        group_expand=True,
    )
    date_start = fields.Date(
        string="Covered From", compute="_compute_state", store=True
    )
    date_end = fields.Date(
        string="Covered Until",
        compute="_compute_state",
        store=True,
        help="Empty for a lifetime membership.",
    )
    grace_end = fields.Date(compute="_compute_state", store=True)
    state_next_date = fields.Date(
        string="Next State Check",
        compute="_compute_state",
        store=True,
        index="btree_not_null",
        help="Next day on which the state may change by itself (end of coverage, "
        "of grace, of a suspension...). The daily job recomputes only those members.",
    )
    suspended_from = fields.Date(tracking=True)
    suspended_until = fields.Date(
        tracking=True, help="Last day of the suspension; empty means open-ended."
    )
    suspension_kind = fields.Selection(
        [
            ("unpaid", "Unpaid Dues"),
            ("leave", "Leave of Absence"),
            ("other", "Other"),
        ],
        string="Suspended For",
        compute="_compute_suspension_kind",
        store=True,
        readonly=False,
        tracking=True,
        help="Unpaid Dues: set by the final payment reminder and lifted by itself "
        "once everything overdue is paid. A leave of absence (休会) or another "
        "suspension by staff lasts until its end date or until staff end it.",
    )
    suspension_reason = fields.Char(tracking=True)
    withdrawal_date = fields.Date(tracking=True)
    withdrawal_reason_id = fields.Many2one(
        "membership.withdrawal.reason",
        tracking=True,
        ondelete="restrict",
        check_company=True,
    )
    consent_date = fields.Datetime(
        readonly=True,
        copy=False,
        help="When the member accepted the terms and privacy policy online.",
    )
    newsletter_consent = fields.Boolean(
        tracking=True, help="The member agreed to receive news by e-mail."
    )
    card_uuid = fields.Char(
        copy=False,
        default=lambda self: uuid.uuid4().hex,
        groups="membership_management.group_membership_user",
        help="Technical: identifies the membership card; a new one revokes the "
        "printed and on-screen cards.",
    )
    renewal_notice_date_end = fields.Date(
        copy=False,
        help="Technical: the coverage end for which the renewal notice was sent.",
    )
    tier_id = fields.Many2one(
        "membership.tier",
        compute="_compute_tier_id",
        store=True,
        readonly=False,
        tracking=True,
        ondelete="restrict",
        index="btree_not_null",
        help="Rises by itself to the highest tier the member's points reach; "
        "staff may set a higher one, which points never lower.",
    )
    points = fields.Integer(
        compute="_compute_points", store=True, help="Sum of the points ledger."
    )
    points_line_ids = fields.One2many(
        "membership.points.line", "member_id", string="Points Ledger"
    )
    dues_ids = fields.One2many("membership.dues", "member_id")
    status_history_ids = fields.One2many("membership.status.history", "member_id")
    # figures for smart buttons and filters
    dues_count = fields.Integer(compute="_compute_dues_figures")
    invoice_count = fields.Integer(compute="_compute_dues_figures")
    amount_due = fields.Monetary(compute="_compute_dues_figures")
    has_unpaid_dues = fields.Boolean(
        compute="_compute_has_unpaid_dues",
        store=True,
        index=True,
        help="An invoiced period of this member is not fully paid.",
    )
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
    event_registration_ids = fields.One2many("event.registration", "member_id")
    event_registration_count = fields.Integer(
        string="Events", compute="_compute_event_registration_count"
    )
    event_attended_count = fields.Integer(
        string="Events Attended",
        compute="_compute_event_attendance",
        store=True,
        help="Events this member attended (checked in).",
    )
    event_last_attended_date = fields.Date(
        string="Last Attended",
        compute="_compute_event_attendance",
        store=True,
        index="btree_not_null",
        help="Date of the last event this member attended.",
    )

    _number_company_uniq = models.Constraint(
        "UNIQUE(company_id, member_number)",
        "A member number is unique within a company.",
    )
    _partner_company_uniq = models.Constraint(
        "UNIQUE(partner_id, company_id)",
        "This contact is already a member of this company.",
    )
    _suspension_dates = models.Constraint(
        "CHECK(suspended_until IS NULL OR suspended_from IS NULL "
        "OR suspended_until >= suspended_from)",
        "A suspension cannot end before it starts.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("suspended_from")
    def _compute_suspension_kind(self):
        """A suspension always says why: staff suspensions default to a leave."""
        for member in self:
            if not member.suspended_from:
                member.suspension_kind = False
            elif not member.suspension_kind:
                member.suspension_kind = "leave"

    @api.depends("name", "member_number")
    def _compute_display_name(self):
        for member in self:
            if member.member_number:
                member.display_name = f"{member.name} ({member.member_number})"
            else:
                member.display_name = member.name or ""

    @api.depends(
        "dues_ids.state",
        "dues_ids.date_start",
        "dues_ids.date_end",
        "suspended_from",
        "suspended_until",
        "withdrawal_date",
        "plan_id.grace_days",
    )
    def _compute_state(self):
        today = fields.Date.context_today(self)
        history = []
        for member in self:
            # the stored value still in cache/database is the state before this
            # recomputation: compare with it to log the change
            old_state = member.state if member.id else False
            values = member._get_state_values(today)
            reason = values.pop("reason")
            # a caller that knows better why the state changes says so
            reason = self.env.context.get("membership_state_reasons", {}).get(
                member.id, reason
            )
            member.update(values)
            if member.id and old_state != values["state"]:
                history.append(
                    {
                        "member_id": member.id,
                        "old_state": old_state,
                        "new_state": values["state"],
                        "reason": reason,
                        "effective_date": today,
                        "source": self._get_state_change_source(values["state"]),
                    }
                )
        if history:
            self.env["membership.status.history"].sudo().create(history)

    def _get_state_values(self, today):
        """Decide the state on ``today``, with the coverage dates and the reason.

        Precedence: withdrawn > suspended > active > waiting > grace > lapsed >
        draft.
        """
        self.ensure_one()
        env = self.env
        chains = self._get_coverage_chains()
        current = [c for c in chains if c["start"] <= today]
        cover = current[-1] if current else (chains[0] if chains else None)
        grace_days = self.plan_id.grace_days
        date_end = cover and cover["end"] != OPEN_END and cover["end"] or False
        grace_end = date_end and date_end + timedelta(days=grace_days) or False
        values = {
            "date_start": cover and cover["start"] or False,
            "date_end": date_end,
            "grace_end": grace_end,
            "state_next_date": self._get_next_boundary(today, chains, grace_end),
        }
        unpaid = self.dues_ids.filtered(lambda d: d.state in ("invoiced", "partial"))
        covering = (
            current
            and current[-1]["end"] >= today
            and current[-1]["dues"].filtered(
                lambda d: d.date_start <= today <= (d.date_end or OPEN_END)
            )[:1]
        )

        def fmt(day):
            return format_date(env, day)

        if self.withdrawal_date and self.withdrawal_date <= today:
            state = "withdrawn"
            reason = env._("Withdrawn on %(date)s", date=fmt(self.withdrawal_date))
            if self.withdrawal_reason_id:
                reason += f": {self.withdrawal_reason_id.name}"
        elif (
            self.suspended_from
            and self.suspended_from <= today
            and (not self.suspended_until or today <= self.suspended_until)
        ):
            state = "suspended"
            if self.suspended_until:
                reason = env._(
                    "Suspended from %(start)s until %(end)s",
                    start=fmt(self.suspended_from),
                    end=fmt(self.suspended_until),
                )
            else:
                reason = env._(
                    "Suspended from %(start)s", start=fmt(self.suspended_from)
                )
        elif covering:
            state = "active"
            if covering.state == "free":
                reason = env._("Free membership %(period)s", period=covering.name)
            else:
                reason = env._(
                    "Dues %(period)s paid by %(invoice)s",
                    period=covering.name,
                    invoice=covering.move_id.name,
                )
        elif unpaid:
            state = "waiting"
            reason = env._(
                "Dues %(period)s invoiced by %(invoice)s, awaiting payment",
                period=unpaid[0].name,
                invoice=unpaid[0].move_id.name,
            )
        elif date_end and current and today <= grace_end:
            state = "grace"
            reason = env._(
                "Coverage ended on %(end)s; grace period until %(grace)s",
                end=fmt(date_end),
                grace=fmt(grace_end),
            )
        elif date_end and current:
            state = "lapsed"
            reason = env._("Grace period ended on %(grace)s", grace=fmt(grace_end))
        else:
            state = "draft"
            reason = (
                env._("Application received")
                if not self.dues_ids
                else env._("No paid or open dues")
            )
        values.update(state=state, reason=reason)
        return values

    def _get_coverage_chains(self):
        """Paid and free dues merged into contiguous periods, oldest first."""
        self.ensure_one()
        chains = []
        covered = self.dues_ids.filtered(lambda d: d.state in ("paid", "free"))
        for dues in covered.sorted(lambda d: (d.date_start, d.id)):
            end = dues.date_end or OPEN_END
            if chains and dues.date_start <= chains[-1]["end"] + timedelta(days=1):
                chains[-1]["end"] = max(chains[-1]["end"], end)
                chains[-1]["dues"] |= dues
            else:
                chains.append({"start": dues.date_start, "end": end, "dues": dues})
        return chains

    def _get_next_boundary(self, today, chains, grace_end):
        """First day after ``today`` on which the state could change by itself."""
        one_day = timedelta(days=1)
        candidates = [
            self.withdrawal_date,
            self.suspended_from,
            self.suspended_until and self.suspended_until + one_day,
            grace_end and grace_end + one_day,
        ]
        for chain in chains:
            candidates.append(chain["start"])
            if chain["end"] != OPEN_END:
                candidates.append(chain["end"] + one_day)
        return min((d for d in candidates if d and d > today), default=False)

    def _get_state_change_source(self, new_state):
        source = self.env.context.get("membership_state_source")
        if source:
            return source
        if self.env.context.get("cron_id"):
            return "cron"
        if self.env.user._is_public() or self.env.user.share:
            return "portal"
        if new_state in ("active", "waiting") and self.env.context.get(
            "membership_from_accounting"
        ):
            return "accounting"
        return "staff"

    def _compute_dues_figures(self):
        """Dues and invoices counted once each, and what is left to pay on this
        membership's own invoices (not the contact's other memberships')."""
        dues_data = self.env["membership.dues"]._read_group(
            [("member_id", "in", self.ids), ("state", "!=", "cancelled")],
            ["member_id"],
            ["__count", "move_id:count_distinct"],
        )
        counts = {member.id: (count, moves) for member, count, moves in dues_data}
        open_dues = self.env["membership.dues"].search_fetch(
            [
                ("member_id", "in", self.ids),
                ("move_id.state", "=", "posted"),
                ("move_id.payment_state", "in", ("not_paid", "partial")),
            ],
            ["member_id", "move_id"],
        )
        open_moves = defaultdict(lambda: self.env["account.move"])
        for dues in open_dues:
            open_moves[dues.member_id.id] |= dues.move_id
        for member in self:
            member.dues_count, member.invoice_count = counts.get(member.id, (0, 0))
            member.amount_due = sum(open_moves[member.id].mapped("amount_residual"))

    @api.depends("dues_ids.state")
    def _compute_has_unpaid_dues(self):
        for member in self:
            member.has_unpaid_dues = any(
                d.state in ("invoiced", "partial") for d in member.dues_ids
            )

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
        withdrawn (opt-out and blacklist are applied by mass mailing)."""
        return [("state", "!=", "withdrawn")]

    def _compute_history_count(self):
        counts = dict(
            self.env["membership.status.history"]._read_group(
                [("member_id", "in", self.ids)], ["member_id"], ["__count"]
            )
        )
        for member in self:
            member.history_count = counts.get(member, 0)

    def _compute_event_registration_count(self):
        counts = dict(
            self.env["event.registration"]._read_group(
                [("member_id", "in", self.ids), ("state", "!=", "cancel")],
                ["member_id"],
                ["__count"],
            )
        )
        for member in self:
            member.event_registration_count = counts.get(member, 0)

    @api.depends("points_line_ids.points")
    def _compute_points(self):
        totals = {
            member.id: total
            for member, total in self.env["membership.points.line"]
            .sudo()
            ._read_group([("member_id", "in", self.ids)], ["member_id"], ["points:sum"])
        }
        for member in self:
            member.points = totals.get(member.id, 0)

    @api.depends("points")
    def _compute_tier_id(self):
        """Rank-up rule: the highest tier (of the member's company or shared)
        whose minimum the points reach; never lower than the current tier."""
        tiers = (
            self.env["membership.tier"]
            .sudo()
            .search([("company_id", "in", [False, *self.company_id.ids])])
        )
        for member in self:
            reached = tiers.filtered(
                lambda tier, m=member: (
                    (not tier.company_id or tier.company_id == m.company_id)
                    and tier.min_points <= m.points
                )
            )
            best = max(reached, key=lambda tier: tier.min_points, default=None)
            current = member.tier_id
            if best and (not current or best.min_points > current.min_points):
                member.tier_id = best
            else:
                member.tier_id = current

    @api.depends("event_registration_ids.state", "event_registration_ids.date_closed")
    def _compute_event_attendance(self):
        data = {
            member.id: (count, last)
            for member, count, last in self.env["event.registration"]
            .sudo()
            ._read_group(
                [("member_id", "in", self.ids), ("state", "=", "done")],
                ["member_id"],
                ["__count", "date_closed:max"],
            )
        }
        for member in self:
            count, last = data.get(member.id, (0, False))
            member.event_attended_count = count
            member.event_last_attended_date = last and last.date()

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        companies = self.env["res.company"].browse(
            [vals.get("company_id") or self.env.company.id for vals in vals_list]
        )
        for vals, company in zip(vals_list, companies, strict=True):
            if not vals.get("member_number"):
                vals["member_number"] = self._next_member_number(company)
        members = super().create(vals_list)
        members._link_event_registrations()
        return members

    def _link_event_registrations(self):
        """Registrations made before the membership existed (or moved to
        another contact) now belong to the member."""
        registrations = (
            self.env["event.registration"]
            .sudo()
            .search([("partner_id", "in", self.partner_id.ids)])
        )
        if registrations:
            self.env.add_to_compute(registrations._fields["member_id"], registrations)

    def write(self, vals):
        changed = PERSONAL_FIELDS.intersection(vals)
        if "partner_id" in vals or "company_id" in vals:
            self._link_event_registrations()
        # the write of these members' own contacts would log the change again
        res = super(
            MembershipMember,
            self.with_context(
                membership_audited_partner_ids=tuple(self.partner_id.ids)
            ),
        ).write(vals)
        if "partner_id" in vals or "company_id" in vals:
            self._link_event_registrations()
        if changed:
            self.env["membership.audit.log"]._log(
                "personal_data_change", self, ", ".join(sorted(changed))
            )
        return res

    def export_data(self, fields_to_export):
        self.env["membership.audit.log"]._log(
            "export",
            description=self.env._(
                "%(count)s members, fields: %(fields)s",
                count=len(self),
                fields=", ".join(fields_to_export),
            )[:250],
        )
        return super().export_data(fields_to_export)

    def copy_data(self, default=None):
        raise UserError(
            self.env._("A member cannot be duplicated: create a new member instead.")
        )

    # ------------------------------------------------------------
    # ACTIONS / BUSINESS
    # ------------------------------------------------------------

    def action_invoice_dues(self):
        """Bill the period containing today for members not billed for it yet.

        This is the code path dues runs use for each member.
        """
        self.check_access("write")
        dues = self._create_period_dues(fields.Date.context_today(self))
        if not dues:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "message": self.env._("Nothing to bill: the period is billed."),
                },
            }
        invoices = dues.move_id
        if len(self) == 1 and len(invoices) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": "account.move",
                "res_id": invoices.id,
                "view_mode": "form",
            }
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s dues billed.", count=len(dues)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _create_period_dues(self, day, invoice_values=None, post=True, renew=False):
        """Create the dues (and invoices) of the period containing ``day``, or
        with ``renew`` of the period after the last one (see
        :meth:`_get_period_to_bill`).

        Members already billed for that period, withdrawn or suspended are
        skipped. Returns the new dues.
        """
        return self._bill_period(
            day, invoice_values=invoice_values, post=post, renew=renew
        )[0]

    def _bill_period(self, day, invoice_values=None, post=True, renew=False):
        """Bill the period containing ``day`` for these members, in batch.

        Invoices are created with one ``create`` per company and posted
        together, then the dues with one ``create``. Returns ``(dues, skipped)``
        where ``skipped`` lists ``(member, reason)``.
        """
        vals_list, skipped = self._prepare_period_dues(day, renew=renew)
        invoice_values = {"invoice_date": day, **(invoice_values or {})}
        dues = self._create_dues_with_invoices(vals_list, invoice_values, post=post)
        return dues, skipped

    @api.model
    def _create_dues_with_invoices(self, vals_list, invoice_values, post=True):
        """Create dues from ``vals_list`` with their invoices, in batch: one
        ``account.move`` create per company, one post, one dues create."""
        Dues = self.env["membership.dues"].sudo()
        if not vals_list:
            return Dues.sudo(False)
        members = self.browse([vals["member_id"] for vals in vals_list])
        to_invoice = defaultdict(list)
        for vals, member in zip(vals_list, members, strict=True):
            total = vals["amount"] + vals["entry_fee_amount"]
            if not member.currency_id.is_zero(total):
                to_invoice[member.company_id].append((vals, member))
        moves = self.env["account.move"]
        for company, items in to_invoice.items():
            Move = self.env["account.move"].with_company(company).sudo()
            # the journal account would pick for each invoice, looked up once
            journal = Move.new({"move_type": "out_invoice"})._search_default_journal()
            company_moves = Move.create(
                [
                    {
                        "journal_id": journal.id,
                        **Dues._prepare_invoice_vals(member, vals, invoice_values),
                    }
                    for vals, member in items
                ]
            )
            for (vals, __), move in zip(items, company_moves, strict=True):
                vals["move_id"] = move.id
            moves |= company_moves
        dues = Dues.create(vals_list)
        if post and moves:
            # posting raises the customer rank of each first-time customer with
            # a partner write that reads the partner's users: read them for the
            # whole batch at once instead of once per member
            partners = moves.partner_id | moves.commercial_partner_id
            partners.filtered(lambda p: not p.customer_rank).fetch(["user_ids"])
            moves.action_post()
        return dues.sudo(False)

    def _prepare_period_dues(self, day, renew=False):
        """Return ``(vals_list, [(member, reason)])`` for billing ``day``."""
        vals_list, skipped = [], []
        for member in self:
            vals, reason = member._prepare_dues_vals(day, renew=renew)
            if vals:
                vals_list.append(vals)
            else:
                skipped.append((member, reason))
        return vals_list, skipped

    def _get_period_to_bill(self, day, renew=False):
        """The billing rule: ``(start, end, False)`` of the period to bill for
        ``day``, or ``(False, False, reason)`` when there is nothing to bill.

        The period billed is the one containing ``day``; a live (not cancelled)
        period that covers ``day`` means it is billed already, so pressing
        *Invoice Dues* or starting a run twice bills nobody twice. A rolling
        period continues the previous one (starts the day after its end, not on
        ``day``) only when ``day`` is past that end but within the grace days.
        ``renew`` is a renewal on purpose: the period after the one covering
        ``day`` is billed (once: renewing twice bills nothing more).
        """
        self.ensure_one()
        plan = self.plan_id
        live = self.dues_ids.filtered(lambda d: d.state != "cancelled")
        start_day = max(day, self.join_date or day)
        if plan.period_type == "lifetime":
            if live:
                return False, False, self.env._("lifetime membership already billed")
            return start_day, False, False
        covering = live.filtered(
            lambda d: d.date_start <= start_day <= (d.date_end or OPEN_END)
        )
        if renew and covering:
            end = max(d.date_end or OPEN_END for d in covering)
            if end != OPEN_END:
                start_day = end + timedelta(days=1)
                covering = live.filtered(
                    lambda d: d.date_start <= start_day <= (d.date_end or OPEN_END)
                )
        if covering:
            return False, False, self.env._("period already billed")
        if plan.period_type != "rolling":
            start, end = plan._get_period(start_day)
        else:
            start, end = plan._get_period(
                start_day, self._get_rolling_anchor(start_day)
            )
        if any(
            d.date_start <= (end or OPEN_END) and start <= (d.date_end or OPEN_END)
            for d in live
        ):
            return False, False, self.env._("period already billed")
        return start, end, False

    def _get_rolling_anchor(self, day):
        """First day of the rolling chain ``day`` belongs to: the day after the
        previous period when ``day`` is within its grace days, the join date for
        a first period, else ``day`` itself (a new start after a lapse)."""
        live = self.dues_ids.filtered(lambda d: d.state != "cancelled")
        previous_end = max(
            (d.date_end for d in live if d.date_end and d.date_end < day),
            default=None,
        )
        if previous_end and day <= previous_end + timedelta(
            days=self.plan_id.grace_days
        ):
            return previous_end + timedelta(days=1)
        if not live:
            return self.join_date or day
        return day

    def _prepare_dues_vals(self, day, renew=False):
        """Values of the dues to bill for ``day``, or ``(False, reason)``."""
        self.ensure_one()
        plan = self.plan_id
        if self.withdrawal_date and self.withdrawal_date <= day:
            return False, self.env._("withdrawn")
        if self.state == "suspended":
            return False, self.env._("suspended")
        live = self.dues_ids.filtered(lambda d: d.state != "cancelled")
        start, end, reason = self._get_period_to_bill(day, renew=renew)
        if reason:
            return False, reason
        coverage_start = start
        if not live and self.join_date and self.join_date > start:
            coverage_start = self.join_date
        amount = plan._get_fee_amount(start, coverage_start)
        last_end = max((d.date_end for d in live if d.date_end), default=None)
        rejoining = (
            plan.entry_fee_on_rejoin
            and last_end
            and last_end + timedelta(days=plan.grace_days) < start
        )
        first = not live or rejoining
        entry_fee = plan.entry_fee if first and plan.plan_type == "paid" else 0.0
        return {
            "member_id": self.id,
            "plan_id": plan.id,
            "date_start": coverage_start,
            "date_end": end,
            "amount": amount,
            "entry_fee_amount": entry_fee,
        }, None

    def _lift_unpaid_suspensions(self, paid_moves):
        """Reinstate members suspended for unpaid dues once nothing of theirs is
        overdue any more; ``paid_moves`` are the invoices just paid. Suspensions
        by staff (leave of absence, other) are left alone."""
        today = fields.Date.context_today(self)
        suspended = self.filtered(
            lambda m: m.suspension_kind == "unpaid" and m.suspended_from
        )
        if not suspended:
            return
        still_overdue = self.env["membership.dues"]._read_group(
            [
                ("member_id", "in", suspended.ids),
                ("state", "in", ("invoiced", "partial")),
                "|",
                ("date_due", "<", today),
                ("dunning_level", ">", 0),
            ],
            ["member_id"],
        )
        overdue = self.browse([member.id for (member,) in still_overdue])
        reasons = {}
        for member in suspended - overdue:
            paid = paid_moves.membership_dues_ids.filtered(
                lambda d, m=member: d.member_id == m
            )
            reasons[member.id] = self.env._(
                "Suspension lifted: dues %(dues)s paid by %(invoice)s",
                dues=", ".join(paid.mapped("name")) or "-",
                invoice=", ".join(paid.move_id.mapped("name")) or "-",
            )
        if reasons:
            lifted = self.browse(reasons).with_context(membership_state_reasons=reasons)
            lifted.write(
                {
                    "suspended_from": False,
                    "suspended_until": False,
                    "suspension_kind": False,
                    "suspension_reason": False,
                }
            )
            # the state is recomputed at flush: flush in the context that
            # carries the reasons for the status history
            lifted.env.flush_all()

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

    def action_view_event_registrations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "membership_management.action_membership_event_registration"
        )
        action["domain"] = [("member_id", "=", self.id)]
        action["context"] = {"search_default_filter_not_cancelled": 1}
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

    def action_revoke_card(self):
        """Invalidate every card shown or printed so far."""
        for member in self:
            member.card_uuid = uuid.uuid4().hex
            member.message_post(
                body=self.env._("Membership card revoked and reissued.")
            )
        return True

    def action_withdraw(self):
        """Withdraw as of today unless a withdrawal date is already set; staff
        pick the reason on the form (it is required once a date is set)."""
        self.ensure_one()
        self.withdrawal_date = self.withdrawal_date or fields.Date.context_today(self)
        return True

    def action_cancel_withdrawal(self):
        self.write({"withdrawal_date": False, "withdrawal_reason_id": False})
        return True

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _cron_update_states(self, batch_size=1000):
        """Recompute members whose state boundary is today (or was missed).

        Only members with ``state_next_date <= today`` are touched; each batch is
        committed, so a crash resumes where it stopped.
        """
        today = fields.Date.context_today(self)
        domain = [("state_next_date", "<=", today)]
        cron = self.env["ir.cron"]
        field_names = [
            "state",
            "date_start",
            "date_end",
            "grace_end",
            "state_next_date",
        ]
        while True:
            members = self.with_context(active_test=False).search(
                domain, limit=batch_size, order="id"
            )
            if not members:
                break
            members = members.with_context(membership_state_source="cron")
            for fname in field_names:
                self.env.add_to_compute(members._fields[fname], members)
            members.flush_recordset(field_names)
            remaining = self.with_context(active_test=False).search_count(domain)
            if cron._commit_progress(len(members), remaining=remaining) <= 0:
                break
            if len(members) < batch_size:
                break

    @api.model
    def _send_renewal_notices(self, batch_size=200):
        """Tell active members of auto-renewing plans that their coverage ends
        soon, once per coverage end (``membership_management.renewal_notice_days``
        days before it; 0 turns the notices off)."""
        days = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("membership_management.renewal_notice_days", 30)
        )
        template = self.env.ref(
            "membership_management.mail_template_renewal_notice",
            raise_if_not_found=False,
        )
        if days <= 0 or not template:
            return
        today = fields.Date.context_today(self)
        domain = Domain.AND(
            [
                Domain("state", "=", "active"),
                Domain("plan_id.auto_renew", "=", True),
                Domain("date_end", ">=", today),
                Domain("date_end", "<=", today + timedelta(days=days)),
                # a notice dated before today was for an earlier coverage end
                Domain("renewal_notice_date_end", "=", False)
                | Domain("renewal_notice_date_end", "<", today),
            ]
        )
        cron = self.env["ir.cron"]
        while members := self.search(domain, limit=batch_size, order="id"):
            for member in members:
                renewed = member.dues_ids.filtered(
                    lambda d, m=member: (
                        d.state != "cancelled" and d.date_start > m.date_end
                    )
                )
                if not renewed:
                    member.message_post_with_source(
                        template,
                        subtype_xmlid="mail.mt_comment",
                        partner_ids=member.partner_id.ids,
                    )
                member.renewal_notice_date_end = member.date_end
            if cron._commit_progress(len(members)) <= 0:
                return

    # ------------------------------------------------------------
    # PRIVACY
    # ------------------------------------------------------------

    def _get_personal_data(self):
        """Everything the addon holds about this member, for "download my data"."""
        self.ensure_one()
        member = self.sudo()
        return {
            "member": {
                "member_number": member.member_number,
                "name": member.name,
                "name_kana": member.name_kana,
                "email": member.email,
                "phone": member.phone,
                "street": member.street,
                "zip": member.zip,
                "city": member.city,
                "country": member.country_id.name,
                "birth_date": member.birth_date,
                "plan": member.plan_id.name,
                "state": member.state,
                "join_date": member.join_date,
                "covered_from": member.date_start,
                "covered_until": member.date_end,
                "suspended_from": member.suspended_from,
                "suspended_until": member.suspended_until,
                "withdrawal_date": member.withdrawal_date,
                "tier": member.tier_id.name,
                "points": member.points,
            },
            "dues": [
                {
                    "period": dues.name,
                    "amount": dues.amount_total,
                    "currency": dues.currency_id.name,
                    "state": dues.state,
                    "invoice": dues.move_id.name,
                    "receipt": dues.receipt_number,
                }
                for dues in member.dues_ids
            ],
            "status_history": [
                {
                    "date": history.date,
                    "from": history.old_state,
                    "to": history.new_state,
                    "reason": history.reason,
                }
                for history in member.status_history_ids
            ],
            "points": [
                {"date": line.date, "points": line.points, "reason": line.reason}
                for line in member.points_line_ids
            ],
        }

    def _request_erasure(self):
        """Record a member's erasure request as a to-do for membership managers."""
        manager_group = self.env.ref("membership_management.group_membership_manager")
        responsible = manager_group.sudo().user_ids.filtered(
            lambda u: u.active and not u.share and u.id != 1
        )[:1] or self.env.ref("base.user_admin")
        for member in self.sudo():
            member.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Personal data erasure requested"),
                note=self.env._(
                    "The member asked from the portal for the erasure of their "
                    "personal data."
                ),
                user_id=responsible.id,
            )
            member.message_post(
                body=self.env._(
                    "The member asked for the erasure of their personal data."
                )
            )

    # ------------------------------------------------------------
    # MEMBERSHIP CARD
    # ------------------------------------------------------------

    def _get_card_token(self):
        """Signed card token for the QR code: ``<card id>.<expiry>.<signature>``.

        It carries no member id; it expires at the end of grace (lifetime cards
        after five years) and dies when the card is revoked.
        """
        self.ensure_one()
        member = self.sudo()
        today = fields.Date.context_today(self)
        expiry = member.grace_end or member.date_end or today + timedelta(days=5 * 365)
        payload = f"{member.card_uuid}.{expiry:%Y%m%d}"
        return f"{payload}.{self._sign_card_payload(payload)}"

    @api.model
    def _sign_card_payload(self, payload):
        return hmac(self.env(su=True), "membership_management-card", payload)[:32]

    @api.model
    def _get_member_from_card_token(self, token):
        """The member a card token belongs to, or an empty recordset when the
        token is malformed, tampered with, expired or revoked."""
        Member = self.sudo().with_context(active_test=False)
        parts = (token or "").strip().split(".")
        if len(parts) != 3:
            return Member.browse()
        card_uuid, expiry, signature = parts
        expected = self._sign_card_payload(f"{card_uuid}.{expiry}")
        if not consteq(signature, expected):
            return Member.browse()
        try:
            expiry_date = datetime.strptime(expiry, "%Y%m%d").date()
        except ValueError:
            return Member.browse()
        if expiry_date < fields.Date.context_today(self):
            return Member.browse()
        return Member.search(
            [("card_uuid", "=", card_uuid), ("state", "!=", "withdrawn")], limit=1
        )

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    @api.model
    def _next_member_number(self, company):
        """Next number of ``company``'s own member sequence (created on first use)."""
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
        return seq.next_by_id()
