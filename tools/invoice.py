# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Invoice helpers shared by dues and event fees."""

import uuid

# ir.config_parameter: whether Invoice Dues e-mails the invoices (on unless
# "False")
SEND_PARAMETER = "membership_management.invoice_dues_send"


def cancel_unpaid_invoice(move, ref):
    """Cancel a draft invoice, or reverse a posted one that is not fully paid
    with a credit note that cancels it. Returns the credit note (empty for a
    draft)."""
    if move.state == "draft":
        move.button_cancel()
        return move.browse()
    return move._reverse_moves([{"ref": ref}], cancel=True)


def invoice_status(move):
    """One reading of a membership invoice, for dues and event fees alike:
    ``cancelled`` (cancelled, or reversed by Odoo), ``draft``, ``paid`` (paid
    or in payment), ``partial`` or ``open``."""
    if move.state == "cancel" or move.payment_state == "reversed":
        return "cancelled"
    if move.state == "draft":
        return "draft"
    if move.payment_state in ("paid", "in_payment"):
        return "paid"
    if move.payment_state == "partial":
        return "partial"
    return "open"


def credited_amount(move):
    """Total of the posted credit notes issued against ``move``."""
    return sum(
        move.reversal_move_ids.filtered(lambda m: m.state == "posted").mapped(
            "amount_total"
        )
    )


def create_invoices(env, company, vals_list):
    """Customer invoices ``vals_list`` of ``company`` in one ``create``, the
    sale journal looked up once (not once per invoice). They have no
    salesperson: whoever billed (the member on the portal, the public user of
    the join form, the scheduled job) is not one. Their portal token is made
    here, so that the member's read-only pages (served by a read replica)
    never have to write one when they show the invoice's link."""
    Move = env["account.move"].with_company(company).sudo()
    journal = Move.new({"move_type": "out_invoice"})._search_default_journal()
    return Move.create(
        [
            {
                "journal_id": journal.id,
                "invoice_user_id": False,
                "access_token": str(uuid.uuid4()),
                **vals,
            }
            for vals in vals_list
        ]
    )


def post_invoices(moves):
    """Post ``moves`` in one call. Posting raises the customer rank of each
    first-time customer with a partner write that reads the partner's users:
    they are read for the whole batch at once instead of one by one."""
    if not moves:
        return
    partners = moves.partner_id | moves.commercial_partner_id
    partners.filtered(lambda p: not p.customer_rank).fetch(["user_ids"])
    moves.action_post()


def register_payment(moves, journal, date, amount=None, memo=None):
    """Pay ``moves`` on ``journal`` as the *Register Payment* button does,
    reconciled with them: with ``amount``, one payment of that amount for all
    of them (a bank transfer, a direct debit of several invoices); without,
    one payment of its residual per invoice, in one call (the usual debits of
    a direct debit result)."""
    vals = {"payment_date": date, "journal_id": journal.id}
    if amount is None:
        vals["group_payment"] = False
    else:
        vals.update(amount=amount, communication=memo, group_payment=True)
    return (
        moves.env["account.payment.register"]
        .with_context(active_model="account.move", active_ids=moves.ids)
        .create(vals)
        ._create_payments()
    )
