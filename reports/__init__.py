from . import report_dues_receipt
