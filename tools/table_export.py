# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Tables of members or dues written as XLSX or CSV for officers.

A cell a spreadsheet would read as a formula (``=HYPERLINK(...)`` typed as a
name, ``+81 90...`` as a phone, ``@SUM``) must stay text: in XLSX every text is
written with ``write_string``; in CSV such a text gets a leading apostrophe,
as OWASP recommends against CSV injection.
"""

import csv
import io
from datetime import date

import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(value):
    """``value`` as CSV text that no spreadsheet evaluates."""
    if value is None or value is False:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def to_csv(columns, rows):
    """UTF-8 CSV with a BOM (Excel opens it as UTF-8, Japanese included);
    ``columns`` are ``(title, width)``, ``rows`` lists of values."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_safe(title) for title, __ in columns])
    for row in rows:
        writer.writerow([csv_safe(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(sheet_name, columns, rows):
    """An XLSX workbook of one sheet: numbers as numbers, dates as dates,
    everything else as text (never a formula)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(sheet_name[:31])
    bold = workbook.add_format({"bold": True})
    number = workbook.add_format({"num_format": "#,##0.00"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for col, (title, width) in enumerate(columns):
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, title, bold)
    for row_index, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, bool) or value is None:
                sheet.write_blank(row_index, col, None)
            elif isinstance(value, (int, float)):
                sheet.write_number(row_index, col, value, number)
            elif isinstance(value, date):
                sheet.write_datetime(row_index, col, value, day)
            else:
                sheet.write_string(row_index, col, str(value))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    workbook.close()
    return buffer.getvalue()
