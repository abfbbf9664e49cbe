# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoStory(TransactionCase):
    """The demo data tells #19's story: a corporate member with three
    representatives, a family, a student whose parent pays, and an application
    with a referee waiting for the board."""

    def setUp(self):
        super().setUp()
        if not self.env.ref(
            "membership_management.membership_plan_family_demo",
            raise_if_not_found=False,
        ):
            self.skipTest("installed without demo data")
        self.Member = self.env["membership.member"].sudo()

    def find(self, name):
        return self.Member.search([("name", "=", name)], limit=1)

    def test_organisation_and_family_cover_their_people(self):
        company = self.find("Kyoto Instruments Ltd")
        self.assertEqual(len(company.seat_member_ids), 3)
        self.assertEqual(set(company.seat_member_ids.mapped("state")), {company.state})
        self.assertEqual(
            company.seat_member_ids.partner_id.parent_id, company.partner_id
        )
        family = self.find("Sato Family")
        self.assertEqual(family.state, "active")
        self.assertEqual(set(family.seat_member_ids.mapped("state")), {"active"})

    def test_a_parent_pays_and_an_application_waits_with_its_referee(self):
        student = self.find("Daiki Mori")
        self.assertEqual(student.bill_to_partner_id.name, "Michiko Mori")
        self.assertEqual(student.dues_ids.move_id.partner_id.name, "Michiko Mori")
        applicant = self.find("Takeshi Ueda")
        self.assertEqual(applicant.approval_state, "pending")
        self.assertEqual(applicant.referee_ids.state, "confirmed")

    def test_engagement_visits_a_waitlist_and_a_post_event_survey(self):
        """#21's story: visits at the club house, a full tour whose waitlist
        the demo portal member heads, and the evening's survey with answers,
        points and a segment on one answer."""
        env = self.env
        self.assertTrue(env["membership.visit"].sudo().search_count([]))
        tour = env["event.event"].search([("name", "=", "Members' Study Tour")])
        self.assertEqual(tour.seats_available, 0)
        line = tour.membership_waitlist_ids.sorted("id")
        self.assertEqual(line.mapped("state"), ["waiting"] * 3)
        self.assertEqual(line[0].member_id, self.Member._demo_portal_member())
        self.assertEqual(line[0].position, 1)
        survey = env["survey.survey"].search(
            [("title", "=", "How was the New Year Networking Evening?")]
        )
        answers = survey.user_input_ids.filtered(lambda a: a.state == "done")
        self.assertEqual(len(answers.membership_member_id), 3)
        points = env["membership.points.line"].search([("survey_id", "=", survey.id)])
        self.assertEqual(points.member_id, answers.membership_member_id)
        segment = env["membership.segment"].search(
            [("name", "=", "Volunteers (survey)")]
        )
        self.assertEqual(len(self.Member.search(segment._get_domain())), 2)
