# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Reading a member list (名簿) as associations keep it, free of the ORM:
files (CSV in UTF-8, UTF-8 with BOM or Shift-JIS, any usual separator; XLSX),
header names in English and Japanese, and the values typed the Japanese way
(full-width digits, kana readings, 〒 postal codes, era dates).

Every parser raises :class:`ImportValueError` with a message in the caller's
language (``_`` is the caller's ``env._``)."""

# the messages are translated by the caller's ``env._``, passed as ``_``, and
# extracted for translation from the ``_(...)`` calls
# pylint: disable=prefer-env-translation

import csv
import io
import re
import unicodedata
import zipfile
from datetime import date

ENCODINGS = ("utf-8-sig", "cp932")
SEPARATORS = ",;\t|"

# target field -> header names that map to it by themselves (compared after
# normalize_header: case, width and spaces do not matter)
HEADER_ALIASES = {
    "member_number": ["member number", "member no", "number", "会員番号", "会員no"],
    "name": ["name", "full name", "氏名", "名前", "お名前", "会員名"],
    "name_kana": [
        "reading",
        "name reading",
        "kana",
        "フリガナ",
        "ふりがな",
        "カナ",
        "氏名カナ",
    ],
    "email": ["email", "e-mail", "mail", "メール", "メールアドレス", "eメール"],
    "phone": ["phone", "mobile", "telephone", "電話", "電話番号", "携帯", "携帯電話"],
    "zip": ["zip", "postal code", "postcode", "郵便番号", "〒"],
    "state": ["prefecture", "state", "都道府県"],
    "city": ["city", "市区町村"],
    "street": ["address", "street", "住所", "番地"],
    "plan": ["plan", "membership", "会員種別", "プラン", "種別"],
    "join_date": ["join date", "joined", "入会日"],
    "paid_through": ["paid through", "paid until", "有効期限", "会費納入期限"],
    "birth_date": ["birth date", "birthday", "date of birth", "生年月日"],
    "comment": ["notes", "note", "comment", "備考", "メモ"],
}

# 元号: (names, first day); an era ends the day before the next one starts
ERAS = [
    (("明治", "M"), date(1868, 10, 23)),
    (("大正", "T"), date(1912, 7, 30)),
    (("昭和", "S"), date(1926, 12, 25)),
    (("平成", "H"), date(1989, 1, 8)),
    (("令和", "R"), date(2019, 5, 1)),
]
ERA_DATE = re.compile(
    r"^(明治|大正|昭和|平成|令和|[MTSHRmtshr])\s*(元|\d{1,2})\s*[年./-]\s*(\d{1,2})\s*"
    r"[月./-]\s*(\d{1,2})\s*日?$"
)
WESTERN_DATE = re.compile(
    r"^(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?$"
)
COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
HYPHENS = "‐‑‒–—―−ー－ｰ"


def _untranslated(source, **params):
    return source % params if params else source


class ImportValueError(ValueError):
    """A cell or a file that cannot be read; the message says why."""


# ------------------------------------------------------------
# Files
# ------------------------------------------------------------


def read_table(data, file_name="", _=_untranslated):
    """``(headers, rows)`` of a CSV or XLSX file given as bytes: rows are
    ``(line number in the file, cells)`` with the cells stripped strings,
    padded to the headers' width (a row may have more: the caller says so);
    blank rows are left out."""
    if not data:
        raise ImportValueError(_("The file is empty."))
    if data[:2] == b"PK" or (file_name or "").lower().endswith(".xlsx"):
        table = _read_xlsx(data, _)
    else:
        table = _read_csv(data, _)
    table = [(number, row) for number, row in table if any(cell for cell in row)]
    if not table:
        raise ImportValueError(_("The file has no rows."))
    headers, rows = table[0][1], table[1:]
    width = len(headers)
    return headers, [(number, row + [""] * (width - len(row))) for number, row in rows]


def decode_text(data, _=_untranslated):
    """Text of a CSV file in UTF-8 (with or without BOM) or Shift-JIS."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportValueError(
        _("The file is neither UTF-8 nor Shift-JIS text: save it as CSV (UTF-8).")
    )


def _read_csv(data, _):
    text = decode_text(data, _)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=SEPARATORS)
        delimiter = dialect.delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        delimiter = max(SEPARATORS, key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    table, start = [], 1
    try:
        for row in reader:
            table.append((start, [cell.strip() for cell in row]))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ImportValueError(
            _(
                "Line %(number)s cannot be read: %(error)s",
                number=start,
                error=str(error),
            )
        ) from error
    return table


def _read_xlsx(data, _):
    import openpyxl  # noqa: PLC0415  (Odoo's own dependency)

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        message = _("The file is not a readable XLSX workbook.")
        raise ImportValueError(message) from error
    sheet = book.worksheets[0]
    table = [
        (number, [_cell_text(value) for value in values])
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1)
    ]
    book.close()
    return table


def _cell_text(value):
    if value is None:
        return ""
    if hasattr(value, "date") and callable(value.date):  # datetime
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ------------------------------------------------------------
# Headers
# ------------------------------------------------------------


def normalize_header(text):
    text = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"[\s_:：・.()（）]+", " ", text).strip()


def propose_mapping(headers):
    """``{column index: field}`` for the headers that name a known field
    (each field taken once, by its first column)."""
    aliases = {
        normalize_header(alias): fname
        for fname, names in HEADER_ALIASES.items()
        for alias in names
    }
    mapping, taken = {}, set()
    for index, header in enumerate(headers):
        fname = aliases.get(normalize_header(header))
        if fname and fname not in taken:
            mapping[index] = fname
            taken.add(fname)
    return mapping


# ------------------------------------------------------------
# Values
# ------------------------------------------------------------


FULL_WIDTH_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
FULL_WIDTH_ASCII[0x3000] = ord(" ")  # ideographic space


def normalize_width(text):
    """Full-width digits, letters, signs and hyphens as half-width ASCII (the
    kana are left as they are)."""
    text = (text or "").translate({ord(h): "-" for h in HYPHENS})
    return text.translate(FULL_WIDTH_ASCII).strip()


def normalize_email(text):
    return normalize_width(text).replace(" ", "").lower()


def to_katakana(text):
    """A name reading in full-width katakana: hiragana and half-width kana
    converted, spaces kept single."""
    text = unicodedata.normalize("NFKC", text or "")  # half-width kana -> full
    text = "".join(
        chr(ord(char) + 0x60) if "ぁ" <= char <= "ゖ" else char for char in text
    )
    return " ".join(text.split())


def normalize_zip(text, _=_untranslated):
    """Japanese postal codes as ``123-4567`` (〒, full width, no hyphen
    accepted); other forms are kept as typed."""
    value = normalize_width(text).lstrip("〒").strip()
    digits = value.replace("-", "").replace(" ", "")
    if digits.isdigit() and len(digits) == 7:
        return f"{digits[:3]}-{digits[3:]}"
    return value


def parse_date(text, _=_untranslated):
    """A date written as 令和7年4月1日, R7.4.1, 2025/4/1, 2025-04-01,
    2025年4月1日 or 20250401; empty -> ``None``."""
    # NFKC: ㍻ and ㋿ as 平成 and 令和, full-width digits as ASCII
    value = unicodedata.normalize("NFKC", normalize_width(text)).replace(" ", "")
    if not value:
        return None
    if match := ERA_DATE.match(value):
        return _era_date(text, *match.groups(), _=_)
    if match := WESTERN_DATE.match(value) or COMPACT_DATE.match(value):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ImportValueError(
            _(
                "“%(value)s” is not a date (e.g. 2025-04-01 or 令和7年4月1日).",
                value=text,
            )
        )
    try:
        return date(int(year), int(month), int(day))
    except ValueError as error:
        raise ImportValueError(
            _("“%(value)s” is not a date of the calendar.", value=text)
        ) from error


def _era_date(text, era, year, month, day, _=_untranslated):
    """The date of an era date, refused outside its era (平成32年)."""
    index = next(i for i, (names, __) in enumerate(ERAS) if era.upper() in names)
    first = ERAS[index][1]
    following = ERAS[index + 1][1] if index + 1 < len(ERAS) else date.max
    try:
        value = date(
            first.year + (1 if year == "元" else int(year)) - 1, int(month), int(day)
        )
    except ValueError as error:
        raise ImportValueError(
            _("“%(value)s” is not a date of the calendar.", value=text)
        ) from error
    if not first <= value < following:
        raise ImportValueError(_("“%(value)s” is not a date of that era.", value=text))
    return value
