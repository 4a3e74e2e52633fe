"""Users: creation, log-in, passwords, sessions and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from ledger.access.models import ApiToken, Role, User
from ledger.access.passwords import check_password
from ledger.audit import service as audit
from ledger.core.errors import Conflict, NotFound, ValidationFailed
from ledger.core.text import N_, Label
from ledger.database import db
from ledger.database.tenancy import across_organisations
from ledger.database.types import utcnow
from ledger.organisation.models import BudgetUnit

#: Active tokens one user may hold: enough for a few integrations, few enough to keep track of.
MAX_TOKENS = 10
#: ``last_used_at`` is written at most this often per token, so that reading the API is not
#: a write per request; "last used" to the minute is what an administrator needs.
LAST_USED_PRECISION = timedelta(minutes=1)
# A fixed hash to compare against when the user does not exist, so that a log-in for an
# unknown name takes as long as one for a known name (no user enumeration by timing).
_DUMMY_HASH = generate_password_hash("not-a-real-password-0")


def create_user(
    actor: User | None,
    *,
    organisation_id: int,
    username: str,
    password: str,
    role: Role,
    display_name: str | None = None,
    unit_codes: Sequence[str] = (),
) -> User:
    """Add a user. Department users must name at least one unit; others none."""
    check_password(password, username=username, display_name=display_name or "")
    taken = across_organisations(sa.select(User.id).where(User.username == username))  # names are deployment-wide
    if db.session.scalar(taken) is not None:
        raise Conflict(N_("A user named %(user)s already exists"), user=repr(username))
    units = units_by_code(organisation_id, unit_codes)
    if role == Role.DEPARTMENT and not units:
        raise ValidationFailed(N_("A department user needs at least one unit (--unit CODE)"))
    if role != Role.DEPARTMENT and units:
        raise ValidationFailed(N_("Role %(role)s sees every unit; --unit is only for department users"),
                               role=Label(role.value))
    user = User(
        organisation_id=organisation_id,
        username=username,
        display_name=display_name or username,
        role=role,
        password_hash=generate_password_hash(password),
        units=units,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        actor, "user.create", "user", user.id,
        after={"username": username, "display_name": user.display_name, "role": role,
               "units": [u.ansvar for u in units], "active": True},
        organisation_id=organisation_id,
    )
    return user


def units_by_code(organisation_id: int, codes: Sequence[str]) -> list[BudgetUnit]:
    if not codes:
        return []
    units = db.session.scalars(
        sa.select(BudgetUnit).where(
            BudgetUnit.organisation_id == organisation_id, BudgetUnit.ansvar.in_(codes)
        )
    ).all()
    missing = sorted(set(codes) - {u.ansvar for u in units})
    if missing:
        raise NotFound(N_("No budget unit with ansvar %(ansvar)s"), ansvar=missing)
    return list(units)


def authenticate(username: str, password: str) -> User | None:
    """The user if the name and password match an active account, else ``None``."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.active or not check_password_hash(user.password_hash, password):
        return None
    user.last_login_at = utcnow()
    return user


def set_password(actor: User | None, user: User, password: str) -> None:
    """Give ``user`` a new password; every session they had ends."""
    check_password(password, username=user.username, display_name=user.display_name)
    user.password_hash = generate_password_hash(password)
    end_sessions(user)
    # The password itself never goes into the log: only that it changed and what followed.
    audit.record(actor, "user.password", "user", user.id,
                 before={"username": user.username, "password_changed": False, "sessions_ended": False},
                 after={"username": user.username, "password_changed": True, "sessions_ended": True},
                 organisation_id=user.organisation_id)


def end_sessions(user: User) -> None:
    """End every session ``user`` has, on every device: their cookies name an older generation."""
    user.session_generation += 1


def user_for_session(session_id: str) -> User | None:
    """The active user a session cookie's id (``id.generation``) belongs to, or ``None`` when the
    generation has moved on since (logged out, new password) or the id is malformed."""
    user_id, _, generation = session_id.partition(".")
    if not (user_id.isdigit() and generation.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return user


def record_failed_login(username: str, address: str | None, *, throttled: bool = False) -> None:
    """Put a refused log-in into the audit log, in the organisation of the account it named."""
    organisation_id = db.session.scalar(sa.select(User.organisation_id).where(User.username == username))
    audit.record(None, "login.throttled" if throttled else "login.failed", "user", username[:64],
                 after={"username": username[:64], "address": address}, organisation_id=organisation_id)


def _token_hash(token: str) -> str:
    # Tokens are 256-bit random strings: a fast hash is enough (no dictionary to guess from),
    # and it lets us look the token up by its hash.
    return hashlib.sha256(token.encode()).hexdigest()


def _active_tokens(user: User, now: datetime) -> sa.Select[tuple[ApiToken]]:
    return sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
                                     sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now))


def issue_token(actor: User | None, user: User, label: str | None = None, *,
                valid_for: timedelta | None = None) -> str:
    """Create an API token for ``user`` and return it; only its hash is kept."""
    now = utcnow()
    held = db.session.scalar(sa.select(sa.func.count()).select_from(_active_tokens(user, now).subquery())) or 0
    if held >= MAX_TOKENS:
        raise Conflict(N_("%(user)s already holds %(count)s tokens; revoke one first"), user=user.username,
                       count=MAX_TOKENS)
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_token_hash(token), label=label,
                   expires_at=now + valid_for if valid_for else None)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "token.issue", "api_token", row.id,
                 after={"user": user.username, "label": label, "expires_at": row.expires_at},
                 organisation_id=user.organisation_id)
    return token


@dataclass(frozen=True, slots=True)
class TokenView:
    """A token as an administrator sees it: never the token itself."""

    id: int
    label: str | None
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= utcnow():
            return "expired"
        return "active"


def tokens_of(user: User) -> list[TokenView]:
    """Every token ``user`` was issued, newest first."""
    rows = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)
                              .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))
    return [TokenView(t.id, t.label, t.created_at, t.last_used_at, t.expires_at, t.revoked_at) for t in rows]


def revoke_token(actor: User | None, user: User, token_id: int) -> TokenView:
    """Revoke one of ``user``'s tokens (revoking a revoked one changes nothing)."""
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    if row is None:
        raise NotFound(N_("%(user)s has no token %(token)s"), user=user.username, token=token_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(actor, "token.revoke", "api_token", row.id,
                     before={"user": user.username, "label": row.label, "revoked_at": None},
                     after={"user": user.username, "label": row.label, "revoked_at": row.revoked_at},
                     organisation_id=user.organisation_id)
    return TokenView(row.id, row.label, row.created_at, row.last_used_at, row.expires_at, row.revoked_at)


def user_for_token(token: str) -> User | None:
    """The active user a valid bearer token belongs to, or ``None``; notes when it was used."""
    now = utcnow()
    found = db.session.execute(
        sa.select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None),
               sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now), User.active.is_(True))
    ).first()
    if found is None:
        return None
    row, user = found
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
        row.last_used_at = now
    return user


def get_by_username(username: str, *, organisation_id: int | None = None) -> User:
    """The user named ``username`` (in ``organisation_id`` only, when given), or ``NotFound``."""
    query = sa.select(User).where(User.username == username)
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    user = db.session.scalar(query)
    if user is None:
        raise NotFound(N_("No user named %(user)s"), user=repr(username))
    return user


# -- the administrator's users page --------------------------------------------------------------
# Messages a page shows as they are (translated there): marked for the catalogue, no values in them.

USERNAME_TAKEN = N_("That user name is taken.")
UNITS_NEEDED = N_("A department user needs at least one unit.")
UNITS_ONLY_FOR_DEPARTMENT = N_("Only department users are limited to units; this role sees every unit.")
NOT_YOURSELF = N_("You cannot deactivate yourself or take away your own administrator role.")
LAST_ADMIN = N_("The organisation's last active administrator must stay an active administrator.")


def users_of(organisation_id: int) -> list[User]:
    """Every user of the organisation, by user name, with their units."""
    return list(db.session.scalars(
        sa.select(User).where(User.organisation_id == organisation_id)
        .options(selectinload(User.units)).order_by(User.username)))


def _user_picture(user: User) -> dict[str, Any]:
    """What the audit log shows of a user before and after a change (never the password)."""
    return {"username": user.username, "display_name": user.display_name, "role": user.role,
            "units": [unit.ansvar for unit in user.units], "active": user.active}


def _checked_units(organisation_id: int, role: Role, unit_codes: Sequence[str]) -> list[BudgetUnit]:
    units = units_by_code(organisation_id, unit_codes)
    if role == Role.DEPARTMENT and not units:
        raise ValidationFailed(UNITS_NEEDED)
    if role != Role.DEPARTMENT and units:
        raise ValidationFailed(UNITS_ONLY_FOR_DEPARTMENT)
    return units


def add_user(actor: User, *, username: str, display_name: str, role: Role, unit_codes: Sequence[str],
             password: str) -> User:
    """An administrator adds a user to their own organisation (``user.create`` in the log)."""
    if db.session.scalar(across_organisations(sa.select(User.id).where(User.username == username))) is not None:
        raise Conflict(USERNAME_TAKEN)
    _checked_units(actor.organisation_id, role, unit_codes)
    return create_user(actor, organisation_id=actor.organisation_id, username=username, password=password,
                       role=role, display_name=display_name or None, unit_codes=unit_codes)


def _other_active_admins(user: User) -> int:
    """How many active administrators the organisation has besides ``user``. The rows are locked
    (PostgreSQL), so that two administrators demoting each other at once cannot both succeed."""
    others = db.session.scalars(
        sa.select(User.id).where(User.organisation_id == user.organisation_id, User.role == Role.ADMIN,
                                 User.active.is_(True), User.id != user.id).with_for_update())
    return len(others.all())


def _ensure_an_admin_remains(actor: User | None, user: User, *, role: Role, active: bool) -> None:
    """Refuse a change that takes ``user``'s active administrator role away when ``user`` is the
    actor themselves or the organisation's last active administrator."""
    loses_admin = user.role == Role.ADMIN and user.active and (role != Role.ADMIN or not active)
    if not loses_admin:
        return
    if actor is not None and user.id == actor.id:
        raise Conflict(NOT_YOURSELF)
    if _other_active_admins(user) == 0:
        raise Conflict(LAST_ADMIN)


def change_role(actor: User | None, user: User, role: Role, unit_codes: Sequence[str]) -> None:
    """Give ``user`` another role and, for a department user, units (``user.role`` in the log)."""
    units = _checked_units(user.organisation_id, role, unit_codes)
    _ensure_an_admin_remains(actor, user, role=role, active=user.active)
    before = _user_picture(user)
    user.role = role
    user.units = units
    after = _user_picture(user)
    if after != before:
        audit.record(actor, "user.role", "user", user.id, before=before, after=after,
                     organisation_id=user.organisation_id)


def set_active(actor: User | None, user: User, active: bool) -> None:
    """Deactivate ``user`` (their sessions and tokens stop working at once) or reactivate them
    (``user.deactivate`` / ``user.reactivate`` in the log; no change, no event)."""
    if user.active == active:
        return
    _ensure_an_admin_remains(actor, user, role=user.role, active=active)
    before = _user_picture(user)
    user.active = active
    if not active:
        end_sessions(user)
    audit.record(actor, "user.reactivate" if active else "user.deactivate", "user", user.id,
                 before=before, after=_user_picture(user), organisation_id=user.organisation_id)
