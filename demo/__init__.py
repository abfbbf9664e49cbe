from . import membership_demo
