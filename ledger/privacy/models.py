"""Which assets have had their personal data pseudonymised, and when (``privacy.purge``)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.database import Model
from ledger.database.tenancy import OrganisationOwned
from ledger.database.types import Timestamp, utcnow


class PseudonymisedAsset(OrganisationOwned, Model):
    """A subscription or handset past the retention period whose names (its own columns and its
    audit history) were replaced by pseudonyms. The purge passes it by from then on, unless a
    name is written on it again. Holds no name, and nothing to undo the pseudonym with."""

    __tablename__ = "pseudonymised_asset"

    asset_id: Mapped[int] = mapped_column(sa.ForeignKey("asset.id"), primary_key=True,
                                          comment="The subscription or handset")
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True,
                                                 comment="The municipality it belongs to")
    pseudonymised_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow,
                                                       comment="When its names were last pseudonymised")
