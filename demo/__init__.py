from . import membership_demo
from . import membership_demo_groups
from . import membership_demo_engagement
