# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Status-history reasons, dues-run reasons and bank-line messages are stored
as message codes now (``tools/stored_text.py``): the sentences an earlier
version stored are kept, as free text, in the new columns. The newsletter
consents of an earlier version enter the consent ledger."""

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
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["membership.report.monthly"]._refresh()
    migrate_newsletter_consents(env)
    backfill_activity(cr)


def backfill_activity(cr):
    """``paid_date`` of paid dues from their invoice's reconciliations, then
    the members' last payment and last activity, in SQL (every member)."""
    cr.execute(
        """
        UPDATE membership_dues d
           SET paid_date = p.paid
          FROM (SELECT aml.move_id, MAX(apr.max_date) AS paid
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                 WHERE acc.account_type = 'asset_receivable'
                 GROUP BY aml.move_id) p
         WHERE p.move_id = d.move_id AND d.state = 'paid' AND d.paid_date IS NULL
        """
    )
    cr.execute(
        """
        UPDATE membership_member m
           SET last_payment_date = p.paid
          FROM (SELECT member_id, MAX(paid_date) AS paid
                  FROM membership_dues WHERE paid_date IS NOT NULL
                 GROUP BY member_id) p
         WHERE p.member_id = m.id
        """
    )
    cr.execute(
        """
        UPDATE membership_member m
           SET last_login_date = l.last_login::date
          FROM (SELECT u.partner_id, MAX(log.create_date) AS last_login
                  FROM res_users_log log
                  JOIN res_users u ON u.id = log.create_uid
                 GROUP BY u.partner_id) l
         WHERE l.partner_id = m.partner_id
        """
    )
    cr.execute(
        """
        UPDATE membership_member
           SET last_activity_date = GREATEST(
                   last_login_date, event_last_attended_date, last_payment_date)
        """
    )


def migrate_newsletter_consents(env):
    """Members who accepted newsletters before the ledger existed: one
    *given* row (source: migration, dated when they accepted the terms or
    joined), and the purpose among their current consents."""
    Member = env["membership.member"].with_context(active_test=False)
    members = Member.search(
        [("newsletter_consent", "=", True), ("consent_ids", "=", False)]
    )
    for member in members:
        purpose = member._get_consent_purpose("newsletter", member.company_id)
        if not purpose:
            continue
        env["membership.consent"].create(
            {
                "member_id": member.id,
                "purpose_id": purpose.id,
                "state": "given",
                "source": "migration",
                "channel": "web" if member.consent_date else "paper",
                "date": member.consent_date or member.create_date,
                "text_version": purpose.version,
            }
        )
        member.with_context(membership_consent_recorded=True).write(
            {"consent_purpose_ids": [(4, purpose.id)]}
        )
