# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import re
from datetime import date, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools import mute_logger

from .common import MembershipCommon

JOIN = date(2027, 4, 1)


@tagged("post_install", "-at_install")
class TestCardAutoCharge(MembershipCommon):
    """Dues charged to a member's saved card on their due date, with the
    member's consent: paid once, failures logged, mailed and retried, then left
    to the reminders; never charged twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        demo = cls.env.ref("payment.payment_provider_demo").sudo()
        cls.provider = demo.copy(
            {"company_id": cls.company.id, "state": "test", "allow_tokenization": True}
        )
        cls.method = cls.env.ref("payment_demo.payment_method_demo")
        cls.env["ir.config_parameter"].sudo().set_param(
            "membership_management.auto_charge_retry_days", "3,7"
        )

    def make_token(self, member, simulated_state="done", details="4242"):
        return (
            self.env["payment.token"]
            .sudo()
            .create(
                {
                    "provider_id": self.provider.id,
                    "payment_method_id": self.method.id,
                    "partner_id": member.partner_id.id,
                    "payment_details": details,
                    "provider_ref": f"demo-{member.id}-{details}",
                    "demo_simulated_state": simulated_state,
                }
            )
        )

    def make_tx(self, move, reference, **vals):
        """A transaction of ``move``'s whole residual (another worker's
        attempt, an online payment...)."""
        return (
            self.env["payment.transaction"]
            .sudo()
            .create(
                {
                    "provider_id": self.provider.id,
                    "payment_method_id": self.method.id,
                    "reference": reference,
                    "amount": move.amount_residual,
                    "currency_id": move.currency_id.id,
                    "partner_id": move.partner_id.id,
                    "invoice_ids": [Command.set(move.ids)],
                    **vals,
                }
            )
        )

    def billed_member(self, simulated_state="done", consent=True, **vals):
        """A student member billed on ``JOIN``, with a saved card (agreed to
        when ``consent``); returns the member and the dues."""
        with freeze_time(f"{JOIN} 09:00:00"):
            member = self.create_member(
                plan=self.plan_rolling, join_date=JOIN, email="card@example.com", **vals
            )
            dues = self.bill(member, JOIN)
            token = self.make_token(member, simulated_state)
            if consent:
                member._set_auto_charge(token.id)
        return member, dues

    def charge(self, day):
        return self.run_job(self.env["membership.dues"]._cron_charge_saved_cards, day)

    def auto_txs(self, dues):
        return dues.move_id.transaction_ids.filtered(lambda t: t.operation == "offline")

    # ------------------------------------------------------------
    # Charging
    # ------------------------------------------------------------

    def test_due_dues_are_charged_once_and_the_member_is_active(self):
        member, dues = self.billed_member()
        self.assertEqual(member.state, "waiting")
        self.assertTrue(member.auto_charge_active)
        self.charge(dues.date_due)
        self.charge(dues.date_due)  # the job twice: nothing charged again
        self.charge(dues.date_due + timedelta(days=5))
        tx = self.auto_txs(dues)
        self.assertEqual(len(tx), 1)
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.amount, 40.0)
        self.assertEqual(tx.token_id, member.auto_charge_token_id)
        self.assertEqual(dues.state, "paid")
        self.assertEqual(dues.move_id.payment_state, "paid")
        self.assertEqual(dues.auto_charge_attempts, 1)
        with freeze_time(f"{dues.date_due} 12:00:00"):
            member.invalidate_recordset(["state"])
            self.assertEqual(member.state, "active")

    def test_nothing_is_charged_before_the_due_date_or_without_consent(self):
        __, dues = self.billed_member()
        self.charge(dues.date_due - timedelta(days=1))
        self.assertFalse(self.auto_txs(dues))
        __, unconsented = self.billed_member(consent=False, name="No Consent")
        self.charge(unconsented.date_due + timedelta(days=1))
        self.assertFalse(self.auto_txs(unconsented))
        self.assertEqual(unconsented.state, "invoiced")

    def test_failed_charge_is_logged_mailed_retried_then_left_to_reminders(self):
        member, dues = self.billed_member(simulated_state="error")
        due = dues.date_due
        self.charge(due)
        self.assertEqual(self.auto_txs(dues).mapped("state"), ["error"])
        self.assertEqual(dues.state, "invoiced")
        self.assertIn("demo payment status", dues.auto_charge_error)
        self.assertEqual(dues.auto_charge_next_date, due + timedelta(days=3))
        mail = dues.message_ids.filtered(
            lambda m: m.subject and m.subject.startswith("We could not charge")
        )
        self.assertEqual(len(mail), 1)
        self.assertIn(dues.move_id.get_portal_url(), mail.body)
        self.assertEqual(mail.partner_ids, member.partner_id)
        self.assertTrue(
            member.message_ids.filtered(lambda m: "tried again on" in (m.body or ""))
        )
        # reminders wait while a retry is planned
        self.run_job(self.env["membership.dunning.step"]._cron_send_reminders, due)
        self.charge(due + timedelta(days=1))  # no retry yet
        self.assertEqual(len(self.auto_txs(dues)), 1)
        self.charge(due + timedelta(days=3))
        self.assertEqual(dues.auto_charge_next_date, due + timedelta(days=7))
        self.run_job(
            self.env["membership.dunning.step"]._cron_send_reminders,
            due + timedelta(days=7),
        )
        self.assertEqual(dues.dunning_level, 0)
        self.charge(due + timedelta(days=7))
        self.assertTrue(dues.auto_charge_stopped)
        self.assertFalse(dues.auto_charge_next_date)
        self.charge(due + timedelta(days=30))
        txs = self.auto_txs(dues)
        self.assertEqual(len(txs), 3)
        self.assertEqual(set(txs.mapped("state")), {"error"})
        move = dues.move_id
        self.assertEqual(
            sorted(txs.mapped("reference")),
            [f"{move.name}-{move.id}-AUTO{n}" for n in (1, 2, 3)],
        )
        # now the reminders take over
        self.run_job(
            self.env["membership.dunning.step"]._cron_send_reminders,
            due + timedelta(days=8),
        )
        self.assertEqual(dues.dunning_level, 1)

    def test_an_unanswered_attempt_is_never_charged_again(self):
        """The job died after recording an attempt and before the provider's
        answer: charging again could charge twice, so staff are asked (an
        attempt younger than an hour may be another worker's, in flight)."""
        member, dues = self.billed_member()
        move = dues.move_id
        due = dues.date_due
        with freeze_time(f"{due} 11:50:00"):
            self.make_tx(
                move,
                f"{move.name}-{move.id}-AUTO1",
                token_id=member.auto_charge_token_id.id,
                operation="offline",
            )
            # cut off before the attempt was recorded on the dues
            dues.write({"auto_charge_attempts": 0})
        self.charge(due)  # 12:00: in flight elsewhere, left alone
        self.assertFalse(dues.auto_charge_stopped)
        self.charge(due + timedelta(days=1))
        self.charge(due + timedelta(days=10))
        self.assertEqual(len(self.auto_txs(dues)), 1)
        self.assertEqual(self.auto_txs(dues).state, "draft")
        self.assertTrue(dues.auto_charge_stopped)
        self.assertIn("we are checking it", dues.auto_charge_error)
        self.assertIn(
            "check it with the provider", "".join(dues.message_ids.mapped("body"))
        )
        self.assertEqual(dues.state, "invoiced")
        # a new consent does not charge it again either
        with freeze_time(f"{due + timedelta(days=11)} 09:00:00"):
            member._set_auto_charge(member.auto_charge_token_id.id)
        self.charge(due + timedelta(days=11))
        self.assertEqual(len(self.auto_txs(dues)), 1)
        self.assertTrue(dues.auto_charge_stopped)

    @mute_logger("odoo.sql_db")
    def test_an_attempt_another_worker_created_is_not_created_twice(self):
        member, dues = self.billed_member()
        move = dues.move_id
        other = self.make_tx(
            move, f"{move.name}-{move.id}-AUTO1", amount=1.0, invoice_ids=False
        )
        with freeze_time(f"{dues.date_due} 12:00:00"):
            tx = dues._create_auto_charge_transaction(dues.date_due)
        self.assertFalse(tx)
        self.assertEqual(
            self.env["payment.transaction"].search_count(
                [("reference", "=like", f"{move.name}-{move.id}-AUTO%")]
            ),
            1,
        )
        self.assertEqual(other.amount, 1.0)

    def test_a_member_paying_by_direct_debit_is_not_charged_on_the_card(self):
        member, dues = self.billed_member()
        self.env["membership.direct.debit.mandate"].create(
            {
                "member_id": member.id,
                "bank_code": "0001",
                "branch_code": "001",
                "account_type": "1",
                "account_number": "1234567",
                "holder_name": "ｶｰﾄﾞ ﾀﾛｳ",
                "customer_number": "9001",
                "state": "active",
            }
        )
        self.charge(dues.date_due)
        self.assertFalse(self.auto_txs(dues))
        self.assertEqual(
            dues.move_id._get_membership_auto_payment(),
            {"method": "debit", "date": False},
        )

    def test_a_new_card_after_failures_charges_again(self):
        member, dues = self.billed_member(simulated_state="error")
        for days in (0, 3, 7):
            self.charge(dues.date_due + timedelta(days=days))
        self.assertTrue(dues.auto_charge_stopped)
        new_card = self.make_token(member, "done", details="1111")
        with freeze_time(f"{dues.date_due + timedelta(days=9)} 09:00:00"):
            member._set_auto_charge(new_card.id)
        self.charge(dues.date_due + timedelta(days=9))
        self.assertEqual(dues.state, "paid")
        self.assertEqual(len(self.auto_txs(dues)), 4)

    def test_a_late_decline_of_a_pending_charge_is_a_failure_like_any(self):
        """The provider answers later (pending, then declined by its
        notification): the dues wait, then fail with the mail and a retry."""
        member, dues = self.billed_member(simulated_state="pending")
        due = dues.date_due
        self.charge(due)
        tx = self.auto_txs(dues)
        self.assertEqual(tx.state, "pending")
        self.assertEqual(dues.auto_charge_tx_id, tx)
        self.charge(due + timedelta(days=1))  # still pending: nothing new
        self.assertEqual(len(self.auto_txs(dues)), 1)
        with freeze_time(f"{due + timedelta(days=1)} 13:00:00"):
            tx._set_error("Declined by the bank")
        self.charge(due + timedelta(days=2))
        self.assertEqual(len(self.auto_txs(dues)), 1)
        self.assertFalse(dues.auto_charge_tx_id)
        self.assertEqual(dues.auto_charge_error, "Declined by the bank")
        self.assertEqual(dues.auto_charge_next_date, due + timedelta(days=3))
        self.assertTrue(
            dues.message_ids.filtered(
                lambda m: m.subject and m.subject.startswith("We could not charge")
            )
        )

    def test_a_payment_the_member_started_online_is_not_doubled(self):
        member, dues = self.billed_member()
        move = dues.move_id
        with freeze_time(f"{dues.date_due} 08:00:00"):
            self.make_tx(move, f"{move.name}-online", operation="online_direct")
        self.charge(dues.date_due)
        self.assertFalse(self.auto_txs(dues))
        # abandoned for a day: the card is charged
        self.charge(dues.date_due + timedelta(days=2))
        self.assertEqual(self.auto_txs(dues).state, "done")

    def test_another_card_set_by_staff_needs_a_new_consent(self):
        member, dues = self.billed_member()
        other = self.make_token(member, details="9999")
        member.auto_charge_token_id = other
        self.assertFalse(member.auto_charge_consent_date)
        self.assertFalse(member.auto_charge_active)
        self.charge(dues.date_due)
        self.assertFalse(self.auto_txs(dues))

    def test_nobody_else_can_stop_a_members_automatic_payment(self):
        member, __ = self.billed_member()
        with self.assertRaises(AccessError):
            member.with_user(self.portal_a).action_stop_auto_charge()
        self.assertTrue(member.auto_charge_active)

    # ------------------------------------------------------------
    # Saved cards and consent
    # ------------------------------------------------------------

    def test_saving_a_card_while_paying_offers_it_for_automatic_payment(self):
        with freeze_time(f"{JOIN} 09:00:00"):
            member = self.create_member(plan=self.plan_rolling, join_date=JOIN)
            dues = self.bill(member, JOIN)
            move = dues.move_id
            tx = (
                self.env["payment.transaction"]
                .sudo()
                .create(
                    {
                        "provider_id": self.provider.id,
                        "payment_method_id": self.method.id,
                        "reference": f"{move.name}-online",
                        "amount": move.amount_residual,
                        "currency_id": move.currency_id.id,
                        "partner_id": move.partner_id.id,
                        "invoice_ids": [Command.set(move.ids)],
                        "operation": "online_direct",
                        "tokenize": True,
                    }
                )
            )
            tx._process(
                "demo",
                {
                    "reference": tx.reference,
                    "payment_details": "4242",
                    "simulated_state": "done",
                },
            )
            tx._post_process()
        self.assertEqual(dues.state, "paid")
        self.assertEqual(member._get_saved_payment_tokens(), tx.token_id)
        self.assertFalse(member.auto_charge_active)  # saved is not consented
        member._set_auto_charge(tx.token_id.id)
        self.assertTrue(member.auto_charge_active)
        self.assertTrue(member.auto_charge_consent_date)

    def test_another_members_card_cannot_be_chosen_or_removed(self):
        member_a, __ = self.billed_member(consent=False, name="Member A")
        member_b, __ = self.billed_member(name="Member B")
        card_b = member_b.auto_charge_token_id
        with self.assertRaises(UserError):
            member_a._set_auto_charge(card_b.id)
        with self.assertRaises(UserError):
            member_a._remove_saved_payment_token(card_b.id)
        self.assertFalse(member_a.auto_charge_token_id)
        self.assertTrue(card_b.active)
        self.assertTrue(member_b.auto_charge_active)

    def test_removing_the_card_ends_the_automatic_payment(self):
        member, dues = self.billed_member()
        card = member.auto_charge_token_id
        member._remove_saved_payment_token(card.id)
        self.assertFalse(card.active)
        self.assertFalse(member.auto_charge_active)
        self.assertFalse(member.auto_charge_consent_date)
        self.charge(dues.date_due)
        self.assertFalse(self.auto_txs(dues))

    def test_staff_stop_the_automatic_payment(self):
        member, dues = self.billed_member()
        member.with_user(self.officer).action_stop_auto_charge()
        self.assertFalse(member.auto_charge_active)
        self.charge(dues.date_due)
        self.assertFalse(self.auto_txs(dues))

    def test_the_invoice_mail_says_when_the_card_is_charged(self):
        member, dues = self.billed_member()
        move = dues.move_id
        template = move._get_mail_template()
        self.assertEqual(
            template,
            self.env.ref(
                "membership_management.mail_template_dues_invoice_auto_payment"
            ),
        )
        body = template._render_field("body_html", move.ids)[move.id]
        self.assertIn("charged to your saved payment method", body)
        self.assertIn(member.auto_charge_token_id.display_name, body)
        # without consent, Odoo's own invoice mail with its payment request
        member._stop_auto_charge("test")
        self.assertEqual(
            move._get_mail_template(),
            self.env.ref("account.email_template_edi_invoice"),
        )


@tagged("post_install", "-at_install")
class TestCardAutoChargePortal(MembershipCommon, HttpCase):
    """/my/membership: a member sees and removes their own saved cards, agrees
    to be charged with one of them, and can touch nobody else's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        demo = cls.env.ref("payment.payment_provider_demo").sudo()
        cls.provider = demo.copy({"company_id": cls.company.id, "state": "test"})
        method = cls.env.ref("payment_demo.payment_method_demo")
        today = fields.Date.today()
        cls.member_a = cls.create_paid_member(
            today, partner_id=cls.portal_a.partner_id.id, name="Portal Member A"
        )
        cls.member_b = cls.create_paid_member(
            today, partner_id=cls.portal_b.partner_id.id, name="Portal Member B"
        )
        Token = cls.env["payment.token"].sudo()
        cls.card_a, cls.card_b = Token.create(
            [
                {
                    "provider_id": cls.provider.id,
                    "payment_method_id": method.id,
                    "partner_id": member.partner_id.id,
                    "payment_details": details,
                    "provider_ref": f"portal-{details}",
                }
                for member, details in ((cls.member_a, "1111"), (cls.member_b, "2222"))
            ]
        )

    def csrf_token(self):
        page = self.url_open("/my/membership").text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def test_member_agrees_to_pay_with_own_card_and_stops(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/membership").text
        self.assertIn(self.card_a.display_name, page)
        self.assertNotIn(self.card_b.display_name, page)
        response = self.url_open(
            "/my/membership/auto-payment",
            data={
                "csrf_token": self.csrf_token(),
                "token_id": self.card_a.id,
                "consent": "on",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self.member_a.auto_charge_active)
        self.assertEqual(self.member_a.auto_charge_token_id, self.card_a)
        self.assertIn("Stop automatic payment", response.text)
        self.url_open(
            "/my/membership/auto-payment/stop", data={"csrf_token": self.csrf_token()}
        )
        self.assertFalse(self.member_a.auto_charge_active)
        self.assertFalse(self.member_a.auto_charge_consent_date)

    def test_consent_is_required(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        response = self.url_open(
            "/my/membership/auto-payment",
            data={"csrf_token": self.csrf_token(), "token_id": self.card_a.id},
        )
        self.assertIn("tick the box to agree", response.text)
        self.assertFalse(self.member_a.auto_charge_token_id)

    def test_another_members_card_is_refused(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        response = self.url_open(
            "/my/membership/auto-payment",
            data={
                "csrf_token": self.csrf_token(),
                "token_id": self.card_b.id,
                "consent": "on",
            },
        )
        self.assertIn("Choose one of your saved cards", response.text)
        self.assertNotIn(self.card_b.display_name, response.text)
        self.assertFalse(self.member_a.auto_charge_token_id)
        removed = self.url_open(
            f"/my/membership/payment-methods/{self.card_b.id}/remove",
            data={"csrf_token": self.csrf_token()},
        )
        self.assertEqual(removed.status_code, 404)
        self.assertTrue(self.card_b.active)

    def test_member_removes_own_card(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        response = self.url_open(
            f"/my/membership/payment-methods/{self.card_a.id}/remove",
            data={"csrf_token": self.csrf_token()},
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(self.card_a.active)
        self.assertNotIn(self.card_a.display_name, response.text)

    @mute_logger("odoo.http")
    def test_posts_without_csrf_token_are_refused(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        response = self.url_open(
            "/my/membership/auto-payment",
            data={"token_id": self.card_a.id, "consent": "on"},
        )
        self.assertEqual(response.status_code, 400)
        removed = self.url_open(
            f"/my/membership/payment-methods/{self.card_a.id}/remove"
        )
        self.assertIn(removed.status_code, (400, 405))
        self.assertTrue(self.card_a.active)
        self.assertFalse(self.member_a.auto_charge_token_id)
