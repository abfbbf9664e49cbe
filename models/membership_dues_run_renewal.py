# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
import logging
from datetime import timedelta

from psycopg2.errors import UniqueViolation

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import format_date

from ..tools.stored_text import stored_text

_logger = logging.getLogger(__name__)


class MembershipDuesRun(models.Model):
    """Renewal runs: the daily job bills the next period of auto-renewing plans
    by itself, through one run per plan and period start.

    A renewal run is an ordinary dues run (same batches, commits, results and
    resume) whose scope is the plan's members in benefit whose coverage ends
    the day before ``period_date``, and which bills the period after that
    coverage. The run is unique per plan and period start, so a second job, a
    crash or two workers reuse it; a member it handled is never handled again.
    """

    _inherit = "membership.dues.run"  # pylint: disable=consider-merging-classes-inherited

    renewal_plan_id = fields.Many2one(
        "membership.plan",
        string="Renewal Of",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="cascade",
        help="Set on the runs the renewal job creates: the plan whose members "
        "renew on the run's period start.",
    )

    _renewal_plan_period_uniq = models.UniqueIndex(
        "(renewal_plan_id, period_date) WHERE renewal_plan_id IS NOT NULL",
        "A plan has one renewal run per period start.",
    )

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _cron_member_renewals(self):
        """Create (or reuse) the renewal runs of what falls due, then work
        every running run in committed batches."""
        today = fields.Date.context_today(self)
        runs = self.browse()
        for plan in self.env["membership.plan"].search(
            [("auto_renew", "=", True), ("period_type", "!=", "lifetime")],
            order="id",
        ):
            for period_start in self._get_renewal_period_starts(plan, today):
                runs |= self._get_renewal_run(plan, period_start)
        # a failed run is tried again each day; its failure is in its chatter
        runs.filtered(lambda r: r.state in ("draft", "failed")).action_start()
        for run in runs.filtered(lambda r: r.state == "done"):
            run._reopen_for_new_members()
        self.env["ir.cron"]._commit_progress()
        self._cron_process_runs()

    @api.model
    def _get_renewal_period_starts(self, plan, today):
        """Period starts of ``plan``'s members whose coverage ends within the
        plan's lead days (or ended, if they are still in grace)."""
        groups = self.env["membership.member"]._read_group(
            Domain.AND(
                [
                    Domain("plan_id", "=", plan.id),
                    Domain(
                        "state",
                        "in",
                        self.env["membership.member"]._get_benefit_states(),
                    ),
                    Domain("date_end", "!=", False),
                    Domain(
                        "date_end",
                        "<=",
                        today + timedelta(days=plan.renewal_lead_days),
                    ),
                ]
            ),
            ["date_end:day"],
        )
        return [date_end + timedelta(days=1) for (date_end,) in groups]

    @api.model
    def _get_renewal_run(self, plan, period_start):
        """The renewal run of ``plan`` for ``period_start``, created when
        missing; a concurrent creation by another worker is reused."""
        domain = [("renewal_plan_id", "=", plan.id), ("period_date", "=", period_start)]
        run = self.search(domain, limit=1)
        if run:
            return run
        lang = plan.company_id.partner_id.lang or self.env.lang
        env = self.with_context(lang=lang).env
        today = fields.Date.context_today(self)
        try:
            with self.env.cr.savepoint():
                return self.create(
                    {
                        "name": env._(
                            "Renewal %(plan)s from %(date)s",
                            plan=plan.with_context(lang=lang).name,
                            date=format_date(env, period_start, lang_code=lang),
                        ),
                        "renewal_plan_id": plan.id,
                        "plan_ids": [fields.Command.set(plan.ids)],
                        "company_id": plan.company_id.id,
                        "period_date": period_start,
                        "invoice_date": today,
                        "invoice_date_due": max(period_start, today),
                        "post_invoices": True,
                        "send_invoices": True,
                    }
                )
        except UniqueViolation:
            _logger.info("Renewal run of %s created meanwhile: reused", plan.name)
            return self.search(domain, limit=1)

    def _reopen_for_new_members(self):
        """A done renewal run takes the members who came into its scope after it
        ended (paid late, changed plan): it runs again for them only."""
        self.ensure_one()
        newcomers = self.env["membership.member"].search_count(self._get_scope_domain())
        if newcomers:
            self.write(
                {
                    "state": "running",
                    "date_done": False,
                    "total_count": self.billed_count
                    + self.skipped_count
                    + self.error_count
                    + newcomers,
                }
            )

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    def _get_scope_domain(self):
        domain = super()._get_scope_domain()
        if not self.renewal_plan_id:
            return domain
        Member = self.env["membership.member"]
        return domain & Domain.AND(
            [
                Domain("state", "in", Member._get_benefit_states()),
                Domain("date_end", "=", self.period_date - timedelta(days=1)),
                Domain("withdrawal_date", "=", False)
                | Domain("withdrawal_date", ">", self.period_date),
                Domain(
                    "dues_run_line_ids", "not any", [("run_id", "=", self._origin.id)]
                ),
            ]
        )

    def _get_invoice_values(self):
        """Renewal invoices are dated the day they are billed (a run reopened
        for a late member too) and due when the new period starts."""
        values = super()._get_invoice_values()
        if self.renewal_plan_id:
            today = fields.Date.context_today(self)
            values.update(
                invoice_date=today, invoice_date_due=max(self.period_date, today)
            )
            values.pop("invoice_payment_term_id", None)
        return values

    def _check_skipped(self, skipped):
        """A member in a renewal run's scope (in benefit, staying) who is
        skipped with nothing billed after their coverage end has coverage
        ending inside a period of the plan (dues entered by hand, plan
        changed): nothing would ever renew them, so staff are told, as an error
        of the run."""
        if not self.renewal_plan_id:
            return super()._check_skipped(skipped)
        kept, errors = [], []
        for member, reason in skipped:
            later = member.dues_ids.filtered(
                lambda d, m=member: d.state != "cancelled" and d.date_start > m.date_end
            )
            if member.date_end and not later:
                errors.append(
                    (
                        member,
                        stored_text("billing.inside_period", end=member.date_end),
                    )
                )
            else:
                kept.append((member, reason))
        return kept, errors

    def _get_billing_day(self):
        """A renewal bills the period after the coverage ending the day before
        ``period_date``."""
        if not self.renewal_plan_id:
            return super()._get_billing_day()
        return self.period_date - timedelta(days=1), True
