# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import MembershipEventCommon


@tagged("post_install", "-at_install")
class TestEventRegistration(MembershipEventCommon):
    """Member prices, members-only tickets, the participation fee and its
    effect on the registration; users read only their own registrations, and
    price and invoice are set by the model."""

    def test_member_pays_the_member_price(self):
        registration = self.register(self.portal_a.partner_id, self.ticket_standard)
        self.assertEqual(registration.member_id, self.member_a)
        self.assertEqual(registration.membership_price, 30.0)
        self.assertEqual(registration.membership_price_reason, "member")
        self.assertEqual(registration.state, "draft", "unpaid: not confirmed yet")
        move = registration.membership_fee_move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.partner_id, self.portal_a.partner_id)
        self.assertEqual(move.amount_untaxed, 30.0)
        self.assertEqual(move.payment_reference, self.member_a.member_number)
        self.assertIn("member price", move.invoice_line_ids.name.lower())
        self.assertEqual(registration.membership_fee_state, "to_pay")

    def test_non_member_pays_the_normal_price(self):
        registration = self.register(self.non_member, self.ticket_standard)
        self.assertFalse(registration.member_id)
        self.assertEqual(registration.membership_price, 50.0)
        self.assertEqual(registration.membership_price_reason, "non_member")
        self.assertEqual(registration.membership_fee_move_id.amount_untaxed, 50.0)

    def test_lapsed_member_pays_the_normal_price(self):
        self.member_a.write({"withdrawal_date": fields.Date.today()})
        registration = self.register(self.portal_a.partner_id, self.ticket_standard)
        self.assertEqual(registration.member_id, self.member_a)
        self.assertEqual(registration.membership_price, 50.0)
        self.assertEqual(registration.membership_price_reason, "non_member")

    def test_member_price_can_be_limited_to_plans(self):
        self.ticket_standard.membership_plan_ids = self.plan_fixed
        registration = self.register(self.portal_a.partner_id, self.ticket_standard)
        self.assertEqual(registration.membership_price, 50.0)
        self.ticket_standard.membership_plan_ids = self.plan_rolling
        registration = self.register(self.portal_a.partner_id, self.ticket_standard)
        self.assertEqual(registration.membership_price, 30.0)

    def test_members_only_ticket_refuses_a_non_member_whoever_registers(self):
        for env in (self.env, self.env(user=self.officer), self.env(su=True)):
            with self.subTest(user=env.user.login), self.assertRaises(ValidationError):
                env["event.registration"].create(
                    {
                        "event_id": self.event.id,
                        "event_ticket_id": self.ticket_members.id,
                        "partner_id": self.non_member.id,
                    }
                )
        self.assertFalse(
            self.env["event.registration"].search(
                [("partner_id", "=", self.non_member.id)]
            )
        )

    def test_members_only_ticket_accepts_a_member(self):
        registration = self.register(self.portal_a.partner_id, self.ticket_members)
        self.assertEqual(registration.membership_price, 20.0)
        self.assertEqual(registration.membership_price_reason, "member")

    def test_members_only_ticket_cannot_be_given_to_a_non_member_afterwards(self):
        registration = self.register(self.non_member, self.ticket_free)
        with self.assertRaises(ValidationError):
            registration.event_ticket_id = self.ticket_members

    def test_members_only_ticket_with_plans_refuses_other_plans(self):
        self.ticket_members.membership_plan_ids = self.plan_fixed
        with self.assertRaises(ValidationError):
            self.register(self.portal_a.partner_id, self.ticket_members)

    def test_price_sent_by_the_caller_is_ignored(self):
        """Price, basis and invoice are decided by the model, not by the caller."""
        registration = self.register(
            self.non_member,
            self.ticket_standard,
            membership_price=0.0,
            membership_price_reason="member",
            membership_fee_move_id=self.member_a.dues_ids.move_id.id,
        )
        self.assertEqual(registration.membership_price, 50.0)
        self.assertEqual(registration.membership_price_reason, "non_member")
        self.assertNotEqual(
            registration.membership_fee_move_id, self.member_a.dues_ids.move_id
        )

    def test_free_ticket_is_confirmed_at_once_without_invoice(self):
        registration = self.register(self.non_member, self.ticket_free)
        self.assertEqual(registration.state, "open")
        self.assertEqual(registration.membership_fee_state, "free")
        self.assertFalse(registration.membership_fee_move_id)

    def test_paying_the_fee_confirms_the_registration(self):
        registration = self.register(self.portal_a.partner_id, self.ticket_standard)
        self.pay(registration.membership_fee_move_id, fields.Date.today())
        self.assertEqual(registration.state, "open")
        self.assertEqual(registration.membership_fee_state, "paid")

    def test_partial_payment_does_not_confirm(self):
        registration = self.register(self.portal_a.partner_id, self.ticket_standard)
        self.pay(registration.membership_fee_move_id, fields.Date.today(), amount=10)
        self.assertEqual(registration.state, "draft")
        self.assertEqual(registration.membership_fee_state, "partial")

    def test_cancelling_an_unpaid_registration_cancels_the_fee(self):
        registration = self.register(self.portal_a.partner_id, self.ticket_standard)
        move = registration.membership_fee_move_id
        registration.action_cancel()
        self.assertEqual(move.payment_state, "reversed")
        self.assertEqual(registration.membership_fee_state, "cancelled")
        self.assertEqual(move.reversal_move_ids.state, "posted")

    def test_cancelling_a_paid_registration_credits_the_fee(self):
        registration = self.register(self.portal_a.partner_id, self.ticket_standard)
        move = registration.membership_fee_move_id
        self.pay(move, fields.Date.today())
        registration.action_cancel()
        refund = move.reversal_move_ids
        self.assertEqual(len(refund), 1)
        self.assertEqual(refund.state, "posted")
        self.assertEqual(refund.amount_total, move.amount_total)
        self.assertEqual(registration.membership_fee_state, "refunded")
        registration.action_cancel()
        self.assertEqual(len(move.reversal_move_ids), 1, "never credited twice")

    def test_fee_is_invoiced_once(self):
        registration = self.register(
            self.portal_a.partner_id,
            self.ticket_standard,
        )
        move = registration.membership_fee_move_id
        registration.action_membership_invoice_fee()
        self.assertEqual(registration.membership_fee_move_id, move)
        self.assertEqual(
            self.env["account.move"].search_count(
                [("membership_registration_ids", "in", registration.ids)]
            ),
            1,
        )

    def test_staff_can_register_without_invoice_then_invoice_later(self):
        registration = (
            self.env["event.registration"]
            .with_context(membership_skip_fee=True)
            .create(
                {
                    "event_id": self.event.id,
                    "event_ticket_id": self.ticket_standard.id,
                    "partner_id": self.non_member.id,
                }
            )
        )
        self.assertEqual(registration.state, "open")
        self.assertEqual(registration.membership_fee_state, "not_invoiced")
        registration.action_membership_invoice_fee()
        self.assertEqual(registration.membership_fee_state, "to_pay")

    def test_fees_are_invoiced_in_batch(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Guest {i}", "email": f"g{i}@example.com"} for i in range(5)]
        )
        registrations = self.env["event.registration"].create(
            [
                {
                    "event_id": self.event.id,
                    "event_ticket_id": self.ticket_standard.id,
                    "partner_id": partner.id,
                }
                for partner in partners
            ]
        )
        moves = registrations.membership_fee_move_id
        self.assertEqual(len(moves), 5)
        self.assertEqual(set(moves.mapped("state")), {"posted"})
        self.assertEqual(moves.partner_id, partners)

    def test_paid_fee_without_a_seat_left_leaves_a_to_do(self):
        self.event.write({"seats_limited": True, "seats_max": 1})
        registration = self.register(self.portal_a.partner_id, self.ticket_standard)
        self.register(self.non_member, self.ticket_free)  # takes the last seat
        self.pay(registration.membership_fee_move_id, fields.Date.today())
        self.assertEqual(registration.state, "draft")
        self.assertEqual(registration.membership_fee_state, "paid")
        self.assertIn("no seat left", registration.activity_ids.summary)

    def test_event_shows_fee_collection_figures(self):
        paid = self.register(self.portal_a.partner_id, self.ticket_standard)
        self.pay(paid.membership_fee_move_id, fields.Date.today())
        self.register(self.non_member, self.ticket_standard)
        self.register(self.non_member, self.ticket_free)
        self.event.invalidate_recordset()
        self.assertEqual(self.event.membership_fee_paid_count, 1)
        self.assertEqual(self.event.membership_fee_to_pay_count, 1)
        self.assertEqual(self.event.member_registration_count, 1)
        self.assertGreaterEqual(self.event.membership_fee_amount_due, 50.0)

    def test_members_button_opens_the_registrations_it_counts(self):
        member = self.register(self.portal_a.partner_id, self.ticket_free)
        self.register(self.non_member, self.ticket_free)
        self.event.invalidate_recordset()
        action = self.event.action_membership_view_member_registrations()
        shown = self.env["event.registration"].search(action["domain"])
        self.assertEqual(shown, member)
        self.assertEqual(self.event.member_registration_count, len(shown))

    def test_fees_shown_are_the_invoiced_amounts_and_add_up(self):
        """Rows show the fee as invoiced (product taxes included), and the
        event's *Fees Due* is the sum of the rows' *Fee Due*."""
        paid = self.register(self.portal_a.partner_id, self.ticket_standard)
        self.pay(paid.membership_fee_move_id, fields.Date.today())
        unpaid = self.register(self.non_member, self.ticket_standard)
        self.pay(unpaid.membership_fee_move_id, fields.Date.today(), amount=5.0)
        registrations = paid | unpaid
        for registration in registrations:
            self.assertEqual(
                registration.membership_fee_amount_total,
                registration.membership_fee_move_id.amount_total,
            )
        self.assertEqual(paid.membership_fee_amount_due, 0.0)
        self.assertEqual(
            unpaid.membership_fee_amount_due,
            unpaid.membership_fee_move_id.amount_total - 5.0,
        )
        self.event.invalidate_recordset()
        self.assertEqual(
            self.event.membership_fee_amount_due,
            sum(registrations.mapped("membership_fee_amount_due")),
        )

    def test_member_form_counts_registrations_and_attendance(self):
        registration = self.register(self.portal_a.partner_id, self.ticket_free)
        self.assertEqual(self.member_a.event_registration_count, 1)
        self.assertEqual(self.member_a.event_attended_count, 0)
        registration.action_set_done()
        self.assertEqual(self.member_a.event_attended_count, 1)
        self.assertEqual(self.member_a.event_last_attended_date, fields.Date.today())
        found = self.env["membership.member"].search(
            [
                ("id", "=", self.member_a.id),
                (
                    "event_last_attended_date",
                    ">=",
                    fields.Date.today() - timedelta(days=365),
                ),
            ]
        )
        self.assertEqual(found, self.member_a, "attendance is searchable for segments")
        action = self.member_a.action_view_event_registrations()
        self.assertEqual(
            self.env["event.registration"].search(action["domain"]), registration
        )

    def test_bulk_mark_attended_skips_unconfirmed(self):
        confirmed = self.register(self.non_member, self.ticket_free)
        unpaid = self.register(self.portal_a.partner_id, self.ticket_standard)
        result = (confirmed | unpaid).action_membership_mark_attended()
        self.assertEqual(confirmed.state, "done")
        self.assertEqual(unpaid.state, "draft")
        self.assertIn("1 unconfirmed", result["params"]["message"])

    def test_event_reminders_use_the_attendee_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.portal_a.partner_id.lang = "fr_FR"
        registration = self.register(self.portal_a.partner_id, self.ticket_free)
        template = self.env.ref("event.event_reminder")
        self.assertEqual(
            template._render_lang(registration.ids)[registration.id], "fr_FR"
        )

    def test_portal_user_reads_only_own_registrations(self):
        """A portal user reads only own registrations and writes or creates none."""
        own = self.register(self.portal_a.partner_id, self.ticket_free)
        other = self.register(self.non_member, self.ticket_free)
        Registration = self.env["event.registration"].with_user(self.portal_a)
        self.assertEqual(Registration.search([]), own)
        with self.assertRaises(AccessError):
            Registration.browse(other.id).read(["name"])
        with self.assertRaises(AccessError):
            Registration.browse(own.id).write({"state": "done"})
        with self.assertRaises(AccessError):
            Registration.create(
                {"event_id": self.event.id, "partner_id": self.portal_a.partner_id.id}
            )

    def test_officer_manages_events_employee_does_not(self):
        registration = self.register(self.non_member, self.ticket_free)
        self.assertTrue(
            self.env["event.registration"]
            .with_user(self.officer)
            .browse(registration.id)
            .name
        )
        with self.assertRaises(AccessError):
            self.env["event.registration"].with_user(self.employee).browse(
                registration.id
            ).read(["name"])

    def test_member_who_lapses_after_registering_can_still_pay(self):
        registration = self.register(self.portal_a.partner_id, self.ticket_members)
        self.member_a.write({"withdrawal_date": fields.Date.today()})
        self.assertEqual(self.member_a.state, "withdrawn")
        self.pay(registration.membership_fee_move_id, fields.Date.today())
        self.assertEqual(registration.state, "open")
        registration.action_set_done()
        self.assertEqual(registration.state, "done")

    def test_fee_fields_cannot_be_written_by_users(self):
        """Price and invoice link are not writable over RPC."""
        registration = self.register(self.non_member, self.ticket_standard)
        other_invoice = self.member_a.dues_ids.move_id
        for vals in (
            {"membership_fee_move_id": other_invoice.id},
            {"membership_price": 1.0},
            {"membership_price_reason": "member"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                registration.with_user(self.officer).write(vals)
        registration.with_user(self.officer).action_cancel()
        self.assertEqual(other_invoice.payment_state, "paid", "untouched")
        self.assertFalse(other_invoice.reversal_move_ids)

    def test_membership_created_later_links_earlier_registrations(self):
        guest = self.env["res.partner"].create({"name": "Late Joiner"})
        registration = self.register(guest, self.ticket_free)
        self.assertFalse(registration.member_id)
        member = self.create_member(plan=self.plan_rolling, partner_id=guest.id)
        self.assertEqual(registration.member_id, member)

    def test_cancelling_a_partly_paid_registration_credits_the_rest(self):
        registration = self.register(self.portal_a.partner_id, self.ticket_standard)
        move = registration.membership_fee_move_id
        self.pay(move, fields.Date.today(), amount=10)
        registration.action_cancel()
        refund = move.reversal_move_ids
        self.assertEqual(refund.state, "posted")
        self.assertEqual(move.payment_state, "reversed")
        self.assertEqual(registration.membership_fee_state, "cancelled")
        credit = self.env["account.move.line"].search(
            [
                ("partner_id", "=", self.portal_a.partner_id.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("reconciled", "=", False),
                ("parent_state", "=", "posted"),
            ]
        )
        self.assertAlmostEqual(sum(credit.mapped("amount_residual")), -10.0)
        self.assertIn("refund the member", registration.message_ids[0].body)

    def test_reconfirmed_registration_can_be_invoiced_again(self):
        registration = self.register(self.portal_a.partner_id, self.ticket_standard)
        first = registration.membership_fee_move_id
        registration.action_cancel()
        registration.action_set_draft()
        registration.action_membership_invoice_fee()
        self.assertNotEqual(registration.membership_fee_move_id, first)
        self.assertEqual(registration.membership_fee_state, "to_pay")

    def test_unpaid_registration_shows_to_pay_in_sale_status(self):
        registration = self.register(self.portal_a.partner_id, self.ticket_standard)
        self.assertEqual(registration.sale_status, "to_pay")
        self.pay(registration.membership_fee_move_id, fields.Date.today())
        self.assertEqual(registration.sale_status, "sold")
