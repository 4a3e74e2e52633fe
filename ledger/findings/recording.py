"""Recording a month's compliance findings, so that each has an identity, a status and a history.

``ledger.procurement.compliance.check`` stays a pure read; ``record(report)`` keeps what it
found: one ``Finding`` per fingerprint (the same finding in every month it recurs) and one
``FindingOccurrence`` per finding and month, with that month's amount, reason and (for a price
deviation) the lines a claim can take. A finding acknowledged in October is therefore shown
acknowledged, not new, in November; a settled one (credited, rejected, written off) found again
in a later month is reopened (``lifecycle`` ``recur``). An occurrence the check no longer finds
(an invoice replaced, an exception approved since) is removed from its month; the finding and
its history stay.

When: the compliance page and ``GET /api/v1/compliance`` record the month they show, and the
command ``findings record PERIOD`` does it for a scheduled run after the month's invoices are
imported. A real ledger records where the findings are looked at because a status is only
meaningful on a finding someone can see and act on: every finding the page lists has a row its
buttons act on, and nobody has to remember to run a command first. Recording is idempotent (a
second look writes nothing), so a GET may do it; two first looks at once meet in ``ON CONFLICT DO
NOTHING`` instead of a unique violation. The scheduled command is there so that a month's
findings, and the credit notes that settle claims (``claims.match_credit_notes``, run with each
recording), are kept even in a month nobody opened the page. ``compliance PERIOD`` stays the
check's read-only report for scripts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ledger.access.models import User
from ledger.audit import service as audit
from ledger.core.money import ZERO
from ledger.database import db
from ledger.database.types import utcnow
from ledger.findings import claims, lifecycle
from ledger.findings.models import Finding, FindingEvent, FindingLine, FindingOccurrence, FindingStatus
from ledger.procurement import compliance


@dataclass(frozen=True, slots=True)
class TrackedFinding(compliance.Finding):
    """A finding of the check as recorded: its id, status and owner beside what the check found."""

    finding_id: int | None = None
    status: FindingStatus | None = None
    owner: str | None = None


def record(report: compliance.ComplianceReport) -> compliance.ComplianceReport:
    """Keep the report's findings for its month (see the module) and match credit notes to
    claims; the report with each finding as a ``TrackedFinding``."""
    organisation_id, period = report.organisation_id, report.period
    groups: dict[str, list[compliance.Finding]] = defaultdict(list)
    for found in report.findings:
        groups[found.fingerprint(organisation_id)].append(found)
    created = _insert_new(organisation_id, period, groups)
    findings = _findings_of(organisation_id, list(groups))
    if created:
        db.session.execute(sa.insert(FindingEvent).execution_options(**BULK), [
            {"finding_id": findings[fingerprint].id, "action": "record", "from_status": None,
             "to_status": FindingStatus.NEW, "period": period, "occurred_at": utcnow()} for fingerprint in created])
    counts = _occurrences(organisation_id, period, groups, findings)
    if created or any(counts.values()):
        audit.record(None, "findings.record", "period", period, organisation_id=organisation_id,
                     after={"new": len(created), **counts})
    claims.match_credit_notes(organisation_id)
    db.session.flush()
    return _tracked(report, groups, findings)


def _insert_new(organisation_id: int, period: str, groups: Mapping[str, list[compliance.Finding]]) -> set[str]:
    """Insert the findings not recorded before (a concurrent first look inserts nothing twice);
    the fingerprints this call inserted."""
    known = set(db.session.scalars(sa.select(Finding.fingerprint).where(
        Finding.organisation_id == organisation_id, Finding.fingerprint.in_(list(groups)))))
    rows = []
    for fingerprint, group in groups.items():
        if fingerprint in known:
            continue
        first = group[0]
        rows.append({"organisation_id": organisation_id, "fingerprint": fingerprint, "kind": first.kind,
                     "status": FindingStatus.NEW, "supplier_id": first.supplier_id, "contract_id": first.contract_id,
                     "asset_id": first.asset_id, "first_period": period, "last_period": period,
                     "created_at": utcnow()})
    if not rows:
        return set()
    table = Finding.__table__
    statement = (_insert()(table).values(rows)
                 .on_conflict_do_nothing(index_elements=["organisation_id", "fingerprint"])
                 .returning(table.c.fingerprint))
    return set(db.session.scalars(statement))


def _insert() -> Any:
    """The engine's ``INSERT … ON CONFLICT``."""
    return postgresql.insert if db.session.connection().dialect.name == "postgresql" else sqlite.insert


def _findings_of(organisation_id: int, fingerprints: list[str]) -> dict[str, Finding]:
    if not fingerprints:
        return {}
    rows = db.session.scalars(sa.select(Finding).where(Finding.organisation_id == organisation_id,
                                                       Finding.fingerprint.in_(fingerprints)))
    return {finding.fingerprint: finding for finding in rows}


def _occurrences(organisation_id: int, period: str, groups: Mapping[str, list[compliance.Finding]],
                 findings: Mapping[str, Finding]) -> dict[str, int]:
    """Write the month's occurrence of each finding (only what changed), reopen settled findings
    found again after their last month, and remove the month's occurrences no longer found."""
    existing = {o.finding_id: o for o in db.session.scalars(
        sa.select(FindingOccurrence).where(FindingOccurrence.organisation_id == organisation_id,
                                           FindingOccurrence.period == period))}
    lines: dict[int, list[FindingLine]] = defaultdict(list)  # read whether or not there are any: a fixed count
    for line in db.session.scalars(sa.select(FindingLine).join(FindingOccurrence).where(
            FindingOccurrence.organisation_id == organisation_id, FindingOccurrence.period == period)):
        lines[line.occurrence_id].append(line)
    counts = {"recurring": 0, "changed": 0, "gone": 0}
    new: dict[int, list[compliance.Finding]] = {}
    added: list[dict[str, Any]] = []  # lines new to an occurrence recorded before
    for fingerprint, group in groups.items():
        finding = findings[fingerprint]
        occurrence = existing.get(finding.id)
        if occurrence is None:
            new[finding.id] = group
            counts["recurring"] += finding.first_period != period
            _found_again(finding, period)
        else:
            counts["changed"] += _fill(occurrence, group, lines[occurrence.id], added)
    _insert_occurrences(organisation_id, period, new, added)
    wanted = {finding.id for finding in findings.values()}
    for finding_id, occurrence in existing.items():
        if finding_id not in wanted:
            db.session.delete(occurrence)
            counts["gone"] += 1
    return counts


#: Bulk inserts: SQLite cannot return the ids of a batch of ORM inserts, so the ORM would send one
#: statement a row; NULLs rendered, so that rows with and without a value go in one statement. A
#: concurrent first look at the month inserts the same rows: ON CONFLICT DO NOTHING keeps one.
BULK = {"render_nulls": True}


def _insert_occurrences(organisation_id: int, period: str, new: Mapping[int, list[compliance.Finding]],
                        added: list[dict[str, Any]]) -> None:
    """The month's first occurrences and every claimable line new to the month, in three
    statements however many."""
    if new:
        now = utcnow()
        db.session.execute(_insert()(FindingOccurrence).on_conflict_do_nothing(
            index_elements=["finding_id", "period"]).execution_options(**BULK), [
            {"organisation_id": organisation_id, "finding_id": finding_id, "period": period, "recorded_at": now,
             **_values(group)} for finding_id, group in new.items()])
    claimable = {finding_id: group for finding_id, group in new.items() if group[0].kind in lifecycle.CLAIMABLE}
    if claimable:
        ids = dict(db.session.execute(sa.select(FindingOccurrence.finding_id, FindingOccurrence.id).where(
            FindingOccurrence.period == period, FindingOccurrence.finding_id.in_(list(claimable)))).tuples().all())
        added += [{"occurrence_id": ids[finding_id], "invoice_line_id": line_id, "amount": amount,
                   "contract_price": price}
                  for finding_id, group in claimable.items()
                  for line_id, (amount, price) in sorted(_lines(group).items())]
    if added:
        db.session.execute(_insert()(FindingLine).on_conflict_do_nothing(
            index_elements=["occurrence_id", "invoice_line_id"]).execution_options(**BULK), added)


def _found_again(finding: Finding, period: str) -> None:
    """A new month for ``finding``: its first and last months, and reopened when settled and
    found in a month after the last it was found in."""
    later = period > finding.last_period
    finding.first_period = min(finding.first_period, period)
    finding.last_period = max(finding.last_period, period)
    if later and finding.status in lifecycle.SETTLED:
        lifecycle.fire(None, finding, lifecycle.Action.RECUR, lifecycle.Actor.CHECK, period=period)


def _values(group: list[compliance.Finding]) -> dict[str, Any]:
    """What the month's findings of one fingerprint come to: amount, lines, reason and its values."""
    amounts = [f.amount for f in group if f.amount is not None]
    return {
        "amount": sum(amounts, ZERO) if amounts else None,
        "line_count": len({i for f in group for i in f.line_ids}),
        "reason": "; ".join(dict.fromkeys(f.reason for f in group)),
        "params": _json_params(group[0].params),
    }


def _lines(group: Iterable[compliance.Finding]) -> dict[int, tuple[Decimal, Decimal | None]]:
    """A price deviation's lines a claim can take: each with its excess and the contract price."""
    return {line_id: (f.amount or ZERO, _decimal(f.params.get("contract_price")))
            for f in group for line_id in f.line_ids}


def _fill(occurrence: FindingOccurrence, group: list[compliance.Finding], lines: list[FindingLine],
          added: list[dict[str, Any]]) -> bool:
    """Put the month's values into ``occurrence`` (its new claimable lines into ``added``);
    whether anything changed."""
    values = _values(group)
    changed = any(getattr(occurrence, name) != value for name, value in values.items())
    for name, value in values.items():
        if getattr(occurrence, name) != value:
            setattr(occurrence, name, value)
    if group[0].kind in lifecycle.CLAIMABLE:
        changed |= _claimable_lines(occurrence, group, lines, added)
    if changed:
        occurrence.recorded_at = utcnow()
    return changed


def _claimable_lines(occurrence: FindingOccurrence, group: Iterable[compliance.Finding], lines: list[FindingLine],
                     added: list[dict[str, Any]]) -> bool:
    """Bring the occurrence's claimable lines up to date (the new ones into ``added``); whether any changed."""
    wanted = _lines(group)
    have = {line.invoice_line_id: line for line in lines}
    if wanted == {line_id: (line.amount, line.contract_price) for line_id, line in have.items()}:
        return False
    for line_id, line in have.items():  # in place: a line kept is never deleted and inserted again
        if line_id not in wanted:
            db.session.delete(line)
        elif (line.amount, line.contract_price) != wanted[line_id]:
            line.amount, line.contract_price = wanted[line_id]
    added += [{"occurrence_id": occurrence.id, "invoice_line_id": line_id, "amount": amount, "contract_price": price}
              for line_id, (amount, price) in sorted(wanted.items()) if line_id not in have]
    return True


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _json_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The reason's values as JSON keeps them: dates ISO, amounts and prices as exact decimal text."""
    def plain(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return value
    return {name: plain(value) for name, value in params.items()}


def _tracked(report: compliance.ComplianceReport, groups: Mapping[str, list[compliance.Finding]],
             findings: Mapping[str, Finding]) -> compliance.ComplianceReport:
    owners = _names({f.owner_id for f in findings.values() if f.owner_id is not None})
    by_identity = {id(found): findings[fingerprint] for fingerprint, group in groups.items() for found in group}
    names = [f.name for f in fields(compliance.Finding)]
    tracked = []
    for found in report.findings:
        row = by_identity[id(found)]
        tracked.append(TrackedFinding(**{name: getattr(found, name) for name in names}, finding_id=row.id,
                                      status=row.status, owner=owners.get(row.owner_id or 0)))
    return compliance.ComplianceReport(
        organisation_id=report.organisation_id, period=report.period, first_day=report.first_day,
        last_day=report.last_day, today=report.today, findings=tuple(tracked), claims=report.claims,
        lines=report.lines, lines_checked=report.lines_checked)


def _names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(user_ids))).tuples().all())


def record_period(organisation_id: int, period: str, today: date | None = None) -> compliance.ComplianceReport:
    """Check ``period`` and record it (the command's and the demo's way in)."""
    return record(compliance.check(organisation_id, period, today))
