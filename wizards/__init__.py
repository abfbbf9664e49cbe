from . import membership_plan_change
from . import membership_direct_debit_result_import
from . import membership_campaign_start
from . import membership_campaign_test
from . import membership_export
from . import membership_erasure_wizard
