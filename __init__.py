from . import controllers
from . import models
from . import tools
from . import demo
from . import reports
from . import wizards
