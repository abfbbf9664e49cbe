# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).

from psycopg2 import Error as PsycopgError

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools.bank_transfer import normalize_name, reference_tokens
from ..tools.invoice import register_payment

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
    _description = "Membership Bank Payment Import Line"
    _order = "import_id, sequence, id"

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
    message = fields.Char()
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
            vals = dict(vals, state="matched", match_rule="manual")
            if self.filtered(lambda line: line.state not in ("unmatched", "matched")):
                raise UserError(self.env._("Only unpaid lines can be matched."))
        return super().write(vals)

    # ------------------------------------------------------------
    # MATCHING
    # ------------------------------------------------------------

    def _propose_matches(self):
        """Propose dues for each line, best rule first (see MATCH_RULES)."""
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
        index = self._build_match_index(lines.company_id)
        taken = self.env["membership.dues"]
        for line in lines:
            if line.import_key in paid_keys:
                line.write(
                    {
                        "state": "duplicate",
                        "message": self.env._("Paid by an earlier import."),
                        "dues_id": False,
                    }
                )
                continue
            dues, rule = line._find_dues(index, taken)
            taken |= dues
            line.write(
                {
                    "dues_id": dues.id,
                    "member_id": dues.member_id.id,
                    "match_rule": rule,
                    "state": "matched" if dues else "unmatched",
                    "message": False,
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

    def _find_dues(self, index, taken):
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
        same_amount = index["by_amount"].get(round(self.amount, 2), [])
        same_amount = [d for d in same_amount if d not in taken]
        payer = normalize_name(self.payer_name)
        if payer:
            for dues in same_amount:
                member = dues.member_id
                names = {normalize_name(member.name), normalize_name(member.name_kana)}
                if payer in names - {""}:
                    return dues, "name_amount"
        if len(same_amount) == 1:
            return same_amount[0], "amount"
        return self.env["membership.dues"], False

    # ------------------------------------------------------------
    # PAYMENT
    # ------------------------------------------------------------

    def _register_payment(self):
        """Pay the line's dues invoice from the import's bank journal."""
        self.ensure_one()
        move = self.dues_id.move_id
        try:
            with self.env.cr.savepoint():
                if move.payment_state not in ("not_paid", "partial"):
                    raise UserError(
                        self.env._(
                            "Invoice %(invoice)s is already paid.", invoice=move.name
                        )
                    )
                payment = register_payment(
                    move,
                    self.import_id.journal_id,
                    self.date,
                    self.amount,
                    self.reference or move.payment_reference,
                )
                self.write(
                    {"state": "done", "payment_id": payment[:1].id, "message": False}
                )
        except (UserError, ValidationError, PsycopgError) as error:
            self.write({"state": "unmatched", "message": str(error)})
