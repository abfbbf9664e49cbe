# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields, models, tools
from odoo.tools import SQL

MOVEMENT_KINDS = [
    ("joined", "Joined"),
    ("rejoined", "Came Back"),
    ("lapsed", "Lapsed"),
    ("withdrawn", "Withdrew"),
]


class MembershipReportMovement(models.Model):
    """Joins, returns, lapses and withdrawals, one row per status change, read
    from the status history (so what was true then): a member *joins* the
    first time they become active and *comes back* when active again after a
    lapse or withdrawal. Changes written by an import or a migration are not
    movements (the members were there before)."""

    _name = "membership.report.movement"
    _description = "Membership Joins and Departures"
    _auto = False
    _order = "date desc"
    _rec_name = "kind"

    date = fields.Date(readonly=True)
    member_id = fields.Many2one("membership.member", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    plan_id = fields.Many2one("membership.plan", readonly=True)
    tier_id = fields.Many2one("membership.tier", readonly=True)
    kind = fields.Selection(MOVEMENT_KINDS, readonly=True)
    departure = fields.Boolean(readonly=True, help="Lapsed or withdrew.")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %s AS (
                    WITH firsts AS (
                        SELECT DISTINCT ON (member_id) member_id, id
                          FROM membership_status_history
                         WHERE new_state = 'active'
                         ORDER BY member_id,
                                  COALESCE(effective_date, date::date), id
                    )
                    SELECT h.id,
                           COALESCE(h.effective_date, h.date::date) AS date,
                           h.member_id,
                           m.company_id,
                           m.plan_id,
                           m.tier_id,
                           CASE
                               WHEN f.id IS NOT NULL THEN 'joined'
                               WHEN h.new_state = 'active' THEN 'rejoined'
                               ELSE h.new_state
                           END AS kind,
                           h.new_state IN ('lapsed', 'withdrawn') AS departure
                      FROM membership_status_history h
                      JOIN membership_member m ON m.id = h.member_id
                      LEFT JOIN firsts f ON f.id = h.id
                     WHERE h.source NOT IN ('import', 'migration')
                       AND (f.id IS NOT NULL
                        OR (h.new_state = 'active'
                            AND h.old_state IN ('lapsed', 'withdrawn'))
                        OR h.new_state IN ('lapsed', 'withdrawn'))
                )
                """,
                SQL.identifier(self._table),
            )
        )
