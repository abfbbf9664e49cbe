# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import base64
import importlib.util
from datetime import date

from odoo.tests import freeze_time, tagged
from odoo.tools import file_path

from .common import MembershipCommon


def load_migration(name):
    """A migration script of this version, loaded as Odoo's upgrade does."""
    path = file_path(f"membership_management/migrations/19.0.1.1.0/{name}.py")
    spec = importlib.util.spec_from_file_location(f"mm_migration_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestStoredTexts(MembershipCommon):
    """Reasons and messages the addon writes are read in the reader's language
    and date format, whoever wrote them and in whatever language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ja_JP")
        cls.env["ir.module.module"]._load_module_terms(
            ["membership_management"], ["ja_JP"]
        )
        cls.plan_fixed.with_context(lang="ja_JP").name = "正会員"

    def in_english(self, records):
        return records.with_context(lang="en_US")

    def in_japanese(self, records):
        return records.with_context(lang="ja_JP")

    def test_a_status_reason_is_rendered_in_each_readers_language(self):
        with freeze_time("2026-05-10 12:00:00"):
            member = self.create_member()
            dues = self.bill(member, date(2026, 5, 10))
            self.pay(dues.move_id, date(2026, 5, 10))
            self.assertEqual(member.state, "active")
        self.run_job(self.env["membership.member"]._cron_update_states, "2027-05-01")
        lapsed = member.status_history_ids.filtered(lambda h: h.new_state == "lapsed")
        self.assertEqual(
            self.in_english(lapsed).reason, "Grace period ended on 04/30/2027"
        )
        self.assertEqual(
            self.in_japanese(lapsed).reason, "猶予期間は 2027/04/30 に終了しました"
        )
        paid = member.status_history_ids.filtered(lambda h: h.new_state == "active")
        self.assertEqual(
            self.in_japanese(paid).reason,
            f"会費 正会員 2026/04/01 - 2027/03/31 は {dues.move_id.name} で入金済",
        )
        self.assertEqual(paid.reason_data["code"], "state.paid")

    def test_a_withdrawal_reason_names_the_reason_in_the_readers_language(self):
        reason = self.env["membership.withdrawal.reason"].create({"name": "Moved"})
        reason.with_context(lang="ja_JP").name = "転居"
        with freeze_time("2026-05-10 12:00:00"):
            member = self.create_member()
            member.write(
                {
                    "withdrawal_date": date(2026, 5, 10),
                    "withdrawal_reason_id": reason.id,
                }
            )
            member.env.flush_all()
        withdrawn = member.status_history_ids.filtered(
            lambda h: h.new_state == "withdrawn"
        )
        self.assertEqual(
            self.in_english(withdrawn).reason, "Withdrawn on 05/10/2026: Moved"
        )
        self.assertIn("転居", self.in_japanese(withdrawn).reason)
        self.assertIn("2026/05/10", self.in_japanese(withdrawn).reason)

    def test_a_dues_period_is_labelled_in_the_readers_language(self):
        with freeze_time("2026-05-10 12:00:00"):
            dues = self.bill(self.create_member(), date(2026, 5, 10))
        self.assertEqual(
            self.in_english(dues).display_name, "Regular 04/01/2026 - 03/31/2027"
        )
        self.assertEqual(
            self.in_japanese(dues).display_name, "正会員 2026/04/01 - 2027/03/31"
        )

    def test_a_dues_run_skip_reason_is_rendered_in_the_readers_language(self):
        with freeze_time("2027-03-20 12:00:00"):
            member = self.create_member(join_date=date(2026, 4, 1))
            self.bill(member, date(2027, 4, 1))
            run = self.env["membership.dues.run"].create(
                {
                    "name": "Dues 2027",
                    "plan_ids": [self.plan_fixed.id],
                    "period_date": date(2027, 4, 1),
                    "member_domain": f"[('id', '=', {member.id})]",
                }
            )
            run.action_start()
            run._process_next_batch()
        line = run.line_ids
        self.assertEqual(line.status, "skipped")
        self.assertEqual(self.in_english(line).reason, "period already billed")
        self.assertEqual(self.in_japanese(line).reason, "この期間は請求済です")

    def test_bank_messages_and_the_unnamed_import_follow_the_reader(self):
        with freeze_time("2026-06-01 12:00:00"):
            batch = self.env["membership.payment.import"].create(
                {
                    "journal_id": self.company_data["default_journal_bank"].id,
                    "file": base64.b64encode(
                        b"date,amount,reference,name\n2026-06-05,999,,Nobody\n"
                    ),
                    "filename": "bank.csv",
                }
            )
            batch.action_parse()
        self.assertFalse(batch.name)
        day = batch.create_date.date()
        self.assertEqual(
            self.in_english(batch).display_name, f"Bank import of {day:%m/%d/%Y}"
        )
        self.assertEqual(
            self.in_japanese(batch).display_name, f"{day:%Y/%m/%d} の入金取込"
        )
        line = batch.line_ids
        self.assertEqual(line.state, "unmatched")
        self.assertTrue(self.in_english(line).message.startswith("No open dues"))
        self.assertTrue(self.in_japanese(line).message.startswith("この金額の"))

    def test_the_shipped_journeys_and_their_steps_are_translated(self):
        journey = self.env.ref("membership_management.journey_welcome").sudo()
        self.assertEqual(self.in_english(journey).name, "Welcome series")
        self.assertNotEqual(self.in_japanese(journey).name, "Welcome series")
        self.assertNotIn("Welcome", self.in_japanese(journey.step_ids).mapped("name"))

    def test_a_text_written_as_such_is_kept_as_it_was_written(self):
        member = self.create_member()
        row = (
            self.env["membership.status.history"]
            .sudo()
            .create(
                {
                    "member_id": member.id,
                    "new_state": "draft",
                    "reason": "Entered on paper in 2019",
                }
            )
        )
        self.assertEqual(row.reason_data, {"text": "Entered on paper in 2019"})
        self.assertEqual(self.in_japanese(row).reason, "Entered on paper in 2019")

    def test_a_reason_naming_a_deleted_record_shows_its_name_when_written(self):
        row = (
            self.env["membership.status.history"]
            .sudo()
            .create({"member_id": self.create_member().id, "new_state": "active"})
        )
        missing = 2**31 - 1
        row.reason_data = {
            "code": "state.paid",
            "args": {
                "period": {
                    "model": "membership.dues",
                    "ids": [missing],
                    "label": "Regular 2019",
                },
                "invoice": {
                    "model": "account.move",
                    "ids": [missing],
                    "label": "INV/2019/7",
                },
            },
        }
        self.assertEqual(
            self.in_english(row).reason, "Dues Regular 2019 paid by INV/2019/7"
        )

    def test_rendering_a_page_of_reasons_costs_a_few_queries(self):
        with freeze_time("2026-05-10 12:00:00"):
            members = self.env["membership.member"]
            for index in range(12):
                member = self.create_member(email=f"q{index}@example.com")
                self.bill(member, date(2026, 5, 10))
                members |= member
            self.env.flush_all()
        rows = self.env["membership.status.history"].search(
            [("member_id", "in", members.ids)]
        )
        self.assertEqual(len(rows), 24)
        self.env.invalidate_all()
        rows = self.in_japanese(rows.browse(rows.ids))
        with self.assertQueryCount(8):
            rows.mapped("reason")

    def test_an_upgrade_keeps_old_sentences_and_does_not_double_the_steps(self):
        cr = self.env.cr
        member = self.create_member()
        self.env.flush_all()
        history = member.status_history_ids
        self.assertEqual(len(history), 1)
        cr.execute(
            "ALTER TABLE membership_status_history ADD COLUMN IF NOT EXISTS reason "
            "varchar"
        )
        cr.execute(
            "UPDATE membership_status_history SET reason = 'Old sentence', "
            "reason_data = NULL WHERE id = %s",
            [history.id],
        )
        step = self.env.ref("membership_management.journey_welcome_step_20")
        self.env["ir.model.data"].search(
            [
                ("module", "=", "membership_management"),
                ("name", "=", "journey_welcome_step_20"),
            ]
        ).unlink()
        load_migration("pre-migrate").migrate(cr, "19.0.1.0.0")
        load_migration("post-migrate").migrate(cr, "19.0.1.0.0")
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        self.assertEqual(history.reason, "Old sentence")
        self.assertEqual(
            self.env.ref("membership_management.journey_welcome_step_20"), step
        )
