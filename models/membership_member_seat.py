# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools.stored_text import stored_text
from .membership_member import OPEN_END

# the fields the state machine computes together
STATE_FIELDS = ("state", "date_start", "date_end", "grace_end", "state_next_date")


class MembershipMember(models.Model):
    """Organisation and family memberships (法人会員, 家族会員).

    The holder (a company, the head of a family) is the member that is billed;
    the people its plan covers are members of their own (number, card, portal)
    linked by ``parent_member_id``. Their state follows the holder's; they are
    never billed themselves, except that a seat beyond the included ones,
    added during a period, is billed to the holder for the rest of it.

    Seats are counted under a row lock on the holder, and adding one rewrites
    the holder's ``seat_count``: of two concurrent additions of the last seat,
    the later fails to serialise (Odoo retries it) and then sees it taken.
    """

    _inherit = "membership.member"  # pylint: disable=consider-merging-classes-inherited

    parent_member_id = fields.Many2one(
        "membership.member",
        string="Covered By",
        index="btree_not_null",
        ondelete="restrict",
        tracking=True,
        check_company=True,
        domain="[('seats_included', '>', 0), ('parent_member_id', '=', False), "
        "('id', '!=', id)]",
        help="The organisation or family membership that covers this member: "
        "their state follows it and they are not billed themselves.",
    )
    seat_member_ids = fields.One2many(
        "membership.member",
        "parent_member_id",
        string="Covered Members",
        help="Representatives of the organisation, or family members, covered "
        "by this membership.",
    )
    seat_count = fields.Integer(
        string="Seats Used", compute="_compute_seat_count", store=True
    )
    seats_included = fields.Integer(related="plan_id.seats_included")
    seat_manager_partner_id = fields.Many2one(
        "res.partner",
        string="Seat Administrator",
        tracking=True,
        help="The contact who adds and removes the covered members on the portal; "
        "empty: the member's own contact.",
    )
    seat_ended_date = fields.Date(
        string="Coverage Ended",
        readonly=True,
        copy=False,
        help="When this member stopped being covered by an organisation or family.",
    )
    seat_ended_holder_id = fields.Many2one(
        "membership.member",
        string="Formerly Covered By",
        readonly=True,
        copy=False,
        ondelete="set null",
    )

    @api.depends("seat_member_ids")
    def _compute_seat_count(self):
        counts = dict(
            self.with_context(active_test=False)._read_group(
                [("parent_member_id", "in", self.ids)],
                ["parent_member_id"],
                ["__count"],
            )
        )
        for member in self:
            member.seat_count = counts.get(member, 0)

    @api.depends("parent_member_id", "seat_ended_date", "dues_ids.seat_fee")
    def _compute_state(self):
        """A holder's people are recomputed after it. (Not a dependency on
        ``parent_member_id.state``: that would make the state a recursive
        field, computed one member at a time, and every dues run slower.)"""
        res = super()._compute_state()
        followers = self._get_state_followers()
        if followers:
            for fname in STATE_FIELDS:
                self.env.add_to_compute(self._fields[fname], followers)
        return res

    @api.constrains("parent_member_id", "plan_id")
    def _check_seats(self):
        for member in self.filtered("parent_member_id"):
            holder = member.parent_member_id
            if holder == member or holder.parent_member_id or member.seat_member_ids:
                raise ValidationError(
                    self.env._(
                        "%(member)s cannot be covered by %(holder)s: a covered "
                        "member covers nobody, and is covered by a membership "
                        "that is not covered itself.",
                        member=member.display_name,
                        holder=holder.display_name,
                    )
                )
            if not holder.plan_id.seats_included:
                raise ValidationError(
                    self.env._(
                        "The plan %(plan)s of %(holder)s is for one person: it "
                        "covers nobody else.",
                        plan=holder.plan_id.name,
                        holder=holder.display_name,
                    )
                )
        for holder in self.parent_member_id | self.filtered("seat_member_ids"):
            plan = holder.plan_id
            if holder.seat_count > plan.seats_included and not plan.allow_extra_seats:
                raise ValidationError(
                    self.env._(
                        "All %(seats)s seats of the membership of %(holder)s are "
                        "taken: remove someone first, or choose a plan with more "
                        "seats.",
                        seats=plan.seats_included,
                        holder=holder.display_name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        holder_ids = {
            v["parent_member_id"] for v in vals_list if v.get("parent_member_id")
        }
        for vals in vals_list:
            # a covered person is on the holder's plan unless told otherwise
            if vals.get("parent_member_id") and not vals.get("plan_id"):
                vals["plan_id"] = self.browse(vals["parent_member_id"]).plan_id.id
        self.browse(holder_ids)._lock_seats()
        members = super().create(vals_list)
        if holder_ids:
            members.filtered("parent_member_id")._bill_extra_seat()
        return members

    def write(self, vals):
        holder = vals.get("parent_member_id")
        if holder:
            self.browse(holder)._lock_seats()
            newcomers = self.filtered(lambda m: m.parent_member_id.id != holder)
        res = super().write(vals)
        if holder:
            newcomers._bill_extra_seat()
        return res

    def _lock_seats(self):
        """Hold the holder rows until commit while seats are counted."""
        if self.ids:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM membership_member WHERE id IN %s FOR NO KEY UPDATE",
                    tuple(self.ids),
                )
            )

    # ------------------------------------------------------------
    # STATE AND BILLING
    # ------------------------------------------------------------

    def _get_state_followers(self):
        holders = self.filtered(lambda m: m.id and m.plan_id.seats_included)
        return super()._get_state_followers() | holders.seat_member_ids

    def _get_state_dues(self):
        """A seat fee is the holder's debt: it never decides the seat's state."""
        return super()._get_state_dues().filtered(lambda d: not d.seat_fee)

    def _get_state_values(self, today):
        values = super()._get_state_values(today)
        if values["state"] in ("withdrawn", "suspended"):
            return values
        holder = self.parent_member_id
        if holder:
            values.update(
                # a withdrawn holder's people are not withdrawn: uncovered
                state="lapsed" if holder.state == "withdrawn" else holder.state,
                date_start=holder.date_start,
                date_end=holder.date_end,
                grace_end=holder.grace_end,
                reason=stored_text("state.covered", holder=holder),
            )
        elif self.seat_ended_date and values["state"] == "draft":
            values.update(
                state="lapsed",
                date_end=self.seat_ended_date,
                grace_end=self.seat_ended_date,
                reason=stored_text(
                    "state.seat_ended",
                    holder=self.seat_ended_holder_id,
                    date=self.seat_ended_date,
                ),
            )
        return values

    def _get_invoice_partner(self):
        """A seat's fee is billed to whoever pays for the holder."""
        if self.parent_member_id:
            return self.parent_member_id._get_invoice_partner()
        return super()._get_invoice_partner()

    def _is_billed_to_other(self):
        return bool(self.parent_member_id) or super()._is_billed_to_other()

    def _get_extra_seat_count(self):
        self.ensure_one()
        plan = self.plan_id
        if not plan.seats_included or not plan.allow_extra_seats:
            return 0
        return max(0, self.seat_count - plan.seats_included)

    def _prepare_dues_vals(self, day, renew=False):
        """Covered members are not billed; a holder's dues include the seats
        beyond the included ones."""
        if self.parent_member_id:
            return False, stored_text("billing.covered", holder=self.parent_member_id)
        vals, reason = super()._prepare_dues_vals(day, renew=renew)
        extra = vals and self._get_extra_seat_count()
        if extra:
            plan = self.plan_id
            start = vals["date_start"]
            amount = plan._get_extra_seat_amount(
                plan._get_period_start(start, start), start, extra, prorate=plan.prorate
            )
            vals.update(
                amount=vals["amount"] + amount,
                extra_seat_count=extra,
                extra_seat_amount=amount,
            )
        return vals, reason

    def _get_paid_seat_count(self, covering, day):
        """Seats this holder has paid for on ``day``: the included ones, the
        extra seats of its ``covering`` dues, and the seat fees of that period
        (of people covered now, or since removed)."""
        self.ensure_one()
        people = self.seat_member_ids | self.search(
            [("seat_ended_holder_id", "=", self.id)]
        )
        seat_fees = self.env["membership.dues"].search_count(
            [
                ("member_id", "in", people.ids),
                ("seat_fee", "=", True),
                ("state", "!=", "cancelled"),
                ("date_start", "<=", day),
                "|",
                ("date_end", "=", False),
                ("date_end", ">=", day),
            ]
        )
        return self.plan_id.seats_included + covering.extra_seat_count + seat_fees

    def _bill_extra_seat(self, day=None):
        """Bill the holder for seats beyond the included ones taken by these
        (newly covered) members, for the rest of the holder's current period.
        A seat taken before the holder's period is billed is counted in it."""
        day = day or fields.Date.context_today(self)
        vals_list = []
        billed = {}  # holder: seats billed by this call
        for member in self:
            holder = member.parent_member_id
            plan = holder.plan_id
            if not holder._get_extra_seat_count() or not plan.extra_seat_fee:
                continue
            covering = holder.dues_ids.filtered(
                lambda d, day=day: (
                    d.state != "cancelled"
                    and d.date_start <= day <= (d.date_end or OPEN_END)
                )
            )[:1]
            # a seat bought for this period and freed since is taken again free
            if not covering or holder.seat_count <= holder._get_paid_seat_count(
                covering, day
            ) + billed.get(holder, 0):
                continue
            own_end = max(
                (
                    d.date_end or OPEN_END
                    for d in member.dues_ids
                    if d.state != "cancelled"
                    and (d.date_end or OPEN_END) >= day
                    and d.date_start <= (covering.date_end or OPEN_END)
                ),
                default=None,
            )
            start = day if own_end is None else own_end + timedelta(days=1)
            if own_end == OPEN_END or (covering.date_end and start > covering.date_end):
                continue
            vals_list.append(
                {
                    "member_id": member.id,
                    "plan_id": plan.id,
                    "date_start": start,
                    "date_end": covering.date_end,
                    "amount": plan._get_extra_seat_amount(
                        plan._get_period_start(day, covering.date_start), start
                    ),
                    "entry_fee_amount": 0.0,
                    "seat_fee": True,
                }
            )
            billed[holder] = billed.get(holder, 0) + 1
        return self._create_dues_with_invoices(vals_list, {"invoice_date": day})

    # ------------------------------------------------------------
    # ADDING AND REMOVING PEOPLE (back office and portal)
    # ------------------------------------------------------------

    def _end_seat(self, reason=None):
        """End the coverage of these covered members today, with a history row
        (and a note on both memberships) saying who removed them."""
        today = fields.Date.context_today(self)
        author = reason or self.env.user.name
        for member in self.filtered("parent_member_id"):
            holder = member.parent_member_id
            old_state = member.state
            member.write(
                {
                    "parent_member_id": False,
                    "seat_ended_date": today,
                    "seat_ended_holder_id": holder.id,
                }
            )
            member.flush_recordset()
            if member.state == old_state:
                self.env["membership.status.history"].sudo().create(
                    {
                        "member_id": member.id,
                        "old_state": old_state,
                        "new_state": member.state,
                        "reason_data": stored_text(
                            "state.seat_ended", holder=holder, date=today
                        ),
                        "effective_date": today,
                        "source": self._get_state_change_source(member.state),
                    }
                )
            body = self.env._(
                "%(member)s is no longer covered by %(holder)s (removed by "
                "%(author)s).",
                member=member.name,
                holder=holder.name,
                author=author,
            )
            member.message_post(body=body)
            holder.message_post(body=body)

    def action_end_seat(self):
        """Staff remove a covered member from the organisation or family."""
        self.check_access("write")
        self._end_seat()
        return True

    @api.model
    def _get_managed_seat_holder(self, partner):
        """The organisation or family membership ``partner`` manages on the
        portal (its own, or as its seat administrator); sudo."""
        return self.sudo().search(
            [
                ("plan_id.seats_included", ">", 0),
                ("parent_member_id", "=", False),
                ("state", "!=", "withdrawn"),
                "|",
                ("partner_id", "=", partner.id),
                ("seat_manager_partner_id", "=", partner.id),
            ],
            order="id",
            limit=1,
        )

    def _get_seat_member_online(self, member_id):
        """A person this holder covers, or a ``UserError``."""
        self.ensure_one()
        member = self.seat_member_ids.filtered(lambda m: m.id == member_id)
        if not member:
            raise UserError(
                self.env._("This person is not covered by your membership.")
            )
        return member

    def _add_seat_online(self, values):
        """Cover a new person (``values``: cleaned ``name`` and ``email``) and
        invite them to the portal, where they set their password. Returns the
        new member; refusals are ``UserError``/``ValidationError``."""
        self.ensure_one()
        email = values["email"]
        if any(m.email_normalized == email for m in self.seat_member_ids):
            raise UserError(
                self.env._(
                    "%(email)s is covered by your membership already.", email=email
                )
            )
        # a person with an account is added by staff: the portal does not
        # attach somebody else's existing account to an organisation
        users = self.env["res.users"].sudo().with_context(active_test=False)
        if users.search_count(
            ["|", ("login", "=ilike", email), ("email_normalized", "=", email)],
            limit=1,
        ):
            raise UserError(
                self.env._(
                    "%(email)s already has an account with us: ask our office to "
                    "add this person to your membership.",
                    email=email,
                )
            )
        organisation = self.plan_id.seat_kind == "organisation" and self.is_company
        partner = (
            self.env["res.partner"]
            .sudo()
            .create(
                {
                    "name": values["name"],
                    "email": email,
                    "parent_id": self.partner_id.id if organisation else False,
                    "lang": self.partner_id.lang,
                }
            )
        )
        member = self.sudo().create(
            {
                "partner_id": partner.id,
                "plan_id": self.plan_id.id,
                "company_id": self.company_id.id,
                "parent_member_id": self.id,
                "join_date": fields.Date.context_today(self),
            }
        )
        self.message_post(
            body=self.env._(
                "%(member)s added by %(author)s.",
                member=member.name,
                author=self.env.user.name,
            )
        )
        member._invite_to_portal()
        return member

    def _replace_seat_online(self, member_id, values):
        """Give the seat of one covered person to another, in one step."""
        self.ensure_one()
        self._get_seat_member_online(member_id)._end_seat()
        return self._add_seat_online(values)

    def _invite_to_portal(self):
        """Odoo's own portal invitation: an account and a mail to set the
        password."""
        for member in self.sudo():
            if member.partner_id.user_ids:
                continue
            wizard = (
                self.env["portal.wizard"]
                .sudo()
                .create({"partner_ids": [Command.link(member.partner_id.id)]})
            )
            wizard.user_ids.action_grant_access()
