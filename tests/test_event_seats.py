# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from psycopg2.errors import SerializationFailure

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .two_transactions import TwoTransactionsCase


@tagged("post_install", "-at_install")
class TestEventLastSeatRace(TwoTransactionsCase):
    """Two people take the last seat at the same time, in two real database
    transactions: exactly one registration is kept.

    Odoo's seat check counts registrations, which a concurrent transaction
    cannot see; the registration touches the event row so that the later
    transaction fails with a serialization error (which Odoo's request and cron
    loops retry) and, once retried, sees the seat taken."""

    def _create_data(self, env):
        start = fields.Datetime.now() + timedelta(days=5)
        event = env["event.event"].create(
            {
                "name": "Seat Race",
                "date_begin": start,
                "date_end": start + timedelta(hours=1),
                "seats_limited": True,
                "seats_max": 1,
                "event_mail_ids": [Command.clear()],
            }
        )
        partners = env["res.partner"].create(
            [{"name": "Racer One"}, {"name": "Racer Two"}]
        )
        self.event_id, self.partner_ids = event.id, partners.ids

    def _remove_data(self, env):
        env["event.registration"].with_context(active_test=False).search(
            [("event_id", "=", self.event_id)]
        ).unlink()
        env["event.event"].browse(self.event_id).unlink()
        env["res.partner"].browse(self.partner_ids).unlink()

    def _register(self, cr, partner_id):
        env = self.env_of(cr)
        env["event.registration"].create(
            {"event_id": self.event_id, "partner_id": partner_id}
        )
        env.flush_all()

    def test_two_registrations_for_the_last_seat_one_wins(self):
        with self.two_workers() as (cr1, cr2):
            cr2.execute("SELECT 1")  # the second transaction starts first
            self._register(cr1, self.partner_ids[0])
            cr1.commit()
            with self.assertRaises(SerializationFailure):
                self._register(cr2, self.partner_ids[1])
            cr2.rollback()
            # the retry sees the seat taken
            with self.assertRaises(ValidationError):
                self._register(cr2, self.partner_ids[1])
            cr2.rollback()
        with self.cursor() as cr:
            cr.execute(
                "SELECT partner_id FROM event_registration WHERE event_id = %s",
                [self.event_id],
            )
            self.assertEqual(cr.fetchall(), [(self.partner_ids[0],)])
