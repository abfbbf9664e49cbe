from . import membership_plan
from . import membership_tier
from . import membership_withdrawal_reason
from . import membership_status_history
from . import membership_dues
from . import membership_member
from . import account_move
from . import res_partner
