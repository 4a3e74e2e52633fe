"""Look at the start of an XML file before any parser does.

Invoice files never need a DTD. A ``<!DOCTYPE`` can declare entities that read local files
(XXE), fetch URLs (external DTD) or expand exponentially (billion laughs), so a file that
declares one is refused outright, before lxml sees it. The parser is also configured not to
resolve entities, load DTDs or use the network; this module is the first of the two locks.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from importers.text import N_, Message

__all__ = ["PROLOG_WINDOW", "XmlProlog", "sniff_xml"]

#: How far into the file the root element must start. A real invoice has a few hundred bytes
#: of declaration and comments before its root; a megabyte of them is not an invoice.
PROLOG_WINDOW = 1 << 20

_NAME = re.compile(r"[^\s/>]{1,200}")


@dataclass(frozen=True, slots=True)
class XmlProlog:
    """What the prolog scan found: the root's qualified name, or why the file is refused."""

    is_xml: bool
    root_qname: str | None = None
    problem: Message | None = None
    line: int | None = None

    @property
    def root_local_name(self) -> str | None:
        """The root element's name without its prefix (``ubl:Invoice`` → ``Invoice``)."""
        if self.root_qname is None:
            return None
        return self.root_qname.rpartition(":")[2]


def _prefix_text(data: bytes) -> str:
    """The first ``PROLOG_WINDOW`` bytes as text, for any encoding XML allows.

    Markup characters are ASCII, so an ASCII-compatible encoding (UTF-8, ISO-8859-1, ...) can
    be read as Latin-1 byte for byte; UTF-16 and UTF-32 are recognised by BOM or by the
    zero bytes around the first ``<``.
    """
    head = data[: PROLOG_WINDOW + 4]
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="ignore")
    if head.startswith(b"<\x00\x00\x00"):
        return head.decode("utf-32-le", errors="ignore")
    if head.startswith(b"\x00\x00\x00<"):
        return head.decode("utf-32-be", errors="ignore")
    if head.startswith(b"<\x00"):
        return head.decode("utf-16-le", errors="ignore")
    if head.startswith(b"\x00<"):
        return head.decode("utf-16-be", errors="ignore")
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    return head[:PROLOG_WINDOW].decode("latin-1")


def sniff_xml(data: bytes) -> XmlProlog:
    """Scan the prolog (declaration, comments, processing instructions) up to the root.

    Returns ``is_xml=False`` when the first non-blank character is not ``<`` (then the file
    is not XML at all, e.g. a CSV file). For XML, returns the root's qualified name, or a
    ``problem`` when the prolog has a DOCTYPE or other markup declaration, or ends early.
    """
    text = _prefix_text(data)
    i = _skip_blanks(text, 0)
    if i >= len(text) or text[i] != "<":
        return XmlProlog(is_xml=False)
    while True:
        i = _skip_blanks(text, i)
        if i >= len(text):
            problem = N_("the XML ends before its root element (empty or truncated file)")
            if len(text) >= PROLOG_WINDOW:
                problem = N_("no root element within the first MiB: not an invoice")
            return XmlProlog(is_xml=True, problem=Message.of(problem))
        found = _prolog_item(text, i)
        if isinstance(found, XmlProlog):
            return found
        i = found


def _skip_blanks(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _prolog_item(text: str, i: int) -> int | XmlProlog:
    """The markup at ``i`` (which is ``<``, or text): where the next starts, or the answer."""
    line = text.count("\n", 0, i) + 1
    if text.startswith("<?", i):
        return _past(text, i + 2, "?>", line, N_("unterminated processing instruction"))
    if text.startswith("<!--", i):
        return _past(text, i + 4, "-->", line, N_("unterminated comment before the root"))
    if text.startswith("<!", i):
        return XmlProlog(True, problem=_declaration_problem(text, i), line=line)
    if text[i] == "<":
        m = _NAME.match(text, i + 1)
        if m is None:
            return XmlProlog(True, problem=Message.of(N_("malformed root element")), line=line)
        return XmlProlog(True, root_qname=m.group(0), line=line)
    return XmlProlog(True, problem=Message.of(N_("text before the root element")), line=line)


def _past(text: str, start: int, terminator: str, line: int, unterminated: str) -> int | XmlProlog:
    """Where the markup ending in ``terminator`` ends, or the problem if it never does."""
    end = text.find(terminator, start)
    if end < 0:
        return XmlProlog(True, problem=Message.of(unterminated), line=line)
    return end + len(terminator)


def _declaration_problem(text: str, i: int) -> Message:
    if text[i + 2 : i + 9].upper() == "DOCTYPE":
        return Message.of(
            N_(
                "the file declares a DOCTYPE (DTD): refused, because an invoice never needs one "
                "and a DTD can define entities that read files or expand without bound"
            )
        )
    return Message.of(
        N_(
            "the file declares a markup declaration %(declaration)s: refused, because an invoice never needs one "
            "and a DTD can define entities that read files or expand without bound"
        ),
        declaration=repr(text[i : i + 10]),
    )
