from . import test_membership_plan
from . import test_member_state
from . import test_dues_invoicing
from . import test_dues_run
from . import test_dunning
from . import test_dues_receipt
from . import test_member_number
from . import test_membership_security
