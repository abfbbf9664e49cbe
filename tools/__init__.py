from . import bank_transfer
from . import text
from . import proration
from . import invoice
from . import card_charge
from . import member_import
from . import legacy_membership
from . import stored_text
