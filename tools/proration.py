# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Day-based proration, shared by plan pricing and plan changes."""


def days_share(start, end, from_day):
    """Share (0 to 1) of the days from ``start`` to ``end`` (both included)
    that fall on or after ``from_day``."""
    total = (end - start).days + 1
    left = min(max((end - from_day).days + 1, 0), total)
    return left / total if total > 0 else 0.0
