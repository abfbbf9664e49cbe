# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import datetime, time, timedelta

from odoo import Command, api, fields, models

DEMO_TOUR = "Members' Study Tour"
DEMO_SURVEY = "How was the New Year Networking Evening?"


class MembershipMember(models.Model):
    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _demo_populate_engagement(self):
        """Engagement: visits at the club house, a full study tour with a
        waitlist (the demo portal member is first in line), and the survey
        sent after the networking evening, with answers, its points, a
        *Volunteers* segment on one answer and a (not started) journey that
        would send it after each event."""
        self = self.with_context(install_mode=True)  # noqa: PLW0642
        Event = self.env["event.event"]
        if Event.search_count([("name", "=", DEMO_TOUR)]):
            return
        members = self.search(
            [
                ("company_id", "=", self.env.company.id),
                ("is_company", "=", False),
                ("state", "=", "active"),
                ("parent_member_id", "=", False),
            ],
            order="id",
        )
        portal_member = self._demo_portal_member()
        members -= portal_member
        today = fields.Date.context_today(self)

        def at(days, hour):
            return datetime.combine(today + timedelta(days=days), time(hour))

        # visits (来館) over the last four weeks
        house, annex = self.env["membership.visit.location"].create(
            [{"name": "Club House"}, {"name": "Annex Library", "sequence": 20}]
        )
        self.env["membership.visit"].create(
            [
                {
                    "member_id": member.id,
                    "location_id": (annex if index % 3 == 0 else house).id,
                    "visit_time": at(
                        -((index * 5 + week * 7) % 28) - 1, 10 + index % 8
                    ),
                }
                for index, member in enumerate(members[:12])
                for week in range(1 + index % 3)
            ]
        )
        # a full event with a waitlist
        tour = Event.create(
            {
                "name": DEMO_TOUR,
                "date_begin": at(45, 9),
                "date_end": at(45, 18),
                "membership_published": True,
                "membership_waitlist": True,
                "membership_offer_hours": 48,
                "seats_limited": True,
                "seats_max": 4,
                "event_ticket_ids": [Command.create({"name": "Tour", "price": 0.0})],
            }
        )
        ticket = tour.event_ticket_ids
        self.env["event.registration"].create(
            [
                {
                    "event_id": tour.id,
                    "event_ticket_id": ticket.id,
                    "partner_id": member.partner_id.id,
                }
                for member in members[12:16]
            ]
        )
        for member in portal_member | members[16:18]:
            tour._membership_join_waitlist(member.partner_id, ticket)
        # the survey after the networking evening
        survey = self.env["survey.survey"].create(
            {
                "title": DEMO_SURVEY,
                "access_mode": "token",
                "membership_points": 20,
                "membership_portal": True,
            }
        )
        question = self.env["survey.question"].create(
            {
                "survey_id": survey.id,
                "title": "Would you help us organise the next one?",
                "question_type": "simple_choice",
            }
        )
        yes, no = self.env["survey.question.answer"].create(
            [
                {
                    "question_id": question.id,
                    "value": "Yes, count me in",
                    "sequence": 1,
                },
                {"question_id": question.id, "value": "Not this time", "sequence": 2},
            ]
        )
        evening = Event.search([("name", "=", "New Year Networking Evening")], limit=1)
        attendees = evening.registration_ids.filtered(
            lambda r: r.state == "done" and r.member_id
        ).member_id
        for index, member in enumerate(attendees[:3]):
            answer = survey._create_answer(
                partner=member.partner_id, check_attempts=False
            )
            answer._save_lines(question, (no if index == 2 else yes).id)
            answer._mark_done()
        self.env["membership.segment"].create(
            {
                "name": "Volunteers (survey)",
                "sequence": 99,
                "description": "Members who answered “Yes, count me in” to the "
                "survey after the networking evening.",
                "domain": repr([("survey_answer_ids", "in", yes.ids)]),
            }
        )
        self.env["membership.campaign"].create(
            {
                "name": "Survey the day after an event",
                "campaign_type": "journey",
                "segment_id": self.env.ref("membership_management.segment_active").id,
                "step_ids": [
                    Command.create(
                        {
                            "name": "How was it?",
                            "trigger": "attended_event",
                            "offset_days": 1,
                            "survey_id": survey.id,
                            "mail_template_id": self.env.ref(
                                "membership_management.mail_template_journey_survey"
                            ).id,
                        }
                    )
                ],
            }
        )
        return True
