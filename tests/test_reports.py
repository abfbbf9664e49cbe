# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, freeze_time, tagged

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestMembershipReports(MembershipCommon):
    """Monthly figures, joins and departures, dues collection, cohorts and the
    dashboard: what was true then, with the reader's rights.

    The story: four members join the regular plan (April to March periods) in
    May 2026 and pay. In 2027 Ann and Dan renew, Bob does not (he lapses when
    his grace ends on 30 April), Cid withdraws on 1 February; Eve joins in May
    2027. The fiscal year is the calendar year.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write(
            {"fiscalyear_last_month": "12", "fiscalyear_last_day": 31}
        )
        # the figures the install computed (of the demo members) are made
        # again by each test
        cls.env.cr.execute("DELETE FROM membership_report_monthly")
        with freeze_time("2026-05-10 12:00:00"):
            cls.ann, cls.bob, cls.cid, cls.dan = (
                cls.paid_member(name, date(2026, 5, 10))
                for name in ("Ann", "Bob", "Cid", "Dan")
            )
        with freeze_time("2027-02-01 12:00:00"):
            cls.cid.write({"withdrawal_date": date(2027, 2, 1)})
            cls.env.flush_all()
        with freeze_time("2027-04-02 12:00:00"):
            for member in (cls.ann, cls.dan):
                cls.pay(cls.bill(member, date(2027, 4, 1)).move_id, date(2027, 4, 2))
            cls.env.flush_all()

    @classmethod
    def paid_member(cls, name, day):
        member = cls.create_member(
            name=name, email=f"{name.lower()}@example.com", join_date=day
        )
        cls.pay(cls.bill(member, day).move_id, day)
        cls.env.flush_all()
        return member

    def lapse_bob_and_let_eve_join(self):
        """The daily job puts Bob in grace on 1 April and lapses him on 1 May."""
        self.run_job(self.env["membership.member"]._cron_update_states, "2027-04-01")
        self.assertEqual(self.bob.state, "grace")
        self.run_job(self.env["membership.member"]._cron_update_states, "2027-05-01")
        self.assertEqual(self.bob.state, "lapsed")
        with freeze_time("2027-05-20 12:00:00"):
            eve = self.paid_member("Eve", date(2027, 5, 20))
        return eve

    def figures(self, month, **domain):
        rows = self.env["membership.report.monthly"].search(
            [("month", "=", month), ("plan_id", "=", self.plan_fixed.id)]
            + [(key, "=", value) for key, value in domain.items()]
        )
        return {
            state: sum(
                rows.filtered(lambda r, s=state: r.state == s).mapped("member_count")
            )
            for state in set(rows.mapped("state"))
        }

    def test_past_months_count_what_was_true_then(self):
        self.lapse_bob_and_let_eve_join()
        with freeze_time("2027-06-15 12:00:00"):
            months = self.env["membership.report.monthly"]._refresh()
        self.assertLessEqual(months[0], date(2026, 5, 1))
        self.assertEqual(months[-1], date(2027, 6, 1))
        self.assertEqual(len(set(months)), len(months))
        self.assertEqual(self.figures(date(2026, 12, 1)), {"active": 4})
        self.assertEqual(self.figures(date(2027, 2, 1)), {"active": 3, "withdrawn": 1})
        # April: Bob's coverage ended on 31 March, his grace runs to 30 April
        self.assertEqual(
            self.figures(date(2027, 4, 1)),
            {"active": 2, "grace": 1, "withdrawn": 1},
        )
        self.assertEqual(
            self.figures(date(2027, 6, 1)),
            {"active": 3, "lapsed": 1, "withdrawn": 1},
        )

    def test_a_computed_month_keeps_the_plan_of_its_time(self):
        with freeze_time("2027-03-10 12:00:00"):
            self.env["membership.report.monthly"]._refresh()
            self.ann.sudo().plan_id = self.plan_rolling
            self.env.flush_all()
        with freeze_time("2027-04-10 12:00:00"):
            self.env["membership.report.monthly"]._refresh()
        march = self.env["membership.report.monthly"].search(
            [("month", "=", date(2027, 3, 1)), ("plan_id", "=", self.plan_fixed.id)]
        )
        self.assertEqual(sum(march.mapped("member_count")), 4)
        april = self.env["membership.report.monthly"].search(
            [("month", "=", date(2027, 4, 1)), ("plan_id", "=", self.plan_rolling.id)]
        )
        self.assertEqual(april.mapped("member_count"), [1])

    def test_the_daily_job_adds_only_missing_months_and_commits_each(self):
        Monthly = self.env["membership.report.monthly"]
        with freeze_time("2027-06-15 12:00:00"):
            months = Monthly._get_months_to_compute(date(2027, 6, 15))
        self.assertIn(date(2026, 5, 1), months)
        commits = self.run_job(Monthly._cron_refresh, "2027-06-15")
        self.assertEqual(commits, len(months))
        self.assertEqual(self.run_job(Monthly._cron_refresh, "2027-06-16"), 1)
        self.assertEqual(
            Monthly._get_months_to_compute(date(2027, 6, 16)), [date(2027, 6, 1)]
        )

    def test_joins_and_departures_come_from_the_history(self):
        eve = self.lapse_bob_and_let_eve_join()
        Movement = self.env["membership.report.movement"]
        self.env.flush_all()
        moves = Movement.search([("plan_id", "=", self.plan_fixed.id)])
        self.assertEqual(
            sorted((m.member_id.name, m.kind, m.date) for m in moves),
            [
                ("Ann", "joined", date(2026, 5, 10)),
                ("Bob", "joined", date(2026, 5, 10)),
                ("Bob", "lapsed", date(2027, 5, 1)),
                ("Cid", "joined", date(2026, 5, 10)),
                ("Cid", "withdrawn", date(2027, 2, 1)),
                ("Dan", "joined", date(2026, 5, 10)),
                (eve.name, "joined", date(2027, 5, 20)),
            ],
        )

    def test_imported_members_are_not_joins_and_keep_their_join_month(self):
        with freeze_time("2027-06-15 12:00:00"):
            member = (
                self.env["membership.member"]
                .with_context(
                    membership_state_source="import", membership_no_welcome=True
                )
                .create(
                    {
                        "name": "Old Timer",
                        "email": "old@example.com",
                        "plan_id": self.plan_free.id,
                        "join_date": date(2015, 4, 1),
                    }
                )
            )
            member._create_period_dues(date(2027, 6, 15))
            member.env.flush_all()  # the state changes in the import's context
            self.assertEqual(member.state, "active")
            self.env["membership.report.monthly"]._refresh()
        self.assertFalse(
            self.env["membership.report.movement"].search(
                [("member_id", "=", member.id)]
            )
        )
        row = self.env["membership.report.monthly"].search(
            [("month", "=", date(2027, 6, 1)), ("plan_id", "=", self.plan_free.id)]
        )
        self.assertEqual(row.join_month, date(2015, 4, 1))

    def test_cohort_retention_of_a_known_cohort(self):
        self.lapse_bob_and_let_eve_join()
        with freeze_time("2027-06-15 12:00:00"):
            self.env["membership.report.monthly"]._refresh()
        cells = self.env["membership.report.cohort"].search(
            [("cohort_month", "=", date(2026, 5, 1))]
        )
        by_offset = {c.months_since: c for c in cells}
        self.assertEqual(by_offset[0].cohort_size, 4)
        self.assertEqual(by_offset[0].retention_rate, 100.0)
        self.assertEqual(by_offset[9].retained, 3)  # February 2027: Cid left
        self.assertEqual(by_offset[13].retained, 2)  # June 2027: Ann and Dan
        self.assertEqual(by_offset[13].retention_rate, 50.0)

    def test_dues_report_splits_billed_collected_and_outstanding(self):
        with freeze_time("2027-04-05 12:00:00"):
            self.bill(self.bob, date(2027, 4, 1))
            self.env.flush_all()
        rows = self.env["membership.report.dues"].search(
            [("date", ">=", date(2027, 1, 1)), ("plan_id", "=", self.plan_fixed.id)]
        )
        self.assertEqual(len(rows), 3)
        self.assertEqual(sum(rows.mapped("amount_billed")), 360.0)
        self.assertEqual(sum(rows.mapped("amount_collected")), 240.0)
        self.assertEqual(sum(rows.mapped("amount_due")), 120.0)

    def dashboard(self, user=None, **filters):
        Dashboard = self.env["membership.dashboard"].with_user(user or self.officer)
        data = Dashboard.get_dashboard_data(
            {"plan_ids": [self.plan_fixed.id], **filters}
        )
        return data, {card["key"]: card for card in data["cards"]}

    def test_retention_and_churn_of_the_previous_fiscal_year(self):
        eve = self.lapse_bob_and_let_eve_join()
        Dashboard = self.env["membership.dashboard"].with_user(self.officer)
        with freeze_time("2027-06-15 12:00:00"):
            __, cards = self.dashboard()
            lists = {
                key: Dashboard.get_card_action(key, {"plan_ids": [self.plan_fixed.id]})
                for key in ("retention", "churn")
            }
        # on the books on 31 December 2026: the four; still now: Ann and Dan
        self.assertEqual(cards["retention"]["value"], 50.0)
        self.assertEqual(cards["churn"]["value"], 50.0)
        self.assertIn("2 of the 4 members", cards["retention"]["hint"])
        Member = self.env["membership.member"]
        self.assertEqual(Member.search(lists["churn"]["domain"]), self.bob | self.cid)
        self.assertEqual(
            Member.search(lists["retention"]["domain"]), self.ann | self.dan
        )
        self.assertEqual(cards["joined_year"]["value"], 1)
        joined = self.env[cards["joined_year"]["action"]["res_model"]].search(
            cards["joined_year"]["action"]["domain"]
        )
        self.assertEqual(joined.member_id, eve)
        self.assertEqual(cards["lapsed_year"]["value"], 1)
        self.assertEqual(cards["withdrawn_year"]["value"], 1)
        self.assertEqual(cards["state_active"]["value"], 3)

    def test_dashboard_figures_of_dues_and_participation(self):
        with freeze_time("2027-04-05 12:00:00"):
            self.bill(self.bob, date(2027, 4, 1))
            self.env.flush_all()
            __, cards = self.dashboard()
        self.assertEqual(cards["dues_billed"]["value"], 360.0)
        self.assertEqual(cards["dues_collected"]["value"], 240.0)
        self.assertEqual(cards["dues_outstanding"]["value"], 120.0)
        self.assertEqual(cards["collection_rate"]["value"], 66.7)
        self.assertEqual(cards["participation"]["value"], 0.0)

    def test_dashboard_charts_cover_the_chosen_months(self):
        self.lapse_bob_and_let_eve_join()
        with freeze_time("2027-06-15 12:00:00"):
            self.env["membership.report.monthly"]._refresh()
            data, __ = self.dashboard(months=12)
        charts = data["charts"]
        self.assertEqual(len(charts["labels"]), 12)
        active = next(d for d in charts["states"]["datasets"] if d["key"] == "active")
        self.assertEqual(active["data"][-1], 3)  # June 2027
        self.assertEqual(active["data"][-4], 3)  # March 2027: Ann, Bob, Dan
        joined = next(
            d for d in charts["movements"]["datasets"] if d["key"] == "joined"
        )
        self.assertEqual(joined["data"][-2], 1)  # Eve in May 2027

    def test_dashboard_queries_do_not_grow_with_members(self):
        def queries():
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.dashboard()
            return self.env.cr.sql_log_count - before

        with freeze_time("2027-06-15 12:00:00"):
            queries()  # warm the caches
            few = queries()
            for index in range(6):
                self.paid_member(f"More {index}", date(2027, 6, 1))
            queries()  # what the new members left to recompute
            self.assertEqual(queries(), few)

    def test_the_dashboard_and_reports_are_refused_to_others(self):
        for user in (self.employee, self.portal_a):
            with self.assertRaises(AccessError):
                self.dashboard(user=user)
            for model in (
                "membership.report.monthly",
                "membership.report.movement",
                "membership.report.dues",
                "membership.report.cohort",
            ):
                with self.assertRaises(AccessError):
                    self.env[model].with_user(user).search_count([])
        data, __ = self.dashboard(user=self.manager)
        self.assertTrue(data["cards"])

    def test_another_companys_members_are_not_counted(self):
        other = self.env["res.company"].create({"name": "Other Society"})
        plan = self.plan_fixed.copy({"code": "O-REG", "company_id": other.id})
        self.env["membership.member"].create(
            {
                "name": "Elsewhere",
                "email": "elsewhere@example.com",
                "plan_id": plan.id,
                "company_id": other.id,
            }
        )
        self.create_member(name="Local Applicant", email="local@example.com")
        # the officer works for this company only: asking for the other one
        # gives their own figures
        __, cards = self.dashboard(plan_ids=[], company_ids=[other.id])
        self.assertEqual(cards["state_draft"]["value"], 1)
        applicants = self.env["membership.member"].search(
            cards["state_draft"]["action"]["domain"]
        )
        self.assertEqual(applicants.mapped("name"), ["Local Applicant"])


@tagged("post_install", "-at_install")
class TestMembershipDashboardTour(MembershipCommon, HttpCase):
    """In Chromium, the Membership app opens on the dashboard for an officer;
    a card opens the members behind it."""

    def test_the_dashboard_draws_and_a_card_opens_its_list(self):
        self.create_member(name="Tour Applicant", email="tour@example.com")
        self.start_tour(
            "/odoo/membership-dashboard", "membership_dashboard", login="mm_officer"
        )
