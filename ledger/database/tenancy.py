"""One deployment, many municipalities: every query of a request sees only the acting user's.

Each service already asks for its rows by the user's organisation. This is the guard beneath
them, in one place, so that a route that forgets cannot show another municipality's row: once
a request knows its user (``ledger.access.permissions.require``), every ORM ``SELECT`` of the
session gets ``organisation_id = <theirs>`` on every row of a model that is
:class:`OrganisationOwned` — in the statement itself, in joins, in relationship loads and in
loads by primary key (``session.get`` of another municipality's id finds nothing, so the
routes answer 404, confirming nothing).

What belongs to the cooperation rather than to one municipality is not owned and stays
readable by its parties as the services decide: organisations, suppliers, framework
contracts, their parties and price lists.

Commands and tests act for the organisation they are given and are not scoped here; a query
of a request that must look across municipalities (that a log-in name is free in the whole
deployment) says so with :func:`across_organisations`. ``INSERT``, ``UPDATE`` and ``DELETE``
are left to the services, which write only rows they have read.

One trap: a column of a *subclass* inside ``with_polymorphic`` (``asset.Subscription.end_date``)
gets its criterion in WHERE, not in the outer join's ON, so the rows the join matched nothing
for disappear. Select the polymorphic entity whole, or read the subclass column by a subquery
(``procurement.compliance`` does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, declared_attr, scoped_session, with_loader_criteria

#: The session's key for the organisation its queries are limited to.
_SCOPE = "ledger.organisation_id"
#: The execution option that lifts the limit for one statement.
_ACROSS = "ledger.across_organisations"

E = TypeVar("E")


class OrganisationOwned:
    """A model whose every row belongs to one municipality (its ``organisation_id``)."""

    if TYPE_CHECKING:
        organisation_id: Mapped[int] | Mapped[int | None]  # the audit log has events of no one
    else:
        @declared_attr
        def organisation_id(cls):  # noqa: N805 (a class attribute, as declared_attr is)
            # Each model maps the column itself, so this is never mapped: it is what the
            # criterion below is first built against (SQLAlchemy calls it with this class).
            return sa.Column("organisation_id", sa.Integer)


def scope_to(session: Session | scoped_session[Any], organisation_id: int) -> None:
    """From now on, ``session`` reads only rows of ``organisation_id`` (until :func:`unscope`)."""
    session.info[_SCOPE] = organisation_id


def unscope(session: Session | scoped_session[Any]) -> None:
    session.info.pop(_SCOPE, None)


def scoped_organisation(session: Session | scoped_session[Any]) -> int | None:
    return session.info.get(_SCOPE)


def across_organisations(statement: E) -> E:
    """``statement`` read over the whole deployment, for checks of deployment-wide uniqueness."""
    return statement.execution_options(**{_ACROSS: True})  # type: ignore[attr-defined]


@event.listens_for(Session, "do_orm_execute")
def _only_the_scoped_organisation(state: ORMExecuteState) -> None:
    organisation_id = state.session.info.get(_SCOPE)
    if (organisation_id is None or not state.is_select or state.is_column_load or state.is_relationship_load
            or state.execution_options.get(_ACROSS)):
        return  # relationship and column loads inherit the criteria of the load that found their parent
    state.statement = state.statement.options(with_loader_criteria(
        OrganisationOwned, lambda cls: cls.organisation_id == organisation_id, include_aliases=True))


def owned_models(base: Any) -> list[type]:
    """The mapped classes of ``base`` that are :class:`OrganisationOwned` (for the layout's check)."""
    return [mapper.class_ for mapper in base.registry.mappers if issubclass(mapper.class_, OrganisationOwned)]
