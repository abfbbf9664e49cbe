# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Batches claimed by one worker: when two cron workers (``--workers`` with
several cron threads, or two servers on one database) or a worker and a
*Run now* button work the same job, each batch first locks its rows with
``FOR NO KEY UPDATE SKIP LOCKED``. Rows another transaction holds are left to
it (never waited for: no deadlock), and rows it changed and committed since
this transaction began are not taken either (PostgreSQL refuses to lock
them), so nobody is billed, charged or mailed twice."""

from psycopg2.errors import SerializationFailure

from odoo.tools import SQL


def claim_batch(records):
    """The part of ``records`` this transaction now holds the row locks of.

    Empty when another worker holds them all, or changed some of them since
    this transaction's snapshot (a new transaction, after the caller's
    commit, sees its work)."""
    if not records:
        return records
    cr = records.env.cr
    try:
        with cr.savepoint(flush=False):
            cr.execute(
                SQL(
                    "SELECT id FROM %s WHERE id IN %s ORDER BY id "
                    "FOR NO KEY UPDATE SKIP LOCKED",
                    SQL.identifier(records._table),
                    tuple(records.ids),
                )
            )
            held = {row[0] for row in cr.fetchall()}
    except SerializationFailure:
        return records.browse()
    return records.browse([record_id for record_id in records.ids if record_id in held])
