from . import portal
from . import join
