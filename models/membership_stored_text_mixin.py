# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, models

from ..tools.stored_text import free_text, render_stored_texts


class MembershipStoredTextMixin(models.AbstractModel):
    """Text fields rendered in the reader's language from a stored message
    code (see ``tools/stored_text.py``).

    A model lists its pairs in ``_stored_texts`` (``{"reason": "reason_data"}``),
    declares the ``Json`` field and the ``Char`` field with
    ``compute="_compute_stored_texts", inverse="_inverse_stored_texts"``.
    Writing a plain string to the text field stores it as free text.
    """

    _name = "membership.stored.text.mixin"
    _description = "Texts Rendered in the Reader's Language"

    _stored_texts = {}

    @api.depends(lambda self: list(self._stored_texts.values()))
    @api.depends_context("lang")
    def _compute_stored_texts(self):
        for text_field, data_field in self._stored_texts.items():
            texts = render_stored_texts(self.env, self.mapped(data_field))
            for record, text in zip(self, texts, strict=True):
                record[text_field] = text

    def _inverse_stored_texts(self):
        for record in self:
            for text_field, data_field in self._stored_texts.items():
                old = render_stored_texts(record.env, [record[data_field]])[0]
                if record[text_field] != old:  # the field written
                    record[data_field] = free_text(record[text_field])
