"""Single sign-on through the municipality's OpenID Connect provider (Entra ID and the like).

The provider says who the person is (one claim, by default ``preferred_username``) and which
directory groups they belong to (the ``groups`` claim); the administrator's table of group
mappings (``SsoGroupMapping``) says what those groups are here. Every log-in through the
provider sets the user's role and units from their groups, so that a change in the directory
takes effect at the next log-in; a person none of whose groups is mapped is refused.

This module decides; the pages (``ledger.access.views``) talk to the provider.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from werkzeug.security import generate_password_hash

from ledger.access.models import Role, SsoGroupMapping, User
from ledger.access.service import units_by_code
from ledger.audit import service as audit
from ledger.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ledger.core.text import N_
from ledger.database import db
from ledger.database.types import utcnow
from ledger.organisation.models import BudgetUnit

#: When a person's groups map to several roles, the broadest wins: someone in finance who is
#: also in a department's group works as finance. Department is last: it sees the least.
ROLE_PRECEDENCE = (Role.ADMIN, Role.FINANCE, Role.PROCUREMENT, Role.AUDITOR, Role.DEPARTMENT)

NO_GROUP = N_("None of your groups gives access to the telephony ledger. Ask the ledger's administrator.")
NO_NAME = N_("The log-in service did not say who you are (claim %(claim)s).")
SEVERAL_ORGANISATIONS = N_("Your groups belong to more than one municipality; ask the ledger's administrator.")
DEACTIVATED = N_("Your account is deactivated. Ask the ledger's administrator.")
GROUP_TAKEN = N_("The group %(group)s is already mapped.")
NO_MAPPING = N_("No group mapping %(mapping)s.")
UNITS_ONLY_FOR_DEPARTMENT = N_("Only department users are limited to units; leave the units empty for %(role)s.")
DEPARTMENT_NEEDS_UNITS = N_("A department group needs at least one unit.")


@dataclass(frozen=True)
class SsoSettings:
    """The provider and how its claims are read (``LEDGER_OIDC_*``, docs/operations.md)."""

    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid email profile"
    username_claim: str = "preferred_username"
    groups_claim: str = "groups"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SsoSettings | None:
        """The settings, or ``None`` when single sign-on is not configured."""
        if not config.get("LEDGER_OIDC_ISSUER"):
            return None
        return cls(issuer=config["LEDGER_OIDC_ISSUER"].rstrip("/"), client_id=config["LEDGER_OIDC_CLIENT_ID"],
                   client_secret=config["LEDGER_OIDC_CLIENT_SECRET"], scopes=config["LEDGER_OIDC_SCOPES"],
                   username_claim=config["LEDGER_OIDC_USERNAME_CLAIM"],
                   groups_claim=config["LEDGER_OIDC_GROUPS_CLAIM"])

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


@dataclass(frozen=True)
class Access:
    """What a person's groups give: one organisation, one role, and units for a department user."""

    organisation_id: int
    role: Role
    units: tuple[BudgetUnit, ...]
    groups: tuple[str, ...]


def access_from_groups(groups: Iterable[str]) -> Access:
    """What the mapped groups among ``groups`` give, or ``Forbidden`` when none is mapped."""
    names = sorted({str(group) for group in groups})
    mappings = db.session.scalars(sa.select(SsoGroupMapping).options(selectinload(SsoGroupMapping.units))
                                  .where(SsoGroupMapping.group_name.in_(names))).all() if names else []
    if not mappings:
        raise Forbidden(NO_GROUP)
    if len({mapping.organisation_id for mapping in mappings}) > 1:
        raise Forbidden(SEVERAL_ORGANISATIONS)
    role = min((mapping.role for mapping in mappings), key=ROLE_PRECEDENCE.index)
    chosen = [mapping for mapping in mappings if mapping.role == role]
    units = {unit.id: unit for mapping in chosen for unit in mapping.units} if role == Role.DEPARTMENT else {}
    return Access(organisation_id=mappings[0].organisation_id, role=role,
                  units=tuple(sorted(units.values(), key=lambda unit: unit.ansvar)),
                  groups=tuple(mapping.group_name for mapping in chosen))


def sign_in(settings: SsoSettings, claims: Mapping[str, Any]) -> User:
    """The user the provider's ``claims`` name, made or brought up to date from their groups."""
    username = str(claims.get(settings.username_claim) or "").strip()[:64]
    if not username:
        raise Forbidden(NO_NAME, claim=settings.username_claim)
    groups = claims.get(settings.groups_claim) or []
    access = access_from_groups([groups] if isinstance(groups, str) else groups)
    user = db.session.scalar(sa.select(User).options(selectinload(User.units)).where(User.username == username))
    display_name = str(claims.get("name") or username)[:120]
    if user is None:
        user = _provisioned(username, display_name, access)
    elif not user.active:
        raise Forbidden(DEACTIVATED)
    elif user.organisation_id != access.organisation_id:
        raise Forbidden(SEVERAL_ORGANISATIONS)
    else:
        _bring_up_to_date(user, display_name, access)
    user.last_login_at = utcnow()
    audit.record(user, "login.sso", "user", user.id,
                 after={"username": username, "groups": list(access.groups)}, organisation_id=user.organisation_id)
    return user


def _provisioned(username: str, display_name: str, access: Access) -> User:
    # The account has no usable password: nobody knows this one, so it logs in only through the
    # provider (an administrator can still set a password for an emergency).
    user = User(organisation_id=access.organisation_id, username=username, display_name=display_name,
                role=access.role, units=list(access.units),
                password_hash=generate_password_hash(secrets.token_urlsafe(32)))
    db.session.add(user)
    db.session.flush()
    audit.record(None, "user.create", "user", user.id,
                 after={"username": username, "display_name": display_name, "role": access.role,
                        "units": [unit.ansvar for unit in access.units], "active": True, "source": "sso"},
                 organisation_id=access.organisation_id)
    return user


def _bring_up_to_date(user: User, display_name: str, access: Access) -> None:
    before = {"display_name": user.display_name, "role": user.role, "units": [unit.ansvar for unit in user.units]}
    user.display_name = display_name
    user.role = access.role
    user.units = list(access.units)
    after = {"display_name": user.display_name, "role": user.role, "units": [unit.ansvar for unit in user.units]}
    if after != before:
        audit.record(None, "user.update", "user", user.id, before=before, after={**after, "source": "sso"},
                     organisation_id=user.organisation_id)


# -- the administrator's table ------------------------------------------------------------------

def mappings(organisation_id: int) -> list[SsoGroupMapping]:
    return list(db.session.scalars(
        sa.select(SsoGroupMapping).options(selectinload(SsoGroupMapping.units))
        .where(SsoGroupMapping.organisation_id == organisation_id).order_by(SsoGroupMapping.group_name)))


def add_mapping(actor: User, group_name: str, role: Role, unit_codes: Sequence[str]) -> SsoGroupMapping:
    """Map ``group_name`` to ``role`` (and units, for department groups) in the actor's organisation."""
    group_name = group_name.strip()
    if db.session.scalar(sa.select(SsoGroupMapping.id).where(
            SsoGroupMapping.organisation_id == actor.organisation_id,
            SsoGroupMapping.group_name == group_name)) is not None:
        raise Conflict(GROUP_TAKEN, group=group_name)
    units = _units(actor.organisation_id, role, unit_codes)
    mapping = SsoGroupMapping(organisation_id=actor.organisation_id, group_name=group_name, role=role, units=units)
    db.session.add(mapping)
    db.session.flush()
    audit.record(actor, "sso_group.create", "sso_group_mapping", mapping.id,
                 after={"group": group_name, "role": role, "units": [unit.ansvar for unit in units]})
    return mapping


def remove_mapping(actor: User, mapping_id: int) -> None:
    mapping = db.session.get(SsoGroupMapping, mapping_id)
    if mapping is None or mapping.organisation_id != actor.organisation_id:
        raise NotFound(NO_MAPPING, mapping=mapping_id)
    audit.record(actor, "sso_group.delete", "sso_group_mapping", mapping.id,
                 before={"group": mapping.group_name, "role": mapping.role,
                         "units": [unit.ansvar for unit in mapping.units]})
    db.session.delete(mapping)


def _units(organisation_id: int, role: Role, codes: Sequence[str]) -> list[BudgetUnit]:
    """The units a group gives: some for a department group, none for the roles that see all."""
    codes = sorted({code.strip() for code in codes if code.strip()})
    if role != Role.DEPARTMENT:
        if codes:
            raise ValidationFailed(UNITS_ONLY_FOR_DEPARTMENT, role=role.value)
        return []
    if not codes:
        raise ValidationFailed(DEPARTMENT_NEEDS_UNITS)
    return units_by_code(organisation_id, codes)
