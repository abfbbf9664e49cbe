# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL, format_date

from .membership_member import MEMBER_STATES
from .membership_report_monthly import ON_BOOKS_STATES
from .membership_report_movement import MOVEMENT_KINDS

OFFICER_GROUP = "membership_management.group_membership_user"
CHART_MONTHS = (12, 24, 36)


class MembershipDashboard(models.AbstractModel):
    """The figures of the dashboard (the Membership app's first screen for
    officers and managers), computed with the reader's access rights: key
    figures now and for the fiscal year, and monthly series from the
    history-true reports. The OWL client action
    ``membership_management.dashboard`` only draws them."""

    _name = "membership.dashboard"
    _description = "Membership Dashboard"

    @api.model
    def get_dashboard_data(self, filters=None):
        """Cards and charts for ``filters`` (``plan_ids``, ``tier_ids``,
        ``company_ids``, ``months``): each card carries the action opening
        the records behind its figure."""
        self._check_dashboard_access()
        filters = self._clean_filters(filters or {})
        today = fields.Date.context_today(self)
        company = self._get_company(filters)
        fy_start, fy_end = self._get_fiscal_year(filters, today)
        context = {"today": today, "fy_start": fy_start, "fy_end": fy_end}
        return {
            "filters": filters,
            "choices": self._get_filter_choices(),
            "fiscal_year": {
                "start": format_date(self.env, fy_start),
                "end": format_date(self.env, fy_end),
            },
            "currency_id": company.currency_id.id,
            "cards": self._get_state_cards(filters)
            + self._get_movement_cards(filters, context)
            + self._get_dues_cards(filters, context)
            + self._get_retention_cards(filters, context),
            "charts": self._get_charts(filters, today),
        }

    def _get_company(self, filters):
        """The company whose fiscal year and currency the figures use."""
        return self.env["res.company"].browse(filters["company_ids"][:1]) or (
            self.env.company
        )

    def _get_fiscal_year(self, filters, today):
        """``(first day, last day)`` of the fiscal year containing ``today``."""
        dates = self._get_company(filters).compute_fiscalyear_dates(today)
        return (
            fields.Date.to_date(dates["date_from"]),
            fields.Date.to_date(dates["date_to"]),
        )

    def _check_dashboard_access(self):
        if not self.env.user.has_group(OFFICER_GROUP):
            raise AccessError(
                self.env._("Only membership officers and managers see the dashboard.")
            )

    # ------------------------------------------------------------
    # FILTERS
    # ------------------------------------------------------------

    def _clean_filters(self, filters):
        """The filters, reduced to records the reader may see."""
        allowed = self.env.companies.ids
        companies = [c for c in filters.get("company_ids") or [] if c in allowed]
        plans = self.env["membership.plan"].search(
            [("id", "in", [int(p) for p in filters.get("plan_ids") or []])]
        )
        tiers = self.env["membership.tier"].search(
            [("id", "in", [int(t) for t in filters.get("tier_ids") or []])]
        )
        months = int(filters.get("months") or 24)
        return {
            "company_ids": companies or allowed,
            "plan_ids": plans.ids,
            "tier_ids": tiers.ids,
            "months": months if months in CHART_MONTHS else 24,
        }

    def _get_filter_choices(self):
        def pairs(records):
            return [[r.id, r.display_name] for r in records]

        # a society has a handful of plans and tiers: the lists are short
        companies = Domain("company_id", "in", [*self.env.companies.ids, False])
        return {
            "plans": pairs(self.env["membership.plan"].search(companies, limit=200)),
            "tiers": pairs(self.env["membership.tier"].search(companies, limit=200)),
            "companies": pairs(self.env.companies),
            "months": list(CHART_MONTHS),
        }

    def _filter_domain(self, filters, company="company_id", plan="plan_id", tier=None):
        domain = Domain(company, "in", filters["company_ids"])
        if filters["plan_ids"]:
            domain &= Domain(plan, "in", filters["plan_ids"])
        if tier and filters["tier_ids"]:
            domain &= Domain(tier, "in", filters["tier_ids"])
        return domain

    def _member_domain(self, filters):
        return self._filter_domain(filters, tier="tier_id")

    # ------------------------------------------------------------
    # CARDS
    # ------------------------------------------------------------

    def _card(self, key, label, value, action, kind="integer", hint=""):
        return {
            "key": key,
            "label": label,
            "value": value,
            "kind": kind,
            "hint": hint,
            "action": action,
        }

    def _action(self, name, model, domain, views=("list", "form"), context=None):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "views": [[False, view] for view in views],
            "domain": list(Domain(domain)) if domain is not True else [],
            "context": context or {},
            "target": "current",
        }

    def _get_state_cards(self, filters):
        """Members by state now."""
        domain = self._member_domain(filters)
        counts = dict(
            self.env["membership.member"]._read_group(domain, ["state"], ["__count"])
        )
        labels = dict(MEMBER_STATES)
        return [
            self._card(
                f"state_{state}",
                labels[state],
                counts.get(state, 0),
                self._action(
                    labels[state],
                    "membership.member",
                    domain & Domain("state", "=", state),
                    views=("list", "kanban", "form"),
                ),
            )
            for state, __ in MEMBER_STATES
        ]

    def _get_movement_cards(self, filters, context):
        """Joins this month and fiscal year, lapses and withdrawals this fiscal
        year (one grouped read), renewals due within 30 days."""
        today, fy_start = context["today"], context["fy_start"]
        month_start = today.replace(day=1)
        Movement = self.env["membership.report.movement"]
        base = self._filter_domain(filters, tier="tier_id")
        counts = Movement._read_group(
            base
            & Domain("date", ">=", min(fy_start, month_start))
            & Domain("date", "<=", today),
            ["kind", "date:month"],
            ["__count"],
        )
        cards = []
        for key, label, kind, start in (
            ("joined_month", self.env._("Joined this month"), "joined", month_start),
            ("joined_year", self.env._("Joined this fiscal year"), "joined", fy_start),
            ("lapsed_year", self.env._("Lapsed this fiscal year"), "lapsed", fy_start),
            (
                "withdrawn_year",
                self.env._("Withdrew this fiscal year"),
                "withdrawn",
                fy_start,
            ),
        ):
            domain = base & Domain(
                [("kind", "=", kind), ("date", ">=", start), ("date", "<=", today)]
            )
            value = sum(
                count
                for row_kind, month, count in counts
                if row_kind == kind and month >= start.replace(day=1)
            )
            cards.append(
                self._card(
                    key,
                    label,
                    value,
                    self._action(label, Movement._name, domain, views=("list",)),
                )
            )
        renewals = self._member_domain(filters) & Domain(
            [
                ("state", "in", self.env["membership.member"]._get_benefit_states()),
                ("date_end", ">=", today),
                ("date_end", "<=", today + timedelta(days=30)),
            ]
        )
        label = self.env._("Renewals due in 30 days")
        cards.append(
            self._card(
                "renewals_due",
                label,
                self.env["membership.member"].search_count(renewals),
                self._action(label, "membership.member", renewals),
            )
        )
        return cards

    def _get_dues_cards(self, filters, context):
        """Dues billed, collected and outstanding this fiscal year, and the
        collection rate."""
        Report = self.env["membership.report.dues"]
        domain = self._filter_domain(filters) & Domain(
            [("date", ">=", context["fy_start"]), ("date", "<=", context["fy_end"])]
        )
        [(billed, collected, due)] = Report._read_group(
            domain, [], ["amount_billed:sum", "amount_collected:sum", "amount_due:sum"]
        )
        billed, collected, due = billed or 0.0, collected or 0.0, due or 0.0
        action = self._action(
            self.env._("Dues this fiscal year"),
            Report._name,
            domain,
            views=("pivot", "graph", "list"),
        )
        open_action = self._action(
            self.env._("Outstanding dues"),
            Report._name,
            domain & Domain("amount_due", ">", 0),
            views=("list", "pivot"),
        )
        return [
            self._card(
                "dues_billed", self.env._("Dues billed"), billed, action, "money"
            ),
            self._card(
                "dues_collected",
                self.env._("Dues collected"),
                collected,
                action,
                "money",
            ),
            self._card(
                "dues_outstanding",
                self.env._("Dues outstanding"),
                due,
                open_action,
                "money",
            ),
            self._card(
                "collection_rate",
                self.env._("Collection rate"),
                round(100.0 * collected / billed, 1) if billed else 0.0,
                action,
                "percent",
            ),
        ]

    def _get_retention_cards(self, filters, context):
        """Retention (継続率): of the members on the books at the end of the
        previous fiscal year, the share still on the books now; churn is the
        rest. Participation: members on the books who attended an event in
        the last twelve months. Counted in SQL (the queries do not grow with
        the members); the lists open on demand (:meth:`get_card_action`)."""
        Member = self.env["membership.member"]
        domain = self._member_domain(filters)
        previous_end = context["fy_start"] - timedelta(days=1)
        base, kept = self._count_retained(domain, previous_end)
        rate = round(100.0 * kept / base, 1) if base else 0.0
        hint = self.env._(
            "%(kept)s of the %(base)s members on the books on %(date)s",
            kept=kept,
            base=base,
            date=format_date(self.env, previous_end),
        )
        on_books = domain & Domain("state", "in", ON_BOOKS_STATES)
        attended = on_books & Domain(
            "event_last_attended_date", ">=", context["today"] - relativedelta(years=1)
        )
        total = Member.search_count(on_books)
        came = Member.search_count(attended)
        return [
            self._card(
                "retention", self.env._("Retention"), rate, False, "percent", hint
            ),
            self._card(
                "churn",
                self.env._("Churn"),
                round(100.0 - rate, 1) if base else 0.0,
                False,
                "percent",
                hint,
            ),
            self._card(
                "participation",
                self.env._("Event participation"),
                round(100.0 * came / total, 1) if total else 0.0,
                self._action(
                    self.env._("Members who attended an event in 12 months"),
                    Member._name,
                    attended,
                ),
                "percent",
                self.env._("%(came)s of %(total)s members", came=came, total=total),
            ),
        ]

    @api.model
    def get_card_action(self, key, filters=None):
        """The list behind a card whose records are only known from the
        history (retention, churn), computed when the card is opened."""
        self._check_dashboard_access()
        if key not in ("retention", "churn"):
            raise UserError(self.env._("This figure has no list of members."))
        filters = self._clean_filters(filters or {})
        fy_start = self._get_fiscal_year(filters, fields.Date.context_today(self))[0]
        previous_end = fy_start - timedelta(days=1)
        ids = self._get_retained_ids(
            self._member_domain(filters), previous_end, kept=key == "retention"
        )
        name = (
            self.env._("Members still with us")
            if key == "retention"
            else self.env._("Members who left")
        )
        return self._action(name, "membership.member", Domain("id", "in", ids))

    def _retention_sql(self, domain, day, select):
        """Members of ``domain`` on the books at the end of ``day`` (from the
        status history: what was true then), as ``select``."""
        self.env["membership.status.history"].flush_model()
        self.env["membership.member"].flush_model(["state"])
        members = self.env["membership.member"]._search(domain)
        return SQL(
            """
            SELECT %s
              FROM (
                  SELECT DISTINCT ON (member_id) member_id, new_state
                    FROM membership_status_history
                   WHERE COALESCE(effective_date, date::date) <= %s
                   ORDER BY member_id, COALESCE(effective_date, date::date) DESC,
                            id DESC
              ) latest
              JOIN membership_member m ON m.id = latest.member_id
             WHERE latest.new_state IN %s AND m.id IN %s
            """,
            select,
            day,
            ON_BOOKS_STATES,
            members.subselect(),
        )

    def _count_retained(self, domain, day):
        """``(base, kept)``: members on the books at the end of ``day``, and
        how many of them are on the books now."""
        self.env.cr.execute(
            self._retention_sql(
                domain,
                day,
                SQL("COUNT(*), COUNT(*) FILTER (WHERE m.state IN %s)", ON_BOOKS_STATES),
            )
        )
        return self.env.cr.fetchone()

    def _get_retained_ids(self, domain, day, kept=True):
        """Ids of the members on the books at the end of ``day`` who are (or,
        with ``kept=False``, are no longer) on the books now."""
        self.env.cr.execute(
            self._retention_sql(
                domain, day, SQL("m.id, m.state IN %s", ON_BOOKS_STATES)
            )
        )
        return [
            member_id for member_id, still in self.env.cr.fetchall() if still == kept
        ]

    # ------------------------------------------------------------
    # CHARTS
    # ------------------------------------------------------------

    def _get_charts(self, filters, today):
        first = today.replace(day=1) - relativedelta(months=filters["months"] - 1)
        months = [first + relativedelta(months=n) for n in range(filters["months"])]
        labels = [format_date(self.env, m, date_format="MMM y") for m in months]
        return {
            "labels": labels,
            "states": self._chart_states(filters, first, months),
            "movements": self._chart_movements(filters, first, months),
            "dues": self._chart_dues(filters, first, months),
        }

    def _series(self, months, values):
        return [values.get(month, 0) for month in months]

    def _chart_states(self, filters, first, months):
        Monthly = self.env["membership.report.monthly"]
        domain = self._filter_domain(filters, tier="tier_id") & Domain(
            [("month", ">=", first), ("on_books", "=", True)]
        )
        rows = Monthly._read_group(
            domain, ["month:month", "state"], ["member_count:sum"]
        )
        labels = dict(MEMBER_STATES)
        return {
            "action": "membership_management.membership_report_monthly_action",
            "datasets": [
                {
                    "key": state,
                    "label": labels[state],
                    "data": self._series(
                        months,
                        {m: count for m, s, count in rows if s == state},
                    ),
                }
                for state in ON_BOOKS_STATES
            ],
        }

    def _chart_movements(self, filters, first, months):
        Movement = self.env["membership.report.movement"]
        domain = self._filter_domain(filters, tier="tier_id") & Domain(
            "date", ">=", first
        )
        rows = Movement._read_group(domain, ["date:month", "kind"], ["__count"])
        labels = dict(MOVEMENT_KINDS)
        return {
            "action": "membership_management.membership_report_movement_action",
            "datasets": [
                {
                    "key": kind,
                    "label": labels[kind],
                    "data": self._series(
                        months, {m: count for m, k, count in rows if k == kind}
                    ),
                }
                for kind, __ in MOVEMENT_KINDS
            ],
        }

    def _chart_dues(self, filters, first, months):
        Report = self.env["membership.report.dues"]
        domain = self._filter_domain(filters) & Domain("date", ">=", first)
        rows = Report._read_group(
            domain, ["date:month"], ["amount_billed:sum", "amount_collected:sum"]
        )
        return {
            "action": "membership_management.membership_report_dues_action",
            "datasets": [
                {
                    "key": "billed",
                    "label": self.env._("Billed"),
                    "data": self._series(months, {m: b for m, b, __ in rows}),
                },
                {
                    "key": "collected",
                    "label": self.env._("Collected"),
                    "data": self._series(months, {m: c for m, __, c in rows}),
                },
            ],
        }
