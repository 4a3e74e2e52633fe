"""The change feed as Atom 1.0 (RFC 4287), and the per-user feed tokens mail clients read it with.

A mail client (Outlook, Thunderbird) subscribes to a feed by its address and sends neither a
session cookie nor an ``Authorization`` header, so the feed's address carries a secret of its
own: ``/directory/changes.atom?token=…``. The token is 256 random bits, shown once and stored only
as its SHA-256; it reads this one feed and nothing else (it is no API token), for as long as its
user is active and may read the changes (``directory.changes``); a user has at most one, and a
new one replaces it. The document is built with lxml, never by joining strings, so that a unit's
name or an administrator's text cannot break it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from lxml import etree

from ledger.access.models import User
from ledger.audit import service as audit
from ledger.contact_centre.changes import ChangeRecord, summary, title
from ledger.contact_centre.models import FeedToken
from ledger.core.text import N_, Said
from ledger.database import db
from ledger.database.types import utcnow
from ledger.organisation.models import Organisation

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MEDIA_TYPE = "application/atom+xml"
#: The most entries one feed document holds (the newest); a reader polls often enough for that.
MAX_ENTRIES = 200
#: When a token was last used is noted to this precision, so that reading the feed is not a write each time.
LAST_USED_PRECISION = timedelta(minutes=1)


# -- the document ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AtomEntry:
    id: str
    title: str
    summary: str
    updated: datetime
    link: str
    category: str


@dataclass(frozen=True, slots=True)
class AtomFeed:
    id: str
    title: str
    subtitle: str
    author: str
    self_link: str
    alternate_link: str
    language: str


def entry_id(organisation_number: str, change_id: int) -> str:
    """A change's permanent id in the feed (``urn:uuid:…``): the same on every read, unique per deployment."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"ledger:{organisation_number}:directory-change:{change_id}").urn


def feed_id(organisation_number: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"ledger:{organisation_number}:directory-changes").urn


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _text(parent: etree._Element, tag: str, text: str, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    element.text = text
    return element


def atom(feed: AtomFeed, entries: Sequence[AtomEntry], now: datetime | None = None) -> bytes:
    """The feed as an Atom document (UTF-8): its newest entry's time as ``updated``, or ``now``
    when it has none."""
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    root.set(XML_LANG, feed.language)
    _text(root, "id", feed.id)
    _text(root, "title", feed.title)
    _text(root, "subtitle", feed.subtitle)
    _text(root, "updated", _stamp(max((e.updated for e in entries), default=now or utcnow())))
    author = etree.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", feed.author)
    etree.SubElement(root, f"{{{ATOM}}}link", rel="self", type=MEDIA_TYPE, href=feed.self_link)
    etree.SubElement(root, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=feed.alternate_link)
    for e in entries:
        entry = etree.SubElement(root, f"{{{ATOM}}}entry")
        _text(entry, "id", e.id)
        _text(entry, "title", e.title)
        _text(entry, "updated", _stamp(e.updated))
        _text(entry, "published", _stamp(e.updated))
        etree.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=e.link)
        etree.SubElement(entry, f"{{{ATOM}}}category", term=e.category)
        _text(entry, "summary", e.summary, type="text")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def document(organisation: Organisation, records: Sequence[ChangeRecord], *, say: Callable[[str], str],
             self_link: str, alternate_link: str, link_of: Callable[[ChangeRecord], str], language: str) -> bytes:
    """The organisation's changes as its feed, each text said by ``say`` (in the reader's language)."""
    number = organisation.organisation_number
    heading = Said.of(N_("Changes in the directory: %(organisation)s"), organisation=organisation.name)
    feed = AtomFeed(id=feed_id(number), author=organisation.name, self_link=self_link,
                    alternate_link=alternate_link, language=language, title=say(heading),
                    subtitle=say(N_("Moves, new and ended numbers, reorganisations and units' contact details.")))
    entries = [AtomEntry(id=entry_id(number, r.id), title=say(title(r)), summary=say(summary(r)), updated=r.recorded_at,
                         link=link_of(r), category=r.kind.value) for r in records]
    return atom(feed, entries)


# -- the tokens ------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_of(user: User) -> FeedToken | None:
    """The user's feed token (its row: the token itself is not kept), if they have one."""
    return db.session.scalar(sa.select(FeedToken).where(FeedToken.user_id == user.id))


def issue(user: User) -> str:
    """A new feed token for ``user``, replacing any they had (whose address stops working)."""
    old = token_of(user)
    if old is not None:
        db.session.delete(old)
        db.session.flush()
    token = secrets.token_urlsafe(32)
    db.session.add(FeedToken(organisation_id=user.organisation_id, user_id=user.id, token_hash=_hash(token)))
    db.session.flush()
    audit.record(user, "feed_token.replace" if old is not None else "feed_token.issue", "user", user.username)
    return token


def revoke(user: User) -> bool:
    """End the user's feed address; ``False`` when they had none."""
    old = token_of(user)
    if old is None:
        return False
    db.session.delete(old)
    db.session.flush()
    audit.record(user, "feed_token.revoke", "user", user.username)
    return True


def reader_of(token: str) -> User | None:
    """The active user whose feed token ``token`` is, or ``None``; notes when it was used."""
    if not token or len(token) > 128:
        return None
    found = db.session.execute(
        sa.select(FeedToken, User).join(User, User.id == FeedToken.user_id)
        .where(FeedToken.token_hash == _hash(token), User.active.is_(True))).first()
    if found is None:
        return None
    row, user = found
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
        row.last_used_at = now
    return user
