# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..tools.proration import days_share


class MembershipPlanChange(models.TransientModel):
    """Move a member to another plan mid-period (upgrade or downgrade).

    The unused part of the current dues is credited with a credit note, the
    current dues end the day before the change, and the new plan is billed
    from the change date: its share of the period on fixed plans, a full
    period from that day on rolling plans.
    """

    _name = "membership.plan.change"
    _description = "Change Membership Plan"

    member_id = fields.Many2one("membership.member", required=True)
    company_id = fields.Many2one(related="member_id.company_id")
    currency_id = fields.Many2one(related="member_id.currency_id")
    current_plan_id = fields.Many2one(related="member_id.plan_id")
    new_plan_id = fields.Many2one(
        "membership.plan",
        required=True,
        domain="[('id', '!=', current_plan_id), ('company_id', '=', company_id)]",
    )
    change_date = fields.Date(required=True, default=fields.Date.context_today)
    current_dues_id = fields.Many2one("membership.dues", compute="_compute_amounts")
    credit_amount = fields.Monetary(
        compute="_compute_amounts", help="Unused part of the current dues."
    )
    new_amount = fields.Monetary(
        compute="_compute_amounts", help="Billed for the new plan."
    )

    @api.depends("member_id", "new_plan_id", "change_date")
    def _compute_amounts(self):
        for change in self:
            dues = change._get_current_dues()
            change.current_dues_id = dues
            change.credit_amount = change._get_credit(dues)
            vals = change._prepare_new_dues() if change.new_plan_id else {}
            change.new_amount = vals.get("amount", 0.0)

    def _get_current_dues(self):
        day = self.change_date
        Dues = self.env["membership.dues"]
        live_states = Dues._get_open_states() + Dues._get_covering_states()
        return self.member_id.dues_ids.filtered(
            lambda d: (
                d.state in live_states
                and d.date_start <= (day or d.date_start)
                and (not d.date_end or day <= d.date_end)
            )
        )[:1]

    def _get_credit(self, dues):
        """Share of the dues amount for the days after the change."""
        # lifetime dues have no end: nothing is left unused
        if not dues.move_id or not self.change_date or not dues.date_end:
            return 0.0
        return dues.currency_id.round(
            dues.amount * days_share(dues.date_start, dues.date_end, self.change_date)
        )

    def _prepare_new_dues(self):
        """The new plan's dues from the change date: the plan's own period
        rule (a rolling or lifetime period starts that day, a fixed one is the
        period containing it), always prorated on fixed plans."""
        plan, start = self.new_plan_id, self.change_date
        period_start, end = plan._get_period(start, anchor=start)
        amount = plan._get_fee_amount(period_start, start, prorate=True)
        return {
            "member_id": self.member_id.id,
            "plan_id": plan.id,
            "date_start": start,
            "date_end": end,
            "amount": amount,
            "entry_fee_amount": 0.0,
        }

    def action_apply(self):
        self.ensure_one()
        member = self.member_id
        member.check_access("write")
        if member.state == "withdrawn":
            raise UserError(self.env._("A withdrawn member cannot change plan."))
        dues = self._get_current_dues()
        if dues and self.change_date <= dues.date_start:
            raise UserError(
                self.env._(
                    "The change starts with the current dues %(dues)s: cancel them "
                    "and bill the new plan instead.",
                    dues=dues.name,
                )
            )
        credit = self._get_credit(dues)
        old_plan = member.plan_id
        if dues:
            dues.sudo().date_end = self.change_date - timedelta(days=1)
        if credit:
            self._create_credit_note(dues, credit, old_plan)
        member.plan_id = self.new_plan_id
        new_dues = member._create_dues_with_invoices(
            [self._prepare_new_dues()], {"invoice_date": self.change_date}
        )
        member.message_post(
            body=self.env._(
                "Plan changed from %(old)s to %(new)s on %(date)s: %(credit)s "
                "credited, %(billed)s billed.",
                old=old_plan.name,
                new=self.new_plan_id.name,
                date=self.change_date,
                credit=credit,
                billed=new_dues.amount_total,
            )
        )
        return {"type": "ir.actions.act_window_close"}

    def _create_credit_note(self, dues, amount, old_plan):
        """Credit note for the unused part, reconciled with the invoice when it
        is still open (otherwise it stays as the member's credit)."""
        invoice = dues.move_id
        refund = (
            self.env["account.move"]
            .with_company(dues.company_id)
            .sudo()
            .create(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "invoice_date": self.change_date,
                    "reversed_entry_id": invoice.id,
                    "invoice_origin": invoice.name,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": old_plan.product_id.id,
                                "name": self.env._(
                                    "Unused part of %(dues)s after the change to "
                                    "%(plan)s",
                                    dues=dues.name,
                                    plan=self.new_plan_id.name,
                                ),
                                "quantity": 1,
                                "price_unit": amount,
                            }
                        )
                    ],
                }
            )
        )
        refund.action_post()
        if invoice.payment_state in ("not_paid", "partial"):
            receivable = (invoice | refund).line_ids.filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable"
                    and not line.reconciled
                )
            )
            receivable.reconcile()
        return refund
