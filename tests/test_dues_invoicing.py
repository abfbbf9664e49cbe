# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import date

from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestDuesInvoicing(MembershipCommon):
    """``action_invoice_dues``: one posted invoice per period, never two."""

    @freeze_time("2026-10-15 12:00:00")
    def test_first_period_invoice_has_prorated_dues_and_entry_fee(self):
        member = self.create_member(join_date=date(2026, 10, 15))
        member.action_invoice_dues()
        dues = member.dues_ids
        self.assertRecordValues(
            dues,
            [
                {
                    "date_start": date(2026, 10, 15),
                    "date_end": date(2027, 3, 31),
                    "amount": 50.0,  # November to March: 5 whole months of 10
                    "entry_fee_amount": 20.0,
                    "state": "invoiced",
                }
            ],
        )
        move = dues.move_id
        self.assertRecordValues(
            move,
            [
                {
                    "state": "posted",
                    "move_type": "out_invoice",
                    "partner_id": member.partner_id.id,
                    "amount_total": 70.0,
                    "payment_reference": member.member_number,
                }
            ],
        )
        self.assertEqual(
            sorted(move.invoice_line_ids.mapped("price_unit")), [20.0, 50.0]
        )
        self.assertIn("Entry fee", " ".join(move.invoice_line_ids.mapped("name")))

    @freeze_time("2026-10-15 12:00:00")
    def test_billing_twice_charges_once(self):
        member = self.create_member()
        member.action_invoice_dues()
        action = member.action_invoice_dues()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(len(member.dues_ids), 1)
        self.assertEqual(len(member.dues_ids.move_id), 1)

    @freeze_time("2026-10-15 12:00:00")
    def test_entry_fee_only_on_first_period(self):
        member = self.create_member(join_date=date(2025, 4, 1))
        first = self.bill(member, date(2025, 6, 1))
        second = self.bill(member, date(2026, 10, 15))
        self.assertEqual(first.entry_fee_amount, 20.0)
        self.assertEqual(second.entry_fee_amount, 0.0)
        self.assertEqual(second.amount, 120.0)

    @freeze_time("2026-10-15 12:00:00")
    def test_overlapping_dues_are_refused(self):
        member = self.create_member()
        dues = self.bill(member, date(2026, 10, 15))
        with (
            self.assertRaisesRegex(ValidationError, "cannot be billed twice"),
            self.cr.savepoint(),
        ):
            self.env["membership.dues"].create(
                {
                    "member_id": member.id,
                    "plan_id": self.plan_fixed.id,
                    "date_start": date(2027, 3, 1),
                    "date_end": date(2027, 5, 31),
                    "amount": 10.0,
                }
            )
        self.env.invalidate_all()
        self.assertEqual(member.dues_ids, dues)
        # once cancelled, the period can be billed again
        dues.action_cancel()
        again = self.bill(member, date(2026, 10, 15))
        self.assertEqual(again.state, "invoiced")
        # the entry fee of a cancelled first period is charged again
        self.assertEqual(again.entry_fee_amount, 20.0)

    @freeze_time("2026-10-15 12:00:00")
    def test_rolling_renewal_continues_from_coverage_end(self):
        member = self.create_member(plan=self.plan_rolling, join_date=date(2025, 10, 1))
        first = self.bill(member, date(2025, 10, 1))
        self.pay(first.move_id, date(2025, 10, 2))
        renewal = self.bill(member, date(2026, 10, 15))
        self.assertRecordValues(
            renewal,
            [{"date_start": date(2026, 10, 1), "date_end": date(2027, 9, 30)}],
        )

    @freeze_time("2026-10-15 12:00:00")
    def test_lapsed_rolling_member_restarts_today(self):
        member = self.create_member(plan=self.plan_rolling, join_date=date(2024, 1, 10))
        first = self.bill(member, date(2024, 1, 10))
        self.pay(first.move_id, date(2024, 1, 10))
        renewal = self.bill(member, date(2026, 10, 15))
        self.assertRecordValues(
            renewal,
            [{"date_start": date(2026, 10, 15), "date_end": date(2027, 10, 14)}],
        )

    @freeze_time("2026-10-15 12:00:00")
    def test_withdrawn_and_suspended_members_are_not_billed(self):
        withdrawn = self.create_member(withdrawal_date=date(2026, 10, 1))
        suspended = self.create_member(
            name="Suspended", email="s@example.com", suspended_from=date(2026, 10, 1)
        )
        self.assertFalse(
            (withdrawn | suspended)._create_period_dues(date(2026, 10, 15))
        )

    @freeze_time("2026-10-15 12:00:00")
    def test_lifetime_is_billed_once(self):
        member = self.create_member(plan=self.plan_lifetime)
        dues = self.bill(member, date(2026, 10, 15))
        self.assertRecordValues(
            dues, [{"date_end": False, "amount": 1500.0, "state": "invoiced"}]
        )
        self.assertFalse(self.bill(member, date(2030, 1, 1)))

    @freeze_time("2026-10-15 12:00:00")
    def test_invoiced_dues_cannot_be_deleted(self):
        member = self.create_member()
        dues = self.bill(member, date(2026, 10, 15))
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            dues.unlink()

    @freeze_time("2026-10-15 12:00:00")
    def test_paid_dues_cannot_be_cancelled_without_credit_note(self):
        member = self.create_member()
        dues = self.bill(member, date(2026, 10, 15))
        self.pay(dues.move_id, date(2026, 10, 15))
        with self.assertRaisesRegex(UserError, "credit note"):
            dues.action_cancel()

    @freeze_time("2026-10-15 12:00:00")
    def test_billing_many_members_posts_one_invoice_each(self):
        members = self.env["membership.member"].create(
            [{"name": f"Batch {i}", "plan_id": self.plan_fixed.id} for i in range(5)]
        )
        dues = members._create_period_dues(date(2026, 10, 15))
        self.assertEqual(len(dues), 5)
        self.assertEqual(len(dues.move_id), 5)
        self.assertEqual(set(dues.move_id.mapped("state")), {"posted"})
        self.assertEqual(set(members.mapped("state")), {"waiting"})

    @freeze_time("2026-10-15 12:00:00")
    def test_entry_fee_again_on_rejoin_after_lapse_when_the_plan_says_so(self):
        member = self.create_member(join_date=date(2023, 4, 1))
        first = self.bill(member, date(2023, 5, 1))
        self.pay(first.move_id, date(2023, 5, 1))
        self.assertEqual(member.state, "lapsed")
        self.assertEqual(self.bill(member, date(2024, 5, 1)).entry_fee_amount, 0.0)
        member.dues_ids.filtered(lambda d: d.state == "invoiced").action_cancel()
        self.plan_fixed.entry_fee_on_rejoin = True
        self.assertEqual(self.bill(member, date(2026, 10, 15)).entry_fee_amount, 20.0)

    @freeze_time("2026-10-15 12:00:00")
    def test_invoice_dues_mails_the_official_invoice_without_a_salesperson(self):
        member = self.create_member(join_date=date(2026, 10, 15))
        member.with_user(self.officer).action_invoice_dues()
        move = member.dues_ids.move_id
        self.assertFalse(move.invoice_user_id)
        # queued for Odoo's sending job, which makes the official PDF
        self.assertTrue(move.sending_data)
        self.assertEqual(move.sending_data["author_user_id"], self.officer.id)
        self.run_job(self.env["account.move"]._cron_account_move_send)
        self.assertTrue(move.invoice_pdf_report_id)
        self.assertFalse(move.sending_data)

    @freeze_time("2026-10-15 12:00:00")
    def test_invoice_dues_mails_nothing_when_the_setting_is_off(self):
        self.env["res.config.settings"].create(
            {"membership_invoice_dues_send": False}
        ).execute()
        member = self.create_member(join_date=date(2026, 10, 15))
        member.action_invoice_dues()
        self.assertFalse(member.dues_ids.move_id.sending_data)
        settings = self.env["res.config.settings"].create({})
        self.assertFalse(settings.membership_invoice_dues_send)
