# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models, tools
from odoo.tools import SQL

from .membership_dues import DUES_STATES


class MembershipReportDues(models.Model):
    """Dues billed, collected and outstanding, by invoice date: one row per
    dues of a posted invoice, with its share of the invoice's total (tax
    included) and of what is left to pay. Cancelled dues count nothing."""

    _name = "membership.report.dues"
    _description = "Membership Dues Collection"
    _auto = False
    _order = "date desc"
    _rec_name = "dues_id"

    dues_id = fields.Many2one("membership.dues", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    date = fields.Date(string="Invoice Date", readonly=True)
    member_id = fields.Many2one("membership.member", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    plan_id = fields.Many2one("membership.plan", readonly=True)
    state = fields.Selection(DUES_STATES, readonly=True)
    amount_billed = fields.Monetary(string="Billed", readonly=True)
    amount_collected = fields.Monetary(string="Collected", readonly=True)
    amount_due = fields.Monetary(string="Outstanding", readonly=True)

    def init(self):
        # the dues' part of its invoice (an invoice can bill several dues)
        share = SQL("(CASE WHEN t.total > 0 THEN d.amount_billed / t.total ELSE 0 END)")
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %s AS (
                    SELECT d.id,
                           d.id AS dues_id,
                           d.move_id,
                           mv.invoice_date AS date,
                           d.member_id,
                           d.company_id,
                           c.currency_id,
                           d.plan_id,
                           d.state,
                           ROUND(mv.amount_total * %s, 2) AS amount_billed,
                           ROUND((mv.amount_total - mv.amount_residual) * %s, 2)
                               AS amount_collected,
                           ROUND(mv.amount_residual * %s, 2) AS amount_due
                      FROM membership_dues d
                      JOIN account_move mv ON mv.id = d.move_id
                      JOIN res_company c ON c.id = d.company_id
                      -- a LEFT JOIN on a grouped subquery: a count or a page
                      -- that reads no amount skips it
                      LEFT JOIN (
                          SELECT move_id, SUM(amount_billed) AS total
                            FROM membership_dues
                           WHERE move_id IS NOT NULL
                           GROUP BY move_id
                      ) t ON t.move_id = d.move_id
                     WHERE mv.state = 'posted'
                )
                """,
                SQL.identifier(self._table),
                share,
                share,
                share,
            )
        )
