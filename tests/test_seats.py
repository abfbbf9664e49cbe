# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import re
from contextlib import closing
from datetime import date

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api, sql_db
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import BaseCase, HttpCase, freeze_time, new_test_user, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from .common import MembershipCommon


class SeatCommon(MembershipCommon):
    """A corporate plan (2 seats included, extra seats at 120 a year) and a
    family plan (1 seat, no extra); an organisation paid for 2026."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Plan = cls.env["membership.plan"]
        cls.plan_corporate = Plan.create(
            {
                "name": "Corporate",
                "code": "T-CORP",
                "fee": 1000.0,
                "period_type": "fixed",
                "fixed_start_month": 4,
                "prorate": True,
                "seats_included": 2,
                "seat_kind": "organisation",
                "allow_extra_seats": True,
                "extra_seat_fee": 120.0,
            }
        )
        cls.plan_family = Plan.create(
            {
                "name": "Family",
                "code": "T-FAM",
                "fee": 300.0,
                "period_type": "fixed",
                "fixed_start_month": 4,
                "seats_included": 1,
                "seat_kind": "family",
            }
        )
        with freeze_time("2026-04-01 12:00:00"):
            cls.org = cls.create_member(
                plan=cls.plan_corporate,
                name="Acme KK",
                email="office@acme.example.com",
                is_company=True,
            )
            cls.pay(cls.bill(cls.org, date(2026, 4, 1)).move_id, date(2026, 4, 1))
            cls.reps = cls.env["membership.member"]
            for name in ("Rep One", "Rep Two"):
                cls.reps |= cls.create_member(
                    plan=cls.plan_corporate,
                    name=name,
                    email=f"{name.replace(' ', '.').lower()}@acme.example.com",
                    parent_member_id=cls.org.id,
                )

    def add_rep(self, name, holder=None, **vals):
        return self.create_member(
            plan=self.plan_corporate,
            name=name,
            email=f"{name.replace(' ', '.').lower()}@example.com",
            parent_member_id=(holder or self.org).id,
            **vals,
        )


@tagged("post_install", "-at_install")
class TestSeats(SeatCommon):
    """法人会員 and family plans: the people covered follow the holder's state,
    are never billed themselves, and seats are counted and billed."""

    def test_covered_members_follow_the_organisation(self):
        with freeze_time("2026-04-02 12:00:00"):
            self.assertEqual(self.org.state, "active")
            self.assertEqual(self.org.seat_count, 2)
            for rep in self.reps:
                self.assertEqual(rep.state, "active")
                self.assertEqual(rep.date_end, date(2027, 3, 31))
                self.assertTrue(rep.member_number)
                self.assertTrue(rep._has_valid_card(), "a card of their own")
                self.assertNotEqual(rep.member_number, self.org.member_number)
                self.assertIn("Acme KK", rep.status_history_ids[:1].reason)
                self.assertFalse(self.bill(rep, date(2026, 4, 2)))
                __, skipped = rep._bill_period(date(2026, 4, 2))
                self.assertIn("billing.covered", str(skipped[0][1]))
        # the organisation does not renew: its people lapse with it, by the
        # daily job that only looks at the organisation
        for day in ("2027-04-01", "2027-05-01"):
            self.run_job(self.env["membership.member"]._cron_update_states, day)
        self.assertEqual(self.org.state, "lapsed")
        self.assertEqual(set(self.reps.mapped("state")), {"lapsed"})
        with freeze_time("2027-05-02 12:00:00"):
            self.org.action_withdraw()
            self.env.flush_all()
        self.assertEqual(set(self.reps.mapped("state")), {"lapsed"})

    def test_seats_beyond_the_included_are_refused_without_extra_seats(self):
        with freeze_time("2026-04-01 12:00:00"):
            family = self.create_member(plan=self.plan_family, name="Yamada Family")
            hanako = self.env["membership.member"].create(
                {"name": "Hanako Yamada", "parent_member_id": family.id}
            )
            self.assertEqual(hanako.plan_id, self.plan_family, "the holder's plan")
            with self.assertRaisesRegex(ValidationError, "All 1 seats"):
                self.add_rep("Jiro Yamada", holder=family, plan_id=self.plan_family.id)
            with self.assertRaisesRegex(ValidationError, "All 1 seats"):
                family.write(
                    {
                        "seat_member_ids": [
                            (0, 0, {"name": "Saburo Yamada"}),
                        ]
                    }
                )
            single = self.create_member(plan=self.plan_rolling, name="Solo")
            with self.assertRaisesRegex(ValidationError, "is for one person"):
                self.add_rep("Plus One", holder=single)
            with self.assertRaisesRegex(ValidationError, "covers nobody"):
                self.add_rep("Nested", holder=self.reps[0])

    def test_an_extra_seat_bills_the_rest_of_the_period_to_the_organisation(self):
        with freeze_time("2026-10-01 12:00:00"):
            third = self.add_rep("Rep Three")
            self.assertEqual(self.org.seat_count, 3)
            fee = third.dues_ids
            self.assertEqual(len(fee), 1)
            self.assertTrue(fee.seat_fee)
            self.assertEqual(fee.amount, 60.0, "6 of 12 months of 120")
            self.assertEqual(
                (fee.date_start, fee.date_end), (date(2026, 10, 1), date(2027, 3, 31))
            )
            self.assertEqual(fee.move_id.partner_id, self.org.partner_id)
            self.assertEqual(fee.move_id.payment_reference, third.member_number)
            self.assertIn("Extra seat for Rep Three", fee.move_id.invoice_line_ids.name)
            # the unpaid seat fee is the organisation's debt: the seat is active
            self.assertEqual(third.state, "active")
            self.assertEqual(third._get_invoice_partner(), self.org.partner_id)
            # an included seat freed and taken again bills nothing
            self.reps[0]._end_seat()
            fourth = self.add_rep("Rep Four")
            self.assertFalse(fourth.dues_ids)

    def test_the_next_period_of_the_organisation_includes_its_extra_seats(self):
        with freeze_time("2026-10-01 12:00:00"):
            self.add_rep("Rep Three")
        with freeze_time("2027-03-01 12:00:00"):
            dues = self.org._create_period_dues(date(2027, 3, 1), renew=True)
        self.assertEqual((dues.date_start, dues.amount), (date(2027, 4, 1), 1120.0))
        self.assertEqual((dues.extra_seat_count, dues.extra_seat_amount), (1, 120.0))
        lines = dues.move_id.invoice_line_ids.sorted("sequence")
        self.assertEqual(lines.mapped("price_unit"), [1000.0, 120.0])
        self.assertEqual(lines[1].name, "Extra seats: 1")
        self.assertEqual(dues.move_id.amount_untaxed, 1120.0)

    def test_removing_a_representative_ends_coverage_that_day_with_history(self):
        rep = self.reps[0]
        with freeze_time("2026-06-15 12:00:00"):
            rep.with_user(self.officer).action_end_seat()
            self.env.flush_all()
        self.assertFalse(rep.parent_member_id)
        self.assertEqual(self.org.seat_count, 1)
        self.assertEqual(rep.state, "lapsed")
        self.assertEqual(
            (rep.seat_ended_date, rep.seat_ended_holder_id),
            (date(2026, 6, 15), self.org),
        )
        last = rep.status_history_ids.sorted("id")[-1]
        self.assertEqual((last.old_state, last.new_state), ("active", "lapsed"))
        self.assertIn("No longer covered by the membership of Acme KK", last.reason)
        self.assertIn("no longer covered", self.org.message_ids[:1].body)
        with self.assertRaises(AccessError):
            self.reps[1].with_user(self.portal_a).action_end_seat()

    def test_segments_target_representatives(self):
        segment = self.env.ref("membership_management.segment_seat_members")
        with freeze_time("2026-04-02 12:00:00"):
            found = self.env["membership.member"].search(segment._get_domain())
        self.assertEqual(found & (self.reps | self.org), self.reps)
        holders = self.env.ref("membership_management.segment_seat_holders")
        self.assertIn(
            self.org, self.env["membership.member"].search(holders._get_domain())
        )


@tagged("post_install", "-at_install")
class TestSeatsPortal(SeatCommon, HttpCase):
    """The organisation's administrator manages its people on the portal;
    nobody else can, and a representative sees only their own membership."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.org.seat_manager_partner_id = cls.portal_a.partner_id
        with freeze_time("2026-04-01 12:00:00"):
            cls.other_org = cls.create_member(
                plan=cls.plan_corporate, name="Other Corp", is_company=True
            )
            cls.other_rep = cls.create_member(
                plan=cls.plan_corporate,
                name="Other Rep",
                email="other.rep@example.com",
                parent_member_id=cls.other_org.id,
            )
        cls.other_org.seat_manager_partner_id = cls.portal_b.partner_id

    def csrf(self, url="/my/membership/seats"):
        page = self.url_open(url).text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def test_administrator_adds_and_invites_a_person(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/membership/seats").text
        self.assertIn("Rep One", page)
        self.assertNotIn("Other Rep", page)
        self.assertIn("<strong>2</strong> / <strong>2</strong>", page)
        response = self.url_open(
            "/my/membership/seats/add",
            data={
                "csrf_token": self.csrf(),
                "name": "New Rep",
                "email": " New.Rep@Acme.example.com ",
            },
        )
        self.assertIn("message=saved", response.url)
        new = self.org.seat_member_ids.filtered(lambda m: m.name == "New Rep")
        self.assertEqual(new.email, "new.rep@acme.example.com")
        self.assertEqual(new.partner_id.parent_id, self.org.partner_id)
        self.assertTrue(new.partner_id.user_ids, "invited to the portal")
        self.assertTrue(new.partner_id.user_ids._is_portal())
        self.assertEqual(len(new.dues_ids), 1, "the third seat is an extra seat")
        # somebody with an account is added by staff, not from the portal
        response = self.url_open(
            "/my/membership/seats/add",
            data={"csrf_token": self.csrf(), "name": "B", "email": "b@example.com"},
        )
        self.assertIn("already has an account", response.text)

    def test_administrator_removes_and_replaces_only_their_own_people(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        token = self.csrf()
        denied = self.url_open(
            f"/my/membership/seats/{self.other_rep.id}/remove",
            data={"csrf_token": token},
        )
        self.assertEqual(denied.status_code, 404)
        self.assertEqual(self.other_rep.parent_member_id, self.other_org)
        denied = self.url_open(
            f"/my/membership/seats/{self.other_rep.id}/replace",
            data={"csrf_token": token, "name": "X", "email": "x@example.com"},
        )
        self.assertEqual(denied.status_code, 404)
        no_csrf = self.url_open(
            f"/my/membership/seats/{self.reps[0].id}/remove", data={"x": "1"}
        )
        self.assertEqual(no_csrf.status_code, 400)
        self.assertEqual(self.reps[0].parent_member_id, self.org)
        replaced = self.url_open(
            f"/my/membership/seats/{self.reps[0].id}/replace",
            data={
                "csrf_token": token,
                "name": "Rep Five",
                "email": "rep.five@example.com",
            },
        )
        self.assertIn("message=saved", replaced.url)
        self.assertFalse(self.reps[0].parent_member_id)
        self.assertIn("Rep Five", self.org.seat_member_ids.mapped("name"))
        self.assertFalse(self.org.seat_member_ids.dues_ids, "the freed seat is reused")
        removed = self.url_open(
            f"/my/membership/seats/{self.reps[1].id}/remove", data={"csrf_token": token}
        )
        self.assertIn("message=removed", removed.url)
        self.assertEqual(self.reps[1].seat_ended_holder_id, self.org)

    def test_nobody_else_reaches_the_page_and_representatives_see_only_themselves(self):
        rep_user = new_test_user(
            self.env,
            login="mm_rep_one",
            groups="base.group_portal",
            partner_id=self.reps[0].partner_id.id,
        )
        self.authenticate("mm_rep_one", "mm_rep_one")
        self.assertEqual(self.url_open("/my/membership/seats").status_code, 404)
        overview = self.url_open("/my/membership").text
        self.assertIn("o_membership_covered_by", overview)
        Member = self.env["membership.member"].with_user(rep_user)
        self.assertEqual(Member.search([]), self.reps[0])
        with self.assertRaises(AccessError):
            self.org.with_user(rep_user).check_access("read")
        with self.assertRaises(AccessError):
            self.other_rep.with_user(rep_user).check_access("read")


@tagged("post_install", "-at_install")
class TestLastSeatRace(BaseCase):
    """Two administrators add a person to a membership with one free seat at
    the same moment, in two real transactions: one is kept, the other fails to
    serialise (Odoo retries it) and then sees the seat taken.

    This test commits its own data in separate connections and removes it
    afterwards, so it runs outside the usual rolled-back test transaction.
    """

    def setUp(self):
        super().setUp()
        self.db = sql_db.db_connect(get_db_name())
        with closing(self.db.cursor()) as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            plan = env["membership.plan"].create(
                {
                    "name": "Race Family",
                    "code": "T-RACE",
                    "fee": 100.0,
                    "period_type": "rolling",
                    "seats_included": 1,
                    "seat_kind": "family",
                }
            )
            holder = env["membership.member"].create(
                {"name": "Race Holder", "plan_id": plan.id}
            )
            partners = env["res.partner"].create(
                [{"name": "Racer One"}, {"name": "Racer Two"}]
            )
            # committed on purpose: two real transactions must see this data
            cr.commit()  # pylint: disable=invalid-commit
            self.plan_id, self.holder_id = plan.id, holder.id
            self.partner_ids = partners.ids
        self.addCleanup(self._remove_data)

    def _remove_data(self):
        with closing(self.db.cursor()) as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            members = (
                env["membership.member"]
                .with_context(active_test=False)
                .search([("plan_id", "=", self.plan_id)], order="parent_member_id")
            )
            partners = members.partner_id | env["res.partner"].browse(self.partner_ids)
            plan = env["membership.plan"].browse(self.plan_id)
            product = plan.product_id
            env["membership.status.history"].search(
                [("member_id", "in", members.ids)]
            ).unlink()
            covered = members.filtered("parent_member_id")
            covered.unlink()
            (members - covered).unlink()
            partners.unlink()
            plan.unlink()
            product.unlink()
            # committed on purpose: the test's data is removed for good
            cr.commit()  # pylint: disable=invalid-commit

    def _add(self, cr, partner_id):
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["membership.member"].create(
            {
                "partner_id": partner_id,
                "plan_id": self.plan_id,
                "parent_member_id": self.holder_id,
            }
        )
        env.flush_all()

    @mute_logger("odoo.sql_db")
    def test_two_additions_for_the_last_seat_one_wins(self):
        with closing(self.db.cursor()) as cr1, closing(self.db.cursor()) as cr2:
            cr2.execute("SELECT 1")  # the second transaction starts first
            self._add(cr1, self.partner_ids[0])
            cr1.commit()
            with self.assertRaises(SerializationFailure):
                self._add(cr2, self.partner_ids[1])
            cr2.rollback()
            with self.assertRaisesRegex(ValidationError, "All 1 seats"):
                self._add(cr2, self.partner_ids[1])
            cr2.rollback()
        with closing(self.db.cursor()) as cr:
            cr.execute(
                "SELECT partner_id FROM membership_member WHERE parent_member_id = %s",
                [self.holder_id],
            )
            self.assertEqual(cr.fetchall(), [(self.partner_ids[0],)])
