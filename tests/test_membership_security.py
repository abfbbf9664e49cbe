# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import MembershipCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-10-15 12:00:00")
class TestMembershipSecurity(MembershipCommon):
    """Who may see and change members, dues and history: own records only, rights
    per group, no other company's data, staff-only fields, search input not SQL."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-10-15 12:00:00"):
            cls.member_a = cls.create_member(
                partner_id=cls.portal_a.partner_id.id,
                name="Portal Member A",
                birth_date=date(1990, 1, 2),
            )
            cls.member_b = cls.create_member(
                partner_id=cls.portal_b.partner_id.id,
                name="Portal Member B",
                birth_date=date(1985, 5, 6),
            )
            cls.dues_a = cls.bill(cls.member_a, date(2026, 10, 15))
            cls.dues_b = cls.bill(cls.member_b, date(2026, 10, 15))

    # portal -----------------------------------------------------------------

    def test_portal_member_sees_only_own_member_and_dues(self):
        Member = self.env["membership.member"].with_user(self.portal_a)
        self.assertEqual(Member.search([]), self.member_a)
        self.assertEqual(Member.search_count([]), 1)
        groups = Member._read_group([], ["state"], ["__count"])
        self.assertEqual(sum(count for __, count in groups), 1)
        Dues = self.env["membership.dues"].with_user(self.portal_a)
        self.assertEqual(Dues.search([]), self.dues_a)
        self.assertEqual(self.member_a.with_user(self.portal_a).plan_id.name, "Regular")

    def test_portal_member_cannot_read_another_members_records(self):
        for record in (self.member_b, self.dues_b, self.dues_b.move_id):
            with self.assertRaises(AccessError):
                record.with_user(self.portal_a).read(["display_name"])
        history_b = self.member_b.status_history_ids
        with self.assertRaises(AccessError):
            history_b.with_user(self.portal_a).read(["reason"])
        found = (
            self.env["membership.member"]
            .with_user(self.portal_a)
            .search([("id", "=", self.member_b.id)])
        )
        self.assertFalse(found)

    def test_portal_member_cannot_write_state_number_or_plan(self):
        member = self.member_a.with_user(self.portal_a)
        for vals in (
            {"member_number": "M999999"},
            {"plan_id": self.plan_free.id},
            {"suspended_from": date(2026, 10, 1)},
        ):
            with self.assertRaises(AccessError):
                member.write(vals)
        self.assertEqual(self.member_a.plan_id, self.plan_fixed)
        with self.assertRaises(AccessError):
            self.env["membership.dues"].with_user(self.portal_a).create(
                {
                    "member_id": self.member_a.id,
                    "plan_id": self.plan_fixed.id,
                    "date_start": date(2030, 1, 1),
                    "date_end": date(2030, 12, 31),
                }
            )

    def test_portal_cannot_bill_through_rpc(self):
        for member in (self.member_a, self.member_b):
            with self.assertRaises(AccessError):
                member.with_user(self.portal_a).action_invoice_dues()
        self.assertEqual(len(self.member_b.dues_ids), 1)

    def test_birth_date_and_notes_are_staff_only(self):
        with self.assertRaises(AccessError):
            self.member_a.with_user(self.portal_a).read(["birth_date"])
        with self.assertRaises(AccessError):
            self.member_a.with_user(self.portal_a).read(["notes"])
        self.assertEqual(
            self.member_a.with_user(self.officer).birth_date, date(1990, 1, 2)
        )

    # staff ------------------------------------------------------------------

    def test_employee_without_membership_group_sees_nothing(self):
        for model in ("membership.member", "membership.dues", "membership.plan"):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.employee).search([])

    def test_officer_manages_members_and_dues_but_not_plans(self):
        member = self.member_a.with_user(self.officer)
        member.write({"phone": "+81 3 1234 5678"})
        new = (
            self.env["membership.member"]
            .with_user(self.officer)
            .create({"name": "Walk-in", "plan_id": self.plan_fixed.id})
        )
        new.action_invoice_dues()
        self.assertEqual(new.state, "waiting")
        with self.assertRaises(AccessError):
            self.plan_fixed.with_user(self.officer).write({"fee": 1.0})
        with self.assertRaises(AccessError):
            self.env["membership.plan"].with_user(self.officer).create(
                {"name": "Nope", "code": "NO"}
            )
        with self.assertRaises(AccessError):
            new.unlink()

    def test_manager_manages_plans(self):
        plan = (
            self.env["membership.plan"]
            .with_user(self.manager)
            .create({"name": "Family", "code": "FAM", "fee": 80.0})
        )
        self.assertTrue(plan.product_id)
        member = (
            self.env["membership.member"]
            .with_user(self.manager)
            .create({"name": "Temp", "plan_id": plan.id})
        )
        member.unlink()

    def test_status_history_is_read_only_for_everyone(self):
        history = self.member_a.status_history_ids[:1]
        self.assertTrue(history)
        for user in (self.officer, self.manager):
            self.assertTrue(history.with_user(user).reason)
            with self.assertRaises(AccessError):
                history.with_user(user).write({"reason": "rewritten"})
            with self.assertRaises(AccessError):
                history.with_user(user).unlink()
            with self.assertRaises(AccessError):
                self.env["membership.status.history"].with_user(user).create(
                    {
                        "member_id": self.member_a.id,
                        "new_state": "active",
                        "reason": "x",
                    }
                )

    def test_other_company_members_are_invisible(self):
        other = self.setup_other_company(name="Other Society")["company"]
        plan = self.env["membership.plan"].create(
            {"name": "Other", "code": "OTH", "fee": 10, "company_id": other.id}
        )
        foreign = self.env["membership.member"].create(
            {"name": "Foreign", "plan_id": plan.id, "company_id": other.id}
        )
        Member = self.env["membership.member"].with_user(self.officer)
        self.assertFalse(Member.search([("id", "=", foreign.id)]))
        with self.assertRaises(AccessError):
            foreign.with_user(self.officer).read(["name"])
        with self.assertRaises(AccessError):
            plan.with_user(self.officer).read(["name"])

    def test_withdrawal_reasons_are_shared_or_a_companys_own(self):
        other = self.setup_other_company(name="Reason Society")["company"]
        Reason = self.env["membership.withdrawal.reason"]
        shared = Reason.create({"name": "Moved abroad (shared)"})
        own = Reason.create({"name": "Ours only", "company_id": self.company.id})
        foreign = Reason.create({"name": "Theirs only", "company_id": other.id})
        visible = Reason.with_user(self.officer).search([])
        self.assertIn(shared, visible)
        self.assertIn(own, visible)
        self.assertNotIn(foreign, visible)
        # nor can a member of this company be given the other company's reason
        with self.assertRaises(UserError):
            self.member_a.write(
                {
                    "withdrawal_date": date(2026, 10, 1),
                    "withdrawal_reason_id": foreign.id,
                }
            )

    def test_a_list_of_members_refuses_another_companys_plan(self):
        """Members created together: the one given another company's plan is
        refused, wherever it stands in the list, and so is a write of it."""
        other = self.setup_other_company(name="Plan Society")["company"]
        foreign = self.env["membership.plan"].create(
            {"name": "Wrong plan", "code": "WRP", "fee": 10, "company_id": other.id}
        )
        Member = self.env["membership.member"]

        def own():  # fresh values each time: create numbers them in place
            return [
                {
                    "name": f"Bulk {i}",
                    "plan_id": self.plan_fixed.id,
                    "company_id": self.company.id,
                }
                for i in range(3)
            ]

        def stray():
            return {
                "name": "Stray",
                "plan_id": foreign.id,
                "company_id": self.company.id,
            }

        # assertRaises (not assertRaisesRegex) rolls the failed create back
        for vals_list in ([*own(), stray()], [stray(), *own()]):
            with self.assertRaises(UserError) as refused:
                Member.create(vals_list)
            self.assertRegex(
                str(refused.exception), "(?s)company inconsistencies.*Wrong plan"
            )
        members = Member.create(own())
        self.assertEqual(len(members), 3)
        with self.assertRaises(UserError) as refused:
            members.write({"plan_id": foreign.id})
        self.assertIn("Wrong plan", str(refused.exception))
        self.assertEqual(members.plan_id, self.plan_fixed)

    def test_search_input_is_not_sql(self):
        Member = self.env["membership.member"].with_user(self.officer)
        payload = "x'); DELETE FROM membership_member; --"
        self.assertFalse(Member.search([("name", "ilike", payload)]))
        self.assertFalse(Member.name_search(payload))
        self.assertEqual(
            self.env["membership.member"].search_count(
                [("id", "in", (self.member_a | self.member_b).ids)]
            ),
            2,
        )

    def test_access_matrix_of_every_model(self):
        """Model access per group: read, write, create, unlink."""
        expected = {
            # model: {user: "rwcu" letters granted}
            "membership.plan": {
                "employee": "",
                "portal": "r",
                "officer": "r",
                "manager": "rwcu",
            },
            "membership.member": {
                "employee": "",
                "portal": "r",
                "officer": "rwc",
                "manager": "rwcu",
            },
            "membership.dues": {
                "employee": "",
                "portal": "r",
                "officer": "rwc",
                "manager": "rwcu",
            },
            "membership.status.history": {
                "employee": "",
                "portal": "r",
                "officer": "r",
                "manager": "r",
            },
            "membership.withdrawal.reason": {
                "employee": "",
                "portal": "",
                "officer": "r",
                "manager": "rwcu",
            },
            "membership.tier": {
                "employee": "",
                "portal": "r",
                "officer": "r",
                "manager": "rwcu",
            },
            "membership.dues.run": {
                "employee": "",
                "portal": "",
                "officer": "r",
                "manager": "rwcu",
            },
            "membership.dues.run.line": {
                "employee": "",
                "portal": "",
                "officer": "r",
                "manager": "rwcu",
            },
            "membership.dunning.step": {
                "employee": "",
                "portal": "",
                "officer": "r",
                "manager": "rwcu",
            },
            "membership.payment.import": {
                "employee": "",
                "portal": "",
                "officer": "r",
                "manager": "rwcu",
            },
            "membership.payment.import.line": {
                "employee": "",
                "portal": "",
                "officer": "r",
                "manager": "rwcu",
            },
            "membership.join.attempt": {
                "employee": "",
                "portal": "",
                "officer": "",
                "manager": "ru",
            },
            "membership.consent": {
                "employee": "",
                "portal": "",
                "officer": "r",
                "manager": "r",
            },
            "membership.consent.purpose": {
                "employee": "",
                "portal": "",
                "officer": "r",
                "manager": "rwcu",
            },
            "membership.erasure.wizard": {
                "employee": "",
                "portal": "",
                "officer": "",
                "manager": "rwcu",
            },
            "membership.join.request": {
                "employee": "",
                "portal": "",
                "officer": "",
                "manager": "rwu",
            },
            "membership.news": {
                "employee": "",
                "portal": "",
                "officer": "rwcu",
                "manager": "rwcu",
            },
            "membership.audit.log": {
                "employee": "",
                "portal": "",
                "officer": "",
                "manager": "r",
            },
            "membership.plan.change": {
                "employee": "",
                "portal": "",
                "officer": "rwcu",
                "manager": "rwcu",
            },
            "membership.segment": {
                "employee": "",
                "portal": "",
                "officer": "rwcu",
                "manager": "rwcu",
            },
            "membership.campaign": {
                "employee": "",
                "portal": "",
                "officer": "rwcu",
                "manager": "rwcu",
            },
            "membership.campaign.step": {
                "employee": "",
                "portal": "",
                "officer": "rwcu",
                "manager": "rwcu",
            },
            "membership.campaign.delivery": {
                "employee": "",
                "portal": "",
                "officer": "r",
                "manager": "r",
            },
            "membership.points.line": {
                "employee": "",
                "portal": "r",
                "officer": "rc",
                "manager": "rc",
            },
        }
        users = {
            "employee": self.employee,
            "portal": self.portal_a,
            "officer": self.officer,
            "manager": self.manager,
        }
        operations = {"r": "read", "w": "write", "c": "create", "u": "unlink"}
        for model, rights in expected.items():
            for who, letters in rights.items():
                Model = self.env[model].with_user(users[who])
                for letter, operation in operations.items():
                    with self.subTest(model=model, user=who, operation=operation):
                        self.assertEqual(Model.has_access(operation), letter in letters)
                if "r" not in letters:
                    # counting, grouping and exporting are reading too
                    with self.subTest(model=model, user=who, operation="aggregate"):
                        with self.assertRaises(AccessError):
                            Model.search_count([])
                        with self.assertRaises(AccessError):
                            Model._read_group([], [], ["__count"])
                        with self.assertRaises(AccessError):
                            Model.search([], limit=1).export_data(["id"])
