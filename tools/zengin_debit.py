# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Zengin 預金口座振替 (account transfer, 種別 91) files, without the ORM.

A request is fixed 120-byte records in Shift-JIS: a header (1), one data record
(2) per debit, a trailer (8) with the totals and an end record (9); the bank
returns the same layout with each data record's result code and the trailer's
paid and failed totals filled in. Numbers are right-aligned and zero-filled,
texts left-aligned and space-filled, in half-width characters (one byte each).
"""

import unicodedata

# messages are translated by the ``_`` the caller hands in (its ``env._``), so
# that Odoo's term extraction, which looks for ``_(``, finds them here
# pylint: disable=prefer-env-translation

RECORD_LENGTH = 120
ENCODING = "cp932"
TRANSFER_KIND = "91"

# (name, length, numeric) per record type, in file order
HEADER = (
    ("record_type", 1, True),
    ("kind", 2, True),
    ("code_type", 1, True),
    ("consignor_code", 10, True),
    ("consignor_name", 40, False),
    ("debit_date", 4, True),
    ("bank_code", 4, True),
    ("bank_name", 15, False),
    ("branch_code", 3, True),
    ("branch_name", 15, False),
    ("account_type", 1, True),
    ("account_number", 7, True),
    ("dummy", 17, False),
)
DATA = (
    ("record_type", 1, True),
    ("bank_code", 4, True),
    ("bank_name", 15, False),
    ("branch_code", 3, True),
    ("branch_name", 15, False),
    ("dummy1", 4, False),
    ("account_type", 1, True),
    ("account_number", 7, True),
    ("holder_name", 30, False),
    ("amount", 10, True),
    ("new_code", 1, True),
    ("customer_number", 20, True),
    ("result_code", 1, True),
    ("dummy2", 8, False),
)
TRAILER = (
    ("record_type", 1, True),
    ("total_count", 6, True),
    ("total_amount", 12, True),
    ("paid_count", 6, True),
    ("paid_amount", 12, True),
    ("failed_count", 6, True),
    ("failed_amount", 12, True),
    ("dummy", 65, False),
)
END = (("record_type", 1, True), ("dummy", 119, False))
LAYOUTS = {"1": HEADER, "2": DATA, "8": TRAILER, "9": END}
TRAILER_LABELS = {
    "total_count": "合計件数",
    "total_amount": "合計金額",
    "paid_count": "振替済件数",
    "paid_amount": "振替済金額",
    "failed_count": "振替不能件数",
    "failed_amount": "振替不能金額",
}

# 振替結果コード: what the bank answers for each debit
RESULT_CODES = {
    "0": "振替済 (debited)",
    "1": "資金不足 (insufficient funds)",
    "2": "取引なし (no such account)",
    "3": "預金者の都合による振替停止 (stopped by the account holder)",
    "4": "預金口座振替依頼書なし (no debit authorisation)",
    "8": "委託者の都合による振替停止 (stopped by the consignor)",
    "9": "その他 (other)",
}

# what a Zengin kana field may hold once converted
ALLOWED_KANA = set(
    "ｦｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝﾞﾟ"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ().-/\\,｢｣"
)
SMALL_TO_LARGE = str.maketrans("ｧｨｩｪｫｯｬｭｮ", "ｱｲｳｴｵﾂﾔﾕﾖ")
# full-width katakana (and marks) -> half-width, from Unicode's own mapping
_HALF_OF_FULL = {
    unicodedata.normalize("NFKC", chr(code)): chr(code)
    for code in range(0xFF61, 0xFFA0)
    if len(unicodedata.normalize("NFKC", chr(code))) == 1
}
_HALF_OF_FULL.update(
    {
        "\u3099": "ﾞ",  # combining voiced mark (from NFD of ガ)
        "\u309a": "ﾟ",
        "゛": "ﾞ",
        "゜": "ﾟ",
        "ー": "-",  # the long vowel mark is written as a hyphen
        "ｰ": "-",
        "ヰ": "ｲ",
        "ヱ": "ｴ",
        "ヮ": "ﾜ",
        "ヵ": "ｶ",
        "ヶ": "ｹ",
        "「": "｢",
        "」": "｣",
        "、": ",",
        "。": ".",
        "・": ".",
        "\u3000": " ",
    }
)


def _untranslated(source, **params):
    return source % params if params else source


class ZenginError(ValueError):
    """A value or a file that does not fit the layout; the message, in the
    caller's language, names the record or the character."""


def to_zengin_kana(text, _=_untranslated):
    """Half-width upper-case kana as banks take it: full-width kana, hiragana,
    small kana, lower-case and full-width letters and digits are converted;
    a character with no Zengin form raises :class:`ZenginError` naming it.
    ``_`` translates messages (``env._``)."""
    result = []
    for char in unicodedata.normalize("NFD", text or ""):
        if "ぁ" <= char <= "ゖ":  # hiragana -> katakana
            char = chr(ord(char) + 0x60)
        char = _HALF_OF_FULL.get(char, char)
        if char not in ALLOWED_KANA:
            folded = unicodedata.normalize("NFKC", char).upper()
            char = _HALF_OF_FULL.get(folded, folded)
        char = char.translate(SMALL_TO_LARGE)
        if len(char) != 1 or char not in ALLOWED_KANA:
            raise ZenginError(
                _("“%(char)s” cannot be written in a bank file", char=char),
            )
        result.append(char)
    return " ".join("".join(result).split())


def _field(value, length, numeric, name):
    if numeric:
        text = str(value if value not in (None, False) else 0)
        if not text.isdigit():
            raise ZenginError(f"{name}: {text!r} is not a number")
        if len(text) > length:
            raise ZenginError(f"{name}: {text!r} is longer than {length} digits")
        return text.rjust(length, "0").encode("ascii")
    encoded = (value or "").encode(ENCODING)
    if len(encoded) > length:
        encoded = encoded[:length]  # names are cut as banks cut them
    return encoded.ljust(length, b" ")


def format_record(layout, values):
    """One record of ``layout`` from ``values`` (missing fields are blank)."""
    record = b"".join(
        _field(values.get(name), length, numeric, name)
        for name, length, numeric in layout
    )
    if len(record) != RECORD_LENGTH:  # a layout or encoding slip, never data
        raise ZenginError(f"record of {len(record)} bytes")
    return record


def format_request(header, debits, line_break=True):
    """The request file: ``header`` values, then one data record per
    ``debits`` item (dicts of :data:`DATA` names), the trailer and the end."""
    records = [format_record(HEADER, {**header, "record_type": 1, "kind": 91})]
    total = 0
    for debit in debits:
        records.append(
            format_record(DATA, {**debit, "record_type": 2, "result_code": 0})
        )
        total += int(debit["amount"])
    records.append(
        format_record(
            TRAILER,
            {"record_type": 8, "total_count": len(debits), "total_amount": total},
        )
    )
    records.append(format_record(END, {"record_type": 9}))
    separator = b"\r\n" if line_break else b""
    return separator.join(records) + separator


def split_records(data, _=_untranslated):
    """The 120-byte records of ``data``, with or without line breaks (and an
    end-of-file mark); a record of another length raises with its number."""
    data = data.rstrip(b"\x1a")
    if b"\n" in data or b"\r" in data:
        lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        while lines and not lines[-1]:
            lines.pop()
    else:
        lines = [
            data[i : i + RECORD_LENGTH] for i in range(0, len(data), RECORD_LENGTH)
        ]
    for number, line in enumerate(lines, 1):
        if len(line) != RECORD_LENGTH:
            raise ZenginError(
                _(
                    "Record %(number)s is %(length)s bytes long, not 120.",
                    number=number,
                    length=len(line),
                ),
            )
    return lines


def parse_record(record, number, _=_untranslated):
    """``(record_type, values)`` of one record; numbers become ints."""
    layout = LAYOUTS.get(record[:1].decode("ascii", "replace"))
    if not layout:
        raise ZenginError(
            _(
                "Record %(number)s has an unknown record type “%(type)s”.",
                number=number,
                type=record[:1].decode("ascii", "replace"),
            ),
        )
    values, position = {}, 0
    for name, length, numeric in layout:
        raw = record[position : position + length]
        position += length
        if name.startswith("dummy"):
            continue
        try:
            text = raw.decode(ENCODING)
        except UnicodeDecodeError as error:
            raise ZenginError(
                _("Record %(number)s is not Shift-JIS text.", number=number),
            ) from error
        if numeric:
            if not text.strip().isdigit():
                raise ZenginError(
                    _(
                        "Record %(number)s: “%(text)s” stands where a number belongs.",
                        number=number,
                        text=text,
                    ),
                )
            values[name] = int(text)
        else:
            values[name] = text.rstrip()
    return str(values.pop("record_type")), values


def parse_result(data, _=_untranslated):
    """Read a result file: ``(header, debits, trailer)`` where ``debits`` are
    ``(record_number, values)``; the order of the records, the result codes
    and the trailer's totals are checked."""
    records = split_records(data, _)
    parsed = [parse_record(record, n, _) for n, record in enumerate(records, 1)]
    kinds = "".join(kind for kind, __ in parsed)
    if (
        not kinds.startswith("1")
        or not kinds.endswith("89")
        or (kinds[1:-2].strip("2"))
    ):
        raise ZenginError(
            _(
                "The records are not in the order of a bank file: a header, "
                "the data records, a trailer and an end record."
            )
        )
    header, trailer = parsed[0][1], parsed[-2][1]
    if f"{header['kind']:02d}" != TRANSFER_KIND:
        raise ZenginError(
            _(
                "Record 1: kind %(kind)s is not an account transfer (91).",
                kind=f"{header['kind']:02d}",
            ),
        )
    debits = [(n, values) for n, (__, values) in enumerate(parsed[1:-2], 2)]
    for number, debit in debits:
        if str(debit["result_code"]) not in RESULT_CODES:
            raise ZenginError(
                _(
                    "Record %(number)s: unknown result code %(code)s.",
                    number=number,
                    code=debit["result_code"],
                ),
            )
    paid = [d for __, d in debits if d["result_code"] == 0]
    failed = [d for __, d in debits if d["result_code"] != 0]
    expected = {
        "total_count": len(debits),
        "total_amount": sum(d["amount"] for __, d in debits),
        "paid_count": len(paid),
        "paid_amount": sum(d["amount"] for d in paid),
        "failed_count": len(failed),
        "failed_amount": sum(d["amount"] for d in failed),
    }
    trailer_number = len(records) - 1
    for name, value in expected.items():
        if trailer[name] != value:
            raise ZenginError(
                _(
                    "Record %(number)s: the trailer says %(found)s where the "
                    "data records make %(expected)s (%(total)s).",
                    number=trailer_number,
                    found=trailer[name],
                    expected=value,
                    total=TRAILER_LABELS[name],
                ),
            )
    return header, debits, trailer
