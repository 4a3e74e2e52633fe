"""The contact centre's tests: Telia as the register's operator, and a contact-centre user."""

from __future__ import annotations

import pytest

from ledger.access.models import Role, User
from ledger.organisation.models import Supplier
from tests.factories import OPERATOR_ORGNR, make_supplier


@pytest.fixture
def operator(db, org) -> Supplier:
    return make_supplier("Telia Sverige AB (demo)", OPERATOR_ORGNR)


@pytest.fixture
def contact_centre(make_user) -> User:
    """A user of the contact centre (``Role.CONTACT_CENTRE``) of the test organisation."""
    return make_user(Role.CONTACT_CENTRE, username="kontaktcenter-test")
