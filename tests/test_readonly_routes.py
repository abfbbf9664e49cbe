# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo.tests import HttpCase, tagged

from .common import MembershipEventCommon

# the member's pure read pages, served on a read-only cursor (a read replica
# when Odoo runs with --db_replica_host)
READONLY_PAGES = (
    "/my/membership",
    "/my/membership/dues",
    "/my/membership/events",
    "/my/membership/news",
    "/my/membership/visits",
    "/my/membership/surveys",
    "/my/membership/card.png",
)


@tagged("post_install", "-at_install")
class TestReadOnlyRoutes(MembershipEventCommon, HttpCase):
    """The portal's read pages are declared ``readonly=True`` and write
    nothing: on the read-only cursor Odoo gives them (as a replica would),
    none of them fails over to a read/write cursor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        member = cls.member_a
        # something on every page: open dues with its invoice, a fee to pay,
        # news, a visit
        cls.bill(member, member.date_end + timedelta(days=1))
        cls.register(member.partner_id, cls.ticket_standard)
        cls.env["membership.news"].create(
            {"name": "Assembly", "body": "<p>See you</p>", "is_published": True}
        )
        location = cls.env["membership.visit.location"].create({"name": "Gym"})
        cls.env["membership.visit"].create(
            {"member_id": member.id, "location_id": location.id}
        )
        # as after any commit: nothing left to compute on the next read
        cls.env.flush_all()

    def test_declared_readonly(self):
        routing = {
            rule.rule: rule.endpoint.routing
            for rule in self.env["ir.http"].routing_map().iter_rules()
        }
        for path in READONLY_PAGES:
            with self.subTest(path=path):
                self.assertIs(routing[path]["readonly"], True)

    def test_pages_work_on_a_read_only_cursor(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        for path in READONLY_PAGES:
            with self.subTest(path=path), self.assertNoLogs("odoo.http", "WARNING"):
                response = self.url_open(path)
                self.assertEqual(response.status_code, 200)
