# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Tokens of the links mailed to confirm something (a new e-mail address, a
referee's answer): ``<record id>.<expiry>.<signature>``, signed with the
database secret for one purpose (``scope``) and bound to a value of the
record (the address, the referee) so that a link is good only for what it
was sent for, and only until it expires."""

from datetime import datetime

from odoo import fields
from odoo.tools import consteq
from odoo.tools.misc import hmac

EXPIRY_FORMAT = "%Y%m%d%H%M%S"


def _sign(env, scope, payload, bound):
    return hmac(env(su=True), scope, f"{payload}.{bound}")[:32]


def make_token(env, scope, record_id, expiry, bound):
    """The token of ``record_id``'s link, valid until ``expiry``."""
    payload = f"{record_id}.{expiry.strftime(EXPIRY_FORMAT)}"
    return f"{payload}.{_sign(env, scope, payload, bound)}"


def read_token(env, scope, token, bound_of):
    """``(record id, expiry)`` of a well-formed, unexpired ``token`` signed
    for ``scope`` and for ``bound_of(record id)``; ``None`` for any other
    (``bound_of`` returns ``None`` when the record has nothing to confirm)."""
    parts = (token or "").split(".")
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    try:
        expiry = datetime.strptime(parts[1], EXPIRY_FORMAT)
    except ValueError:
        return None
    record_id = int(parts[0])
    bound = bound_of(record_id)
    if bound is None:
        return None
    if not consteq(parts[2], _sign(env, scope, f"{parts[0]}.{parts[1]}", bound)):
        return None
    if expiry < fields.Datetime.now():
        return None
    return record_id, expiry
