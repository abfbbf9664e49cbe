# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo import api, fields, models

from ..tools.stored_text import stored_text
from .membership_member import MEMBER_STATES, OPEN_END


class MembershipMember(models.Model):
    """The member's state machine: one function decides the state from the paid
    periods, suspension and withdrawal; every change is written to the status
    history; the daily job recomputes only members at a boundary; suspensions for
    unpaid dues lift themselves on payment."""

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    state = fields.Selection(
        MEMBER_STATES,
        string="Status",
        compute="_compute_state",
        store=True,
        index=True,
        tracking=True,
        group_expand=True,
    )
    date_start = fields.Date(
        string="Covered From", compute="_compute_state", store=True
    )
    date_end = fields.Date(
        string="Covered Until",
        compute="_compute_state",
        store=True,
        help="Empty for a lifetime membership.",
    )
    grace_end = fields.Date(compute="_compute_state", store=True)
    state_next_date = fields.Date(
        string="Next State Check",
        compute="_compute_state",
        store=True,
        index="btree_not_null",
        help="Next day on which the state may change by itself (end of coverage, "
        "of grace, of a suspension...). The daily job recomputes only those members.",
    )
    suspended_from = fields.Date(tracking=True)
    suspended_until = fields.Date(
        tracking=True, help="Last day of the suspension; empty means open-ended."
    )
    suspension_kind = fields.Selection(
        [
            ("unpaid", "Unpaid Dues"),
            ("leave", "Leave of Absence"),
            ("other", "Other"),
        ],
        string="Suspended For",
        compute="_compute_suspension_kind",
        store=True,
        readonly=False,
        tracking=True,
        help="Unpaid Dues: set by the final payment reminder and lifted by itself "
        "once everything overdue is paid. A leave of absence (休会) or another "
        "suspension by staff lasts until its end date or until staff end it.",
    )
    suspension_reason = fields.Char(tracking=True)
    withdrawal_date = fields.Date(tracking=True)
    withdrawal_reason_id = fields.Many2one(
        "membership.withdrawal.reason",
        tracking=True,
        ondelete="restrict",
        check_company=True,
    )
    _suspension_dates = models.Constraint(
        "CHECK(suspended_until IS NULL OR suspended_from IS NULL "
        "OR suspended_until >= suspended_from)",
        "A suspension cannot end before it starts.",
    )

    @api.depends("suspended_from")
    def _compute_suspension_kind(self):
        """A suspension always says why: staff suspensions default to a leave."""
        for member in self:
            if not member.suspended_from:
                member.suspension_kind = False
            elif not member.suspension_kind:
                member.suspension_kind = "leave"

    @api.depends(
        "dues_ids.state",
        "dues_ids.date_start",
        "dues_ids.date_end",
        "suspended_from",
        "suspended_until",
        "withdrawal_date",
        "plan_id.grace_days",
    )
    def _compute_state(self):
        today = fields.Date.context_today(self)
        history = []
        for member in self:
            # the stored value still in cache/database is the state before this
            # recomputation: compare with it to log the change
            old_state = member.state if member.id else False
            values = member._get_state_values(today)
            reason = values.pop("reason")
            # a caller that knows better why the state changes says so
            reason = self.env.context.get("membership_state_reasons", {}).get(
                member.id, reason
            )
            member.update(values)
            if member.id and old_state != values["state"]:
                history.append(
                    {
                        "member_id": member.id,
                        "old_state": old_state,
                        "new_state": values["state"],
                        "reason_data": reason,
                        "effective_date": today,
                        "source": self._get_state_change_source(values["state"]),
                    }
                )
        if history:
            rows = self.env["membership.status.history"].sudo().create(history)
            self._welcome_first_activations(rows)

    def _get_state_values(self, today):
        """Decide the state on ``today``, with the coverage dates and the reason
        (stored form, see ``tools/stored_text.py``).

        Precedence: withdrawn > suspended > active > waiting > grace > lapsed >
        draft.
        """
        self.ensure_one()
        chains = self._get_coverage_chains()
        current = [c for c in chains if c["start"] <= today]
        cover = current[-1] if current else (chains[0] if chains else None)
        grace_days = self.plan_id.grace_days
        date_end = cover and cover["end"] != OPEN_END and cover["end"] or False
        grace_end = date_end and date_end + timedelta(days=grace_days) or False
        values = {
            "date_start": cover and cover["start"] or False,
            "date_end": date_end,
            "grace_end": grace_end,
            "state_next_date": self._get_next_boundary(today, chains, grace_end),
        }
        open_states = self.env["membership.dues"]._get_open_states()
        own_dues = self._get_state_dues()
        unpaid = own_dues.filtered(lambda d: d.state in open_states)
        covering = (
            current
            and current[-1]["end"] >= today
            and current[-1]["dues"].filtered(
                lambda d: d.date_start <= today <= (d.date_end or OPEN_END)
            )[:1]
        )

        if self.withdrawal_date and self.withdrawal_date <= today:
            state = "withdrawn"
            if self.withdrawal_reason_id:
                reason = stored_text(
                    "state.withdrawn_because",
                    date=self.withdrawal_date,
                    reason=self.withdrawal_reason_id,
                )
            else:
                reason = stored_text("state.withdrawn", date=self.withdrawal_date)
        elif (
            self.suspended_from
            and self.suspended_from <= today
            and (not self.suspended_until or today <= self.suspended_until)
        ):
            state = "suspended"
            if self.suspended_until:
                reason = stored_text(
                    "state.suspended_until",
                    start=self.suspended_from,
                    end=self.suspended_until,
                )
            else:
                reason = stored_text("state.suspended", start=self.suspended_from)
        elif covering:
            state = "active"
            if covering.state == "free":
                reason = stored_text("state.free", period=covering)
            else:
                reason = stored_text(
                    "state.paid", period=covering, invoice=covering.move_id
                )
        elif unpaid:
            state = "waiting"
            reason = stored_text(
                "state.invoiced", period=unpaid[0], invoice=unpaid[0].move_id
            )
        elif date_end and current and today <= grace_end:
            state = "grace"
            reason = stored_text("state.grace", end=date_end, grace=grace_end)
        elif date_end and current:
            state = "lapsed"
            reason = stored_text("state.lapsed", grace=grace_end)
        else:
            state = "draft"
            reason = stored_text("state.no_dues" if own_dues else "state.applied")
        values.update(state=state, reason=reason)
        return values

    def _get_coverage_chains(self):
        """Paid and free dues merged into contiguous periods, oldest first."""
        self.ensure_one()
        chains = []
        covering_states = self.env["membership.dues"]._get_covering_states()
        covered = self._get_state_dues().filtered(lambda d: d.state in covering_states)
        for dues in covered.sorted(lambda d: (d.date_start, d.id)):
            end = dues.date_end or OPEN_END
            if chains and dues.date_start <= chains[-1]["end"] + timedelta(days=1):
                chains[-1]["end"] = max(chains[-1]["end"], end)
                chains[-1]["dues"] |= dues
            else:
                chains.append({"start": dues.date_start, "end": end, "dues": dues})
        return chains

    def _get_state_followers(self):
        """Members whose state is computed from these members' state."""
        return self.browse()

    def _get_state_dues(self):
        """The dues that decide this member's own state."""
        self.ensure_one()
        return self.dues_ids

    def _get_next_boundary(self, today, chains, grace_end):
        """First day after ``today`` on which the state could change by itself."""
        one_day = timedelta(days=1)
        candidates = [
            self.withdrawal_date,
            self.suspended_from,
            self.suspended_until and self.suspended_until + one_day,
            grace_end and grace_end + one_day,
        ]
        for chain in chains:
            candidates.append(chain["start"])
            if chain["end"] != OPEN_END:
                candidates.append(chain["end"] + one_day)
        return min((d for d in candidates if d and d > today), default=False)

    @api.model
    def _get_benefit_states(self):
        """States in which a member enjoys member prices and members-only
        tickets: covered, or within the grace period."""
        return ("active", "grace")

    def _get_state_change_source(self, new_state):
        source = self.env.context.get("membership_state_source")
        if source:
            return source
        if self.env.context.get("cron_id"):
            return "cron"
        if self.env.user._is_public() or self.env.user.share:
            return "portal"
        if new_state in ("active", "waiting") and self.env.context.get(
            "membership_from_accounting"
        ):
            return "accounting"
        return "staff"

    def _lift_unpaid_suspensions(self, paid_moves):
        """Reinstate members suspended for unpaid dues once nothing of theirs is
        overdue any more; ``paid_moves`` are the invoices just paid. Suspensions
        by staff (leave of absence, other) are left alone."""
        today = fields.Date.context_today(self)
        suspended = self.filtered(
            lambda m: m.suspension_kind == "unpaid" and m.suspended_from
        )
        if not suspended:
            return
        still_overdue = self.env["membership.dues"]._read_group(
            [
                ("member_id", "in", suspended.ids),
                ("state", "in", self.env["membership.dues"]._get_open_states()),
                "|",
                ("date_due", "<", today),
                ("dunning_level", ">", 0),
            ],
            ["member_id"],
        )
        overdue = self.browse([member.id for (member,) in still_overdue])
        reasons = {}
        for member in suspended - overdue:
            paid = paid_moves.membership_dues_ids.filtered(
                lambda d, m=member: d.member_id == m
            )
            reasons[member.id] = stored_text(
                "state.suspension_lifted", dues=paid, invoice=paid.move_id
            )
        if reasons:
            lifted = self.browse(reasons).with_context(membership_state_reasons=reasons)
            lifted.write(
                {
                    "suspended_from": False,
                    "suspended_until": False,
                    "suspension_kind": False,
                    "suspension_reason": False,
                }
            )
            # the state is recomputed at flush: flush in the context that
            # carries the reasons for the status history
            lifted.env.flush_all()

    def action_withdraw(self):
        """Withdraw as of today unless a withdrawal date is already set; staff
        pick the reason on the form (it is required once a date is set)."""
        self.ensure_one()
        self.withdrawal_date = self.withdrawal_date or fields.Date.context_today(self)
        return True

    def action_cancel_withdrawal(self):
        self.write({"withdrawal_date": False, "withdrawal_reason_id": False})
        return True

    @api.model
    def _cron_update_states(self, batch_size=1000):
        """Recompute members whose state boundary is today (or was missed).

        Only members with ``state_next_date <= today`` are touched; each batch is
        committed, so a crash resumes where it stopped.
        """
        today = fields.Date.context_today(self)
        domain = [("state_next_date", "<=", today)]
        cron = self.env["ir.cron"]
        field_names = [
            "state",
            "date_start",
            "date_end",
            "grace_end",
            "state_next_date",
        ]
        while True:
            found = self.with_context(active_test=False).search(
                domain, limit=batch_size, order="id"
            )
            # members another worker is updating are left to it
            members = found.try_lock_for_update(allow_referencing=True)
            if not members:
                break
            members = members.with_context(membership_state_source="cron")
            # forced recomputation does not reach the members whose state
            # follows these (people covered by an organisation): add them
            todo = members | members._get_state_followers()
            for fname in field_names:
                self.env.add_to_compute(todo._fields[fname], todo)
            todo.flush_recordset(field_names)
            remaining = self.with_context(active_test=False).search_count(domain)
            if cron._commit_progress(len(members), remaining=remaining) <= 0:
                break
            if len(found) < batch_size:
                break
