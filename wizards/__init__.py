from . import membership_plan_change
from . import membership_direct_debit_result_import
