"""Reading and changing an organisation's accounting settings."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from ledger.access.models import User
from ledger.accounting.models import AccountingSetting
from ledger.accounting.plan import AccountingSettings, defaults
from ledger.audit import service as audit
from ledger.database import db
from ledger.organisation.models import BudgetUnit, Organisation


def settings_of(organisation_id: int) -> AccountingSettings:
    """The organisation's settings: its stored values over the defaults, in which the clearing
    account is carried by the switchboard carrier (kanslienheten)."""
    stored = dict(db.session.execute(sa.select(AccountingSetting.key, AccountingSetting.value).where(
        AccountingSetting.organisation_id == organisation_id)).tuples().all())
    return defaults().with_values({"clearing_ansvar": _carrier(organisation_id)} | stored)


def seed(organisation: Organisation) -> AccountingSettings:
    """Give an organisation a row for every setting it has none for, so that a later change of
    the defaults never changes its books. Idempotent."""
    settings = settings_of(organisation.id)
    stored = set(db.session.scalars(sa.select(AccountingSetting.key).where(
        AccountingSetting.organisation_id == organisation.id)))
    _write(organisation.id, {key: value for key, value in settings.values().items() if key not in stored})
    return settings


def _carrier(organisation_id: int) -> str:
    return db.session.scalar(sa.select(BudgetUnit.ansvar).where(
        BudgetUnit.organisation_id == organisation_id, BudgetUnit.carries_switchboard.is_(True))) or ""


def update(actor: User | None, organisation: Organisation, changes: Mapping[str, str]) -> AccountingSettings:
    """Set ``changes`` (``KEY → VALUE`` text), all or none: ``ValidationFailed`` names each bad one."""
    before = settings_of(organisation.id)
    after = before.with_values(changes)
    old, new = before.values(), after.values()
    changed = {key: value for key, value in new.items() if old[key] != value}
    if changed:
        _write(organisation.id, changed)
        audit.record(actor, "accounts.update", "organisation", organisation.id, organisation_id=organisation.id,
                     before={key: old[key] for key in changed}, after=changed)
    return after


def _write(organisation_id: int, values: Mapping[str, str]) -> None:
    if not values:
        return
    db.session.execute(sa.delete(AccountingSetting).where(
        AccountingSetting.organisation_id == organisation_id, AccountingSetting.key.in_(list(values))))
    db.session.add_all(AccountingSetting(organisation_id=organisation_id, key=key, value=value)
                       for key, value in values.items())
    db.session.flush()
