# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models, tools
from odoo.tools import SQL


class MembershipReportCohort(models.Model):
    """Cohort retention: of the members who joined in a month (and have been
    active at least once), how many are still on the books (waiting payment,
    active, in grace or suspended) each month after, from the monthly
    figures. Read it as a pivot: cohorts down, months since joining across,
    the retention rate in the cells (one cell is one cohort, month and
    company)."""

    _name = "membership.report.cohort"
    _description = "Membership Cohort Retention"
    _auto = False
    _order = "cohort_month desc, months_since"
    _rec_name = "cohort_month"

    company_id = fields.Many2one("res.company", readonly=True)
    cohort_month = fields.Date(string="Cohort", readonly=True)
    month = fields.Date(readonly=True)
    months_since = fields.Integer(string="Months Since Joining", readonly=True)
    cohort_size = fields.Integer(readonly=True)
    retained = fields.Integer(string="Still Members", readonly=True)
    retention_rate = fields.Float(
        string="Retention (%)", readonly=True, aggregator="avg"
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %s AS (
                    SELECT ROW_NUMBER() OVER (
                               ORDER BY r.company_id, r.join_month, r.month
                           ) AS id,
                           r.company_id,
                           r.join_month AS cohort_month,
                           r.month,
                           ((EXTRACT(YEAR FROM r.month)
                             - EXTRACT(YEAR FROM r.join_month)) * 12
                            + EXTRACT(MONTH FROM r.month)
                            - EXTRACT(MONTH FROM r.join_month))::int
                               AS months_since,
                           SUM(r.member_count)::int AS cohort_size,
                           (SUM(r.member_count) FILTER (WHERE r.on_books))::int
                               AS retained,
                           ROUND(100.0 * COALESCE(
                               SUM(r.member_count) FILTER (WHERE r.on_books), 0)
                               / SUM(r.member_count), 1) AS retention_rate
                      FROM membership_report_monthly r
                     WHERE r.join_month IS NOT NULL AND r.month >= r.join_month
                     GROUP BY r.company_id, r.join_month, r.month
                )
                """,
                SQL.identifier(self._table),
            )
        )
