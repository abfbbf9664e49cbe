# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Small text checks shared by models and controllers."""


def has_line_break(text):
    """A CR or LF in a value that goes into a mail header or a one-line field
    (names, subjects, contact data) could inject headers or break layouts."""
    return bool(text) and ("\r" in text or "\n" in text)
