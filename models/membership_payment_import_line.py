# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).

from psycopg2 import Error as PsycopgError

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools.bank_transfer import normalize_name, reference_tokens
from ..tools.invoice import register_payment
from ..tools.stored_text import free_text, stored_text

MATCH_RULES = [
    ("invoice", "Invoice number in the reference"),
    ("member_number", "Member number in the reference"),
    ("name_amount", "Payer name and amount"),
    ("amount", "Only open dues of this amount"),
    ("manual", "Chosen by staff"),
]


class MembershipPaymentImportLine(models.Model):
    """One credit of a bank file and the dues it pays."""

    _name = "membership.payment.import.line"
    _inherit = ["membership.stored.text.mixin"]
    _description = "Membership Bank Payment Import Line"
    _order = "import_id, sequence, id"
    _stored_texts = {"message": "message_data"}

    import_id = fields.Many2one(
        "membership.payment.import", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="import_id.company_id", store=True)
    currency_id = fields.Many2one(related="import_id.currency_id")
    sequence = fields.Integer(help="Line of the record in the file.")
    date = fields.Date()
    amount = fields.Monetary()
    payer_name = fields.Char()
    reference = fields.Char()
    raw_line = fields.Char(string="Original Line")
    member_id = fields.Many2one("membership.member", index="btree_not_null")
    dues_id = fields.Many2one(
        "membership.dues",
        domain="[('member_id', '=', member_id), "
        "('state', 'in', ('invoiced', 'partial'))]",
    )
    match_rule = fields.Selection(MATCH_RULES)
    state = fields.Selection(
        [
            ("unmatched", "Unmatched"),
            ("matched", "To Confirm"),
            ("done", "Paid"),
            ("duplicate", "Already Imported"),
            ("error", "Error"),
        ],
        default="unmatched",
        required=True,
        index=True,
    )
    message = fields.Char(
        compute="_compute_stored_texts", inverse="_inverse_stored_texts"
    )
    message_data = fields.Json(readonly=True)
    import_key = fields.Char(index="btree_not_null", copy=False)
    payment_id = fields.Many2one("account.payment", readonly=True, copy=False)

    _import_key_paid_uniq = models.UniqueIndex(
        "(company_id, import_key) WHERE state = 'done'",
        "This bank transfer has already been paid by an earlier import.",
    )

    @api.onchange("member_id")
    def _onchange_member_id(self):
        if self.dues_id.member_id != self.member_id:
            open_states = self.env["membership.dues"]._get_open_states()
            self.dues_id = self.member_id.dues_ids.filtered(
                lambda d: d.state in open_states
            ).sorted("date_start")[:1]

    @api.onchange("dues_id")
    def _onchange_dues_id(self):
        if self.dues_id and self.state in ("unmatched", "matched"):
            self.member_id = self.dues_id.member_id
            self.match_rule = "manual"
            self.state = "matched"

    def write(self, vals):
        if vals.get("dues_id") and "state" not in vals:
            vals = dict(vals, state="matched", match_rule="manual", message_data=False)
            if self.filtered(lambda line: line.state not in ("unmatched", "matched")):
                raise UserError(self.env._("Only unpaid lines can be matched."))
        return super().write(vals)

    # ------------------------------------------------------------
    # MATCHING
    # ------------------------------------------------------------

    def _propose_matches(self):
        """Propose dues for each line, the whole file rule by rule: by the
        references (invoice number, then member number), then what is left by
        payer name and amount, then by an amount only one open dues has: a
        weaker guess on one line never takes the dues a stronger rule gives
        another line, nor the dues a line matched by hand holds. An unmatched
        line says why."""
        lines = self.filtered(lambda line: line.state in ("unmatched", "matched"))
        if not lines:
            return
        paid_keys = set(
            self.search(
                [
                    ("state", "=", "done"),
                    ("import_key", "in", lines.mapped("import_key")),
                    ("company_id", "=", lines.company_id.id),
                ]
            ).mapped("import_key")
        )
        duplicates = lines.filtered(lambda line: line.import_key in paid_keys)
        duplicates.write(
            {
                "state": "duplicate",
                "message_data": stored_text("bank.paid_earlier"),
                "dues_id": False,
            }
        )
        index = self._build_match_index(lines.company_id)
        taken = {}  # dues: the line that took them
        # what other lines of the file hold (matched by hand) is not proposed
        for held in (lines.import_id.line_ids - lines).filtered(
            lambda line: line.state == "matched" and line.dues_id
        ):
            taken[held.dues_id] = held
        found = {}
        todo = lines - duplicates
        for line in todo:
            dues, rule = line._find_dues_by_reference(index, taken)
            if dues:
                taken[dues] = line
                found[line] = (dues, rule, False)
        for line in todo.filtered(lambda line: line not in found):
            dues = line._find_dues_by_name(index, taken)
            if dues:
                taken[dues] = line
                found[line] = (dues, "name_amount", False)
        for line in todo.filtered(lambda line: line not in found):
            dues, rule, reason = line._find_dues_by_amount(index, taken)
            if dues:
                taken[dues] = line
            found[line] = (dues, rule, reason)
        for line in todo:
            dues, rule, reason = found[line]
            line.write(
                {
                    "dues_id": dues.id,
                    "member_id": dues.member_id.id,
                    "match_rule": rule,
                    "state": "matched" if dues else "unmatched",
                    "message_data": reason or False,
                }
            )

    @api.model
    def _build_match_index(self, company):
        """Open dues of the company, indexed once for the whole file."""
        open_states = self.env["membership.dues"]._get_open_states()
        open_dues = self.env["membership.dues"].search(
            [("company_id", "=", company.id), ("state", "in", open_states)],
            order="date_start, id",
        )
        index = {
            "by_invoice": {},
            "by_member_number": {},
            "by_amount": {},
        }
        for dues in open_dues:
            member = dues.member_id
            index["by_invoice"].setdefault((dues.move_id.name or "").upper(), dues)
            index["by_member_number"].setdefault(
                (member.member_number or "").upper(), dues
            )
            amount = round(dues.amount_residual, 2)
            index["by_amount"].setdefault(amount, self.env["membership.dues"])
            index["by_amount"][amount] |= dues
        return index

    def _find_dues_by_reference(self, index, taken):
        """Dues whose invoice number, then member number, the line quotes."""
        self.ensure_one()
        tokens = reference_tokens(f"{self.reference or ''} {self.payer_name or ''}")
        for key, rule in (
            ("by_invoice", "invoice"),
            ("by_member_number", "member_number"),
        ):
            for token in tokens:
                dues = index[key].get(token)
                if dues and dues not in taken:
                    return dues, rule
        return self.env["membership.dues"], False

    def _find_dues_by_name(self, index, taken):
        """Open dues of the line's amount in the payer's name."""
        self.ensure_one()
        payer = normalize_name(self.payer_name)
        if payer:
            for dues in index["by_amount"].get(round(self.amount, 2), []):
                if dues in taken:
                    continue
                member = dues.member_id
                names = {normalize_name(member.name), normalize_name(member.name_kana)}
                if payer in names - {""}:
                    return dues
        return self.env["membership.dues"]

    def _find_dues_by_amount(self, index, taken):
        """The only open dues of the line's amount no other line took; else
        none and the reason."""
        self.ensure_one()
        Dues = self.env["membership.dues"]
        amount = round(self.amount, 2)
        tokens = reference_tokens(f"{self.reference or ''} {self.payer_name or ''}")
        quoted = [
            index[key][token]
            for key in ("by_invoice", "by_member_number")
            for token in tokens
            if index[key].get(token) in taken
        ]
        all_same = index["by_amount"].get(amount, [])
        same_amount = [d for d in all_same if d not in taken]
        if len(same_amount) == 1:
            return same_amount[0], "amount", False
        if quoted:
            return (
                Dues,
                False,
                stored_text(
                    "bank.quoted_taken",
                    dues=quoted[0],
                    line=taken[quoted[0]].sequence,
                ),
            )
        if same_amount:
            return (
                Dues,
                False,
                stored_text("bank.same_amount", count=len(same_amount)),
            )
        if all_same:
            return (
                Dues,
                False,
                stored_text("bank.amount_taken"),
            )
        return (
            Dues,
            False,
            stored_text("bank.no_match"),
        )

    # ------------------------------------------------------------
    # PAYMENT
    # ------------------------------------------------------------

    def _register_payment(self):
        """Pay the line's dues invoice from the import's bank journal."""
        self.ensure_one()
        move = self.dues_id.move_id
        if move.payment_state not in ("not_paid", "partial"):
            self.write(
                {
                    "state": "unmatched",
                    "message_data": stored_text("bank.invoice_paid", invoice=move),
                }
            )
            return
        try:
            with self.env.cr.savepoint():
                payment = register_payment(
                    move,
                    self.import_id.journal_id,
                    self.date,
                    self.amount,
                    self.reference or move.payment_reference,
                )
                self.write(
                    {
                        "state": "done",
                        "payment_id": payment[:1].id,
                        "message_data": False,
                    }
                )
        except (UserError, ValidationError, PsycopgError) as error:
            self.write({"state": "unmatched", "message_data": free_text(str(error))})
