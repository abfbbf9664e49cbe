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


@tagged("post_install", "-at_install")
class TestPortalQueriesDoNotGrowWithDues(MembershipEventCommon, HttpCase):
    """A member with years of dues costs the read pages no more queries than
    a member with one: what is shown is read in batches."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.veteran = cls.create_paid_member(
            cls.member_a.join_date - timedelta(days=20 * 365),
            partner_id=cls.portal_b.partner_id.id,
            name="Veteran Vera",
        )
        day = cls.veteran.date_end
        for __ in range(12):  # twelve more years billed and paid
            day += timedelta(days=1)
            dues = cls.bill(cls.veteran, day)
            cls.pay(dues.move_id, day)
            day = dues.date_end
        cls.env.flush_all()

    def queries(self, login, path):
        self.authenticate(login, login)
        self.url_open(path)  # caches filled, as for any later visit
        before = self.cr.sql_log_count
        response = self.url_open(path)
        self.assertEqual(response.status_code, 200)
        return self.cr.sql_log_count - before

    def test_same_queries_for_one_and_thirteen_dues(self):
        self.assertEqual(len(self.member_a.dues_ids), 1)
        self.assertEqual(len(self.veteran.dues_ids), 13)
        for path in ("/my/membership", "/my/membership/dues", "/my/membership/events"):
            with self.subTest(path=path):
                one = self.queries("mm_portal_a", path)
                many = self.queries("mm_portal_b", path)
                self.assertGreater(one, 0, "the page's queries are counted")
                self.assertLessEqual(many, one + 2, f"{one} vs {many} queries")
