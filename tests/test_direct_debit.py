# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import base64
from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, freeze_time, tagged

from .common import MembershipCommon

CRLF = b"\r\n"


def record(*parts):
    """A record written the way the bank specification reads: each part is
    ``(value, length, numeric)``; the test builds it without the addon's code."""
    out = b""
    for value, length, numeric in parts:
        if numeric:
            out += str(value).rjust(length, "0").encode("ascii")
        else:
            out += str(value).encode("cp932").ljust(length, b" ")
    assert len(out) == 120, len(out)
    return out


def trailer(count, amount, paid_count=0, paid=0, failed_count=0, failed=0):
    return record(
        ("8", 1, True),
        (count, 6, True),
        (amount, 12, True),
        (paid_count, 6, True),
        (paid, 12, True),
        (failed_count, 6, True),
        (failed, 12, True),
        ("", 65, False),
    )


@tagged("post_install", "-at_install")
@freeze_time("2027-04-10 12:00:00")
class TestDirectDebit(MembershipCommon):
    """口座振替: mandates, the Zengin 種別 91 request file and the bank's result
    file, which pays or fails each debit once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "membership_debit_consignor_code": "1234567890",
                "membership_debit_consignor_name": "ｼﾔ)ﾃｽﾄｷﾖｳｶｲ",
                "membership_debit_bank_code": "0001",
                "membership_debit_bank_name": "ﾐｽﾞﾎ",
                "membership_debit_branch_code": "001",
                "membership_debit_branch_name": "ﾎﾝﾃﾝ",
                "membership_debit_account_type": "1",
                "membership_debit_account_number": "1111111",
            }
        )
        with freeze_time("2027-04-01 12:00:00"):
            cls.yamada, cls.suzuki, cls.ito, cls.sato = (
                cls.create_member(name=name, email=f"{name.lower()}@example.com")
                for name in ("Yamada", "Suzuki", "Ito", "Sato")
            )
            members = cls.yamada | cls.suzuki | cls.ito | cls.sato
            cls.dues = members._create_period_dues(date(2027, 4, 1))
        Mandate = cls.env["membership.direct.debit.mandate"]
        cls.mandate_yamada = Mandate.create(
            {
                "member_id": cls.yamada.id,
                "bank_code": "0005",
                "bank_name": "ﾐﾂﾋﾞｼﾕｰｴﾌｼﾞｪｲ",
                "branch_code": "123",
                "account_type": "1",
                "account_number": "7654321",
                "holder_name": "やまだ　はなこ",
                "customer_number": "1001",
            }
        )
        cls.mandate_suzuki = Mandate.create(
            {
                "member_id": cls.suzuki.id,
                "bank_code": "０００９",
                "branch_code": "456",
                "account_type": "4",
                "account_number": "0012345",
                "holder_name": "ｽｽﾞｷ ﾀﾛｳ",
                "customer_number": "1002",
            }
        )
        # the form of Ito is not back from the bank: pending, not debited
        cls.mandate_ito = Mandate.create(
            {
                "member_id": cls.ito.id,
                "bank_code": "0001",
                "branch_code": "001",
                "account_number": "2222222",
                "holder_name": "ｲﾄｳ ｹﾝ",
            }
        )
        (cls.mandate_yamada | cls.mandate_suzuki).action_activate()
        cls.bank = cls.company_data["default_journal_bank"]

    def new_batch(self, **vals):
        return self.env["membership.direct.debit.batch"].create(
            {"debit_date": date(2027, 4, 27), "journal_id": self.bank.id, **vals}
        )

    def dues_of(self, member):
        return self.dues.filtered(lambda d: d.member_id == member)

    def amount_of(self, member):
        return int(self.dues_of(member).move_id.amount_residual)

    def exported(self):
        batch = self.new_batch()
        batch.action_collect()
        batch.action_export()
        return batch

    def request_bytes(self, batch):
        return batch.request_attachment_id.raw

    def result_file(self, batch, codes, line_break=True):
        """The bank's answer to ``batch``'s request: each data record with the
        result code of its customer number, the trailer's totals filled."""
        records = self.request_bytes(batch).split(CRLF)[:-1]
        header, data, end = records[0], records[1:-2], records[-1]
        answered, paid, failed = [], [], []
        for rec in data:
            customer = int(rec[91:111])
            code = codes.get(customer, "0")
            answered.append(rec[:111] + code.encode() + rec[112:])
            (paid if code == "0" else failed).append(int(rec[80:90]))
        total = paid + failed
        records = [
            header,
            *answered,
            trailer(
                len(total), sum(total), len(paid), sum(paid), len(failed), sum(failed)
            ),
            end,
        ]
        separator = CRLF if line_break else b""
        return separator.join(records) + separator

    # ------------------------------------------------------------
    # mandates
    # ------------------------------------------------------------

    def test_mandate_data_are_written_as_the_bank_file_wants_them(self):
        self.assertEqual(self.mandate_yamada.holder_name, "ﾔﾏﾀﾞ ﾊﾅｺ")
        self.assertEqual(self.mandate_suzuki.bank_code, "0009")
        self.assertEqual(self.mandate_yamada.account_number_masked, "****321")
        self.assertEqual(self.mandate_yamada.new_code, "1")
        self.assertTrue(self.mandate_ito.customer_number.isdigit())
        with self.assertRaisesRegex(ValidationError, "山"):
            self.mandate_ito.holder_name = "山田"
        with self.assertRaisesRegex(ValidationError, "7 digits"):
            self.mandate_ito.account_number = "12345"
        with self.assertRaisesRegex(ValidationError, "4 digits"):
            self.mandate_ito.bank_code = "12a4"

    def test_activating_a_new_mandate_revokes_the_previous_one(self):
        new = self.mandate_yamada.copy(
            {"account_number": "1234567", "customer_number": "1003"}
        )
        new.action_activate()
        self.assertEqual(new.state, "active")
        self.assertEqual(self.mandate_yamada.state, "revoked")
        self.assertTrue(self.yamada.has_active_mandate)

    def test_officers_manage_mandates_but_not_collections_and_portal_sees_neither(self):
        self.mandate_ito.with_user(self.officer).write({"holder_name": "ｲﾄｳ ｹﾝｲﾁ"})
        with self.assertRaises(AccessError):
            self.new_batch().with_user(self.officer).action_collect()
        with self.assertRaises(AccessError):
            self.env["membership.direct.debit.mandate"].with_user(self.portal_a).search(
                []
            )

    # ------------------------------------------------------------
    # collection and request file
    # ------------------------------------------------------------

    def test_collect_takes_open_invoices_of_active_mandates_once(self):
        batch = self.new_batch()
        batch.action_collect()
        self.assertEqual(batch.line_ids.member_id, self.yamada | self.suzuki)
        self.assertEqual(
            batch.amount_total,
            self.amount_of(self.yamada) + self.amount_of(self.suzuki),
        )
        other = self.new_batch()
        other.action_collect()
        self.assertFalse(other.line_ids, "an invoice is in one live batch at a time")
        too_early = self.new_batch(debit_date=date(2027, 3, 31))
        too_early.action_collect()
        self.assertFalse(too_early.line_ids, "nothing is due by then")

    def test_request_file_is_zengin_91_byte_for_byte(self):
        batch = self.exported()
        attachment = batch.request_attachment_id
        self.assertEqual(
            (attachment.res_model, attachment.res_id), (batch._name, batch.id)
        )
        self.assertEqual(batch.state, "exported")
        content = self.request_bytes(batch)
        records = content.split(CRLF)
        self.assertEqual(records[-1], b"", "every record ends with CR+LF")
        records = records[:-1]
        self.assertEqual(len(records), 5)
        for rec in records:
            self.assertEqual(len(rec), 120)
        header = record(
            ("1", 1, True),
            ("91", 2, True),
            ("0", 1, True),
            ("1234567890", 10, True),
            ("ｼﾔ)ﾃｽﾄｷﾖｳｶｲ", 40, False),
            ("0427", 4, True),
            ("0001", 4, True),
            ("ﾐｽﾞﾎ", 15, False),
            ("001", 3, True),
            ("ﾎﾝﾃﾝ", 15, False),
            ("1", 1, True),
            ("1111111", 7, True),
            ("", 17, False),
        )
        self.assertEqual(records[0], header)
        yamada = record(
            ("2", 1, True),
            ("0005", 4, True),
            ("ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ", 15, False),
            ("123", 3, True),
            ("", 15, False),
            ("", 4, False),
            ("1", 1, True),
            ("7654321", 7, True),
            ("ﾔﾏﾀﾞ ﾊﾅｺ", 30, False),
            (self.amount_of(self.yamada), 10, True),
            ("1", 1, True),
            ("1001", 20, True),
            ("0", 1, True),
            ("", 8, False),
        )
        self.assertIn(yamada, records[1:3])
        total = self.amount_of(self.yamada) + self.amount_of(self.suzuki)
        self.assertEqual(records[3], trailer(2, total))
        self.assertEqual(records[4], record(("9", 1, True), ("", 119, False)))
        log = self.env["membership.audit.log"].search(
            [("event", "=", "direct_debit_export")]
        )
        self.assertEqual(log.member_id, self.yamada | self.suzuki)

    def test_request_file_without_line_breaks_when_the_bank_wants_none(self):
        self.company.membership_debit_line_breaks = False
        content = self.request_bytes(self.exported())
        self.assertEqual(len(content), 5 * 120)
        self.assertNotIn(b"\r", content)

    def test_export_says_what_the_settings_lack(self):
        self.company.membership_debit_consignor_code = False
        batch = self.new_batch()
        batch.action_collect()
        with self.assertRaisesRegex(ValidationError, "Consignor Code"):
            batch.action_export()

    # ------------------------------------------------------------
    # result file
    # ------------------------------------------------------------

    def test_debited_invoices_are_paid_and_failures_keep_their_reason(self):
        batch = self.exported()
        batch._import_result(self.result_file(batch, {1002: "1"}))
        self.assertEqual(batch.state, "done")
        paid = batch.line_ids.filtered(lambda x: x.member_id == self.yamada)
        failed = batch.line_ids.filtered(lambda x: x.member_id == self.suzuki)
        self.assertEqual((paid.state, failed.state), ("paid", "failed"))
        self.assertEqual(paid.payment_id.journal_id, self.bank)
        self.assertEqual(paid.payment_id.date, date(2027, 4, 27))
        self.assertEqual(self.dues_of(self.yamada).state, "paid")
        self.assertEqual(self.yamada.state, "active")
        self.assertEqual(self.mandate_yamada.date_last_debit, date(2027, 4, 27))
        self.assertEqual(self.mandate_yamada.new_code, "0")
        self.assertEqual(self.dues_of(self.suzuki).state, "invoiced")
        self.assertIn("資金不足", failed.message)
        self.assertIn("資金不足", self.dues_of(self.suzuki).message_ids[:1].body)
        self.assertIn("資金不足", self.suzuki.message_ids[:1].body)
        # insufficient funds: the mandate stays, the next collection retries
        self.assertEqual(self.mandate_suzuki.state, "active")
        retry = self.new_batch(debit_date=date(2027, 5, 27))
        retry.action_collect()
        self.assertEqual(retry.line_ids.member_id, self.suzuki)

    def test_no_account_or_stopped_by_the_holder_revokes_the_mandate(self):
        batch = self.exported()
        batch._import_result(self.result_file(batch, {1001: "2", 1002: "3"}))
        self.assertEqual(
            (self.mandate_yamada | self.mandate_suzuki).mapped("state"),
            ["revoked", "revoked"],
        )
        self.assertFalse(self.yamada.has_active_mandate)

    def test_the_same_result_file_twice_pays_nothing_twice(self):
        batch = self.exported()
        result = self.result_file(batch, {}, line_break=False)
        batch._import_result(result)
        batch._import_result(result)
        payments = batch.line_ids.payment_id
        self.assertEqual(len(payments), 2)
        self.assertEqual(
            self.env["account.payment"].search_count(
                [("partner_id", "=", self.yamada.partner_id.id)]
            ),
            1,
        )

    def test_bad_result_files_are_refused_whole_with_the_record_number(self):
        batch = self.exported()
        good = self.result_file(batch, {})
        records = good.split(CRLF)
        short = CRLF.join([records[0], records[1][:119], *records[2:]])
        with self.assertRaisesRegex(UserError, "Record 2 is 119 bytes long"):
            batch._import_result(short)
        unknown = records[1][:91] + b"9" * 20 + records[1][111:]
        with self.assertRaisesRegex(UserError, "record 2 has the customer number"):
            batch._import_result(CRLF.join([records[0], unknown, *records[2:]]))
        wrong_total = CRLF.join([*records[:3], trailer(2, 1), *records[4:]])
        with self.assertRaisesRegex(UserError, "Record 4: the trailer says"):
            batch._import_result(wrong_total)
        other_date = records[0][:54] + b"0527" + records[0][58:]
        with self.assertRaisesRegex(UserError, "another collection"):
            batch._import_result(CRLF.join([other_date, *records[1:]]))
        self.assertFalse(batch.line_ids.payment_id, "nothing half-imported")
        self.assertEqual(set(batch.line_ids.mapped("state")), {"pending"})

    def test_a_debit_answered_twice_is_refused_whole(self):
        """Two records for one customer number would pay one debit twice."""
        batch = self.exported()
        records = self.result_file(batch, {}).split(CRLF)
        amount = int(records[1][80:90])
        twice = CRLF.join(
            [
                records[0],
                records[1],
                records[1],
                trailer(2, 2 * amount, 2, 2 * amount),
                records[4],
                b"",
            ]
        )
        with self.assertRaisesRegex(UserError, "records 2 and 3 both answer"):
            batch._import_result(twice)
        self.assertFalse(batch.line_ids.payment_id)

    def test_the_import_wizard_reads_the_uploaded_file(self):
        batch = self.exported()
        action = batch.action_import_result()
        wizard = (
            self.env[action["res_model"]]
            .with_context(**action["context"])
            .create(
                {
                    "file": base64.b64encode(self.result_file(batch, {})),
                    "file_name": "result.txt",
                }
            )
        )
        wizard.action_import()
        self.assertEqual(batch.paid_count, 2)


@tagged("post_install", "-at_install")
class TestDirectDebitPortal(MembershipCommon, HttpCase):
    """The portal tells a member paying by 口座振替 when the bank debits them,
    instead of offering to pay the invoice."""

    def test_portal_shows_the_debit_date_instead_of_a_pay_button(self):
        self.company.write(
            {
                "membership_debit_consignor_code": "1234567890",
                "membership_debit_consignor_name": "ﾃｽﾄ",
                "membership_debit_bank_code": "0001",
                "membership_debit_branch_code": "001",
                "membership_debit_account_number": "1111111",
            }
        )
        today = fields.Date.today()
        member = self.create_member(
            join_date=today, partner_id=self.portal_a.partner_id.id, name="Portal A"
        )
        dues = member._create_period_dues(today)
        self.assertEqual(dues.state, "invoiced")
        self.authenticate("mm_portal_a", "mm_portal_a")
        self.assertIn(">Pay now</a>", self.url_open("/my/membership").text)
        mandate = self.env["membership.direct.debit.mandate"].create(
            {
                "member_id": member.id,
                "bank_code": "0005",
                "branch_code": "123",
                "account_number": "7654321",
                "holder_name": "ﾎﾟｰﾀﾙ",
            }
        )
        mandate.action_activate()
        batch = self.env["membership.direct.debit.batch"].create(
            {
                "debit_date": today + timedelta(days=10),
                "journal_id": self.company_data["default_journal_bank"].id,
            }
        )
        batch.action_collect()
        batch.action_export()
        overview = self.url_open("/my/membership").text
        self.assertIn("Debited from your bank account on", overview)
        self.assertNotIn(">Pay now</a>", overview)
        dues_page = self.url_open("/my/membership/dues").text
        self.assertIn("Debited on", dues_page)
        self.assertNotIn(">Pay</a>", dues_page)
