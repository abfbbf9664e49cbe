# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import uuid

from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .res_config_settings import read_membership_parameter

MANAGER_GROUP = "membership_management.group_membership_manager"
# contact fields an erasure empties (the name is replaced, not emptied)
ERASED_PARTNER_FIELDS = (
    "email",
    "phone",
    "street",
    "street2",
    "zip",
    "city",
    "state_id",
    "country_id",
    "website",
    "function",
    "comment",
    "image_1920",
    "vat",
    "ref",
)
ERASED_MEMBER_FIELDS = ("name_kana", "birth_date", "notes", "pending_email")
# models whose messages and attachments belong to the member's own records
ACCOUNTING_MODELS = ("account.move", "account.payment", "account.bank.statement.line")


class MembershipMember(models.Model):
    """Erasure that really erases (right to be forgotten, 削除請求): the member's
    personal data go, the accounting documents stay for their statutory
    period with the name and address printed on them, and the member number
    stays so the audit trail still holds. Irreversible and audited."""

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    erasure_requested_date = fields.Datetime(
        readonly=True,
        copy=False,
        help="When the member asked for the erasure of their personal data: from "
        "then on they are neither billed, mailed nor registered.",
    )
    erased_date = fields.Datetime(
        string="Erased On",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="When the member's personal data were erased.",
    )
    erased_by_id = fields.Many2one("res.users", readonly=True, copy=False)

    def _is_erasure_pending(self):
        """Asked for erasure, or erased: no bill, no mail, no registration."""
        self.ensure_one()
        member = self.sudo()
        return bool(member.erasure_requested_date or member.erased_date)

    # ------------------------------------------------------------
    # What is kept
    # ------------------------------------------------------------

    def _get_erasure_kept_documents(self):
        """The accounting documents an erasure keeps: posted invoices and
        credit notes, payments, and dues with a receipt."""
        self.ensure_one()
        member = self.sudo()
        partner = member.partner_id
        moves = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("state", "=", "posted"),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                ]
            )
        )
        payments = (
            self.env["account.payment"]
            .sudo()
            .search([("partner_id", "=", partner.id), ("state", "!=", "draft")])
        )
        receipts = member.dues_ids.filtered("receipt_number")
        return moves, payments, receipts

    def _get_erasure_kept_until(self, moves, payments):
        """The end of the statutory retention of the newest kept document."""
        years = read_membership_parameter(
            self.env, "membership_accounting_retention_years"
        )
        dates = [d for d in moves.mapped("date") + payments.mapped("date") if d]
        return max(dates) + relativedelta(years=years) if dates else False

    def _get_erasure_summary(self):
        """What an erasure removes and keeps, in the reader's words."""
        self.ensure_one()
        moves, payments, receipts = self._get_erasure_kept_documents()
        kept_until = self._get_erasure_kept_until(moves, payments)
        return {
            "erased": [
                self.env._(
                    "name (replaced by “Erased member %(number)s”)",
                    number=self.member_number,
                ),
                self.env._("e-mail, phone and postal address"),
                self.env._("birth date, name reading, internal notes and picture"),
                self.env._("messages and attached documents (not accounting ones)"),
                self.env._("portal account (archived, its login removed)"),
                self.env._("membership card, saved cards and direct debit mandates"),
                self.env._(
                    "mailing list subscriptions and event registrations' contact data"
                ),
            ],
            "kept": [
                self.env._("%(count)s invoices and credit notes", count=len(moves)),
                self.env._("%(count)s payments", count=len(payments)),
                self.env._("%(count)s receipts", count=len(receipts)),
            ],
            "kept_until": kept_until,
            "why": self.env._(
                "Accounting documents are kept for the statutory retention period "
                "(Settings), with the name and address printed on them; the member "
                "number stays so the audit log still holds."
            ),
        }

    # ------------------------------------------------------------
    # Erasure
    # ------------------------------------------------------------

    def action_erase_personal_data(self):
        """Erase these members' personal data at once (managers only; the
        confirmation is the wizard's, not this method's)."""
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(
                self.env._("Only membership managers erase members' personal data.")
            )
        self.check_access("write")
        for member in self.sudo():
            if member.erased_date:
                raise UserError(
                    self.env._(
                        "The personal data of member %(number)s were erased already.",
                        number=member.member_number,
                    )
                )
            member._erase_personal_data()
        return True

    def _erase_personal_data(self):
        self.ensure_one()
        erased_by = self.env.user
        env = (
            self.sudo()
            .with_context(
                tracking_disable=True, mail_notrack=True, membership_erasing=True
            )
            .env
        )
        member = self.with_env(env)
        partner = member.partner_id
        number = member.member_number
        moves, payments, receipts = member._get_erasure_kept_documents()
        kept_until = member._get_erasure_kept_until(moves, payments)
        old_emails = {e for e in (partner.email_normalized, member.pending_email) if e}
        # the membership ends today, whatever it was
        if not member.withdrawal_date:
            member.write(
                {
                    "withdrawal_date": fields.Date.context_today(member),
                    "withdrawal_reason_id": env.ref(
                        "membership_management.withdrawal_reason_other"
                    ).id,
                }
            )
        member._stop_auto_charge(env._("Personal data erased."))
        env["payment.token"].search([("partner_id", "=", partner.id)]).write(
            {"active": False}
        )
        mandates = member.direct_debit_mandate_ids
        mandates.action_revoke(env._("Personal data erased"))
        mandates.write(
            {
                "holder_name": "-",
                "account_number": "0000000",
                "bank_name": False,
                "branch_name": False,
            }
        )
        registrations = env["event.registration"].search(
            [("partner_id", "=", partner.id)]
        )
        erased_name = env._("Erased member %(number)s", number=number)
        registrations.write({"name": erased_name, "email": False, "phone": False})
        users = partner.with_context(active_test=False).user_ids
        member._erase_users(users)
        # contact (and its own addresses) and member
        blank = {fname: False for fname in ERASED_PARTNER_FIELDS if fname in partner}
        partner.child_ids.write({**blank, "name": erased_name, "active": False})
        partner.write({**blank, "name": erased_name})
        env["mail.followers"].search([("partner_id", "=", partner.id)]).unlink()
        member.write(
            {
                **{fname: False for fname in ERASED_MEMBER_FIELDS},
                "newsletter_consent": False,
                "card_uuid": uuid.uuid4().hex,
                "erased_date": fields.Datetime.now(),
                "erased_by_id": erased_by.id,
            }
        )
        for bank in partner.with_context(active_test=False).bank_ids:
            try:
                with env.cr.savepoint():
                    bank.unlink()
            except Exception:  # noqa: BLE001  pylint: disable=broad-except
                # used by a payment: archived, without its holder's name
                bank.write({"active": False, "acc_holder_name": False})
        # mailing lists, queued mails
        if old_emails:
            env["mailing.contact"].search(
                [("email_normalized", "in", list(old_emails))]
            ).unlink()
        env["mail.mail"].search(
            [
                ("recipient_ids", "in", partner.ids),
                ("state", "in", ("outgoing", "exception")),
            ]
        ).unlink()
        # messages, activities and attachments of the member's own records
        records = {
            "membership.member": member.ids,
            "res.partner": partner.ids,
            "membership.direct.debit.mandate": mandates.ids,
            "event.registration": registrations.ids,
            "res.users": users.ids,
        }
        for model, ids in records.items():
            if not ids:
                continue
            env["mail.message"].search(
                [("model", "=", model), ("res_id", "in", ids)]
            ).unlink()
            env["mail.activity"].search(
                [("res_model", "=", model), ("res_id", "in", ids)]
            ).unlink()
            env["ir.attachment"].search(
                [("res_model", "=", model), ("res_id", "in", ids)]
            ).unlink()
        # what they wrote elsewhere, other than on accounting documents
        env["mail.message"].search(
            [("author_id", "=", partner.id), ("model", "not in", ACCOUNTING_MODELS)]
        ).unlink()
        # the ledger stays (proof of what was agreed), withdrawn, without addresses
        member._record_consents(
            dict.fromkeys(member.consent_purpose_ids, False), source="staff"
        )
        member.consent_ids._erase_ip()
        description = env._(
            "Kept: %(moves)s invoices and credit notes, %(payments)s payments, "
            "%(receipts)s receipts%(until)s",
            moves=len(moves),
            payments=len(payments),
            receipts=len(receipts),
            until=kept_until and env._(" until %(date)s", date=kept_until) or "",
        )
        env["membership.audit.log"].with_user(erased_by)._log(
            "erasure", member, description[:250]
        )
        member.with_context(tracking_disable=False).message_post(
            body=env._(
                "Personal data erased by %(user)s. %(kept)s.",
                user=erased_by.name,
                kept=description,
            )
        )

    def _erase_users(self, users):
        """Archive the member's portal accounts and take away what signs in
        or tells who it was: login, password, keys, devices. Staff accounts
        are not a member's to erase."""
        portal_users = users.filtered("share")
        for user in portal_users:
            user.write(
                {
                    "login": f"__erased_user_{user.id}",
                    "password": "",
                    "active": False,
                }
            )
            user.api_key_ids._remove()
        if portal_users:
            self.env.cr.execute(
                SQL(
                    "DELETE FROM res_device_log WHERE user_id IN %s",
                    tuple(portal_users.ids),
                )
            )
