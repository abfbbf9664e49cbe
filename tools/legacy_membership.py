# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Reading Odoo's own membership data straight from its tables.

Odoo's ``membership`` (up to 18) and OCA's ``membership`` (19) keep their data
in ``membership_membership_line`` and in columns of ``product_template`` and
``res_partner``. The module may be installed, or gone with its tables left
behind after an upgrade: so the tables are read with SQL, never through its
models. Odoo named some columns differently from the OCA (``partner`` and
``account_invoice_line``, ``associate_member``): both are read.
"""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo.tools import SQL
from odoo.tools.sql import column_exists, table_exists

LINE_TABLE = "membership_membership_line"
# line states that make a partner a member, and their precedence (as Odoo's
# membership decides the partner's state)
MEMBER_LINE_STATES = ("invoiced", "free", "paid")
STATE_PRIORITY = {
    "none": 0,
    "canceled": 1,
    "old": 2,
    "waiting": 3,
    "invoiced": 4,
    "free": 6,
    "paid": 7,
}


def is_present(cr):
    """Whether this database holds Odoo membership data to migrate."""
    return table_exists(cr, LINE_TABLE) and column_exists(
        cr, "product_template", "membership"
    )


def _first_column(cr, table, *names):
    return next((name for name in names if column_exists(cr, table, name)), None)


def read_products(cr, company_id):
    """Membership products of the company (or shared), with their period:
    ``kind`` is ``fixed`` (dates) or ``variable`` (OCA's variable periods)."""
    variable = column_exists(cr, "product_template", "membership_type")
    period = (
        SQL(
            "pt.membership_type, pt.membership_interval_qty, "
            "pt.membership_interval_unit"
        )
        if variable
        else SQL("'fixed', NULL, NULL")
    )
    cr.execute(
        SQL(
            """
            SELECT pp.id, pt.membership_date_from, pt.membership_date_to, %(period)s
              FROM product_product pp
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
             WHERE pt.membership IS TRUE
               AND (pt.company_id IS NULL OR pt.company_id = %(company)s)
             ORDER BY pp.id
            """,
            period=period,
            company=company_id,
        )
    )
    return [
        {
            "product_id": row[0],
            "date_from": row[1],
            "date_to": row[2],
            "kind": row[3] or "fixed",
            "interval_qty": row[4],
            "interval_unit": row[5],
        }
        for row in cr.fetchall()
    ]


def read_lines(cr, company_id):
    """The company's membership lines, by partner and start date, with the
    invoice each came from (none for lines entered by hand) and the amount
    its invoice line bills (untaxed), else the line's price. A line is the
    company of its invoice, else its own, its partner's or its product's;
    one without any is every company's."""
    partner = _first_column(cr, LINE_TABLE, "partner_id", "partner")
    invoice_line = _first_column(
        cr, LINE_TABLE, "account_invoice_line_id", "account_invoice_line"
    )
    if not partner:
        return []
    move = SQL("aml.move_id") if invoice_line else SQL("NULL::integer")
    amount = SQL("aml.price_subtotal") if invoice_line else SQL("NULL::numeric")
    join = (
        SQL(
            "LEFT JOIN account_move_line aml ON aml.id = l.%s "
            "LEFT JOIN account_move am ON am.id = aml.move_id",
            SQL.identifier(invoice_line),
        )
        if invoice_line
        else SQL("LEFT JOIN account_move am ON FALSE")
    )
    cr.execute(
        SQL(
            """
            SELECT l.id, l.%(partner)s, l.membership_id, l.date_from, l.date_to,
                   l.date_cancel, l.date, COALESCE(%(amount)s, l.member_price),
                   l.state, %(move)s
              FROM membership_membership_line l
              JOIN res_partner rp ON rp.id = l.%(partner)s
              JOIN product_product pp ON pp.id = l.membership_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
              %(join)s
             WHERE COALESCE(am.company_id, l.company_id, rp.company_id, pt.company_id,
                            %(company)s) = %(company)s
             ORDER BY l.%(partner)s, l.date_from NULLS LAST, l.id
            """,
            partner=SQL.identifier(partner),
            amount=amount,
            move=move,
            join=join,
            company=company_id,
        )
    )
    keys = (
        "id",
        "partner_id",
        "product_id",
        "date_from",
        "date_to",
        "date_cancel",
        "date",
        "amount",
        "state",
        "move_id",
    )
    return [dict(zip(keys, row, strict=True)) for row in cr.fetchall()]


def read_partners(cr, company_id):
    """Free members and associate members of the company (or shared):
    ``{partner id: {"free": bool, "associate_id": partner id or None}}``."""
    associate = _first_column(
        cr, "res_partner", "associate_member_id", "associate_member"
    )
    if not column_exists(cr, "res_partner", "free_member"):
        return {}
    associate_sql = SQL.identifier(associate) if associate else SQL("NULL::integer")
    cr.execute(
        SQL(
            """
            SELECT id, free_member IS TRUE, %(associate)s
              FROM res_partner
             WHERE (free_member IS TRUE OR %(associate)s IS NOT NULL)
               AND (company_id IS NULL OR company_id = %(company)s)
             ORDER BY id
            """,
            associate=associate_sql,
            company=company_id,
        )
    )
    return {row[0]: {"free": row[1], "associate_id": row[2]} for row in cr.fetchall()}


def associate_depth(partner_id, partners, limit=10):
    """0 for a member of its own, 1 for an associate of one, 2 for an
    associate of an associate...: migrated in that order (a loop, which the
    old app refuses, stops at ``limit``)."""
    depth = 0
    while depth < limit and partners.get(partner_id, {}).get("associate_id"):
        partner_id = partners[partner_id]["associate_id"]
        depth += 1
    return depth


def partner_state(lines, today, free=False):
    """The state Odoo's membership shows for a partner with ``lines`` on
    ``today`` (its own rule, so that a stale stored state does not mislead)."""
    if free:
        return "free"
    state = "none"
    for line in lines:
        start, end = line["date_from"], line["date_to"]
        cancel = line["date_cancel"]
        if (
            start
            and end
            and start <= today <= end
            and (not cancel or cancel >= today)
            and STATE_PRIORITY.get(line["state"], 0) > STATE_PRIORITY[state]
        ):
            state = line["state"]
    if state == "none" and any(line["state"] in MEMBER_LINE_STATES for line in lines):
        return "old"
    return state


def coverage_end(line):
    """Last day a line covers: its end, or the day it was cancelled."""
    ends = [day for day in (line["date_to"], line["date_cancel"]) if day]
    return min(ends) if ends else None


def is_covering(line):
    """Whether a line without invoice counts as paid coverage (entered by
    hand as paid or free)."""
    return line["state"] in ("paid", "free")


def months_between(start, end):
    """Whole months from ``start`` to the day after ``end``, and the days left
    over: (12, 0) for 2025-01-01..2025-12-31."""
    delta = relativedelta(end + timedelta(days=1), start)
    return delta.years * 12 + delta.months, delta.days
