"""Hostile and broken XML: refused with a clear error, never expanded, never fetched."""

from __future__ import annotations

import pytest
from ubl_builder import Line, build_invoice

import importers.peppol.stream as peppol_stream
from importers import ParseResult, parse_file
from importers.xmlsafe import XmlProlog, sniff_xml

VALID = build_invoice([Line(note="&xxe;")]).decode("utf-8")
BODY = VALID.split("?>", 1)[1]  # the invoice without its XML declaration
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

XXE_FILE = DECLARATION + '<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + BODY
BILLION_LAUGHS = (
    DECLARATION
    + "<!DOCTYPE Invoice [\n"
    + '<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n' for i in range(1, 10)
    )
    + "]>\n"
    + BODY.replace("&xxe;", "&lol9;")
)
EXTERNAL_DTD = DECLARATION + '<!DOCTYPE Invoice SYSTEM "http://127.0.0.1:9/evil.dtd">\n' + BODY.replace("&xxe;", "x")
PARAMETER_ENTITY = (
    DECLARATION
    + '<!DOCTYPE Invoice [<!ENTITY % ext SYSTEM "http://127.0.0.1:9/x.dtd"> %ext;]>\n'
    + BODY.replace("&xxe;", "x")
)


def refused(data: bytes, name: str = "evil.xml") -> ParseResult:
    result = parse_file(data, name)
    assert not result.ok
    assert result.invoices == []
    return result


@pytest.mark.parametrize(
    "text",
    [XXE_FILE, BILLION_LAUGHS, EXTERNAL_DTD, PARAMETER_ENTITY],
    ids=["xxe-file", "billion-laughs", "external-dtd", "parameter-entity"],
)
def test_doctype_is_refused_before_parsing(text: str) -> None:
    result = refused(text.encode("utf-8"))
    (error,) = result.errors
    assert "DOCTYPE" in error.message
    assert error.line == 2
    assert "root:" not in str(result)  # /etc/passwd never read


def test_doctype_after_bom_and_comments_is_refused() -> None:
    text = "\ufeff" + DECLARATION + "<!-- a comment -->\n<?pi x?>\n" + XXE_FILE.split("\n", 1)[1]
    result = refused(text.encode("utf-8"))
    assert "DOCTYPE" in result.errors[0].message


def test_doctype_in_utf16_is_refused() -> None:
    text = XXE_FILE.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    result = refused(text.encode("utf-16"))
    assert "DOCTYPE" in result.errors[0].message


def test_entity_declaration_without_doctype_is_refused() -> None:
    text = DECLARATION + '<!ENTITY xxe SYSTEM "file:///etc/passwd">\n' + BODY
    result = refused(text.encode("utf-8"))
    assert "markup declaration" in result.errors[0].message


@pytest.mark.parametrize("text", [XXE_FILE, BILLION_LAUGHS, EXTERNAL_DTD], ids=["xxe", "laughs", "external"])
def test_second_lock_parser_never_expands(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """Even if the prolog scan were fooled, the parser neither expands nor fetches."""
    monkeypatch.setattr(peppol_stream, "sniff_xml", lambda data: XmlProlog(is_xml=True, root_qname="Invoice"))
    result = refused(text.encode("utf-8"))
    assert "DOCTYPE" in result.errors[0].message
    assert "root:" not in str(result)
    assert "lol" * 20 not in str(result)


def test_truncated_xml() -> None:
    data = build_invoice([Line(), Line(), Line()])
    result = refused(data[: len(data) // 2], "cut.xml")
    (error,) = result.errors
    assert error.field == "xml"
    assert "not well-formed" in error.message
    assert error.line is not None
    assert str(error).startswith("cut.xml:")


def test_wrong_root_element() -> None:
    result = refused(b'<?xml version="1.0"?><Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>')
    assert "Order" in result.errors[0].message


def test_cii_is_named_as_unsupported() -> None:
    result = refused(
        b"<rsm:CrossIndustryInvoice xmlns:rsm='urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100'/>"
    )
    assert "CII" in result.errors[0].message


def test_invoice_in_a_foreign_namespace() -> None:
    result = refused(b'<Invoice xmlns="urn:example:not-ubl"><ID>1</ID></Invoice>')
    assert "namespace" in result.errors[0].message


def test_invoice_nested_in_something_else() -> None:
    inner = BODY.replace("&xxe;", "x")
    result = refused(f"<StandardBusinessDocument><Wrapper>{inner}</Wrapper></StandardBusinessDocument>".encode())
    assert result.errors[0].field == "xml"


def test_oversized_input() -> None:
    data = build_invoice([Line()])
    result = parse_file(data, "big.xml", max_bytes=1000)
    assert not result.ok
    (error,) = result.errors
    assert error.field == "file"
    assert "limit" in error.message and "1,000" in error.message


def test_empty_file() -> None:
    result = parse_file(b"", "empty.xml")
    assert not result.ok
    assert "empty" in result.errors[0].message


def test_text_given_as_peppol() -> None:
    result = parse_file(b"Fakturanummer;Belopp\n1;2\n", "x.csv", format="peppol")
    assert not result.ok
    assert "not an XML document" in result.errors[0].message


def test_sniff_finds_the_root_after_declaration_and_comments() -> None:
    prolog = sniff_xml(b'\xef\xbb\xbf  <?xml version="1.0"?>\n<!-- c -->\n<ubl:Invoice xmlns:ubl="x"/>')
    assert prolog.is_xml and prolog.problem is None
    assert prolog.root_qname == "ubl:Invoice"
    assert prolog.root_local_name == "Invoice"
    assert prolog.line == 3


def test_sniff_says_csv_is_not_xml() -> None:
    assert not sniff_xml(b"Fakturanummer;Belopp\n").is_xml


def test_huge_text_node_is_refused_with_a_reason() -> None:
    """huge_tree stays off: one element over 10 MB (e.g. an embedded PDF) is refused clearly."""
    attachment = (
        b"<cac:AdditionalDocumentReference><cbc:ID>spec</cbc:ID><cac:Attachment>"
        b'<cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="s.pdf">'
        + b"QUJD" * 2_700_000
        + b"</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference>"
    )
    data = build_invoice([Line()]).replace(
        b"<cac:AccountingSupplierParty>", attachment + b"<cac:AccountingSupplierParty>"
    )
    result = refused(data)
    assert "10 MB" in result.errors[0].message
