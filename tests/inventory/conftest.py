"""The inventory tests' operator: the register's subscriptions are with Telia (and one other)."""

from __future__ import annotations

import pytest

from ledger.organisation.models import Supplier
from tests.factories import OPERATOR_ORGNR, OTHER_ORGNR, make_supplier


@pytest.fixture
def operator(db, org) -> Supplier:
    """Telia (``OPERATOR_ORGNR``), with Tre (``OTHER_ORGNR``) registered beside it."""
    supplier = make_supplier("Telia Sverige AB (demo)", OPERATOR_ORGNR)
    make_supplier("Tre Företag (demo)", OTHER_ORGNR)
    return supplier
