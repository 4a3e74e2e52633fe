"""``parse_peppol``: the checks before parsing, then one streamed pass over the XML.

The file is streamed with ``lxml.etree.iterparse``, which reports only the end of the
document element and of each line, so each cac:InvoiceLine or cac:CreditNoteLine is handled
as one subtree when its end tag arrives: ``lines.LineReader`` reads its children in one pass
(tag comparisons and the value caches, no XPath and no per-element dictionaries), then the
line is cleared and, every ``_CLEANUP_EVERY`` lines, the emptied lines before it are deleted
from the document, so a 100,000-line invoice holds at most a few hundred emptied lines in
memory besides the parsed results. The first event fixes the document element (the root,
or the one child of an SBDH envelope); the document-level elements before the first line
are read then, those after the lines when the document ends.

Nearly all the time a long file takes is spent in this pass, about half in lxml building
each line's elements and half in reading them, so the loop over the line events
(``_Stream._rest``) does nothing else.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import TYPE_CHECKING

from lxml import etree

from importers.model import ParsedInvoice, ParseError, ParseResult
from importers.peppol.context import Context
from importers.peppol.header import read_header
from importers.peppol.invoice import finish
from importers.peppol.lines import LineReader
from importers.peppol.names import (
    LINE_TAGS,
    NS_CREDIT_NOTE,
    NS_INVOICE,
    ROOT_TAGS,
    T_CREDIT_NOTE,
    T_CREDIT_NOTE_LINE,
    T_INVOICE,
    T_INVOICE_LINE,
    local_name,
    prefixed,
    shown,
)
from importers.problems import TooManyErrorsError, file_too_large
from importers.text import N_, Message
from importers.xmlsafe import sniff_xml

if TYPE_CHECKING:
    from lxml.etree import _Element as Element

DEFAULT_MAX_BYTES = 50 * 2**20
#: Emptied lines are removed from the tree in batches of this many (cheaper than one by one).
_CLEANUP_EVERY = 256
_DOCUMENT_ROOTS = ("Invoice", "CreditNote", "StandardBusinessDocument")


def parse_peppol(data: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParseResult:
    """Parse one PEPPOL BIS Billing 3.0 invoice or credit note (kreditnota).

    Returns the invoice, or errors that name the file, the XML line and path, the field and,
    where one applies, the EN 16931 / PEPPOL rule. Never raises for bad input.
    """
    refusal = _refusal_before_parsing(data, filename, max_bytes)
    if refusal is not None:
        return refusal
    return _Stream(filename).parse(data)


def _refuse(filename: str, field: str, said: Message, line: int | None = None) -> ParseResult:
    return ParseResult(errors=[ParseError.of(filename, line, None, field, said)])


def _refusal_before_parsing(data: bytes, filename: str, max_bytes: int) -> ParseResult | None:
    """Why the file is refused before any parser sees it (too large, empty, not UBL XML, a DTD)."""
    if len(data) > max_bytes:
        return _refuse(filename, "file", file_too_large(len(data), max_bytes))
    if not data.strip():
        return _refuse(filename, "file", Message.of(N_("the file is empty")))
    prolog = sniff_xml(data)
    if not prolog.is_xml:
        not_xml = Message.of(N_("not an XML document (the first character is not '<')"))
        return _refuse(filename, "xml", not_xml, line=1)
    if prolog.problem is not None:
        return _refuse(filename, "xml", prolog.problem, line=prolog.line)
    local = prolog.root_local_name
    if local not in _DOCUMENT_ROOTS:
        if local == "CrossIndustryInvoice":
            template = N_("the root element is %(root)s, not a UBL Invoice or CreditNote (UN/CEFACT CII is not "
                          "supported, only UBL)")
        else:
            template = N_("the root element is %(root)s, not a UBL Invoice or CreditNote")
        return _refuse(filename, "xml", Message.of(template, root=shown(prolog.root_qname)), line=prolog.line)
    return None


def _document_problem(document: Element | None) -> Message | None:
    """Why ``document`` is not an acceptable Invoice/CreditNote element, or ``None``.

    It must be the root, or the one child of a Standard Business Document envelope; and the
    file must have no DOCTYPE (checked again here, after the prolog scan).
    """
    if document is None or document.tag not in ROOT_TAGS:
        return Message.of(N_("an invoice line outside an Invoice or CreditNote element"))
    if document.getroottree().docinfo.doctype:
        return Message.of(N_("the file declares a DOCTYPE: refused"))
    parent = document.getparent()
    if parent is not None and (local_name(parent.tag) != "StandardBusinessDocument" or parent.getparent() is not None):
        return Message.of(
            N_("%(element)s found inside %(parent)s, not at the root or in an SBDH"),
            element=f"<{local_name(document.tag)}>",
            parent=f"<{local_name(parent.tag)}>",
        )
    return None


def _syntax_error(exc: etree.XMLSyntaxError, filename: str) -> ParseError:
    """The error for XML that lxml cannot parse, saying whether it is damaged or too large."""
    line = exc.position[0] if exc.position else getattr(exc, "lineno", None)
    message = (exc.msg or str(exc)).strip()
    if "XML_PARSE_HUGE" in message or "limit exceeded" in message.lower():
        template = N_(
            "a single element holds more than 10 MB of text (an embedded attachment?), "
            "more than the importer reads: %(reason)s"
        )
    else:
        template = N_("the XML is not well-formed (damaged or truncated): %(reason)s")
    return ParseError.of(filename, line, None, "xml", Message.of(template, reason=message))


def _iterparse(data: bytes) -> etree.iterparse[tuple[str, Element]]:
    """The end events of documents and lines, from a parser that never expands or fetches."""
    return etree.iterparse(
        io.BytesIO(data),
        events=("end",),
        tag=(T_INVOICE, T_CREDIT_NOTE, T_INVOICE_LINE, T_CREDIT_NOTE_LINE),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        remove_blank_text=True,
    )


class _Stream:
    """One file's pass over its end events; ``parse`` is the only entry."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.ctx = Context.for_file(filename)
        self.root: Element | None = None
        self.line_tag = ""
        self.lines: LineReader | None = None
        self.lines_seen = False
        self.invoice: ParsedInvoice | None = None

    def parse(self, data: bytes) -> ParseResult:
        problems = self.ctx.problems
        context = _iterparse(data)
        try:
            refusal = self._events(iter(context))
        except TooManyErrorsError:
            refusal = None
        except etree.XMLSyntaxError as exc:
            # Added past the error limit on purpose: it explains why reading stopped.
            problems.errors.append(_syntax_error(exc, self.filename))
            return ParseResult(errors=problems.errors, warnings=problems.warnings)
        return refusal if refusal is not None else self._result(context)

    def _events(self, events: Iterator[tuple[str, Element]]) -> ParseResult | None:
        """All the end events: the first fixes the document (``_start``), the others go to
        ``_rest``; a ``ParseResult`` when the file is refused."""
        for _event, el in events:
            refusal = self._on_end(el)
            if refusal is not None or self.root is not None:
                break
        else:
            return None
        return refusal if refusal is not None else self._rest(events)

    def _rest(self, events: Iterator[tuple[str, Element]]) -> ParseResult | None:
        """The events after the first: nearly all are the ends of lines, read on the spot."""
        root, line_tag, read_line = self.root, self.line_tag, self._line_reader().read
        assert root is not None  # the first event fixed it
        since_cleanup = 0
        for _event, el in events:
            if el.tag != line_tag or el.getparent() is not root:
                refusal = self._on_end(el)
                if refusal is not None:
                    return refusal
                continue
            self.lines_seen = True
            read_line(el)
            el.clear(keep_tail=False)  # forget the line
            # Every so often drop the emptied lines before this one too, so memory stays flat
            # however long the invoice is.
            since_cleanup += 1
            if since_cleanup == _CLEANUP_EVERY:
                since_cleanup = 0
                del root[: root.index(el)]
        return None

    def _result(self, context: etree.iterparse[tuple[str, Element]]) -> ParseResult:
        """The invoice, or the errors; a file with no UBL document at all names its root."""
        problems = self.ctx.problems
        if self.root is None and not problems.errors:
            found = getattr(context, "root", None)
            name = found.tag if found is not None else "?"
            template = N_(
                "the root element is %(root)s, not a UBL 2.1 Invoice or CreditNote "
                "(namespace %(invoice)s or %(credit_note)s)"
            )
            said = Message.of(template, root=name, invoice=NS_INVOICE, credit_note=NS_CREDIT_NOTE)
            return _refuse(self.filename, "xml", said)
        if problems.errors or self.invoice is None:
            return ParseResult(errors=problems.errors, warnings=problems.warnings)
        return ParseResult(invoices=[self.invoice], warnings=problems.warnings)

    def _on_end(self, el: Element) -> ParseResult | None:
        """Handle one end event other than a line's in the document; a ``ParseResult`` when
        the file is refused."""
        tag = el.tag
        if self.root is None:
            return self._start(el)
        if tag == self.line_tag:
            outside = Message.of(N_("a line outside the invoice element"))
            self.ctx.problems.error(prefixed(tag), outside, line=el.sourceline)
        elif tag in LINE_TAGS:
            kind = self.ctx.document.kind.root_name
            inside = Message.of(N_("a %(line)s inside a %(document)s"), line=local_name(tag), document=kind)
            self.ctx.problems.error(prefixed(tag), inside, line=el.sourceline)
        elif el is self.root:
            if self.lines_seen:
                read_header(self.ctx, el.iterchildren())  # anything after the lines (off-schema)
            self.invoice = finish(self.ctx)
        else:
            second = Message.of(N_("a second %(element)s in the file"), element=f"<{local_name(tag)}>")
            return _refuse(self.filename, "xml", second, line=el.sourceline)
        return None

    def _start(self, el: Element) -> ParseResult | None:
        """The first event: a line's end (its parent is the document) or, for an invoice
        without lines, the document's own end. Reads the document-level elements so far."""
        tag = el.tag
        document = el.getparent() if tag in LINE_TAGS else el
        problem = _document_problem(document)
        if problem is not None:
            return _refuse(self.filename, "xml", problem, line=el.sourceline)
        assert document is not None  # else there would be a problem
        self.root = document
        self.ctx.start_document(str(document.tag))
        self.line_tag = self.ctx.document.kind.line_tag
        read_header(self.ctx, document.iterchildren())
        if tag == self.line_tag:
            self.lines_seen = True
            self._line_reader().read(el)
            el.clear(keep_tail=False)
            del document[: document.index(el)]
        elif tag in LINE_TAGS:
            return self._on_end(el)
        else:  # the document's end: it has no lines
            self.invoice = finish(self.ctx)
        return None

    def _line_reader(self) -> LineReader:
        """The reader of this document's lines (made once its kind is known)."""
        if self.lines is None:
            self.lines = LineReader(self.ctx)
        return self.lines
