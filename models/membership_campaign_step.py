# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import logging
from calendar import isleap
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools.text import has_line_break

# status history written by these did not happen here: no journey starts
CARRIED_IN_SOURCES = ("import", "migration")

STEP_TRIGGERS = [
    ("joined", "Joined"),
    ("activated", "Became active"),
    ("before_expiry", "Days before expiry"),
    ("grace_started", "Grace started"),
    ("lapsed", "Lapsed"),
    ("birthday", "Birthday"),
    ("attended_event", "Attended an event"),
    ("inactive", "Inactive for N days"),
    ("dues_paid", "Dues paid"),
]
_logger = logging.getLogger(__name__)

# how far back a birthday may be caught up when the job did not run
BIRTHDAY_CATCH_UP_DAYS = 7


class MembershipCampaignStep(models.Model):
    """One step of a journey: a trigger, an offset, an optional condition and
    a mail template. Each step sends through its own ``mailing.mailing`` so
    that delivery, opens, clicks and bounces come from ``mailing.trace``."""

    _name = "membership.campaign.step"
    _description = "Journey Step"
    _order = "campaign_id, sequence, id"

    campaign_id = fields.Many2one(
        "membership.campaign", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="campaign_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    trigger = fields.Selection(STEP_TRIGGERS, required=True, default="joined")
    offset_days = fields.Integer(
        string="Days",
        help="Days after the trigger (for “Days before expiry”: days before the "
        "end of coverage; for “Inactive for N days”: the days without sign-in, "
        "event or payment).",
    )
    condition_domain = fields.Char(
        string="Extra Condition",
        default="[]",
        help="Only members matching this condition get the step.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Mail",
        required=True,
        domain=[("model", "=", "membership.member")],
        ondelete="restrict",
    )
    mailing_id = fields.Many2one("mailing.mailing", readonly=True, copy=False)
    delivery_ids = fields.One2many("membership.campaign.delivery", "step_id")
    delivery_count = fields.Integer(compute="_compute_delivery_count")

    _offset_positive = models.Constraint(
        "CHECK(offset_days >= 0)", "The number of days cannot be negative."
    )

    @api.constrains("condition_domain")
    def _check_condition_domain(self):
        for step in self:
            step._get_condition_domain()

    @api.constrains("name")
    def _check_name_one_line(self):
        """Refuse CR/LF: the step name goes into its mailing's subject (a header)."""
        if any(has_line_break(step.name) for step in self):
            raise ValidationError(self.env._("Step names must fit on one line."))

    def _compute_delivery_count(self):
        counts = dict(
            self.env["membership.campaign.delivery"]._read_group(
                [("step_id", "in", self.ids)], ["step_id"], ["__count"]
            )
        )
        for step in self:
            step.delivery_count = counts.get(step, 0)

    def _get_condition_domain(self):
        self.ensure_one()
        return self.env["membership.segment"]._parse_member_domain(
            self.condition_domain,
            self.env._("the step “%s”", self.name),
        )

    def _ensure_mailing(self):
        """The step's own mass mailing (the carrier of its delivery statistics)."""
        model_id = self.env["ir.model"]._get_id("membership.member")
        for step in self.filtered(lambda s: not s.mailing_id):
            step.mailing_id = (
                self.env["mailing.mailing"]
                .sudo()
                .create(
                    {
                        "subject": f"{step.campaign_id.name}: {step.name}",
                        "mailing_model_id": model_id,
                        # sent only by the journey, never to a whole domain
                        "mailing_domain": "[('id', '=', False)]",
                        "body_arch": "",
                        "body_html": "",
                        "membership_step_id": step.id,
                        "user_id": step.campaign_id.user_id.id or self.env.uid,
                    }
                )
            )

    # ------------------------------------------------------------
    # Enrolment
    # ------------------------------------------------------------

    def _enrol_safely(self, today):
        """Enrol, but let one broken step (an invalid condition...) not stop
        the job: it is logged on the campaign and the others go on."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._enrol(today)
        except UserError as error:
            _logger.warning("Journey step %s: enrolment failed: %s", self.id, error)
            self.campaign_id.message_post(
                body=self.env._(
                    "Step “%(step)s” could not enrol members: %(error)s",
                    step=self.name,
                    error=error,
                )
            )

    def _enrol(self, today):
        """Record a delivery for every member of the campaign's segment (and the
        step's condition) whose trigger fired, in one INSERT per step. The
        unique key (step, member, trigger date) makes it idempotent."""
        self.ensure_one()
        campaign = self.campaign_id
        start = campaign.start_date or today
        Member = self.env["membership.member"]
        members = Member._search(
            Domain.AND(
                [
                    campaign._get_target_domain(),
                    self._get_condition_domain(),
                ]
            )
        )
        triggers = self._get_trigger_query(start, today)
        if triggers is None:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO membership_campaign_delivery (
                    campaign_id, step_id, member_id, company_id, trigger_date,
                    scheduled_date, state, create_uid, write_uid, create_date,
                    write_date
                )
                SELECT %(campaign)s, %(step)s, t.member_id, %(company)s,
                       t.trigger_date, t.scheduled_date, 'scheduled', %(uid)s,
                       %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                  FROM (%(triggers)s) AS t
                 WHERE t.member_id IN %(members)s
                ON CONFLICT (step_id, member_id, trigger_date) DO NOTHING
                """,
                campaign=campaign.id,
                step=self.id,
                company=campaign.company_id.id,
                uid=self.env.uid,
                triggers=triggers,
                members=members.subselect(),
            )
        )
        self.env["membership.campaign.delivery"].invalidate_model()

    def _get_trigger_query(self, start, today):
        """SQL selecting ``member_id, trigger_date, scheduled_date`` of the
        trigger occurrences due by ``today`` that happened on/after ``start``."""
        offset = self.offset_days
        if self.trigger == "before_expiry":
            # the step fires ``offset`` days before the end of coverage
            return SQL(
                """
                SELECT id AS member_id, date_end AS trigger_date,
                       date_end - %(offset)s AS scheduled_date
                  FROM membership_member
                 WHERE date_end IS NOT NULL
                   AND date_end >= %(today)s
                   AND date_end - %(offset)s <= %(today)s
                   AND date_end - %(offset)s >= %(start)s
                """,
                offset=offset,
                today=today,
                start=start,
            )
        last = today - timedelta(days=offset)
        if last < start:
            return None
        # members brought in by an import or the migration are not new: they
        # joined, and reached their state, before this addon (their first mails
        # are the user's choice at import, the welcome mail only)
        carried = SQL("%s", CARRIED_IN_SOURCES)
        if self.trigger == "joined":
            source = SQL(
                """
                SELECT m.id AS member_id, m.join_date AS trigger_date
                  FROM membership_member m
                 WHERE m.join_date BETWEEN %s AND %s
                   AND NOT EXISTS (
                        SELECT 1 FROM membership_status_history h
                         WHERE h.member_id = m.id AND h.source IN %s)
                """,
                start,
                last,
                carried,
            )
        elif self.trigger in ("activated", "grace_started", "lapsed"):
            state = {
                "activated": "active",
                "grace_started": "grace",
                "lapsed": "lapsed",
            }[self.trigger]
            source = SQL(
                """
                SELECT DISTINCT member_id,
                       COALESCE(effective_date, date::date) AS trigger_date
                  FROM membership_status_history
                 WHERE new_state = %s
                   AND COALESCE(effective_date, date::date) BETWEEN %s AND %s
                   AND (source IS NULL OR source NOT IN %s)
                """,
                state,
                start,
                last,
                carried,
            )
        elif self.trigger == "inactive":
            # the N days are the step's delay: one occurrence per last activity
            source = SQL(
                """
                SELECT id AS member_id,
                       COALESCE(last_activity_date, join_date) AS trigger_date
                  FROM membership_member
                 WHERE COALESCE(last_activity_date, join_date) BETWEEN %s AND %s
                   AND state IN %s
                """,
                start,
                last,
                tuple(self.env["membership.member"]._get_benefit_states()),
            )
        elif self.trigger == "dues_paid":
            source = SQL(
                """
                SELECT DISTINCT member_id, paid_date AS trigger_date
                  FROM membership_dues
                 WHERE paid_date BETWEEN %s AND %s
                """,
                start,
                last,
            )
        elif self.trigger == "birthday":
            days = [
                last - timedelta(days=n)
                for n in range(BIRTHDAY_CATCH_UP_DAYS)
                if last - timedelta(days=n) >= start
            ]
            # a 29 February birthday is celebrated on the 28th in other years
            keys = {
                day: [day.strftime("%m-%d")]
                + (
                    ["02-29"]
                    if day.strftime("%m-%d") == "02-28" and not isleap(day.year)
                    else []
                )
                for day in days
            }
            pairs = [(day, key) for day, day_keys in keys.items() for key in day_keys]
            source = SQL(
                """
                SELECT m.id AS member_id, d.day AS trigger_date
                  FROM membership_member m
                  JOIN unnest(%s::date[], %s::text[]) AS d(day, key)
                    ON to_char(m.birth_date, 'MM-DD') = d.key
                 WHERE m.birth_date IS NOT NULL
                """,
                [day for day, __ in pairs],
                [key for __, key in pairs],
            )
        elif self.trigger == "attended_event":
            # attendance day in the campaign's time zone (date_closed is UTC)
            local_day = SQL(
                "((date_closed AT TIME ZONE 'UTC') AT TIME ZONE %s)::date",
                self.campaign_id._get_tz(),
            )
            source = SQL(
                """
                SELECT DISTINCT member_id, %s AS trigger_date
                  FROM event_registration
                 WHERE member_id IS NOT NULL AND state = 'done'
                   AND %s BETWEEN %s AND %s
                """,
                local_day,
                local_day,
                start,
                last,
            )
        else:
            return None
        return SQL(
            "SELECT s.member_id, s.trigger_date, s.trigger_date + %s AS scheduled_date "
            "FROM (%s) AS s",
            offset,
            source,
        )

    def action_test(self):
        """Send this step's mail to yourself, rendered for a member of the
        segment (or without a member when the segment is empty)."""
        self.ensure_one()
        email = self.env.user.email_formatted
        if not email:
            raise UserError(self.env._("Set your e-mail address first."))
        member = self.env["membership.member"].search(
            self.campaign_id._get_target_domain(), limit=1
        )
        if not member:
            raise UserError(
                self.env._("The segment has no member to render the mail with.")
            )
        self.mail_template_id.send_mail(
            member.id,
            force_send=False,
            email_values={
                "email_to": email,
                "recipient_ids": [],
                "partner_ids": [],
                "email_cc": False,
            },
            email_layout_xmlid="mail.mail_notification_light",
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": self.env._("A test mail was sent to %s.", email),
                "type": "success",
            },
        }
