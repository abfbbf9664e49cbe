# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import date

from odoo.tests import HttpCase, freeze_time, tagged

from .common import MembershipCommon
from .test_stored_texts import load_migration


@tagged("post_install", "-at_install")
class TestActivity(MembershipCommon):
    """Last activity (sign-in, event, payment), dormant members and the
    churn-risk rule."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-01-05 12:00:00"):
            cls.quiet = cls.create_paid_member(date(2026, 1, 1), name="Quiet Quinn")
            cls.busy = cls.create_paid_member(date(2026, 1, 1), name="Busy Bea")

    def test_payment_and_sign_in_are_activity(self):
        dues = self.quiet.dues_ids
        self.assertEqual(dues.paid_date, date(2026, 1, 1), "the payment's date")
        self.assertEqual(self.quiet.last_payment_date, date(2026, 1, 1))
        self.assertEqual(self.quiet.last_activity_date, date(2026, 1, 1))
        with freeze_time("2026-03-01 09:00:00"):
            self.busy._record_login()
        self.assertEqual(self.busy.last_login_date, date(2026, 3, 1))
        self.assertEqual(self.busy.last_activity_date, date(2026, 3, 1))

    def test_an_upgrade_backfills_payment_and_activity_dates(self):
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            "UPDATE membership_dues SET paid_date = NULL WHERE member_id = %s",
            [self.quiet.id],
        )
        cr.execute(
            "UPDATE membership_member SET last_payment_date = NULL, "
            "last_activity_date = NULL WHERE id = %s",
            [self.quiet.id],
        )
        load_migration("post-migrate").backfill_activity(cr)
        self.env.invalidate_all()
        self.assertEqual(self.quiet.dues_ids.paid_date, date(2026, 1, 1))
        self.assertEqual(self.quiet.last_payment_date, date(2026, 1, 1))
        self.assertEqual(self.quiet.last_activity_date, date(2026, 1, 1))

    def test_dormant_segment_and_churn_risk(self):
        segment = self.env.ref("membership_management.segment_dormant")
        risk = self.env.ref("membership_management.segment_churn_risk")
        Member = self.env["membership.member"]
        with freeze_time("2026-09-10 12:00:00"):
            self.busy._record_login()
            ours = self.quiet | self.busy
            dormant = Member.search(segment._get_domain()) & ours
            self.assertEqual(dormant, self.quiet, "248 days without activity")
            self.assertTrue(self.quiet.is_dormant)
            self.assertFalse(self.busy.is_dormant)
            self.assertFalse(self.quiet.churn_risk, "coverage ends in 112 days")
        with freeze_time("2026-11-15 12:00:00"):
            # computed when read, from today's date: a new day, a new reading
            self.quiet.invalidate_recordset(["is_dormant", "churn_risk"])
            self.assertTrue(self.quiet.churn_risk)
            self.assertEqual(Member.search(risk._get_domain()) & ours, self.quiet)
            self.env["ir.config_parameter"].sudo().set_param(
                "membership_management.dormant_days", "400"
            )
            self.quiet.invalidate_recordset(["is_dormant", "churn_risk"])
            self.assertFalse(self.quiet.is_dormant, "the dormant period is a setting")
            self.assertFalse(Member.search(risk._get_domain()) & ours)


@tagged("post_install", "-at_install")
class TestNewsArchive(MembershipCommon, HttpCase):
    """/my/membership/news: every news item meant for the member, by pages."""

    def test_archive_pages_only_what_targets_the_member(self):
        member = self.create_paid_member(
            date(2026, 1, 1), partner_id=self.portal_a.partner_id.id
        )
        News = self.env["membership.news"]
        for index in range(12):
            News.create(
                {
                    "name": f"Item {index:02d}",
                    "is_published": True,
                    "date": date(2026, 1, 1 + index),
                    "company_id": member.company_id.id,
                }
            )
        News.create(
            {
                "name": "For regular members only",
                "is_published": True,
                "plan_ids": [(6, 0, self.plan_fixed.ids)],
                "company_id": member.company_id.id,
            }
        )
        self.authenticate("mm_portal_a", "mm_portal_a")
        first = self.url_open("/my/membership/news").text
        self.assertIn("Item 11", first)
        self.assertNotIn("Item 01", first)
        self.assertNotIn("For regular members only", first)
        second = self.url_open("/my/membership/news/page/2").text
        self.assertIn("Item 01", second)
        self.assertIn("All news", self.url_open("/my/membership").text)
        self.authenticate("mm_portal_b", "mm_portal_b")
        self.assertEqual(self.url_open("/my/membership/news").status_code, 404)
