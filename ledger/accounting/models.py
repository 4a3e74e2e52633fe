"""Each organisation's accounting settings, one row per setting (``KEY`` → ``VALUE``).

Rows rather than columns: the settings are read and written as a whole through
``accounting.plan``, which validates them, and a setting added later needs no migration (an
organisation without a row for it takes the default). Every organisation gets a row for every
setting when it is created, so a later change of the defaults never changes its books.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.database import Model
from ledger.database.tenancy import OrganisationOwned
from ledger.database.types import Timestamp, utcnow


class AccountingSetting(OrganisationOwned, Model):
    __tablename__ = "accounting_setting"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), primary_key=True, comment="The municipality it belongs to")
    key: Mapped[str] = mapped_column(sa.String(40), primary_key=True, comment="The setting, as `accounts set` names it")
    value: Mapped[str] = mapped_column(sa.String(40), default="", comment="Its value as text; empty: none")
    changed_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When it was last set")
