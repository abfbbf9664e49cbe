# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import calendar
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.proration import days_share

MONTHS = [
    ("1", "January"),
    ("2", "February"),
    ("3", "March"),
    ("4", "April"),
    ("5", "May"),
    ("6", "June"),
    ("7", "July"),
    ("8", "August"),
    ("9", "September"),
    ("10", "October"),
    ("11", "November"),
    ("12", "December"),
]


class MembershipPlan(models.Model):
    """A kind of membership: what it costs and how its periods run."""

    _name = "membership.plan"
    _description = "Membership Plan"
    _inherit = ["mail.thread"]
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Short code used in reports, imports and the public join page.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    description = fields.Html(
        string="Benefits",
        translate=True,
        help="Benefits of the plan, shown to applicants on the website.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    # pricing
    plan_type = fields.Selection(
        [("paid", "Paid"), ("free", "Free")],
        required=True,
        default="paid",
        tracking=True,
        help="Free plans cover their members without an invoice.",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Invoicing Product",
        check_company=True,
        domain=[("type", "=", "service")],
        help="Service product used on dues invoices (accounts and taxes come from "
        "it). Created from the plan when left empty.",
    )
    fee = fields.Monetary(
        tracking=True, help="Price of one full period, without the entry fee."
    )
    entry_fee = fields.Monetary(
        tracking=True, help="Charged once, on a member's first period."
    )
    entry_fee_on_rejoin = fields.Boolean(
        string="Entry Fee Again on Rejoin",
        help="A member whose membership lapsed pays the entry fee again when "
        "rejoining.",
    )
    # periods
    period_type = fields.Selection(
        [
            ("fixed", "Fixed (one renewal date for everyone)"),
            ("rolling", "Rolling (anniversary of the start)"),
            ("lifetime", "Lifetime"),
        ],
        required=True,
        default="fixed",
        tracking=True,
    )
    period_months = fields.Integer(
        string="Period Length (months)", default=12, tracking=True
    )
    fixed_start_month = fields.Integer(
        default=1,
        help="Month (1-12) on which every fixed period starts, e.g. 4 for an April "
        "fiscal year.",
    )
    fixed_start_day = fields.Integer(default=1, help="Day of the month it starts on.")
    fixed_start_month_name = fields.Selection(
        MONTHS,
        string="Start Month",
        compute="_compute_fixed_start_month_name",
        inverse="_inverse_fixed_start_month_name",
        help="Month on which every fixed period starts (the form's month picker).",
    )
    prorate = fields.Boolean(
        help="Fixed periods: a member joining mid-period pays only the whole months "
        "left in the period."
    )
    prorate_rounding = fields.Selection(
        [
            ("whole_months", "Whole months left (the started month is free)"),
            ("started_months", "Months left, counting the started month"),
            ("days", "Days left"),
        ],
        string="Proration",
        default="whole_months",
        required=True,
        help="How a mid-period start is charged on a prorated plan.",
    )
    grace_days = fields.Integer(
        default=30,
        tracking=True,
        help="Days after the end of coverage during which the member is in grace "
        "before lapsing.",
    )
    requires_approval = fields.Boolean(
        help="Applications to this plan wait in Members > Applications for staff "
        "to approve or reject them (入会審査); nothing is billed before approval.",
    )
    referees_required = fields.Integer(
        string="Referees",
        help="Current members who must vouch for an applicant (推薦者), 0 to 2: "
        "online applicants give their member numbers, each referee is mailed a "
        "link to confirm or decline, and the answers show in the applications.",
    )
    application_document_label = fields.Char(
        string="Document to Upload",
        translate=True,
        help="When set, the online application asks for this document (e.g. "
        "Student ID card): a PDF or picture only staff can open.",
    )
    auto_renew = fields.Boolean(
        default=True,
        help="The next period of active members is billed by itself, the renewal "
        "lead days before their coverage ends, and the invoice e-mailed. Without "
        "it members get a renewal notice and renew on their portal.",
    )
    renewal_lead_days = fields.Integer(
        default=30,
        tracking=True,
        help="Days before the end of coverage on which the next period is billed.",
    )
    portal_change_allowed = fields.Boolean(
        string="Members Can Switch To It",
        help="Active members of other plans can move to this plan from their "
        "portal: the unused part of their dues is credited.",
    )
    website_published = fields.Boolean(
        string="Published", help="Offer this plan on the public membership page."
    )
    legacy_key = fields.Char(
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="What this plan was migrated from in Odoo's membership app (a "
        "membership product, or its free members): a second migration finds it.",
    )
    member_ids = fields.One2many("membership.member", "plan_id", string="Members")
    member_count = fields.Integer(compute="_compute_member_count")

    _legacy_key_uniq = models.UniqueIndex(
        "(company_id, legacy_key) WHERE legacy_key IS NOT NULL",
        "A membership product of Odoo's membership app becomes one plan.",
    )
    _code_company_uniq = models.Constraint(
        "UNIQUE(company_id, code)", "A plan code must be unique per company."
    )
    _period_months_positive = models.Constraint(
        "CHECK(period_months > 0)", "A period lasts at least one month."
    )
    _amounts_positive = models.Constraint(
        "CHECK(fee >= 0 AND entry_fee >= 0)", "Fees cannot be negative."
    )
    _grace_days_positive = models.Constraint(
        "CHECK(grace_days >= 0)", "Grace days cannot be negative."
    )
    _referees_required_range = models.Constraint(
        "CHECK(referees_required >= 0 AND referees_required <= 2)",
        "A plan asks for no, one or two referees.",
    )
    _renewal_lead_days_positive = models.Constraint(
        "CHECK(renewal_lead_days >= 0)", "Renewal lead days cannot be negative."
    )

    @api.constrains("period_type", "fixed_start_month", "fixed_start_day")
    def _check_fixed_start(self):
        for plan in self.filtered(lambda p: p.period_type == "fixed"):
            if not 1 <= plan.fixed_start_month <= 12:
                raise ValidationError(
                    self.env._(
                        "Plan %(plan)s: the start month must be between 1 and 12.",
                        plan=plan.name,
                    )
                )
            # day 29-31 would not exist every year: refuse it rather than drift
            last_day = calendar.monthrange(2001, plan.fixed_start_month)[1]
            if not 1 <= plan.fixed_start_day <= last_day:
                raise ValidationError(
                    self.env._(
                        "Plan %(plan)s: the start day must be between 1 and %(last)s.",
                        plan=plan.name,
                        last=last_day,
                    )
                )

    @api.constrains("plan_type", "fee", "entry_fee")
    def _check_free_plan(self):
        for plan in self.filtered(lambda p: p.plan_type == "free"):
            if plan.fee or plan.entry_fee:
                raise ValidationError(
                    self.env._(
                        "The free plan %(plan)s cannot have fees.", plan=plan.name
                    )
                )

    @api.depends("fixed_start_month")
    def _compute_fixed_start_month_name(self):
        for plan in self:
            month = str(plan.fixed_start_month)
            plan.fixed_start_month_name = (
                month if 1 <= plan.fixed_start_month <= 12 else False
            )

    def _inverse_fixed_start_month_name(self):
        for plan in self.filtered("fixed_start_month_name"):
            plan.fixed_start_month = int(plan.fixed_start_month_name)

    def _compute_member_count(self):
        counts = dict(
            self.env["membership.member"]._read_group(
                [("plan_id", "in", self.ids)], ["plan_id"], ["__count"]
            )
        )
        for plan in self:
            plan.member_count = counts.get(plan, 0)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        plans = super().create(vals_list)
        plans._ensure_product()
        return plans

    def write(self, vals):
        res = super().write(vals)
        if "product_id" in vals or "plan_type" in vals:
            self._ensure_product()
        return res

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_view_members(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "membership_management.membership_member_action"
        )
        action["domain"] = [("plan_id", "=", self.id)]
        action["context"] = {"default_plan_id": self.id}
        return action

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    def _ensure_product(self):
        """Paid plans invoice a service product: create one when none is set."""
        for plan in self.filtered(lambda p: p.plan_type == "paid" and not p.product_id):
            plan.product_id = (
                self.env["product.product"]
                .sudo()
                .create(
                    {
                        "name": self.env._("Membership: %(plan)s", plan=plan.name),
                        "type": "service",
                        "list_price": plan.fee,
                        "taxes_id": False,
                        "company_id": plan.company_id.id,
                        "default_code": plan.code,
                    }
                )
            )

    def _get_first_invoice_quote(self, day):
        """What an applicant joining on ``day`` is billed first, as the invoice
        will total it: the dues of the period (prorated as billing prorates
        them), the entry fee and the product's taxes. Computed by the billing
        rule itself on an unsaved member, so what is shown is what is billed."""
        self.ensure_one()
        member = self.env["membership.member"].new(
            {"plan_id": self.id, "join_date": day, "company_id": self.company_id.id}
        )
        vals, __ = member._prepare_dues_vals(day)
        company = self.company_id or self.env.company
        currency = company.currency_id
        taxes = self.product_id.taxes_id.filtered(
            lambda t: t.company_id == company or company in t.company_id.child_ids
        )
        untaxed = total = 0.0
        for amount in (vals["amount"], vals["entry_fee_amount"]):
            if not amount:
                continue
            if taxes:
                computed = taxes.compute_all(amount, currency, 1.0, self.product_id)
                untaxed += computed["total_excluded"]
                total += computed["total_included"]
            else:
                untaxed += amount
                total += amount
        return {
            "date_start": vals["date_start"],
            "date_end": vals["date_end"],
            "dues": vals["amount"],
            "prorated": not currency.is_zero(vals["amount"] - self.fee)
            and self.plan_type == "paid",
            "entry_fee": vals["entry_fee_amount"],
            "untaxed": currency.round(untaxed),
            "tax": currency.round(total - untaxed),
            "tax_included": currency.is_zero(
                total - vals["amount"] - vals["entry_fee_amount"]
            ),
            "total": currency.round(total),
            "currency": currency,
        }

    def _get_period(self, day, anchor=None):
        """Return ``(start, end)`` of this plan's period that contains ``day``.

        Fixed plans count periods from their start month/day, rolling plans from
        ``anchor`` (the member's start). A lifetime period has no end (``False``).
        When ``anchor`` lies after ``day``, the first period starting at ``anchor``
        is returned.
        """
        self.ensure_one()
        if self.period_type == "lifetime":
            return (anchor or day, False)
        if self.period_type == "fixed":
            anchor = day.replace(month=self.fixed_start_month, day=self.fixed_start_day)
        elif not anchor:
            anchor = day
        if anchor > day and self.period_type == "rolling":
            return anchor, self._period_end(anchor)
        months = (day.year - anchor.year) * 12 + day.month - anchor.month
        steps = months // self.period_months
        start = anchor + relativedelta(months=steps * self.period_months)
        if start > day:
            steps -= 1
        elif anchor + relativedelta(months=(steps + 1) * self.period_months) <= day:
            steps += 1
        start = anchor + relativedelta(months=steps * self.period_months)
        return start, self._period_end(start)

    def _period_end(self, start):
        self.ensure_one()
        return start + relativedelta(months=self.period_months) - timedelta(days=1)

    def _prorated_months(self, period_start, coverage_start):
        """Months of the period charged when covered from ``coverage_start``.

        With whole months, joining on October 15 of an April-March year pays
        November to March (5 months); counting the started month, 6.
        """
        self.ensure_one()
        slots = [
            period_start + relativedelta(months=i) for i in range(self.period_months)
        ]
        if self.prorate_rounding == "started_months":
            return sum(
                1 for start in slots if start + relativedelta(months=1) > coverage_start
            )
        return sum(1 for start in slots if start >= coverage_start)

    def _get_fee_amount(self, period_start, coverage_start, prorate=None):
        """Fee for a period that the member is covered by from ``coverage_start``.

        Only fixed periods are prorated, when the plan says so; ``prorate=True``
        prorates them anyway (a plan change in the middle of a period).
        """
        self.ensure_one()
        if self.plan_type == "free":
            return 0.0
        if prorate is None:
            prorate = self.prorate
        if self.period_type == "fixed" and prorate and coverage_start > period_start:
            return self._get_partial_amount(self.fee, period_start, coverage_start)
        return self.fee

    def _get_partial_amount(self, amount, period_start, from_date):
        """Share of ``amount`` (one whole period from ``period_start``) that
        falls on or after ``from_date``, rounded as the plan says."""
        self.ensure_one()
        if self.prorate_rounding == "days":
            end = self._period_end(period_start)
            return self.currency_id.round(
                amount * days_share(period_start, end, from_date)
            )
        months = self._prorated_months(period_start, from_date)
        return self.currency_id.round(amount * months / self.period_months)
