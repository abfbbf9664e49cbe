# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Pure helpers for bank-transfer files: the Zengin record layout, amounts,
payer names and the references payers write. No ORM: testable on their own."""

import re
import unicodedata

ZENGIN_RECORD_LENGTH = 200
# byte offsets of the Zengin transfer notification (振込入金通知) data record
ZENGIN_FIELDS = {
    "inquiry": (1, 7),
    "date": (7, 13),
    "amount": (19, 29),
    "payer_code": (39, 49),
    "payer": (49, 97),
    "bank": (97, 112),
    "branch": (112, 127),
    "cancel": (127, 128),
    "edi": (128, 148),
}
REIWA_START = 2018  # Reiwa 1 = 2019
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%d.%m.%Y", "%Y%m%d")
# legal-form marks a bank prints around company names (カ) = 株式会社 ...)
LEGAL_MARKS = re.compile(
    r"\(?(カ|ユ|ド|シャ|ザイ|イ|ガク|ゴウ|ゴ)\)|\((カ|ユ|ド|シャ|ザイ|イ|ガク)\)?"
)


def normalize_name(text):
    """Compare payer names whatever their width, kana script and spacing.

    NFKC turns half-width kana into full-width and full-width letters and
    digits into ASCII; hiragana become katakana; spaces, dots and legal marks
    go; letters are upper-cased.
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = LEGAL_MARKS.sub("", text)
    text = "".join(
        chr(ord(char) + 0x60) if "\u3041" <= char <= "\u3096" else char for char in text
    )
    return re.sub(r"[\s.,・\-ー()（）]", "", text).upper()


def parse_amount(text):
    text = unicodedata.normalize("NFKC", text or "").strip()
    text = re.sub(r"[^\d.\-]", "", text.replace(",", ""))
    if not text:
        raise ValueError("empty amount")
    return float(text)


REFERENCE_TOKEN = re.compile(r"[A-Z/_-]*\d+(?:[/_-]\d+)*")


def reference_tokens(text):
    """Invoice and member numbers a payer may have written, in any width:
    "INV/2026/00042", "M000042", also inside "DUESM000042" or "M000042ﾔﾏﾀﾞ"."""
    text = unicodedata.normalize("NFKC", text or "").upper()
    tokens = []
    for token in REFERENCE_TOKEN.findall(text):
        # every suffix that does not start inside a run of digits
        tokens += [
            token[i:] for i in range(len(token)) if i == 0 or not token[i - 1].isdigit()
        ]
    return tokens
