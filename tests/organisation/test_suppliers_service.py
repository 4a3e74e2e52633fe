"""``update_supplier``: a correction is checked as a registration is, and audited once."""

from __future__ import annotations

import pytest

from ledger.core.errors import Conflict, ValidationFailed
from ledger.organisation.service import update_supplier
from tests.conftest import audit_actions
from tests.factories import OPERATOR_ORGNR, OTHER_ORGNR, make_supplier, save


def test_update_checks_number_and_name_and_refuses_another_suppliers_number(db) -> None:
    make_supplier("Hjo kommun", OTHER_ORGNR)
    supplier = make_supplier("Nordnät AB", OPERATOR_ORGNR)
    for values, error, field in ((dict(name="Nordnät AB", organisation_number="556900-0011"), ValidationFailed,
                                  "organisation_number"),
                                 (dict(name="  ", organisation_number=OPERATOR_ORGNR), ValidationFailed, "name"),
                                 (dict(name="Nordnät AB", organisation_number="5569000028"), Conflict,
                                  "organisation_number")):
        with pytest.raises(error) as refused:
            update_supplier(None, supplier, **values)
        assert refused.value.details[0]["field"] == field
    assert (supplier.name, supplier.organisation_number) == ("Nordnät AB", OPERATOR_ORGNR)


def test_update_normalises_and_records_only_what_changed(db) -> None:
    supplier = make_supplier("Nordnät AB", OPERATOR_ORGNR)
    update_supplier(None, supplier, name="Nordnät AB", organisation_number="5569000010", peppol_id="0007:5569000010")
    update_supplier(None, supplier, name="Nordnät AB", organisation_number=OPERATOR_ORGNR, peppol_id="0007:5569000010")
    save()
    [event] = audit_actions(db, "supplier.update")
    assert event.before == {"peppol_id": None} and event.after == {"peppol_id": "0007:5569000010"}
    assert supplier.organisation_number == OPERATOR_ORGNR
