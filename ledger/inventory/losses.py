"""Loss reports: a handset lost or stolen, when, reported to which manager, and whether the
subscription (SIM) was blocked.

The policy asks staff to report a loss at once; department users report for their own units'
handsets, finance for any. Only the loss report sets the statuses ``lost`` and ``stolen``
(``edits.LOSS_STATUSES``), so that each such status has its report.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from ledger.access.models import User
from ledger.audit import service as audit
from ledger.core.errors import Conflict
from ledger.core.text import N_
from ledger.database import db
from ledger.database.types import utcnow
from ledger.inventory.edits import HANDSET_AUDIT, LOSS_STATUSES
from ledger.inventory.models import Handset, HandsetStatus
from ledger.inventory.register import day_of, ensure_asset_visible, invalid


def _loss_status(status: str) -> HandsetStatus:
    try:
        found = HandsetStatus(status)
    except ValueError:
        found = None
    if found is None or found not in LOSS_STATUSES:
        raise invalid("status", N_("A loss report sets the status lost or stolen"))
    return found


def _reported_at(reported_to_manager_at: datetime | None) -> datetime:
    """When the manager heard of it (default: now), in UTC as stored, before and after a commit."""
    reported_at = reported_to_manager_at or utcnow()
    if reported_at.tzinfo is None:
        raise invalid("reported_to_manager_at", N_("Give the time with its time zone"))
    return reported_at.astimezone(UTC)


def report_loss(actor: User, handset: Handset, *, status: str, occurred_on: date, reported_to_manager: str,
                subscription_blocked: bool, reported_to_manager_at: datetime | None = None,
                today: date | None = None) -> Handset:
    """A lost or stolen handset: when, reported to which manager, whether the SIM was blocked."""
    day = day_of(today)
    ensure_asset_visible(actor, handset, day)
    new_status = _loss_status(status)
    if handset.status == HandsetStatus.RETIRED:
        raise Conflict(N_("IMEI %(imei)s is retired; a retired handset cannot be reported lost"), imei=handset.imei)
    if occurred_on > day:
        raise invalid("occurred_on", N_("%(day)s is in the future"), day=occurred_on)
    manager = (reported_to_manager or "").strip()
    if not manager:
        raise invalid("reported_to_manager", N_("Name the manager the loss was reported to"))
    reported_at = _reported_at(reported_to_manager_at)
    before = audit.snapshot(handset, HANDSET_AUDIT)
    handset.status = new_status
    handset.status_changed_on = occurred_on
    handset.reported_to_manager = manager
    handset.reported_to_manager_at = reported_at
    handset.loss_reported_by_id = actor.id
    handset.subscription_blocked = subscription_blocked
    db.session.flush()
    audit.record(actor, "handset.report_loss", "handset", handset.id, before=before,
                 after=audit.snapshot(handset, HANDSET_AUDIT))
    return handset
