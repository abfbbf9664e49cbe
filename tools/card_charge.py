# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""The retry schedule of saved card charges, shared by the charging job and
the settings screen."""

RETRY_PARAMETER = "membership_management.auto_charge_retry_days"
DEFAULT_RETRY_DAYS = "3,7"
MAX_RETRY_DAYS = 365


def parse_retry_days(text):
    """``"3,7"`` -> ``[3, 7]``: days after the first failed charge on which it
    is tried again; ``"0"`` or nothing -> no retry. Raises ``ValueError``."""
    days = [int(part) for part in (text or "").replace(" ", "").split(",") if part]
    if any(day < 0 or day > MAX_RETRY_DAYS for day in days):
        raise ValueError(text)
    return sorted({day for day in days if day})
