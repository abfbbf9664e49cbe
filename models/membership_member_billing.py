# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models

from ..tools.invoice import SEND_PARAMETER, create_invoices, post_invoices
from ..tools.stored_text import stored_text
from .membership_member import OPEN_END


class MembershipMember(models.Model):
    """Billing a member: the rule of which period is billed for a day, the dues and
    invoices created in batch (dues runs use the same path), and the dues figures of
    the member form."""

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    # figures for smart buttons and filters
    dues_count = fields.Integer(compute="_compute_dues_figures")
    invoice_count = fields.Integer(compute="_compute_dues_figures")
    amount_due = fields.Monetary(compute="_compute_dues_figures")
    dues_run_line_ids = fields.One2many(
        "membership.dues.run.line",
        "member_id",
        string="Dues Run Results",
        help="What each dues run did with this member (renewal runs skip the "
        "members they handled).",
    )
    has_unpaid_dues = fields.Boolean(
        compute="_compute_has_unpaid_dues",
        store=True,
        index=True,
        help="An invoiced period of this member is not fully paid.",
    )

    def _compute_dues_figures(self):
        """Dues and invoices counted once each, and what is left to pay on this
        membership's own invoices (not the contact's other memberships')."""
        dues_data = self.env["membership.dues"]._read_group(
            [("member_id", "in", self.ids), ("state", "!=", "cancelled")],
            ["member_id"],
            ["__count", "move_id:count_distinct"],
        )
        counts = {member.id: (count, moves) for member, count, moves in dues_data}
        open_dues = self.env["membership.dues"].search_fetch(
            [
                ("member_id", "in", self.ids),
                ("move_id.state", "=", "posted"),
                ("move_id.payment_state", "in", ("not_paid", "partial")),
            ],
            ["member_id", "move_id"],
        )
        open_moves = defaultdict(lambda: self.env["account.move"])
        for dues in open_dues:
            open_moves[dues.member_id.id] |= dues.move_id
        for member in self:
            member.dues_count, member.invoice_count = counts.get(member.id, (0, 0))
            member.amount_due = sum(open_moves[member.id].mapped("amount_residual"))

    @api.depends("dues_ids.state")
    def _compute_has_unpaid_dues(self):
        open_states = self.env["membership.dues"]._get_open_states()
        for member in self:
            member.has_unpaid_dues = any(
                d.state in open_states for d in member.dues_ids
            )

    def action_invoice_dues(self):
        """Bill the period containing today for members not billed for it yet.

        This is the code path dues runs use for each member. The invoices
        are e-mailed through Odoo's sending unless the setting *E-mail Invoices
        Billed by Hand* is off.
        """
        self.check_access("write")
        dues = self._create_period_dues(fields.Date.context_today(self))
        if dues and self.env["ir.config_parameter"].sudo().get_param(
            SEND_PARAMETER, "True"
        ) not in ("False", "0", ""):
            # the official document, mailed with the link to pay
            dues.move_id._membership_queue_sending()
        if not dues:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "message": self.env._("Nothing to bill: the period is billed."),
                },
            }
        invoices = dues.move_id
        if len(self) == 1 and len(invoices) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": "account.move",
                "res_id": invoices.id,
                "view_mode": "form",
            }
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s dues billed.", count=len(dues)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _create_period_dues(self, day, invoice_values=None, post=True, renew=False):
        """Create the dues (and invoices) of the period containing ``day``, or
        with ``renew`` of the period after the last one (see
        :meth:`_get_period_to_bill`).

        Members already billed for that period, withdrawn or suspended are
        skipped. Returns the new dues.
        """
        return self._bill_period(
            day, invoice_values=invoice_values, post=post, renew=renew
        )[0]

    def _bill_period(self, day, invoice_values=None, post=True, renew=False):
        """Bill the period containing ``day`` for these members, in batch.

        Invoices are created with one ``create`` per company and posted
        together, then the dues with one ``create``. Returns ``(dues, skipped)``
        where ``skipped`` lists ``(member, reason)``.
        """
        vals_list, skipped = self._prepare_period_dues(day, renew=renew)
        invoice_values = {"invoice_date": day, **(invoice_values or {})}
        dues = self._create_dues_with_invoices(vals_list, invoice_values, post=post)
        return dues, skipped

    @api.model
    def _create_dues_with_invoices(self, vals_list, invoice_values, post=True):
        """Create dues from ``vals_list`` with their invoices, in batch: one
        ``account.move`` create per company, one post, one dues create."""
        Dues = self.env["membership.dues"].sudo()
        if not vals_list:
            return Dues.sudo(False)
        members = self.browse([vals["member_id"] for vals in vals_list])
        to_invoice = defaultdict(list)
        for vals, member in zip(vals_list, members, strict=True):
            total = vals["amount"] + vals["entry_fee_amount"]
            if not member.currency_id.is_zero(total):
                to_invoice[member.company_id].append((vals, member))
        moves = self.env["account.move"]
        for company, items in to_invoice.items():
            company_moves = create_invoices(
                self.env,
                company,
                [
                    Dues._prepare_invoice_vals(member, vals, invoice_values)
                    for vals, member in items
                ],
            )
            for (vals, __), move in zip(items, company_moves, strict=True):
                vals["move_id"] = move.id
            moves |= company_moves
        dues = Dues.create(vals_list)
        if post:
            post_invoices(moves)
        return dues.sudo(False)

    def _prepare_period_dues(self, day, renew=False):
        """Return ``(vals_list, [(member, reason)])`` for billing ``day``."""
        vals_list, skipped = [], []
        for member in self:
            vals, reason = member._prepare_dues_vals(day, renew=renew)
            if vals:
                vals_list.append(vals)
            else:
                skipped.append((member, reason))
        return vals_list, skipped

    def _get_period_to_bill(self, day, renew=False):
        """The billing rule: ``(start, end, False)`` of the period to bill for
        ``day``, or ``(False, False, reason)`` when there is nothing to bill.

        The period billed is the one containing ``day``; a live (not cancelled)
        period that covers ``day`` means it is billed already, so pressing
        *Invoice Dues* or starting a run twice bills nobody twice. A rolling
        period continues the previous one (starts the day after its end, not on
        ``day``) only when ``day`` is past that end but within the grace days.
        ``renew`` is a renewal on purpose: the period after the one covering
        ``day`` is billed (once: renewing twice bills nothing more).
        """
        self.ensure_one()
        plan = self.plan_id
        live = self.dues_ids.filtered(lambda d: d.state != "cancelled")
        start_day = max(day, self.join_date or day)
        if plan.period_type == "lifetime":
            if live:
                return False, False, stored_text("billing.lifetime_billed")
            return start_day, False, False
        covering = live.filtered(
            lambda d: d.date_start <= start_day <= (d.date_end or OPEN_END)
        )
        if renew and covering:
            end = max(d.date_end or OPEN_END for d in covering)
            if end != OPEN_END:
                start_day = end + timedelta(days=1)
                covering = live.filtered(
                    lambda d: d.date_start <= start_day <= (d.date_end or OPEN_END)
                )
        if covering:
            return False, False, stored_text("billing.period_billed")
        if plan.period_type != "rolling":
            start, end = plan._get_period(start_day)
        else:
            start, end = plan._get_period(
                start_day, self._get_rolling_anchor(start_day, live)
            )
        if any(
            d.date_start <= (end or OPEN_END) and start <= (d.date_end or OPEN_END)
            for d in live
        ):
            return False, False, stored_text("billing.period_billed")
        return start, end, False

    def _get_rolling_anchor(self, day, live):
        """First day of the rolling chain ``day`` belongs to: the day after the
        previous period when ``day`` is within its grace days, the join date for
        a first period, else ``day`` itself (a new start after a lapse).
        ``live`` are the member's dues that are not cancelled."""
        previous_end = max(
            (d.date_end for d in live if d.date_end and d.date_end < day),
            default=None,
        )
        if previous_end and day <= previous_end + timedelta(
            days=self.plan_id.grace_days
        ):
            return previous_end + timedelta(days=1)
        if not live:
            return self.join_date or day
        return day

    def _get_carried_over_dues_vals(self, start, end, plan=None, **extra):
        """Values of a dues period without invoice (carried over from before
        this addon: imported or migrated) from ``start`` to ``end`` (None:
        open-ended), for the part after what live dues of the member cover
        already; None when they cover all of it."""
        self.ensure_one()
        live = self.dues_ids.filtered(lambda d: d.state != "cancelled")
        last = end or OPEN_END
        covered_until = max(
            (d.date_end or OPEN_END for d in live if d.date_start <= last),
            default=None,
        )
        if covered_until and covered_until >= start:
            if covered_until >= last:
                return None
            start = covered_until + timedelta(days=1)
        return {
            "member_id": self.id,
            "plan_id": (plan or self.plan_id).id,
            "date_start": start,
            "date_end": end,
            "amount": 0.0,
            "carried_over": True,
            **extra,
        }

    def _prepare_dues_vals(self, day, renew=False):
        """Values of the dues to bill for ``day``, or ``(False, reason)``."""
        self.ensure_one()
        plan = self.plan_id
        if self.withdrawal_date and self.withdrawal_date <= day:
            return False, stored_text("billing.withdrawn")
        if self.state == "suspended":
            return False, stored_text("billing.suspended")
        if self._is_erasure_pending():
            return False, stored_text("billing.erasure")
        if self._is_awaiting_admission():
            return False, stored_text("billing.approval")
        live = self.dues_ids.filtered(lambda d: d.state != "cancelled")
        start, end, reason = self._get_period_to_bill(day, renew=renew)
        if reason:
            return False, reason
        coverage_start = start
        if not live and self.join_date and self.join_date > start:
            coverage_start = self.join_date
        amount = plan._get_fee_amount(start, coverage_start)
        last_end = max((d.date_end for d in live if d.date_end), default=None)
        rejoining = (
            plan.entry_fee_on_rejoin
            and last_end
            and last_end + timedelta(days=plan.grace_days) < start
        )
        first = not live or rejoining
        entry_fee = plan.entry_fee if first and plan.plan_type == "paid" else 0.0
        return {
            "member_id": self.id,
            "plan_id": plan.id,
            "date_start": coverage_start,
            "date_end": end,
            "amount": amount,
            "entry_fee_amount": entry_fee,
        }, None
