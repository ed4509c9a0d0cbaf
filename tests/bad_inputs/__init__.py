"""The bad-input corpus: small files checked in here, large ones written by ``make.py``, every case in ``cases.py``."""
