# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import date

from odoo.tests import freeze_time, tagged

from .common import MembershipCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-10-15 12:00:00")
class TestDuesFigures(MembershipCommon):
    """The member form's dues count, invoice count and amount due."""

    def test_one_invoice_of_two_dues_counts_once(self):
        member = self.create_member(join_date=date(2025, 4, 1))
        paid = self.bill(member, date(2025, 4, 1))
        self.pay(paid.move_id, date(2025, 4, 2))
        # a second period billed on the same invoice, e.g. by a correction
        self.env["membership.dues"].create(
            {
                "member_id": member.id,
                "plan_id": self.plan_fixed.id,
                "date_start": date(2026, 4, 1),
                "date_end": date(2027, 3, 31),
                "amount": 0.0,
                "move_id": paid.move_id.id,
                "cancelled": False,
            }
        )
        member.invalidate_recordset(["dues_count", "invoice_count"])
        self.assertEqual(member.dues_count, 2)
        self.assertEqual(member.invoice_count, 1)

    def test_cancelled_dues_add_nothing_to_the_billed_total(self):
        """The Dues tab sums *Billed*: a cancelled period shows its amount but
        counts zero, so the total is what the member was really billed."""
        member = self.create_member(join_date=date(2025, 4, 1))
        cancelled = self.bill(member, date(2025, 4, 1))
        cancelled.action_cancel()
        kept = self.bill(member, date(2025, 4, 1))
        self.assertEqual(cancelled.state, "cancelled")
        self.assertTrue(cancelled.amount_total)
        self.assertEqual(cancelled.amount_billed, 0.0)
        self.assertEqual(kept.amount_billed, kept.amount_total)
        self.assertEqual(
            sum(member.dues_ids.mapped("amount_billed")), kept.amount_total
        )

    def test_amount_due_is_this_memberships_own(self):
        other = self.setup_other_company(name="Second Society")["company"]
        here = self.create_member(join_date=date(2026, 4, 1))
        plan = self.env["membership.plan"].create(
            {"name": "Other", "code": "OTH", "fee": 35.0, "company_id": other.id}
        )
        there = (
            self.env["membership.member"]
            .with_company(other)
            .create(
                {
                    "partner_id": here.partner_id.id,
                    "plan_id": plan.id,
                    "company_id": other.id,
                    "join_date": date(2026, 4, 1),
                }
            )
        )
        self.bill(here, date(2026, 10, 15))
        there.with_company(other)._create_period_dues(date(2026, 10, 15))
        self.assertEqual(here.amount_due, 140.0)  # 120 dues + 20 entry fee
        self.assertEqual(there.amount_due, 35.0)
