from . import membership_demo
from . import membership_demo_groups
