from . import bank_transfer
