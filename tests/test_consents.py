# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import re
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import MembershipCommon


@tagged("post_install", "-at_install")
class TestConsents(MembershipCommon, HttpCase):
    """The consent ledger: given and withdrawn on the join form, the portal
    and by staff, append-only, with the version of the text seen; campaigns
    mail only members whose latest consent to their purpose is given."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member_a = cls.create_paid_member(
            fields.Date.today() - timedelta(days=30),
            partner_id=cls.portal_a.partner_id.id,
            name="Consenting Member",
        )
        cls.member_b = cls.create_paid_member(
            fields.Date.today() - timedelta(days=30),
            partner_id=cls.portal_b.partner_id.id,
            name="Other Member",
        )
        Member = cls.env["membership.member"]
        cls.newsletter = Member._get_consent_purpose("newsletter", cls.company)
        cls.photos = Member._get_consent_purpose("photos", cls.company)
        cls.processing = Member._get_consent_purpose("processing", cls.company)

    def csrf_token(self, url="/my/membership/consents"):
        page = self.url_open(url).text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def test_join_form_shows_the_texts_and_records_what_was_ticked(self):
        main = self.env.ref("base.main_company")
        plan = (
            self.env["membership.plan"]
            .sudo()
            .create(
                {
                    "name": "Consent Plan",
                    "code": "T-CONS",
                    "fee": 50.0,
                    "period_type": "rolling",
                    "website_published": True,
                    "company_id": main.id,
                }
            )
        )
        url = f"/membership/join/{plan.id}"
        page = self.url_open(url).text
        self.assertIn("News by e-mail", page)
        self.assertIn("Photos in which I appear", page)
        photos = self.env["membership.member"]._get_consent_purpose("photos", main)
        self.url_open(
            url,
            data={
                "csrf_token": self.csrf_token(url),
                "name": "Ledger Applicant",
                "email": "ledger.applicant@example.com",
                "accept_terms": "1",
                f"consent_{photos.id}": "1",
            },
        )
        with patch.object(self.env.cr, "commit", lambda: None):
            self.env["membership.join.request"]._cron_process()
        member = (
            self.env["membership.member"]
            .sudo()
            .search([("email", "=", "ledger.applicant@example.com")])
        )
        self.assertEqual(len(member), 1)
        self.assertEqual(
            sorted(member.consent_purpose_ids.mapped("code")), ["photos", "processing"]
        )
        self.assertFalse(member.newsletter_consent)
        consent = member.consent_ids.filtered(lambda c: c.purpose == "photos")
        self.assertRecordValues(
            consent,
            [
                {
                    "state": "given",
                    "source": "join",
                    "channel": "web",
                    "ip_address": "127.0.0.1",
                    "text_version": photos.version,
                }
            ],
        )

    def test_member_gives_and_withdraws_on_the_portal(self):
        self.authenticate("mm_portal_a", "mm_portal_a")
        page = self.url_open("/my/membership/consents").text
        self.assertIn("News by e-mail", page)
        for given in ("1", "0"):
            self.url_open(
                "/my/membership/consents",
                data={
                    "csrf_token": self.csrf_token(),
                    "purpose_id": str(self.newsletter.id),
                    "given": given,
                },
            )
        ledger = self.member_a.consent_ids.filtered(
            lambda c: c.purpose_id == self.newsletter
        ).sorted("id")
        self.assertEqual(ledger.mapped("state"), ["given", "withdrawn"])
        self.assertEqual(set(ledger.mapped("source")), {"portal"})
        self.assertNotIn(self.newsletter, self.member_a.consent_purpose_ids)
        self.assertFalse(self.member_a.newsletter_consent)
        log = self.env["membership.audit.log"].search(
            [("event", "=", "consent_change"), ("member_id", "=", self.member_a.id)]
        )
        self.assertEqual(len(log), 2)
        self.assertFalse(self.member_b.consent_ids, "the other member is untouched")

    @mute_logger("odoo.http")
    def test_portal_refuses_other_purposes_forged_posts_and_reading_the_ledger(self):
        self.member_b.sudo()._record_consents({self.photos: True}, source="staff")
        other_company = (
            self.env["membership.consent.purpose"]
            .sudo()
            .create(
                {
                    "name": "Other company",
                    "code": "elsewhere",
                    "company_id": self.env.ref("base.main_company").id,
                }
            )
        )
        self.authenticate("mm_portal_a", "mm_portal_a")
        for purpose in (other_company, self.processing):
            response = self.url_open(
                "/my/membership/consents",
                data={
                    "csrf_token": self.csrf_token(),
                    "purpose_id": str(purpose.id),
                    "given": "0",
                },
            )
            self.assertEqual(response.status_code, 404)
        response = self.url_open(
            "/my/membership/consents",
            data={"purpose_id": str(self.newsletter.id), "given": "1"},
        )
        self.assertEqual(response.status_code, 400, "no CSRF token")
        self.assertFalse(self.member_a.consent_ids)
        with self.assertRaises(AccessError):
            self.env["membership.consent"].with_user(self.portal_a).search([])
        page = self.url_open("/my/membership/consents").text
        self.assertNotIn("Other Member", page)

    def test_the_ledger_is_append_only(self):
        consent = self.member_a._record_consents({self.photos: True}, source="staff")
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            consent.sudo().write({"state": "withdrawn"})
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            consent.sudo().unlink()
        with self.assertRaises(UserError):
            consent.with_user(self.officer).write({"state": "withdrawn"})
        self.assertEqual(consent.state, "given")

    def test_staff_record_a_paper_consent_by_ticking_the_purpose(self):
        self.member_a.with_user(self.officer).write(
            {"consent_purpose_ids": [Command.link(self.photos.id)]}
        )
        consent = self.member_a.consent_ids
        self.assertRecordValues(
            consent,
            [{"purpose_id": self.photos.id, "state": "given", "source": "staff"}],
        )
        self.assertEqual(consent.channel, "paper")
        self.assertEqual(consent.user_id, self.officer)
        # the newsletter box of earlier versions records the same way
        self.member_a.with_user(self.officer).newsletter_consent = True
        self.assertIn(self.newsletter, self.member_a.consent_purpose_ids)

    def test_a_new_text_is_a_new_version(self):
        version = self.photos.version
        self.photos.description = "<p>Photos may also appear on social media.</p>"
        self.assertEqual(self.photos.version, version + 1)
        consent = self.member_a._record_consents({self.photos: True}, source="staff")
        self.assertEqual(consent.text_version, version + 1)

    def test_campaigns_honour_the_latest_consent_of_their_purpose(self):
        self.member_a._record_consents({self.photos: True}, source="staff")
        self.member_a._record_consents({self.photos: False}, source="portal")
        self.member_b._record_consents({self.photos: True}, source="portal")
        segment = self.env["membership.segment"].create(
            {"name": "Everyone", "domain": "[]"}
        )
        campaign = self.env["membership.campaign"].create(
            {
                "name": "Photo call",
                "segment_id": segment.id,
                "consent_required": True,
                "consent_purpose_id": self.photos.id,
                "company_id": self.company.id,
            }
        )
        targets = self.env["membership.member"].search(campaign._get_target_domain())
        self.assertIn(self.member_b, targets)
        self.assertNotIn(self.member_a, targets)
