# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import contextlib

from psycopg2.errors import UniqueViolation

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tools import SQL

from ..tools.invoice import (
    cancel_unpaid_invoice,
    create_invoices,
    credited_amount,
    invoice_status,
    post_invoices,
)

# written only by the system (sudo): never through a form or RPC
FEE_FIELDS = {"membership_price", "membership_price_reason", "membership_fee_move_id"}

MEMBERSHIP_FEE_STATES = [
    ("free", "Free"),
    ("not_invoiced", "Not Invoiced"),
    ("to_pay", "To Pay"),
    ("partial", "Partially Paid"),
    ("paid", "Paid"),
    ("cancelled", "Cancelled"),
    ("refunded", "Refunded"),
]


class EventRegistration(models.Model):
    """Registrations know their member, the price they pay and why, and the
    participation-fee invoice; a paid registration is confirmed by its payment.
    """

    _name = "event.registration"
    _inherit = ["event.registration", "membership.receipt.mixin"]

    member_id = fields.Many2one(
        "membership.member",
        compute="_compute_member_id",
        store=True,
        index="btree_not_null",
        help="The membership of the person who booked, in the event's company.",
    )
    member_number = fields.Char(related="member_id.member_number")
    membership_price = fields.Float(
        string="Price Applied",
        readonly=True,
        copy=False,
        min_display_digits="Product Price",
        help="Price of the ticket for this attendee, decided when registering.",
    )
    membership_price_reason = fields.Selection(
        [("member", "Member price"), ("non_member", "Non-member price")],
        string="Price Basis",
        readonly=True,
        copy=False,
    )
    membership_fee_move_id = fields.Many2one(
        "account.move",
        string="Fee Invoice",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    membership_fee_state = fields.Selection(
        MEMBERSHIP_FEE_STATES,
        string="Fee",
        compute="_compute_membership_fee_state",
        store=True,
        index=True,
    )

    membership_fee_amount_total = fields.Monetary(
        string="Fee (Tax Incl.)",
        compute="_compute_membership_fee_amounts",
        currency_field="membership_fee_currency_id",
        help="What the attendee is billed: the fee invoice's total, or the price "
        "applied with the ticket product's taxes while not invoiced.",
    )
    membership_fee_amount_due = fields.Monetary(
        string="Fee Due",
        compute="_compute_membership_fee_amounts",
        currency_field="membership_fee_currency_id",
    )
    membership_fee_currency_id = fields.Many2one(
        related="event_id.membership_currency_id"
    )

    @api.depends("partner_id", "event_id.company_id")
    def _compute_member_id(self):
        partners = self.partner_id
        members = (
            self.env["membership.member"]
            .sudo()
            .search([("partner_id", "in", partners.ids)])
            if partners
            else self.env["membership.member"]
        )
        by_key = {(m.partner_id.id, m.company_id.id): m for m in members}
        by_partner = {m.partner_id.id: m for m in members}
        for registration in self:
            company = registration.event_id.company_id
            registration.member_id = (
                by_key.get((registration.partner_id.id, company.id))
                if company
                else by_partner.get(registration.partner_id.id)
            ) or False

    @api.depends(
        "membership_price",
        "membership_fee_move_id.state",
        "membership_fee_move_id.payment_state",
        "membership_fee_move_id.reversal_move_ids.state",
    )
    def _compute_membership_fee_state(self):
        for registration in self:
            registration.membership_fee_state = registration._get_membership_fee_state()

    @api.depends(
        "membership_price",
        "membership_fee_state",
        "membership_fee_move_id.amount_total",
        "membership_fee_move_id.amount_residual",
    )
    def _compute_membership_fee_amounts(self):
        for registration in self:
            move = registration.membership_fee_move_id.sudo()
            if move and registration.membership_fee_state != "cancelled":
                total = move.amount_total
            elif registration.event_ticket_id and registration.membership_price:
                total = registration.event_ticket_id._membership_price_with_taxes(
                    registration.membership_price
                )
            else:
                total = 0.0
            registration.membership_fee_amount_total = total
            registration.membership_fee_amount_due = (
                move.amount_residual
                if registration.membership_fee_state in ("to_pay", "partial")
                and registration.state != "cancel"
                else 0.0
            )

    def _get_membership_fee_state(self):
        self.ensure_one()
        move = self.membership_fee_move_id
        if not move:
            return "not_invoiced" if self.membership_price > 0 else "free"
        status = invoice_status(move)
        if status == "paid":
            # a paid fee credited afterwards is to refund, not cancelled
            return "refunded" if credited_amount(move) else "paid"
        return {"cancelled": "cancelled", "partial": "partial"}.get(status, "to_pay")

    def _compute_registration_status(self):
        """A priced registration invoiced by this module is "to pay" until its
        fee is paid (``event_product`` would call it free)."""
        result = super()._compute_registration_status()
        for registration in self:
            if registration.membership_price > 0 and not registration._has_order():
                registration.sale_status = (
                    "sold" if registration.membership_fee_state == "paid" else "to_pay"
                )
        return result

    @api.constrains("event_ticket_id", "member_id")
    def _check_members_only_ticket(self):
        """Checked when the ticket or the person changes, not on later state
        changes: a member who lapses after registering can still pay and
        attend."""
        for registration in self:
            ticket = registration.event_ticket_id
            if (
                registration.state == "cancel"
                or not ticket.members_only
                or ticket._is_membership_eligible(registration.member_id)
            ):
                continue
            raise ValidationError(
                self.env._(
                    "The ticket “%(ticket)s” of %(event)s is for members only: "
                    "%(name)s is not a current member%(plans)s.",
                    ticket=ticket.name,
                    event=registration.event_id.name,
                    name=registration.partner_id.name or registration.name or "?",
                    plans=self.env._(
                        " of %(plans)s",
                        plans=", ".join(ticket.membership_plan_ids.mapped("name")),
                    )
                    if ticket.membership_plan_ids
                    else "",
                )
            )

    @api.constrains("active", "state", "event_id", "event_slot_id", "event_ticket_id")
    def _check_seats_availability(self):
        """Serialise seat checks per event: two transactions taking the last
        seat both touch the event row, so the later one fails and is retried,
        then sees the seat taken."""
        limited = self.filtered(
            lambda r: (
                r.state in ("open", "done")
                and r.active
                and (r.event_id.seats_limited or r.event_ticket_id.seats_limited)
            )
        ).event_id
        if limited:
            self.env.cr.execute(
                SQL(
                    "UPDATE event_event SET write_date = write_date WHERE id IN %s",
                    tuple(limited.ids),
                )
            )
        return super()._check_seats_availability()

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._membership_prepare_vals(vals_list)
        registrations = super().create(vals_list)
        if not self.env.context.get("membership_skip_fee"):
            registrations.filtered(
                lambda r: (
                    r.state == "draft"
                    and r.membership_price > 0
                    and r.partner_id
                    and not r.membership_fee_move_id
                )
            )._membership_create_fee_invoices()
        registrations.filtered(lambda r: r.state == "done")._membership_award_points()
        return registrations

    @api.model
    def _membership_prepare_vals(self, vals_list):
        """Decide price and basis server-side (whatever the caller sent), and
        keep a priced registration unconfirmed until its fee is paid."""
        Ticket = self.env["event.event.ticket"].sudo()
        partner_ids = {v["partner_id"] for v in vals_list if v.get("partner_id")}
        members = (
            self.env["membership.member"]
            .sudo()
            .search([("partner_id", "in", list(partner_ids))])
            if partner_ids
            else self.env["membership.member"]
        )
        erasing = members.filtered(lambda m: m._is_erasure_pending())
        if erasing:
            raise ValidationError(
                self.env._(
                    "%(name)s asked for the erasure of their personal data: they "
                    "cannot be registered any more.",
                    name=erasing[0].name,
                )
            )
        for vals in vals_list:
            vals.pop("membership_price", None)
            vals.pop("membership_price_reason", None)
            vals.pop("membership_fee_move_id", None)
            ticket = Ticket.browse(vals.get("event_ticket_id"))
            if not ticket or vals.get("sale_order_line_id"):
                continue
            company = ticket.event_id.company_id
            member = members.filtered(
                lambda m, vals=vals, company=company: (
                    m.partner_id.id == vals.get("partner_id")
                    and (not company or m.company_id == company)
                )
            )[:1]
            price, reason = ticket._get_membership_price(member)
            vals["membership_price"] = price
            vals["membership_price_reason"] = reason
            if (
                price > 0
                and vals.get("partner_id")
                and vals.get("state", "open") == "open"
                and not self.env.context.get("membership_skip_fee")
            ):
                vals["state"] = "draft"

    def write(self, vals):
        if FEE_FIELDS.intersection(vals) and not self.env.su:
            raise AccessError(
                self.env._(
                    "The price and the fee invoice of a registration are set by "
                    "the system."
                )
            )
        cancelling = vals.get("state") == "cancel"
        to_settle = self.filtered(lambda r: r.state != "cancel") if cancelling else None
        result = super().write(vals)
        if cancelling:
            to_settle._membership_cancel_fee()
        if vals.get("state") == "done":
            self._membership_award_points()
        return result

    def export_data(self, fields_to_export):
        """Participants' data: every export is audited."""
        self.env["membership.audit.log"]._log_export(self, fields_to_export)
        return super().export_data(fields_to_export)

    def _membership_award_points(self):
        """Attendance earns the event's points, once per registration: the
        points line's unique index on the registration is the guard, so a
        second check-in adds nothing, and a concurrent one loses its insert."""
        todo = self.filtered(
            lambda r: r.member_id and r.event_id.membership_points and r.state == "done"
        )
        Line = self.env["membership.points.line"].sudo()
        todo -= Line.search([("registration_id", "in", todo.ids)]).registration_id
        vals_list = [
            {
                "member_id": registration.member_id.id,
                "points": registration.event_id.membership_points,
                "reason": self.env._(
                    "Attended %(event)s", event=registration.event_id.name
                ),
                "registration_id": registration.id,
            }
            for registration in todo
        ]
        if not vals_list:
            return
        try:
            with self.env.cr.savepoint():
                Line.create(vals_list)
        except UniqueViolation:
            for vals in vals_list:  # someone was faster for one of them
                with contextlib.suppress(UniqueViolation), self.env.cr.savepoint():
                    Line.create(vals)

    # ------------------------------------------------------------
    # Fee invoices
    # ------------------------------------------------------------

    def _membership_create_fee_invoices(self):
        """One posted invoice per registration, created in batch per company."""
        for company, registrations in self.grouped(
            lambda r: r.event_id.company_id or self.env.company
        ).items():
            moves = create_invoices(
                self.env,
                company,
                [r._membership_prepare_fee_invoice_vals() for r in registrations],
            )
            for registration, move in zip(registrations, moves, strict=True):
                registration.sudo().membership_fee_move_id = move
            post_invoices(moves)
        return True

    def _membership_prepare_fee_invoice_vals(self):
        self.ensure_one()
        ticket = self.event_ticket_id
        basis = dict(
            self._fields["membership_price_reason"]._description_selection(self.env)
        ).get(self.membership_price_reason, "")
        label = self.env._(
            "%(event)s — %(ticket)s (%(basis)s)",
            event=self.event_id.name,
            ticket=ticket.name,
            basis=basis,
        )
        reference = self.member_id.member_number or self.barcode
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "invoice_origin": self.event_id.name,
            "payment_reference": reference,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": ticket.product_id.id,
                        "name": label,
                        "quantity": 1,
                        "price_unit": self.membership_price,
                    }
                )
            ],
        }

    def _membership_cancel_fee(self):
        """A cancelled registration cancels its unpaid fee, or credits a paid one."""
        for registration in self.sudo().filtered("membership_fee_move_id"):
            move = registration.membership_fee_move_id
            if (
                move.move_type != "out_invoice"
                or move.partner_id != registration.partner_id
            ):
                continue
            ref = self.env._(
                "Cancellation of the registration of %(name)s to %(event)s",
                name=registration.name or registration.partner_id.name,
                event=registration.event_id.name,
            )
            if move.state == "draft":
                cancel_unpaid_invoice(move, ref)
            elif move.state != "posted" or move.payment_state == "reversed":
                continue
            elif move.reversal_move_ids:
                continue
            elif move.payment_state in ("not_paid", "partial"):
                # the credit note cancels the invoice; a partial payment stays
                # as the member's credit, to refund
                partly_paid = move.payment_state == "partial"
                refund = cancel_unpaid_invoice(move, ref)
                if partly_paid:
                    registration.message_post(
                        body=self.env._(
                            "Part of the fee was paid: credit note %(refund)s "
                            "issued; refund the member what was paid.",
                            refund=refund.name,
                        )
                    )
            else:
                refund = move._reverse_moves([{"ref": ref}])
                refund.action_post()
                registration.message_post(
                    body=self.env._(
                        "The fee was paid: credit note %(refund)s issued; refund "
                        "the member.",
                        refund=refund.name,
                    )
                )

    def _update_mail_schedulers(self):
        """Deferred while a caller creates registrations in a savepoint: Odoo's
        event mail code commits outside tests, which would release it."""
        if self.env.context.get("membership_defer_mail_schedulers"):
            return None
        return super()._update_mail_schedulers()

    def _get_receipt_move(self):
        self.ensure_one()
        return self.membership_fee_move_id

    def _is_receipt_issuable(self):
        self.ensure_one()
        return self.membership_fee_state == "paid"

    def action_print_receipt(self):
        return self.env.ref(
            "membership_management.action_report_registration_receipt"
        ).report_action(self)

    def _membership_confirm_paid(self):
        """Confirm registrations whose fee is paid. A seat that went in the
        meantime leaves the registration unconfirmed with a to-do for staff,
        never an error inside the payment. (No savepoint here: confirming may
        run the event's mail schedulers, which commit outside of tests.)"""
        self.sudo().write({"sale_status": "sold"})
        for registration in self.filtered(lambda r: r.state == "draft"):
            if registration.event_id._membership_has_seat(
                registration.event_ticket_id, registration.event_slot_id
            ):
                registration.action_confirm()
                continue
            registration.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Paid, but no seat left"),
                note=self.env._(
                    "The fee of %(name)s is paid but %(event)s is full: add a seat "
                    "or refund the fee.",
                    name=registration.name or registration.partner_id.name,
                    event=registration.event_id.name,
                ),
                user_id=registration.event_id.user_id.id or self.env.uid,
            )

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------

    def action_membership_view_fee_invoice(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.membership_fee_move_id.id,
            "view_mode": "form",
        }

    def action_membership_mark_attended(self):
        """Bulk check-in from the list: confirmed registrations become attended;
        unpaid or cancelled ones are left alone and counted."""
        confirmed = self.filtered(lambda r: r.state == "open")
        confirmed.action_set_done()
        left = self.filtered(lambda r: r.state in ("draft", "cancel"))
        message = self.env._(
            "%(count)s registration(s) marked as attended.", count=len(confirmed)
        )
        if left:
            message += " " + self.env._(
                "%(count)s unconfirmed or cancelled registration(s) left unchanged.",
                count=len(left),
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": "warning" if left else "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_membership_invoice_fee(self):
        """Invoice the fee of priced registrations that have no live invoice
        (never a second invoice)."""
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(self.env._("Only invoicing staff can invoice fees."))
        todo = self.filtered(
            lambda r: (
                r.membership_price > 0
                and r.partner_id
                and r.membership_fee_state in ("not_invoiced", "cancelled")
                and r.state != "cancel"
            )
        )
        if todo:
            todo._membership_create_fee_invoices()
        return True

    # ------------------------------------------------------------
    # Check-in
    # ------------------------------------------------------------

    @api.model
    def _membership_find_for_check_in(self, code, event):
        """Registration of ``event`` designated by ``code``: a registration
        barcode or a member card token. Returns ``(registration, error)``."""
        code = (code or "").strip()
        if not code:
            return self.browse(), self.env._("Scan or type a code.")
        Registration = self.sudo()
        registration = Registration.search(
            [("barcode", "=", code), ("event_id", "=", event.id)], limit=1
        )
        if not registration and Registration.search_count(
            [("barcode", "=", code)], limit=1
        ):
            return self.browse(), self.env._("This ticket is for another event.")
        if not registration:
            member = self.env["membership.member"]._get_member_from_card_token(code)
            if not member:
                if code.count(".") == 2:
                    return self.browse(), self.env._(
                        "This membership card is not valid: the membership is not "
                        "active, or the card was revoked, has expired or is not one "
                        "of ours."
                    )
                return self.browse(), self.env._("Unknown code.")
            registration = Registration.search(
                [
                    ("event_id", "=", event.id),
                    ("member_id", "=", member.id),
                    ("state", "!=", "cancel"),
                ],
                order="state desc, id",
                limit=1,
            )
            if not registration:
                return self.browse(), self.env._(
                    "%(name)s (member %(number)s) is not registered for this event.",
                    name=member.name,
                    number=member.member_number,
                )
        if registration.state == "cancel":
            return registration, self.env._("This registration was cancelled.")
        if registration.state == "draft":
            return registration, self.env._(
                "This registration is not confirmed: the fee is not paid."
            )
        return registration, False

    @api.model
    def register_attendee(self, barcode, event_id):
        """Odoo's registration desk also accepts member card QR codes."""
        if self.search_count([("barcode", "=", barcode)], limit=1) or not event_id:
            return super().register_attendee(barcode, event_id)
        event = self.env["event.event"].browse(event_id)
        registration, __ = self._membership_find_for_check_in(barcode, event)
        if not registration:
            return {"error": "invalid_ticket"}
        return super().register_attendee(registration.barcode, event_id)
