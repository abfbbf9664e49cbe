# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from contextlib import closing
from datetime import date
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, sql_db
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import freeze_time, new_test_user, tagged
from odoo.tests.common import get_db_name

from ..models import membership_legacy_migration as migration_module
from ..models.membership_legacy_migration import EXPECTED_STATES
from ..tools import legacy_membership as legacy
from .common import MembershipCommon

TODAY = "2026-06-15"


class TestLegacyMigrationWithoutData(MembershipCommon):
    """A database that never had Odoo's membership app."""

    def test_nothing_to_migrate_is_said_not_crashed(self):
        migration = self.env["membership.legacy.migration"].create({})
        self.assertFalse(migration.legacy_found)
        with self.assertRaisesRegex(UserError, "nothing to migrate"):
            migration.action_migrate()

    def test_product_periods_in_months(self):
        self.assertEqual(
            legacy.months_between(date(2025, 1, 1), date(2025, 12, 31)), (12, 0)
        )
        self.assertEqual(
            legacy.months_between(date(2025, 4, 1), date(2025, 9, 30)), (6, 0)
        )
        # Odoo's demo products end a year *and a day* after they start
        self.assertEqual(
            legacy.months_between(date(2025, 6, 15), date(2026, 6, 15)), (12, 1)
        )

    def test_partner_state_follows_odoo_membership_rule(self):
        today = date(2026, 6, 15)

        def line(state, start, end, cancel=None):
            return {
                "state": state,
                "date_from": start,
                "date_to": end,
                "date_cancel": cancel,
            }

        past = line("paid", date(2025, 1, 1), date(2025, 12, 31))
        current_paid = line("paid", date(2026, 1, 1), date(2026, 12, 31))
        current_open = line("invoiced", date(2026, 1, 1), date(2026, 12, 31))
        cancelled = line("paid", date(2026, 1, 1), date(2026, 12, 31), date(2026, 5, 1))
        self.assertEqual(legacy.partner_state([], today), "none")
        self.assertEqual(legacy.partner_state([past], today), "old")
        self.assertEqual(legacy.partner_state([past, current_open], today), "invoiced")
        self.assertEqual(
            legacy.partner_state([current_open, current_paid], today), "paid"
        )
        self.assertEqual(legacy.partner_state([cancelled], today), "old")
        self.assertEqual(legacy.partner_state([past], today, free=True), "free")


@tagged("post_install", "-at_install", "-standard", "legacy_migration")
class TestLegacyMigration(MembershipCommon):
    """Odoo's membership (OCA ``membership`` 19.0 with its variable periods,
    installed with its demo data in a database of its own by ``make test``):
    members in every state it knows, migrated, compared partner by partner."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.freezer = freeze_time(f"{TODAY} 10:00:00")
        cls.freezer.start()
        cls.addClassCleanup(cls.freezer.stop)
        Product = cls.env["product.product"]
        cls.gold = Product.create(
            {
                "name": "Gold 2026",
                "default_code": "GOLD26",
                "membership": True,
                "membership_date_from": "2026-01-01",
                "membership_date_to": "2026-12-31",
                "type": "service",
                "list_price": 100.0,
                "taxes_id": False,
            }
        )
        cls.gold_2025 = Product.create(
            {
                "name": "Gold 2025",
                "membership": True,
                "membership_date_from": "2025-01-01",
                "membership_date_to": "2025-12-31",
                "type": "service",
                "list_price": 90.0,
                "taxes_id": False,
            }
        )
        cls.yearly = Product.create(
            {
                "name": "Anniversary",
                "membership": True,
                "membership_type": "variable",
                "membership_interval_qty": 1,
                "membership_interval_unit": "years",
                "type": "service",
                "list_price": 60.0,
                "taxes_id": False,
            }
        )
        cls.fortnight = Product.create(
            {
                "name": "Fortnight Pass",
                "membership": True,
                "membership_type": "variable",
                "membership_interval_qty": 2,
                "membership_interval_unit": "weeks",
                "type": "service",
                "list_price": 10.0,
                "taxes_id": False,
            }
        )
        Partner = cls.env["res.partner"]

        def partner(name, **vals):
            return Partner.create(
                {"name": name, "email": f"{name}@example.com", **vals}
            )

        cls.paid = partner("paid")
        cls.invoiced = partner("invoiced")
        cls.waiting = partner("waiting")
        cls.cancelled = partner("cancelled")
        cls.old = partner("old")
        cls.old_unpaid = partner("old_unpaid")
        cls.renewed = partner("renewed")
        cls.free = partner("free", free_member=True)
        cls.associate = partner("associate", associate_member_id=cls.paid.id)
        cls.anniversary = partner("anniversary")
        cls.double = partner("double")
        cls.manual = partner("manual")
        cls.unpaid_first = partner("unpaid_first")
        cls.free_old = partner("free_old", free_member=True)
        cls.associate2 = partner("associate2", associate_member_id=cls.associate.id)

        cls.paid_invoice = cls.invoice(cls.paid, cls.gold, "2026-01-10", pay=True)
        cls.invoiced_invoice = cls.invoice(
            cls.invoiced, cls.gold, "2026-02-01", discount=10.0
        )
        cls.invoice(cls.waiting, cls.gold, "2026-02-01", post=False)
        cancelled = cls.invoice(cls.cancelled, cls.gold, "2026-02-01")
        cancelled.button_draft()
        cancelled.button_cancel()
        cls.invoice(cls.old, cls.gold_2025, "2025-01-10", pay=True)
        cls.invoice(cls.old_unpaid, cls.gold_2025, "2025-01-10")
        cls.invoice(cls.renewed, cls.gold_2025, "2025-01-10", pay=True)
        cls.invoice(cls.renewed, cls.gold, "2026-01-05", pay=True)
        cls.invoice(cls.anniversary, cls.yearly, "2026-03-01", pay=True)
        cls.invoice(cls.double, cls.gold, "2026-01-10", pay=True)
        cls.double_second = cls.invoice(cls.double, cls.gold, "2026-01-12", pay=True)
        # the unpaid invoice comes first; the paid one must win
        cls.unpaid_first_invoice = cls.invoice(cls.unpaid_first, cls.gold, "2026-01-05")
        cls.unpaid_first_paid = cls.invoice(
            cls.unpaid_first, cls.gold, "2026-01-10", pay=True
        )
        cls.invoice(cls.free_old, cls.gold_2025, "2025-01-10", pay=True)
        Line = cls.env["membership.membership_line"]
        cls.manual_paid = Line.create(
            {
                "partner_id": cls.manual.id,
                "membership_id": cls.gold_2025.id,
                "date_from": "2025-01-01",
                "date_to": "2025-12-31",
                "member_price": 90.0,
                "state": "paid",
            }
        )
        cls.manual_none = Line.create(
            {
                "partner_id": cls.manual.id,
                "membership_id": cls.gold.id,
                "date_from": "2026-01-01",
                "date_to": "2026-12-31",
                "member_price": 100.0,
            }
        )
        cls.partners = (
            cls.paid
            | cls.invoiced
            | cls.waiting
            | cls.cancelled
            | cls.old
            | cls.old_unpaid
            | cls.renewed
            | cls.free
            | cls.associate
            | cls.anniversary
            | cls.double
            | cls.manual
            | cls.unpaid_first
            | cls.free_old
            | cls.associate2
        )
        cls.partners.check_membership_expiry()
        cls.partners.invalidate_recordset()

    @classmethod
    def invoice(cls, partner, product, day, post=True, pay=False, discount=0.0):
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": day,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": 1,
                            "price_unit": product.list_price,
                            "discount": discount,
                        }
                    )
                ],
            }
        )
        if post:
            move.action_post()
        if pay:
            cls.pay(move, day)
        return move

    def migrate(self):
        migration = self.env["membership.legacy.migration"].create({})
        self.assertTrue(migration.legacy_found)
        with patch.object(self.env.cr, "commit", lambda: None):
            migration.action_migrate()
        self.assertEqual(migration.state, "done")
        return migration

    def member_of(self, partner):
        return self.env["membership.member"].search([("partner_id", "in", partner.ids)])

    def report_rows(self, migration, **values):
        return migration.line_ids.filtered(
            lambda row: all(row[name] == value for name, value in values.items())
        )

    def test_each_partner_keeps_the_state_odoo_membership_gave(self):
        mails_before = self.env["mail.mail"].search_count([])
        migration = self.migrate()
        # what the reader computes is what Odoo's membership shows
        for partner in self.partners:
            expected = partner.membership_state
            member = self.member_of(partner)
            self.assertTrue(member, f"{partner.name} was not migrated")
            row = self.report_rows(migration, kind="member", partner_id=partner)
            self.assertEqual(row.legacy_state, expected, partner.name)
            self.assertEqual(row.new_state, member.state, partner.name)
            if partner == self.old_unpaid:
                # an unpaid invoice of an ended year: "old member" there, here
                # a member who owes it
                self.assertEqual(expected, "old")
                self.assertEqual(member.state, "waiting")
                self.assertTrue(row.differs)
                continue
            self.assertIn(member.state, EXPECTED_STATES[expected], partner.name)
            self.assertFalse(row.differs, partner.name)
        states = {p.name: self.member_of(p).state for p in self.partners}
        self.assertEqual(
            states,
            {
                "paid": "active",
                "invoiced": "waiting",
                "waiting": "draft",
                "cancelled": "draft",
                "old": "lapsed",
                "old_unpaid": "waiting",
                "renewed": "active",
                "free": "active",
                "associate": "active",
                "anniversary": "active",
                "double": "active",
                "manual": "lapsed",
                "unpaid_first": "active",
                "free_old": "active",
                "associate2": "active",
            },
        )
        self.assertEqual(migration.difference_count, 1)
        # nobody was welcomed or mailed; the history says where states came from
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)
        members = self.member_of(self.partners)
        self.assertEqual(
            set(members.status_history_ids.mapped("source")), {"migration"}
        )
        self.assertTrue(
            self.env["membership.audit.log"].search_count(
                [("event", "=", "legacy_migration")]
            )
        )

    def test_products_become_plans_of_the_same_kind(self):
        self.migrate()
        Plan = self.env["membership.plan"]
        gold = Plan.search([("product_id", "=", self.gold.id)])
        self.assertRecordValues(
            gold,
            [
                {
                    "name": "Gold 2026",
                    "code": "GOLD26",
                    "period_type": "fixed",
                    "fixed_start_month": 1,
                    "fixed_start_day": 1,
                    "period_months": 12,
                    "fee": 100.0,
                    "grace_days": 0,
                    "auto_renew": False,
                }
            ],
        )
        yearly = Plan.search([("product_id", "=", self.yearly.id)])
        self.assertRecordValues(
            yearly, [{"period_type": "rolling", "period_months": 12, "fee": 60.0}]
        )
        fortnight = Plan.search([("product_id", "=", self.fortnight.id)])
        self.assertRecordValues(
            fortnight, [{"period_type": "rolling", "period_months": 1}]
        )
        free_plan = self.member_of(self.free).plan_id
        self.assertRecordValues(
            free_plan, [{"plan_type": "free", "period_type": "lifetime"}]
        )
        # Odoo's own demo products are plans too
        demo = self.env.ref("membership.membership_0_product_template")
        self.assertTrue(Plan.search([("product_id.product_tmpl_id", "=", demo.id)]))

    def test_lines_become_dues_linked_to_their_invoices(self):
        migration = self.migrate()
        member = self.member_of(self.paid)
        self.assertRecordValues(
            member.dues_ids,
            [
                {
                    "move_id": self.paid_invoice.id,
                    "date_start": date(2026, 1, 10),
                    "date_end": date(2026, 12, 31),
                    "amount": 100.0,
                    "state": "paid",
                    "carried_over": False,
                }
            ],
        )
        # the amount the invoice line bills (a 10 % discount), not the price
        invoiced = self.member_of(self.invoiced).dues_ids
        self.assertEqual(invoiced.amount, 90.0)
        self.assertEqual(invoiced.amount, self.invoiced_invoice.amount_untaxed)
        # of two lines of one period, the paid one is kept
        self.assertEqual(
            self.member_of(self.unpaid_first).dues_ids.move_id, self.unpaid_first_paid
        )
        # a free member with an ended period is covered from today on
        free_old = self.member_of(self.free_old)
        self.assertRecordValues(
            free_old.dues_ids.sorted("date_start"),
            [
                {
                    "date_start": date(2025, 1, 10),
                    "date_end": date(2025, 12, 31),
                    "state": "paid",
                },
                {"date_start": date(2026, 6, 15), "date_end": False, "state": "free"},
            ],
        )
        cancelled = self.member_of(self.cancelled).dues_ids
        self.assertEqual(cancelled.state, "cancelled")
        manual = self.member_of(self.manual).dues_ids
        self.assertRecordValues(
            manual, [{"carried_over": True, "state": "paid", "amount": 0.0}]
        )
        # the line without invoice nor payment, and the period billed twice,
        # are reported with their reason
        none_row = self.report_rows(
            migration, legacy_ref=f"Membership line {self.manual_none.id}"
        )
        self.assertEqual(none_row.outcome, "skipped")
        self.assertIn("no invoice", none_row.message)
        double_line = self.double_second.invoice_line_ids.membership_line_ids
        double_row = self.report_rows(
            migration, legacy_ref=f"Membership line {double_line.id}"
        )
        self.assertEqual(double_row.outcome, "skipped")
        self.assertIn("billed twice", double_row.message)
        self.assertEqual(len(self.member_of(self.double).dues_ids), 1)
        # the associate is covered by copies of its associate's paid period
        associate = self.member_of(self.associate).dues_ids
        self.assertRecordValues(
            associate,
            [
                {
                    "carried_over": True,
                    "date_start": date(2026, 1, 10),
                    "date_end": date(2026, 12, 31),
                    "move_id": False,
                }
            ],
        )

    def test_running_it_twice_creates_nothing_twice(self):
        first = self.migrate()
        counts = {
            model: self.env[model].with_context(active_test=False).search_count([])
            for model in ("membership.plan", "membership.member", "membership.dues")
        }
        second = self.migrate()
        self.assertRecordValues(
            second, [{"plans_created": 0, "members_created": 0, "dues_created": 0}]
        )
        self.assertEqual(
            counts,
            {
                model: self.env[model].with_context(active_test=False).search_count([])
                for model in counts
            },
        )
        self.assertGreater(first.members_created, 10)
        self.assertFalse(self.report_rows(second, outcome="created"))
        self.assertFalse(self.report_rows(second, outcome="error"))

    def test_a_migration_cut_off_resumes_where_it_stopped(self):
        migration = self.env["membership.legacy.migration"].create({})
        with (
            patch.object(migration_module, "BATCH_SIZE", 5),
            patch.object(migration_module, "RUN_NOW_SECONDS", -1),
        ):
            commits = self.run_job(migration.action_migrate)
            # the lock taken, the plans, then one batch of five partners: stopped
            self.assertEqual(commits, 3)
            self.assertEqual(migration.state, "running")
            first = self.report_rows(migration, kind="member")
            self.assertEqual(len(first), 5)
            self.assertEqual(migration.resume_partner_id, max(first.partner_id.ids))
            self.run_job(self.env["membership.legacy.migration"]._cron_migrate)
        self.assertEqual(migration.state, "done")
        members = self.report_rows(migration, kind="member")
        self.assertEqual(members.partner_id, self.partners)
        self.assertEqual(len(members), len(self.partners))
        self.assertEqual(migration.members_created, len(self.partners))
        self.assertEqual(self.member_of(self.associate).state, "active")

    def test_migrated_unpaid_invoices_are_not_reminded_or_collected(self):
        self.migrate()
        member = self.member_of(self.old_unpaid)
        dues = member.dues_ids
        self.assertEqual(dues.state, "invoiced")
        self.assertTrue(self.env["membership.dunning.step"].search([]))
        mails_before = self.env["mail.mail"].search_count([])
        self.run_job(self.env["membership.dunning.step"]._cron_send_reminders)
        self.assertEqual(dues.dunning_level, 0)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)

    def test_a_second_worker_leaves_a_running_migration_alone(self):
        migration = self.env["membership.legacy.migration"].create({})
        db = sql_db.db_connect(get_db_name())

        def other_worker(cr):
            """The same company's migration seen from another connection."""
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env["membership.legacy.migration"].new(
                {"company_id": migration.company_id.id}
            )

        with (
            patch.object(self.env.cr, "commit", lambda: None),
            migration._company_lock() as locked,
        ):
            self.assertTrue(locked)
            with closing(db.cursor()) as other_cr:
                with other_worker(other_cr)._company_lock() as other_locked:
                    self.assertFalse(other_locked)
        # released when the first worker is done: the next one gets it
        with closing(db.cursor()) as other_cr:
            with other_worker(other_cr)._company_lock() as other_locked:
                self.assertTrue(other_locked)

    def test_only_managers_migrate(self):
        officer = new_test_user(
            self.env,
            login="mm_legacy_officer",
            groups="membership_management.group_membership_user",
        )
        with self.assertRaises(AccessError):
            self.env["membership.legacy.migration"].with_user(officer).create({})
