# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
from odoo import api, fields, models
from odoo.exceptions import UserError


class MembershipVisit(models.Model):
    """A member's visit (来館) to a location, recorded at the desk by scanning
    the membership card. Visits count as activity: they keep a member out
    of the *Dormant* segment."""

    _name = "membership.visit"
    _description = "Member Visit"
    _order = "visit_time desc, id desc"
    _rec_name = "member_id"

    member_id = fields.Many2one(
        "membership.member",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    partner_id = fields.Many2one(related="member_id.partner_id")
    plan_id = fields.Many2one(related="member_id.plan_id")
    location_id = fields.Many2one(
        "membership.visit.location",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    company_id = fields.Many2one(related="member_id.company_id", store=True, index=True)
    visit_time = fields.Datetime(
        string="Time", required=True, default=fields.Datetime.now
    )
    visit_date = fields.Date(
        string="Date",
        compute="_compute_visit_date",
        store=True,
        help="The day of the visit, in the recording user's time zone.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Recorded By",
        default=lambda self: self.env.user,
        readonly=True,
        ondelete="set null",
    )

    @api.depends("visit_time", "user_id")
    def _compute_visit_date(self):
        for visit in self:
            if not visit.visit_time:
                visit.visit_date = False
                continue
            tz = visit.user_id.tz or self.env.context.get("tz") or "UTC"
            visit.visit_date = fields.Datetime.context_timestamp(
                visit.with_context(tz=tz), visit.visit_time
            ).date()

    @api.model
    def _record_by_code(self, code, location):
        """Record the visit of the member ``code`` designates (a card token or
        a member number) at ``location``, as the desk user.

        Returns ``(member, visit, error, warning)``: a lapsed, suspended or
        withdrawn member is refused with the reason; a visit in the last week
        of coverage is recorded with a warning.
        """
        Member = self.env["membership.member"]
        member = Member._get_member_for_desk(code, location.company_id)
        if not member:
            return member, self, self._get_unknown_code_error(code), False
        error = member._get_visit_refusal()
        if error:
            return member, self, error, False
        visit = self.create({"member_id": member.id, "location_id": location.id})
        return member, visit, False, member._get_visit_warning()

    @api.model
    def _get_unknown_code_error(self, code):
        code = (code or "").strip()
        if not code:
            return self.env._("Scan or type a member card or member number.")
        if code.count(".") == 2:
            return self.env._(
                "This membership card is not valid: it was revoked, has expired "
                "or is not one of ours."
            )
        return self.env._("Unknown card or member number.")

    @api.model_create_multi
    def create(self, vals_list):
        visits = super().create(vals_list)
        refused = visits.member_id.filtered(lambda m: m._get_visit_refusal())
        if refused:
            raise UserError(refused[0]._get_visit_refusal())
        return visits
