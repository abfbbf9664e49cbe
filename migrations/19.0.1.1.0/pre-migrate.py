# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""The shipped journeys' steps became records of their own (so that their names
can be translated): name the steps an earlier version created inside its
journeys, so that loading the data updates them instead of adding a second
copy of each step (which would mail members twice)."""

SHIPPED_STEPS = {
    "journey_welcome": (10, 20, 30),
    "journey_renewal": (10, 20),
    "journey_grace": (10,),
    "journey_winback": (10,),
    "journey_birthday": (10,),
}


def migrate(cr, version):
    if not version:
        return
    for journey, sequences in SHIPPED_STEPS.items():
        for sequence in sequences:
            cr.execute(
                """
                INSERT INTO ir_model_data (module, name, model, res_id, noupdate)
                SELECT 'membership_management', %(xmlid)s,
                       'membership.campaign.step', step.id, TRUE
                  FROM ir_model_data journey
                  JOIN membership_campaign_step step
                    ON step.campaign_id = journey.res_id
                   AND step.sequence = %(sequence)s
                 WHERE journey.module = 'membership_management'
                   AND journey.name = %(journey)s
                   AND NOT EXISTS (
                       SELECT 1 FROM ir_model_data
                        WHERE module = 'membership_management'
                          AND name = %(xmlid)s)
                 ORDER BY step.id
                 LIMIT 1
                """,
                {
                    "journey": journey,
                    "sequence": sequence,
                    "xmlid": f"{journey}_step_{sequence}",
                },
            )
