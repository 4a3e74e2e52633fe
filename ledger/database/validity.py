"""Rows in force for a span of days: from ``valid_from`` up to, not including, ``valid_to``.

Assignments, unit memberships, price list versions and coverage exceptions are all dated so
(``valid_to`` NULL: until further notice). ``ValidRange`` says once what "in force on a day"
means, for a loaded row in Python and for a query in SQL, and the CHECK that keeps a span
non-empty.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_method

if TYPE_CHECKING:
    from sqlalchemy.orm import Mapped

#: A day: a date, or in a query also a column expression (e.g. an invoice line's day).
Day = date | sa.SQLColumnExpression[date | None]


def _in_force_on(row: ValidRange, day: Day) -> bool:
    assert isinstance(day, date), "a loaded row is asked about a date"
    return row.valid_from <= day and row.not_ended_by(day)


def _in_force_on_sql(model: type[ValidRange], day: Day) -> sa.ColumnElement[bool]:
    return sa.and_(model.valid_from <= day, model.not_ended_by(day))


def _not_ended_by(row: ValidRange, day: Day) -> bool:
    assert isinstance(day, date), "a loaded row is asked about a date"
    return row.valid_to is None or row.valid_to > day


def _not_ended_by_sql(model: type[ValidRange], day: Day) -> sa.ColumnElement[bool]:
    return sa.or_(model.valid_to.is_(None), model.valid_to > day)


class ValidRange:
    """A model whose rows are in force from ``valid_from`` up to, not including, ``valid_to``.

    ``Model.in_force_on(day)`` in a query, ``row.in_force_on(day)`` on a loaded row; likewise
    ``not_ended_by(day)``: in force on ``day`` or on a later day, whenever it began."""

    if TYPE_CHECKING:
        valid_from: Mapped[date]
        valid_to: Mapped[date | None]

    #: In force on ``day``: ``valid_from <= day < valid_to``.
    in_force_on = hybrid_method(_in_force_on, _in_force_on_sql)
    #: Not ended by ``day``: ``valid_to`` is NULL or after ``day``.
    not_ended_by = hybrid_method(_not_ended_by, _not_ended_by_sql)

    @staticmethod
    def check() -> sa.CheckConstraint:
        """The table's CHECK that a span holds at least one day."""
        return sa.CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="valid_range")
