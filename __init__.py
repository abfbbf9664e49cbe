from . import controllers
from . import models
from . import tools
from . import demo
from . import reports
from . import wizards


def post_init_hook(env):
    """The monthly figures of the months before installing, from the status
    history (the demo's, or members created by other modules' data)."""
    env["membership.report.monthly"]._refresh()
