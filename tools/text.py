# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Small text checks shared by models and controllers."""

import re

from odoo.tools import email_normalize

# C0 controls (tab, CR and LF included), DEL, C1 controls, and the Unicode line
# and paragraph separators: invisible, and PostgreSQL refuses NUL outright
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def has_line_break(text):
    """A CR or LF in a value that goes into a mail header or a one-line field
    (names, subjects, contact data) could inject headers or break layouts."""
    return bool(text) and ("\r" in text or "\n" in text)


def has_control_character(text):
    """A control or separator character in a one-line value typed on the
    portal: never meant, sometimes an attack (a NUL byte made PostgreSQL fail
    the request)."""
    return bool(text) and bool(CONTROL_CHARACTERS.search(text))


def plain_email(text):
    """The normalised address when ``text`` is exactly one plain e-mail
    address, else ``False``. Odoo's ``email_normalize`` picks an address out
    of what it is given ("a b@x.com" gives "b@x.com", "a@@x.com" gives
    "@x.com"): a typed value must be the address itself."""
    value = (text or "").strip()
    email = email_normalize(value)
    if not email or email.startswith("@") or email != value.lower():
        return False
    return email
