"""PEPPOL BIS Billing 3.0 (UBL 2.1 Invoice and CreditNote) into ``ParsedInvoice``.

The file is streamed (``stream``): each invoice line (fakturarad) is read when its end tag
arrives and then removed from the tree, so a 100,000-line invoice keeps at most a few
hundred emptied line elements in memory besides the parsed results. Element names are
matched by namespace, not by prefix (``names``), so ``cbc:``, ``ns2:`` or a default
namespace all work, and a Standard Business Document Header (SBDH) envelope around the
invoice is accepted.

Safety: a file with a DOCTYPE is refused before parsing (see ``importers.xmlsafe``), and the
parser never resolves entities, loads a DTD or touches the network.

The parts, in the order a file meets them:

- ``stream``: ``parse_peppol``, the checks before parsing and the pass over the XML;
- ``header``: the document-level elements, with ``parties`` (seller and buyer),
  ``allowances`` (allowances and charges, also on lines) and ``totals`` (TaxTotal,
  LegalMonetaryTotal);
- ``lines``: each invoice line into a ``ParsedLine`` (``LineReader``, the hot path);
- ``rules``: the EN 16931 / PEPPOL business rules, lists of (rule id, check); every total is
  checked the way EN 16931 states it (BR-CO-10 to BR-CO-16), exactly, in ``Decimal``, and a
  file that does not add up yields no invoice, only errors that name the rule and the two
  amounts;
- ``invoice``: the rules at the end of the document, and the ``ParsedInvoice``;
- underneath: ``values`` (typed, checked, cached element values), ``importers.problems``
  (errors and warnings, as the CSV reader collects them too) with ``problems`` (the rules'
  findings), ``state`` (what has been read) and ``context`` (the three together).

Paths in locations and errors use the conventional ``cac:``/``cbc:`` prefixes whatever the
file uses, and start at the Invoice or CreditNote element (also inside an SBDH envelope):
``/Invoice/cac:InvoiceLine[3]`` is the third line. Each ``ParseError`` also carries the
line in the file where the element starts.
"""

from __future__ import annotations

from importers.numbers import MAX_AMOUNT_DIGITS
from importers.peppol.header import CREDIT_NOTE_TYPE_CODES
from importers.peppol.names import NS_CAC, NS_CBC, NS_CREDIT_NOTE, NS_INVOICE, NS_SBDH
from importers.peppol.rules import EN16931_CUSTOMIZATION, LINE_SLACK, PEPPOL_CUSTOMIZATION
from importers.peppol.stream import DEFAULT_MAX_BYTES, parse_peppol
from importers.problems import MAX_ERRORS

__all__ = [
    "CREDIT_NOTE_TYPE_CODES",
    "DEFAULT_MAX_BYTES",
    "EN16931_CUSTOMIZATION",
    "LINE_SLACK",
    "MAX_AMOUNT_DIGITS",
    "MAX_ERRORS",
    "NS_CAC",
    "NS_CBC",
    "NS_CREDIT_NOTE",
    "NS_INVOICE",
    "NS_SBDH",
    "PEPPOL_CUSTOMIZATION",
    "parse_peppol",
]
