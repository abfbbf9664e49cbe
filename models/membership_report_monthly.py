# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .membership_member import MEMBER_STATES

_logger = logging.getLogger(__name__)

# members on the books: billed or covered, or on leave; applicants never
# invoiced, lapsed and withdrawn members are not
ON_BOOKS_STATES = ("waiting", "active", "grace", "suspended")


class MembershipReportMonthly(models.Model):
    """How many members were in each state at the end of each month, by plan,
    tier and the month they joined (their cohort, for members who have been
    active at least once).

    History-true: a month is computed from the status history as it stood on
    the month's last day (today for the current month), never from today's
    states; a past month, once computed, is kept as it was (with the plan
    and tier of that time). The daily job refreshes the current month and
    fills the months not computed yet, which is also how the months before
    installing are filled from the history (backfill).
    """

    _name = "membership.report.monthly"
    _description = "Membership Monthly Figures"
    _order = "month desc, company_id, plan_id, state"
    _rec_name = "month"

    month = fields.Date(required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    plan_id = fields.Many2one("membership.plan", readonly=True)
    tier_id = fields.Many2one("membership.tier", readonly=True)
    state = fields.Selection(MEMBER_STATES, string="Status", readonly=True)
    on_books = fields.Boolean(
        string="On the Books",
        readonly=True,
        help="Waiting payment, active, in grace or suspended.",
    )
    join_month = fields.Date(
        string="Cohort",
        readonly=True,
        help="Month in which the members joined (members who have been active "
        "at least once).",
    )
    member_count = fields.Integer(string="Members", readonly=True, aggregator="sum")

    _month_idx = models.Index("(month, company_id)")

    @api.model
    def _refresh(self, today=None):
        """Recompute the current month and compute every month since the
        first status change that has no figures yet (at install and upgrade,
        this fills the months before from the history). Returns the months
        written."""
        today = today or fields.Date.context_today(self)
        months = self._get_months_to_compute(today)
        for month in months:
            self._compute_month(month, today)
        return months

    @api.model
    def _get_months_to_compute(self, today):
        """The months with no figures since the first status change, then the
        current month (always: it changes every day)."""
        current = today.replace(day=1)
        self.env["membership.status.history"].flush_model()
        self.env.cr.execute(
            """
            SELECT MIN(COALESCE(effective_date, date::date))
              FROM membership_status_history
            """
        )
        first = self.env.cr.fetchone()[0]
        if not first:
            return []
        self.env.cr.execute(
            "SELECT DISTINCT month FROM membership_report_monthly WHERE month < %s",
            [current],
        )
        done = {row[0] for row in self.env.cr.fetchall()}
        months, month = [], min(first, current).replace(day=1)
        while month < current:
            if month not in done:
                months.append(month)
            month += relativedelta(months=1)
        return [*months, current]

    @api.model
    def _compute_month(self, month, today):
        """(Re)write the figures of ``month`` from the status history as of its
        last day, or ``today`` if sooner."""
        as_of = min(month + relativedelta(months=1, days=-1), today)
        self.env.flush_all()
        self.env.cr.execute(
            "DELETE FROM membership_report_monthly WHERE month = %s", [month]
        )
        self.env.cr.execute(
            SQL(
                """
                WITH states AS (
                    SELECT DISTINCT ON (h.member_id) h.member_id, h.new_state
                      FROM membership_status_history h
                     WHERE COALESCE(h.effective_date, h.date::date) <= %(as_of)s
                     ORDER BY h.member_id,
                              COALESCE(h.effective_date, h.date::date) DESC,
                              h.id DESC
                ), cohorts AS (
                    -- members who have been active at least once, by the
                    -- month they joined (imported members keep their own)
                    SELECT DISTINCT h.member_id,
                           date_trunc('month', m.join_date)::date AS join_month
                      FROM membership_status_history h
                      JOIN membership_member m ON m.id = h.member_id
                     WHERE h.new_state = 'active'
                )
                INSERT INTO membership_report_monthly (
                    month, company_id, plan_id, tier_id, state, on_books,
                    join_month, member_count,
                    create_uid, create_date, write_uid, write_date
                )
                SELECT %(month)s, m.company_id, m.plan_id, m.tier_id, s.new_state,
                       s.new_state IN %(on_books)s, c.join_month, COUNT(*),
                       %(uid)s, NOW() AT TIME ZONE 'UTC',
                       %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM states s
                  JOIN membership_member m ON m.id = s.member_id
                  LEFT JOIN cohorts c ON c.member_id = s.member_id
                 GROUP BY m.company_id, m.plan_id, m.tier_id, s.new_state,
                          c.join_month
                """,
                month=month,
                as_of=as_of,
                on_books=ON_BOOKS_STATES,
                uid=self.env.uid,
            )
        )
        self.invalidate_model()

    @api.model
    def _cron_refresh(self):
        """Daily: the current month's figures, and any month still missing;
        each month is committed, so a crash resumes with the next one."""
        today = fields.Date.context_today(self)
        months = self._get_months_to_compute(today)
        cron = self.env["ir.cron"]
        for done, month in enumerate(months, start=1):
            self._compute_month(month, today)
            if cron._commit_progress(1, remaining=len(months) - done) <= 0:
                break
        _logger.info("Membership monthly figures: %s month(s) written", len(months))
