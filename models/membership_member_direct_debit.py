# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from psycopg2 import IntegrityError

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.text import has_control_character
from .res_company_direct_debit import ACCOUNT_TYPES

# the only mandate fields a member fills in on the portal
PORTAL_MANDATE_FIELDS = (
    "bank_code",
    "branch_code",
    "account_type",
    "account_number",
    "holder_name",
)


class MembershipMember(models.Model):
    """A member's 口座振替 mandates, and whether their dues are collected by
    direct debit (the portal then says when instead of offering to pay)."""

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    direct_debit_mandate_ids = fields.One2many(
        "membership.direct.debit.mandate", "member_id", string="Direct Debit Mandates"
    )
    direct_debit_mandate_count = fields.Integer(compute="_compute_direct_debit_mandate")
    has_active_mandate = fields.Boolean(
        string="Pays by Direct Debit",
        compute="_compute_direct_debit_mandate",
        search="_search_has_active_mandate",
    )

    @api.depends("direct_debit_mandate_ids.state")
    def _compute_direct_debit_mandate(self):
        for member in self:
            mandates = member.direct_debit_mandate_ids
            member.direct_debit_mandate_count = len(mandates)
            member.has_active_mandate = any(m.state == "active" for m in mandates)

    def _search_has_active_mandate(self, operator, value):
        if operator != "in":
            return NotImplemented
        return [("direct_debit_mandate_ids.state", "=", "active")]

    def action_view_direct_debit_mandates(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "membership_management.membership_direct_debit_mandate_action"
        )
        action["domain"] = [("member_id", "=", self.id)]
        action["context"] = {"default_member_id": self.id}
        return action

    def _get_pending_direct_debits(self):
        """Debits sent to the bank and not answered yet, by invoice: what the
        portal shows instead of a pay button."""
        self.ensure_one()
        lines = (
            self.env["membership.direct.debit.line"]
            .sudo()
            .search(
                [
                    ("member_id", "=", self.id),
                    ("state", "=", "pending"),
                    ("batch_id.state", "=", "exported"),
                ]
            )
        )
        return {
            move: line.batch_id.debit_date for line in lines for move in line.move_ids
        }

    # ------------------------------------------------------------
    # PORTAL
    # ------------------------------------------------------------

    def _can_request_direct_debit_online(self):
        """Direct debit is offered on the portal once the company collects by
        it, to a member with no live mandate."""
        self.ensure_one()
        return bool(
            self.company_id.membership_debit_consignor_code
            and self.state != "withdrawn"
            and not self.direct_debit_mandate_ids.filtered(
                lambda m: m.state in ("pending", "active")
            )
        )

    def _request_direct_debit_online(self, post):
        """A pending mandate from the portal form: only the account fields are
        read; staff activate it when the signed bank form arrives. Bad input
        raises ``UserError`` (or ``ValidationError``) in the member's words."""
        self.ensure_one()
        if not self._can_request_direct_debit_online():
            raise UserError(
                self.env._(
                    "Direct debit cannot be requested here: contact us to change "
                    "your bank account."
                )
            )
        values = {
            fname: (post.get(fname) or "").strip() for fname in PORTAL_MANDATE_FIELDS
        }
        if values["account_type"] not in dict(ACCOUNT_TYPES):
            raise UserError(self.env._("Choose the type of your account."))
        if not all(values.values()):
            raise UserError(self.env._("Fill in every field of your bank account."))
        if any(has_control_character(value) for value in values.values()):
            raise UserError(
                self.env._(
                    "Your bank account contains invisible control characters: type "
                    "it again without them."
                )
            )
        # a refused value must leave nothing behind, also when the caller
        # shows the error and carries on (the portal form)
        try:
            with self.env.cr.savepoint():
                mandate = (
                    self.env["membership.direct.debit.mandate"]
                    .sudo()
                    .create({**values, "member_id": self.id})
                )
        except IntegrityError as error:  # sent twice at once
            raise UserError(
                self.env._(
                    "Your request was received already: contact us to change it."
                )
            ) from error
        self.sudo().message_post(
            body=self.env._(
                "The member asked to pay by direct debit from account %(account)s: "
                "activate the mandate when the signed bank form arrives.",
                account=mandate.account_number_masked,
            )
        )
        return mandate
