from . import report_dues_receipt
from . import report_registration_receipt
from . import report_event_participants
from . import report_event_participants_xlsx
from . import report_member_cards
from . import report_address_labels
