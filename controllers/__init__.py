from . import portal
from . import join
from . import portal_event
from . import event_staff
from . import login
from . import portal_invoice
