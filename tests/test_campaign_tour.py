# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo.tests import HttpCase, tagged

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestCampaignStartTour(MembershipCommon, HttpCase):
    """In Chromium, an officer's *Start* on a one-shot campaign asks with the
    number of members before anything is mailed."""

    def test_start_asks_with_the_count_then_sends(self):
        segment = self.env["membership.segment"].create(
            {"name": "Tour members", "domain": "[('name', '=like', 'Tour %')]"}
        )
        for name in ("Tour Ann", "Tour Bob"):
            self.create_member(name=name, email=f"{name[5:].lower()}@example.com")
        campaign = self.env["membership.campaign"].create(
            {
                "name": "Tour news",
                "segment_id": segment.id,
                "subject": "Tour news",
                "body_html": "<p>Hello</p>",
            }
        )
        self.start_tour(
            f"/odoo/action-membership_management.membership_campaign_action/{campaign.id}",
            "membership_campaign_start",
            login="mm_officer",
        )
        self.assertEqual(campaign.state, "running")
        self.assertEqual(campaign.mailing_id.state, "in_queue")
