"""The audit log: who changed what, when, with the state before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.database import Model
from ledger.database.tenancy import OrganisationOwned
from ledger.database.types import Timestamp, utcnow


class AuditEvent(OrganisationOwned, Model):
    """Append-only record of one change made through a service."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True, comment="Municipality concerned, if any"
    )
    occurred_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, index=True, comment="When")
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id"), comment="Who (NULL for the system, e.g. demo load)"
    )
    actor_name: Mapped[str] = mapped_column(sa.String(120), comment="Who, as named at the time")
    action: Mapped[str] = mapped_column(sa.String(64), comment="What, e.g. assignment.create")
    entity_type: Mapped[str] = mapped_column(sa.String(64), comment="Kind of thing changed")
    entity_id: Mapped[str | None] = mapped_column(sa.String(64), comment="Its id or natural key")
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, comment="State before (NULL on create)")
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, comment="State after (NULL on delete)")
