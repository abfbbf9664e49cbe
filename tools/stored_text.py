# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Texts the addon writes into records (status-history reasons, dues-run skip
reasons, bank-line messages), stored as a message code with its arguments and
rendered when read.

A reason written by the night job is read the next morning by an officer in
Japanese and by a manager in English: a stored sentence would freeze one
language and one date format. What is stored is ``{"code": ..., "args": ...}``
where a date argument is ``{"date": "2026-04-30"}`` and a record argument is
``{"model": ..., "ids": [...], "label": ...}`` (its name when written, shown if
the record is gone). Free text (an exception's message, a reason typed by a
caller) is stored as ``{"text": ...}``.
"""

from datetime import date, datetime

from odoo import fields, models
from odoo.tools import LazyTranslate, format_date

_lt = LazyTranslate(__name__)

MESSAGES = {
    # status history
    "state.withdrawn": _lt("Withdrawn on %(date)s"),
    "state.withdrawn_because": _lt("Withdrawn on %(date)s: %(reason)s"),
    "state.suspended": _lt("Suspended from %(start)s"),
    "state.suspended_until": _lt("Suspended from %(start)s until %(end)s"),
    "state.free": _lt("Free membership %(period)s"),
    "state.paid": _lt("Dues %(period)s paid by %(invoice)s"),
    "state.invoiced": _lt("Dues %(period)s invoiced by %(invoice)s, awaiting payment"),
    "state.grace": _lt("Coverage ended on %(end)s; grace period until %(grace)s"),
    "state.lapsed": _lt("Grace period ended on %(grace)s"),
    "state.applied": _lt("Application received"),
    "state.covered": _lt("Covered by the membership of %(holder)s"),
    "state.seat_ended": _lt(
        "No longer covered by the membership of %(holder)s since %(date)s"
    ),
    "state.no_dues": _lt("No paid or open dues"),
    "state.suspension_lifted": _lt(
        "Suspension lifted: dues %(dues)s paid by %(invoice)s"
    ),
    # dues runs
    "billing.withdrawn": _lt("withdrawn"),
    "billing.suspended": _lt("suspended"),
    "billing.erasure": _lt("asked for the erasure of their personal data"),
    "billing.approval": _lt("application waiting for approval, or rejected"),
    "billing.covered": _lt("covered by the membership of %(holder)s"),
    "approval.approved": _lt("Application approved"),
    "approval.rejected": _lt("Application rejected: %(reason)s"),
    "billing.period_billed": _lt("period already billed"),
    "billing.lifetime_billed": _lt("lifetime membership already billed"),
    "billing.inside_period": _lt(
        "Coverage ends on %(end)s, inside a period of the plan: bill the rest of "
        "that period by hand."
    ),
    # bank imports
    "bank.paid_earlier": _lt("Paid by an earlier import."),
    "bank.quoted_taken": _lt(
        "The dues its reference quotes (%(dues)s) are matched by line %(line)s of "
        "this file."
    ),
    "bank.same_amount": _lt(
        "%(count)s open dues of this amount, none in the payer's name and no "
        "invoice or member number in the reference: choose the dues."
    ),
    "bank.amount_taken": _lt(
        "The open dues of this amount are matched by other lines of this file."
    ),
    "bank.no_match": _lt(
        "No open dues of this amount, and no invoice or member number of open dues "
        "in the reference."
    ),
    "bank.invoice_paid": _lt("Invoice %(invoice)s is already paid."),
    "bank.unreadable_csv": _lt("Line %(line)s is not readable CSV: %(error)s"),
    "bank.bad_line": _lt("Line %(line)s: %(error)s"),
    "bank.bad_record": _lt("Record %(line)s: %(error)s"),
}


def stored_text(code, **args):
    """The stored form of message ``code`` with ``args`` (dates, records,
    numbers or plain strings)."""
    if code not in MESSAGES:
        raise KeyError(f"unknown stored message {code!r}")
    return {"code": code, "args": {key: _encode(val) for key, val in args.items()}}


def free_text(text):
    """The stored form of a text that is not a message of the catalogue."""
    return {"text": text} if text else False


def _encode(value):
    if isinstance(value, models.BaseModel):
        # the stored name field, in cache where the writer has the record at
        # hand (display names can cost queries in a batch job)
        label_field = value._rec_name if value._rec_name in value._fields else None
        labels = value.mapped(label_field or "display_name")
        return {
            "model": value._name,
            "ids": value.ids,
            "label": ", ".join(str(label) for label in labels if label),
        }
    if isinstance(value, datetime):
        return {"datetime": fields.Datetime.to_string(value)}
    if isinstance(value, date):
        return {"date": fields.Date.to_string(value)}
    return value


def render_stored_texts(env, values):
    """The texts of ``values`` (stored forms, or falsy) in ``env``'s language
    and date format, in order. Records named by several texts are read
    together, so a list of a hundred history rows costs a few queries."""
    wanted = {}
    for value in values:
        for arg in (value or {}).get("args", {}).values():
            if isinstance(arg, dict) and arg.get("model") in env:
                wanted.setdefault(arg["model"], set()).update(arg["ids"])
    names = {}
    for model, ids in wanted.items():
        records = env[model].sudo().browse(sorted(ids)).exists()
        names.update({(model, r.id): r.display_name for r in records})
    return [_render(env, value, names) for value in values]


def _render(env, value, names):
    if not value:
        return False
    if "text" in value:
        return value["text"]
    template = MESSAGES.get(value.get("code"))
    if template is None:
        return value.get("code") or False
    args = {}
    for key, arg in value.get("args", {}).items():
        if isinstance(arg, dict) and "date" in arg:
            arg = format_date(env, fields.Date.to_date(arg["date"]))
        elif isinstance(arg, dict) and "datetime" in arg:
            arg = format_date(env, fields.Datetime.to_datetime(arg["datetime"]))
        elif isinstance(arg, dict) and "model" in arg:
            found = [names.get((arg["model"], id_)) for id_ in arg["ids"]]
            arg = ", ".join(filter(None, found)) if all(found) else arg["label"]
            arg = arg or "-"
        args[key] = arg
    # the catalogue's template in the reader's language, then its arguments
    # (already rendered for that reader)
    sentence = env._(template)
    return sentence % args
