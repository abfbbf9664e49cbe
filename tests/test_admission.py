# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestAdmission(MembershipCommon):
    """入会審査: applicants of a plan that requires approval are billed by
    nobody until approved; approval and rejection are recorded with who and
    when and mailed to the applicant; members only decide nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan_rolling.requires_approval = True
        cls.today = fields.Date.today()
        cls.applicant = cls.create_member(
            plan=cls.plan_rolling, join_date=cls.today, name="Reviewed Applicant"
        )

    def mails(self, subject):
        return (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("subject", "ilike", subject),
                    ("recipient_ids", "in", self.applicant.partner_id.ids),
                ]
            )
        )

    def test_nobody_bills_an_applicant_before_approval(self):
        self.assertEqual(self.applicant.approval_state, "pending")
        self.assertFalse(self.bill(self.applicant, self.today))
        __, skipped = self.applicant._bill_period(self.today)
        self.assertIn("approval", str(skipped[0][1]))
        self.applicant.with_user(self.officer).action_approve()
        self.assertEqual(self.applicant.approval_state, "approved")
        self.assertEqual(self.applicant.approval_user_id, self.officer)
        self.assertEqual(len(self.applicant.dues_ids), 1, "billed once approved")
        self.assertEqual(self.applicant.state, "waiting")
        self.assertTrue(self.mails("approved"))
        decision = self.applicant.status_history_ids.filtered(
            lambda h: h.user_id == self.officer and "approved" in (h.reason or "")
        )
        self.assertEqual(len(decision), 1)
        audit = self.env["membership.audit.log"].search(
            [("event", "=", "approval_decision"), ("member_id", "=", self.applicant.id)]
        )
        self.assertEqual(audit.user_id, self.officer)
        self.assertEqual(audit.description, "Application approved")
        with self.assertRaisesRegex(UserError, "no application waiting"):
            self.applicant.action_approve()

    def test_a_rejected_applicant_is_told_why_and_never_billed(self):
        self.applicant.rejection_reason = "The plan is for students only."
        self.applicant.with_user(self.officer).action_reject()
        self.assertEqual(self.applicant.approval_state, "rejected")
        mail = self.mails("Your application")
        self.assertIn("students only", mail.body_html)
        self.assertFalse(self.bill(self.applicant, self.today))
        self.assertFalse(self.applicant.dues_ids)
        self.assertIn(
            "students only", self.applicant.status_history_ids[-1:].reason or ""
        )

    def test_members_of_a_plan_without_approval_are_untouched(self):
        member = self.create_member(plan=self.plan_fixed, join_date=self.today)
        self.assertFalse(member.approval_state)
        self.assertTrue(self.bill(member, self.today))

    def test_only_staff_decide(self):
        with self.assertRaises(AccessError):
            self.applicant.with_user(self.portal_a).action_approve()
        with self.assertRaises(AccessError):
            self.applicant.with_user(self.employee).action_reject()
        self.assertEqual(self.applicant.approval_state, "pending")
