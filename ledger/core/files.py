"""The name an uploaded file is kept and shown under.

A browser sends whatever name it likes: a path (``../../../../tmp/evil.xml``, or Windows'
``C:\\Users\\…\\faktura.xml``), control characters, a name thousands of characters long. The
ledger never uses the name to open a file; it stores it in the import record and the audit
log and shows it on pages, so it keeps the last path component only, in Unicode's composed
form (å stays å), without control characters, at most 255 characters.
"""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 255


def upload_name(raw: str | None, default: str) -> str:
    """``raw`` made fit to store and show; ``default`` when nothing of it is left."""
    text = unicodedata.normalize("NFC", raw or "")
    last = text.replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(ch for ch in last if unicodedata.category(ch)[0] != "C").strip()
    if printable.strip(".") == "":  # "", "." and ".." name no file
        return default
    if len(printable) <= MAX_LENGTH:
        return printable
    stem, dot, suffix = printable.rpartition(".")
    if dot and 0 < len(suffix) <= 10:  # keep the suffix: it tells the format
        return stem[:MAX_LENGTH - len(suffix) - 1] + "." + suffix
    return printable[:MAX_LENGTH]
