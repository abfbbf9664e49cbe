# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import logging
from datetime import timedelta

from psycopg2.errors import UniqueViolation

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import format_date

from ..tools.card_charge import DEFAULT_RETRY_DAYS, RETRY_PARAMETER, parse_retry_days

_logger = logging.getLogger(__name__)

# states in which a transaction of the invoice may still pay it: never charge
# beside one of them
LIVE_TX_STATES = ("pending", "authorized", "done")


class MembershipDues(models.Model):
    """Open dues charged to the member's saved card on their due date.

    One attempt is one ``payment.transaction`` (operation ``offline``) whose
    reference names the invoice and the attempt number: the reference is
    unique in Odoo, so a second worker or a rerun cannot create the same
    attempt twice. The attempt is committed before the provider is asked and
    its answer right after; the dues follow their attempt
    (``auto_charge_tx_id``) until its outcome is known, also when it comes
    later from the provider. An attempt left unanswered (the job died while
    asking) is never repeated blindly: staff are asked to check it. Failures
    are retried per the setting, then left to the payment reminders.
    """

    _inherit = "membership.dues"  # pylint: disable=consider-merging-classes-inherited

    auto_charge_attempts = fields.Integer(
        string="Card Charges Tried",
        copy=False,
        readonly=True,
        help="All charges of the saved card for these dues (numbers the transactions).",
    )
    auto_charge_tries = fields.Integer(
        copy=False,
        readonly=True,
        help="Technical: charges since the last consent, counted against the "
        "retry days.",
    )
    auto_charge_first_date = fields.Date(
        string="First Card Charge", copy=False, readonly=True
    )
    auto_charge_next_date = fields.Date(
        string="Next Card Charge",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="When the saved card is charged (again).",
    )
    auto_charge_tx_id = fields.Many2one(
        "payment.transaction",
        string="Card Charge Under Way",
        copy=False,
        readonly=True,
        ondelete="set null",
        help="The charge whose outcome the dues wait for.",
    )
    auto_charge_stopped = fields.Boolean(
        string="No More Card Charges",
        copy=False,
        readonly=True,
        help="The saved card is not charged again for these dues (retries used "
        "up, or an attempt whose outcome is unknown): reminders take over.",
    )
    auto_charge_error = fields.Char(
        string="Card Charge Problem",
        copy=False,
        readonly=True,
        help="Why the last charge of the saved card failed, as the member is told it.",
    )

    # ------------------------------------------------------------
    # DOMAINS
    # ------------------------------------------------------------

    @api.model
    def _get_auto_charge_member_domain(self):
        """Members whose dues are charged to a saved card (a direct debit
        mandate wins over the card)."""
        return Domain("auto_charge_active", "=", True) & ~Domain(
            "has_active_mandate", "=", True
        )

    @api.model
    def _get_auto_charge_due_domain(self, today):
        """Open posted dues to charge or follow today: due and never tried, a
        retry due, or an attempt whose outcome is awaited."""
        return Domain.AND(
            [
                Domain("state", "in", self._get_open_states()),
                Domain("move_id.state", "=", "posted"),
                Domain("auto_charge_stopped", "=", False),
                self._get_auto_collected_domain(),
                Domain("member_id", "any", self._get_auto_charge_member_domain()),
                (
                    Domain("auto_charge_attempts", "=", 0)
                    & Domain("date_due", "<=", today)
                )
                | Domain("auto_charge_next_date", "<=", today)
                | Domain("auto_charge_tx_id", "!=", False),
            ]
        )

    @api.model
    def _get_auto_charge_pending_domain(self):
        """Open dues whose card charge is still to come (first try, a retry or
        an answer awaited) for a member still paying by card: payment
        reminders wait for them."""
        return Domain.AND(
            [
                Domain("state", "in", self._get_open_states()),
                Domain("auto_charge_stopped", "=", False),
                self._get_auto_collected_domain(),
                Domain("member_id", "any", self._get_auto_charge_member_domain()),
                Domain("auto_charge_attempts", "=", 0)
                | Domain("auto_charge_next_date", "!=", False)
                | Domain("auto_charge_tx_id", "!=", False),
            ]
        )

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _cron_charge_saved_cards(self, batch_size=50):
        """Charge the saved cards of members whose dues are due. Each dues is
        handled in transactions of its own, claimed with a ``SKIP LOCKED`` row
        lock, so that two workers never charge the same dues; one dues that
        fails does not stop the others."""
        today = fields.Date.context_today(self)
        cron = self.env["ir.cron"]
        domain = self._get_auto_charge_due_domain(today)
        seen = []
        while batch := self.search(
            domain & Domain("id", "not in", seen), limit=batch_size, order="id"
        ):
            seen += batch.ids
            for dues in batch:
                # a fresh transaction: the lock and the check see the same data
                cron._commit_progress()
                try:
                    dues._charge_saved_card(today)
                except Exception:  # noqa: BLE001  pylint: disable=broad-except
                    _logger.exception("Card charge of dues %s failed", dues.id)
                    self.env.cr.rollback()
            if cron._commit_progress(len(batch)) <= 0:
                return

    def _charge_saved_card(self, today):
        """Follow the attempt under way, or try the member's saved card once;
        the attempt is committed before the provider is asked, its answer
        right after."""
        self.ensure_one()
        if not self.try_lock_for_update() or not self.search_count(
            self._get_auto_charge_due_domain(today) & Domain("id", "=", self.id)
        ):
            return  # another worker has it, or it was paid or charged meanwhile
        move = self.move_id.sudo()
        if not self.auto_charge_tx_id:
            # an attempt of ours the dues lost track of (cut off before it
            # was recorded on them): followed, never repeated
            self.auto_charge_tx_id = move.transaction_ids.filtered(
                lambda t: t.state == "draft" and t.operation == "offline"
            )[:1]
        if self.auto_charge_tx_id:
            self._follow_auto_charge(today)
            return
        if self._get_payment_under_way(move):
            return  # the member is paying, or the bank debits it: not now
        tx = self._create_auto_charge_transaction(today)
        if not tx:
            return
        self.env["ir.cron"]._commit_progress()
        try:
            tx._charge_with_token()
        except UserError as error:  # the provider was disabled meanwhile
            tx._set_error(str(error))
        # the provider's answer is kept whatever happens next
        self.env["ir.cron"]._commit_progress()
        self._follow_auto_charge(today)

    def _get_payment_under_way(self, move):
        """Another payment of ``move`` that may still succeed: a transaction
        pending or done, one the member started less than a day ago, or a
        direct debit sent to the bank."""
        recent = fields.Datetime.now() - timedelta(days=1)
        if move.transaction_ids.filtered(
            lambda t: (
                t.state in LIVE_TX_STATES
                or (t.state == "draft" and t.last_state_change > recent)
            )
        ):
            return True
        return bool(
            self.env["membership.direct.debit.line"]
            .sudo()
            .search_count(
                [
                    ("move_ids", "in", move.ids),
                    ("state", "=", "pending"),
                    ("batch_id.state", "=", "exported"),
                ],
                limit=1,
            )
        )

    def _follow_auto_charge(self, today):
        """Act on the outcome of the attempt under way: paid, failed (retry
        planned), still waiting, or never answered (staff check it)."""
        self.ensure_one()
        tx = self.auto_charge_tx_id.sudo()
        if tx.state == "done":
            self.write({"auto_charge_tx_id": False, "auto_charge_next_date": False})
            if not tx.is_post_processed:
                # pays the invoice; Odoo's own job retries it if this fails
                tx._post_process()
        elif tx.state in ("error", "cancel"):
            self.auto_charge_tx_id = False
            self._auto_charge_failed(
                today,
                tx.state_message
                or self.env._("The payment provider refused the charge."),
            )
        elif tx.state == "draft":
            # another worker may be asking the provider right now; an hour
            # on, the attempt was cut off and its outcome is unknown
            if tx.last_state_change < fields.Datetime.now() - timedelta(hours=1):
                self._stop_auto_charge_unknown(tx)
        # pending or authorized: the provider answers later, the dues wait

    def _create_auto_charge_transaction(self, today):
        """The next charge attempt of these dues, recorded on the dues; none
        when another worker created it (its reference is taken)."""
        self.ensure_one()
        token = self.member_id.sudo().auto_charge_token_id
        move = self.move_id.sudo()
        attempt = self.auto_charge_attempts + 1
        try:
            with self.env.cr.savepoint():
                tx = (
                    self.env["payment.transaction"]
                    .sudo()
                    .create(
                        {
                            "provider_id": token.provider_id.id,
                            "payment_method_id": token.payment_method_id.id,
                            "token_id": token.id,
                            "operation": "offline",
                            # unique in the database: the invoice id is there
                            # for invoices of two companies with one number
                            "reference": f"{move.name}-{move.id}-AUTO{attempt}",
                            "amount": move.amount_residual,
                            "currency_id": move.currency_id.id,
                            "partner_id": move.partner_id.id,
                            "invoice_ids": [Command.set(move.ids)],
                        }
                    )
                )
        except UniqueViolation:
            _logger.info("Card charge %s of %s exists already", attempt, move.name)
            self.invalidate_recordset()
            return self.env["payment.transaction"]
        except ValidationError as error:
            self.write(
                {
                    "auto_charge_attempts": attempt,
                    "auto_charge_tries": self.auto_charge_tries + 1,
                    "auto_charge_first_date": self.auto_charge_first_date or today,
                }
            )
            self._auto_charge_failed(today, str(error))
            return self.env["payment.transaction"]
        self.write(
            {
                "auto_charge_attempts": attempt,
                "auto_charge_tries": self.auto_charge_tries + 1,
                "auto_charge_first_date": self.auto_charge_first_date or today,
                "auto_charge_next_date": False,
                "auto_charge_tx_id": tx.id,
            }
        )
        return tx

    def _auto_charge_failed(self, today, reason):
        """Log the provider's reason, tell the member (with the link to pay)
        and plan the next try, if any is left."""
        self.ensure_one()
        retries = self._get_auto_charge_retry_days()
        used = self.auto_charge_tries - 1  # retries used in this round
        next_date = False
        if used < len(retries):
            next_date = max(
                self.auto_charge_first_date + timedelta(days=retries[used]),
                today + timedelta(days=1),
            )
        self.write(
            {
                "auto_charge_error": reason,
                "auto_charge_next_date": next_date,
                "auto_charge_stopped": not next_date,
            }
        )
        if next_date:
            note = self.env._(
                "The charge of %(dues)s to the saved card failed: %(reason)s. It "
                "is tried again on %(date)s.",
                dues=self.name,
                reason=reason,
                date=format_date(self.env, next_date),
            )
        else:
            note = self.env._(
                "The charge of %(dues)s to the saved card failed: %(reason)s. It "
                "is not tried again: payment reminders take over.",
                dues=self.name,
                reason=reason,
            )
        self.member_id.message_post(body=note)
        self.message_post_with_source(
            "membership_management.mail_template_dues_card_charge_failed",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.partner_id.ids,
        )

    def _stop_auto_charge_unknown(self, tx):
        """An attempt was created and never answered (the job died while the
        provider was asked): charging again could charge twice."""
        self.ensure_one()
        note = self.env._(
            "A charge of %(dues)s to the saved card (%(reference)s) has no answer "
            "from the payment provider: check it with the provider before charging "
            "again. The card is not charged again automatically.",
            dues=self.name,
            reference=tx.reference,
        )
        self.write(
            {
                "auto_charge_stopped": True,
                "auto_charge_next_date": False,
                "auto_charge_tx_id": False,
                # what the member reads on the portal
                "auto_charge_error": self.env._(
                    "The payment provider has not confirmed a charge of your card "
                    "yet: we are checking it."
                ),
            }
        )
        self.message_post(body=note)
        self.member_id.message_post(body=note)

    def _reset_auto_charge(self):
        """Charge these open dues again from the next run (new consent, new
        card): a new round of tries; attempts go on counting, so references
        stay unique. An attempt under way is still followed first."""
        tried = self.filtered(lambda d: d.auto_charge_attempts)
        tried.write(
            {
                "auto_charge_stopped": False,
                "auto_charge_next_date": fields.Date.context_today(self),
                "auto_charge_first_date": fields.Date.context_today(self),
                "auto_charge_tries": 0,
                "auto_charge_error": False,
            }
        )

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    @api.model
    def _get_auto_charge_retry_days(self):
        text = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(RETRY_PARAMETER, DEFAULT_RETRY_DAYS)
        )
        try:
            return parse_retry_days(text)
        except ValueError:
            _logger.warning("Ignoring invalid %s: %r", RETRY_PARAMETER, text)
            return parse_retry_days(DEFAULT_RETRY_DAYS)

    def _get_auto_charge_date(self):
        """When the saved card is (next) charged for these open dues; ``False``
        when it is not."""
        self.ensure_one()
        if (
            self.state not in self._get_open_states()
            or self.auto_charge_stopped
            or self.auto_charge_tx_id
            or not self.member_id.filtered_domain(self._get_auto_charge_member_domain())
        ):
            return False
        if self.auto_charge_next_date:
            return self.auto_charge_next_date
        if self.auto_charge_attempts:
            return False
        today = fields.Date.context_today(self)
        return max(self.date_due or today, today)
