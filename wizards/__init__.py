from . import membership_plan_change
