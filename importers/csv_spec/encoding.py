"""Which text encoding a specification file is in, when it does not say (``detect_encoding``)."""

from __future__ import annotations

import codecs
import re

_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_CHUNK = 1 << 20


def _is_utf8(data: bytes) -> bool:
    """Strict UTF-8 check in chunks, so a large file is not decoded into one big string."""
    if data.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    view = memoryview(data)
    try:
        for start in range(0, len(data), _CHUNK):
            decoder.decode(view[start : start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(data: bytes, encoding: str | None = None) -> str:
    """Which encoding to read ``data`` with: the given one, else detected.

    Order: a byte-order mark (UTF-8 or UTF-16, as Excel's "Unicode text" export writes),
    then strict UTF-8, then Windows-1252 (the Swedish Excel default), or ISO-8859-1 when the
    bytes use positions Windows-1252 leaves undefined.
    """
    if encoding:
        name = codecs.lookup(encoding).name
        if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        return name
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _is_utf8(data):
        return "utf-8"
    if _CP1252_UNDEFINED.search(data):
        return "iso8859-1"
    return "cp1252"
