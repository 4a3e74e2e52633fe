"""Upload names: the last path component, printable, at most 255 characters."""

from __future__ import annotations

import pytest

from ledger.core.files import upload_name


@pytest.mark.parametrize(("raw", "kept"), [
    ("../../../../tmp/evil.xml", "evil.xml"),
    ("..\\..\\windows\\evil2.xml", "evil2.xml"),
    ("C:\\Users\\anna\\Faktura mars.xml", "Faktura mars.xml"),
    ("spec\x00ifikation\r\n.csv", "specifikation.csv"),
    ("Fa\u0308ktura.csv", "Fäktura.csv"),
    ("..", "file"), ("", "file"), (None, "file"), ("dir/", "file"),
    ("   faktura.xml  ", "faktura.xml"),
])
def test_names_are_made_fit_to_store(raw: str | None, kept: str) -> None:
    assert upload_name(raw, "file") == kept


def test_a_long_name_keeps_its_suffix() -> None:
    name = upload_name("x" * 400 + ".xml", "file")
    assert len(name) == 255 and name.endswith(".xml")
