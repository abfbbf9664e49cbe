# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Invoice helpers shared by dues and event fees."""


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
