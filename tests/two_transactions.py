# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from contextlib import closing, contextmanager

from odoo import SUPERUSER_ID, api, sql_db
from odoo.tests import BaseCase, get_db_name


class TwoTransactionsCase(BaseCase):
    """Two workers (two cron threads, two servers, a job and a button) in two
    real database transactions, each on its own connection.

    Both must see the test's data, so it is committed: ``_create_data`` makes
    it before the test and ``_remove_data`` takes it away after, each in a
    connection of its own. These tests run outside the usual rolled-back test
    transaction."""

    def setUp(self):
        super().setUp()
        self.db = sql_db.db_connect(get_db_name())
        with self.committed_env() as env:
            self._create_data(env)
        self.addCleanup(self._remove_committed_data)

    def _create_data(self, env):
        """Make, in ``env``, the data both transactions must see."""

    def _remove_data(self, env):
        """Take away, in ``env``, what ``_create_data`` and the test committed."""

    def _remove_committed_data(self):
        with self.committed_env() as env:
            self._remove_data(env)

    def env_of(self, cr):
        """The superuser's environment on the cursor of one worker."""
        return api.Environment(cr, SUPERUSER_ID, {})

    def cursor(self):
        """A new connection's cursor, closed on leaving (a worker, or a look
        at what is committed)."""
        return closing(self.db.cursor())

    @contextmanager
    def committed_env(self):
        """An environment on a new connection, committed on leaving."""
        with self.cursor() as cr:
            env = self.env_of(cr)
            yield env
            env.flush_all()
            # committed on purpose: two real transactions must see this data
            cr.commit()  # pylint: disable=invalid-commit

    @contextmanager
    def two_workers(self):
        """The cursors of two workers, side by side."""
        with self.cursor() as cr1, self.cursor() as cr2:
            yield cr1, cr2
