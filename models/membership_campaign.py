# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain

from ..tools.text import has_line_break

CAMPAIGN_STATES = [
    ("draft", "Draft"),
    ("running", "Running"),
    ("paused", "Paused"),
    ("done", "Done"),
]


class MembershipCampaign(models.Model):
    """One-shot or journey mailings to a segment, on top of ``mailing.mailing``.

    A one-shot campaign is one mass mailing on members (sent now or at a given
    time). A journey has ordered steps, each fired by a member event (joined,
    lapsed, birthday...) plus an offset; ``ir_cron_campaigns`` enrols members
    and sends the steps that are due, one ``membership.campaign.delivery`` per
    member, step and occurrence, so nobody gets the same step twice.
    """

    _name = "membership.campaign"
    _description = "Membership Campaign"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True, translate=True, tracking=True)
    campaign_type = fields.Selection(
        [("oneshot", "One-shot"), ("journey", "Journey")],
        string="Type",
        required=True,
        default="oneshot",
    )
    state = fields.Selection(
        CAMPAIGN_STATES, default="draft", required=True, tracking=True, copy=False
    )
    segment_id = fields.Many2one(
        "membership.segment",
        required=True,
        ondelete="restrict",
        tracking=True,
        help="The members this campaign may write to.",
    )
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, required=True
    )
    user_id = fields.Many2one(
        "res.users", string="Responsible", default=lambda self: self.env.user
    )
    consent_required = fields.Boolean(
        help="Mail only members whose latest consent to the purpose below is "
        "given (marketing). Leave it off for service mails such as welcome or "
        "renewal reminders.",
    )
    consent_purpose_id = fields.Many2one(
        "membership.consent.purpose",
        string="Consent To",
        default=lambda self: self.env["membership.member"]._get_consent_purpose(
            "newsletter"
        ),
        help="The consent this campaign needs: news by e-mail, usually.",
    )
    # one-shot
    subject = fields.Char(translate=False)
    body_html = fields.Html(sanitize="email_outgoing")
    schedule_date = fields.Datetime(
        string="Send At", help="Leave empty to send as soon as the campaign starts."
    )
    mailing_id = fields.Many2one("mailing.mailing", readonly=True, copy=False)
    # journey
    step_ids = fields.One2many(
        "membership.campaign.step", "campaign_id", string="Steps", copy=True
    )
    start_date = fields.Date(
        copy=False,
        help="Journeys enrol members whose trigger happens from this day on.",
    )
    delivery_ids = fields.One2many("membership.campaign.delivery", "campaign_id")
    # statistics
    sent = fields.Integer(compute="_compute_statistics")
    delivered = fields.Integer(compute="_compute_statistics")
    opened = fields.Integer(compute="_compute_statistics")
    clicked = fields.Integer(compute="_compute_statistics")
    replied = fields.Integer(compute="_compute_statistics")
    bounced = fields.Integer(compute="_compute_statistics")
    failed = fields.Integer(string="Errors", compute="_compute_statistics")
    skipped = fields.Integer(compute="_compute_statistics")
    scheduled = fields.Integer(compute="_compute_statistics")

    @api.constrains("name", "subject")
    def _check_no_line_breaks(self):
        """Refuse CR/LF in the name and subject: they could inject mail headers."""
        for campaign in self:
            for value in (campaign.name, campaign.subject):
                if has_line_break(value):
                    raise ValidationError(
                        self.env._("Names and subjects must fit on one line.")
                    )

    def _get_mailings(self):
        return self.mailing_id | self.step_ids.mailing_id

    def _compute_statistics(self):
        Trace = self.env["mailing.trace"].sudo()
        scheduled = dict(
            self.env["membership.campaign.delivery"]._read_group(
                [("campaign_id", "in", self.ids), ("state", "=", "scheduled")],
                ["campaign_id"],
                ["__count"],
            )
        )
        for campaign in self:
            mailings = campaign._get_mailings()
            counts = dict.fromkeys(
                ("sent", "open", "reply", "bounce", "error", "cancel", "outgoing"), 0
            )
            clicked = 0
            if mailings:
                for status, count in Trace._read_group(
                    [("mass_mailing_id", "in", mailings.ids)],
                    ["trace_status"],
                    ["__count"],
                ):
                    counts[status] = counts.get(status, 0) + count
                clicked = Trace.search_count(
                    [
                        ("mass_mailing_id", "in", mailings.ids),
                        ("links_click_datetime", "!=", False),
                    ]
                )
                sent = Trace.search_count(
                    [
                        ("mass_mailing_id", "in", mailings.ids),
                        ("sent_datetime", "!=", False),
                    ]
                )
            else:
                sent = 0
            delivered = counts["sent"] + counts["open"] + counts["reply"]
            campaign.delivered = delivered
            campaign.sent = sent
            campaign.opened = counts["open"] + counts["reply"]
            campaign.replied = counts["reply"]
            campaign.clicked = clicked
            campaign.bounced = counts["bounce"]
            campaign.failed = counts["error"]
            campaign.skipped = counts["cancel"]
            campaign.scheduled = scheduled.get(campaign, 0)

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------

    def action_start(self):
        """Start the campaigns; a one-shot campaign started from its form
        first asks, with the number of members it mails."""
        if (
            len(self) == 1
            and self.campaign_type == "oneshot"
            and self.state in ("draft", "paused")
            and not self.env.context.get("membership_campaign_confirmed")
        ):
            self._check_oneshot_ready()
            return self._open_wizard(
                "membership.campaign.start", self.env._("Start the Campaign")
            )
        for campaign in self:
            if campaign.state not in ("draft", "paused"):
                continue
            if campaign.campaign_type == "oneshot":
                campaign._start_oneshot()
            else:
                if not campaign.step_ids:
                    raise UserError(self.env._("Add at least one step to the journey."))
                campaign.write(
                    {
                        "state": "running",
                        "start_date": campaign.start_date or campaign._get_today(),
                    }
                )
                campaign.step_ids._ensure_mailing()
        return True

    def _check_oneshot_ready(self):
        if not self.subject or not self.body_html:
            raise UserError(self.env._("Write the subject and the message first."))

    def _get_recipient_count(self):
        """Members the campaign would mail now (its segment, company, consent)."""
        self.ensure_one()
        return self.env["membership.member"].search_count(self._get_target_domain())

    def _start_oneshot(self):
        self.ensure_one()
        self._check_oneshot_ready()
        mailing = self._ensure_oneshot_mailing()
        mailing.write(
            {
                "subject": self.subject,
                "body_arch": self.body_html,
                "body_html": self.body_html,
                "mailing_domain": repr(list(self._get_target_domain())),
            }
        )
        if self.schedule_date and self.schedule_date > fields.Datetime.now():
            mailing.write(
                {"schedule_type": "scheduled", "schedule_date": self.schedule_date}
            )
            mailing.action_put_in_queue()
        else:
            mailing.action_launch()
        self.state = "running"

    def _get_target_domain(self):
        """The segment, within the campaign's company, never withdrawn members,
        and only those who accepted newsletters when the campaign says so."""
        self.ensure_one()
        domains = [
            self.segment_id._get_domain(),
            self.env["membership.member"]._mailing_get_default_domain(False),
            [("company_id", "=", self.company_id.id), ("active", "=", True)],
        ]
        if self.consent_required:
            purpose = self.consent_purpose_id
            domains.append(
                [("consent_purpose_ids", "in", purpose.ids)]
                if purpose
                else [("newsletter_consent", "=", True)]
            )
        return Domain.AND(domains)

    def _ensure_oneshot_mailing(self):
        self.ensure_one()
        if not self.mailing_id:
            self.mailing_id = self.env["mailing.mailing"].create(
                {
                    "subject": self.subject or self.name,
                    "mailing_model_id": self.env["ir.model"]._get_id(
                        "membership.member"
                    ),
                    "mailing_domain": repr(list(self._get_target_domain())),
                    "body_arch": self.body_html or "",
                    "body_html": self.body_html or "",
                    "user_id": self.user_id.id or self.env.uid,
                }
            )
        return self.mailing_id

    def action_pause(self):
        for campaign in self.filtered(lambda c: c.state == "running"):
            if campaign.campaign_type == "oneshot":
                if campaign.mailing_id.state != "in_queue":
                    raise UserError(self.env._("This mailing is already sent."))
                campaign.mailing_id.action_cancel()
            campaign.state = "paused"
        return True

    def action_stop(self):
        for campaign in self.filtered(lambda c: c.state in ("running", "paused")):
            if campaign.mailing_id.state == "in_queue":
                campaign.mailing_id.action_cancel()
            campaign.state = "done"
        return True

    def action_test(self):
        """Send the campaign to yourself (and others): the outcome is shown
        and kept in the campaign's chatter. A journey tests its first step."""
        self.ensure_one()
        if self.campaign_type == "oneshot":
            return self._open_wizard(
                "membership.campaign.test", self.env._("Test the Campaign")
            )
        return self.step_ids[:1].action_test()

    def _open_wizard(self, model, title):
        """A dialog on this campaign (created here: a ``default_campaign_id``
        in the context would reach the mailing's own UTM campaign field)."""
        wizard = self.env[model].create({"campaign_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": model,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def _prepare_test_mailing(self):
        """The one-shot mailing with the campaign's current subject and text."""
        self.ensure_one()
        mailing = self._ensure_oneshot_mailing()
        mailing.write(
            {
                "subject": self.subject or self.name,
                "body_html": self.body_html or "",
            }
        )
        return mailing

    def action_view_mailing(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "mailing.mailing",
            "res_id": self.mailing_id.id,
            "view_mode": "form",
        }

    def action_view_deliveries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "membership_management.membership_campaign_delivery_action"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        return action

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for campaign, vals in zip(self, vals_list, strict=True):
            vals.setdefault("name", self.env._("%s (copy)", campaign.name))
        return vals_list

    # ------------------------------------------------------------
    # Scheduled job
    # ------------------------------------------------------------

    @api.model
    def _cron_process_campaigns(self, batch_size=None):
        """Close one-shots whose mailing went out; enrol members in running
        journeys and send the steps that are due, committing per batch. A step
        that fails (a broken template, say) is recorded on its deliveries and
        does not stop the others."""
        batch_size = batch_size or int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("membership_management.campaign_batch_size", 500)
        )
        oneshots = self.search(
            [("campaign_type", "=", "oneshot"), ("state", "=", "running")]
        )
        oneshots.filtered(lambda c: c.mailing_id.state == "done").state = "done"
        journeys = self.search(
            [("campaign_type", "=", "journey"), ("state", "=", "running")]
        )
        for journey in journeys:
            today = journey._get_today()
            for step in journey.step_ids:
                step._enrol_safely(today)
        self.env["ir.cron"]._commit_progress()
        Delivery = self.env["membership.campaign.delivery"].sudo()
        domains = [
            [
                ("campaign_id", "=", journey.id),
                ("state", "=", "scheduled"),
                ("scheduled_date", "<=", journey._get_today()),
            ]
            for journey in journeys
        ]
        domain = Domain.OR(domains) if domains else Domain.FALSE
        self.env["ir.cron"]._commit_progress(remaining=Delivery.search_count(domain))
        while True:
            batch = Delivery.search(domain, limit=batch_size, order="step_id, id")
            # claimed: another worker sending the same deliveries keeps them
            batch = batch.try_lock_for_update(allow_referencing=True)
            if not batch:
                break
            done = batch._send()
            if not done or not self.env["ir.cron"]._commit_progress(processed=done):
                break
        return True

    def _get_today(self):
        """Today where the campaign is run (its responsible's time zone)."""
        self.ensure_one()
        return fields.Date.context_today(self.with_context(tz=self._get_tz()))

    def _get_tz(self):
        """The time zone the campaign runs in: its responsible's."""
        self.ensure_one()
        return self.user_id.tz or self.env.user.tz or "UTC"
