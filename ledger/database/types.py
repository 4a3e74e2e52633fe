"""Column types shared by the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.types import TypeDecorator

from ledger.core.money import from_ore, to_ore


class Money(TypeDecorator[Decimal]):
    """An amount in kronor, stored as a whole number of öre (BIGINT).

    Python code sees ``Decimal('1234.50')``; the database holds ``123450``. Integer öre are exact
    on both engines, also inside ``SUM()`` and in the allocation's split arithmetic in SQL,
    whereas SQLite would store ``NUMERIC(14,2)`` as a binary float. Columns of this type are
    named ``*_ore`` in the database so that a reader of raw SQL is never in doubt.
    """

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> int | None:
        if value is None:
            return None
        return to_ore(Decimal(value))

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Decimal | None:
        if value is None:
            return None
        return from_ore(int(value))


def utcnow() -> datetime:
    """Timezone-aware now, for ``created_at``-style defaults."""
    return datetime.now(UTC)


def enum_column(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """A portable enum: a VARCHAR with a named CHECK constraint of the allowed values.

    Native PostgreSQL ENUM types are awkward to migrate; a CHECK is just as strict.
    """
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=32,
        name=name,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Timestamp(TypeDecorator[datetime]):
    """UTC timestamps that come back timezone-aware on SQLite too."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC timestamp")
        return value.astimezone(UTC) if dialect.name != "sqlite" else value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def raw_ore(column: sa.ColumnElement[Decimal] | InstrumentedAttribute[Decimal]) -> sa.ColumnElement[int]:
    """A Money column read as the plain integer öre it stores (for set-based arithmetic)."""
    return sa.type_coerce(column, sa.BigInteger)
