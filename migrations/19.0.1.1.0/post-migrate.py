# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Status-history reasons, dues-run reasons and bank-line messages are stored
as message codes now (``tools/stored_text.py``): the sentences an earlier
version stored are kept, as free text, in the new columns."""

from psycopg2 import sql

from odoo import SUPERUSER_ID, api

STORED_TEXTS = [
    ("membership_status_history", "reason", "reason_data"),
    ("membership_dues_run_line", "reason", "reason_data"),
    ("membership_payment_import_line", "message", "message_data"),
]


def migrate(cr, version):
    if not version:
        return
    for table, old, new in STORED_TEXTS:
        cr.execute(
            """
            SELECT 1 FROM information_schema.columns
             WHERE table_name = %s AND column_name = %s
            """,
            [table, old],
        )
        if not cr.fetchone():
            continue
        cr.execute(
            sql.SQL(
                """
                UPDATE {table} SET {new} = jsonb_build_object('text', {old})
                 WHERE {new} IS NULL AND COALESCE({old}, '') != ''
                """
            ).format(
                table=sql.Identifier(table),
                new=sql.Identifier(new),
                old=sql.Identifier(old),
            )
        )
    api.Environment(cr, SUPERUSER_ID, {})["membership.report.monthly"]._refresh()
