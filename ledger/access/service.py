"""Users: creation, log-in, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from ledger.access.models import ApiToken, Role, User
from ledger.audit import service as audit
from ledger.core.errors import Conflict, NotFound, ValidationFailed
from ledger.database import db
from ledger.database.types import utcnow
from ledger.organisation.models import BudgetUnit

MIN_PASSWORD_LENGTH = 10
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
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"The password must have at least {MIN_PASSWORD_LENGTH} characters")
    if db.session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"A user named {username!r} already exists")
    units = _units_by_code(organisation_id, unit_codes)
    if role == Role.DEPARTMENT and not units:
        raise ValidationFailed("A department user needs at least one unit (--unit CODE)")
    if role != Role.DEPARTMENT and units:
        raise ValidationFailed(f"Role {role.value} sees every unit; --unit is only for department users")
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
        after={"username": username, "role": role, "units": [u.ansvar for u in units]},
        organisation_id=organisation_id,
    )
    return user


def _units_by_code(organisation_id: int, codes: Sequence[str]) -> list[BudgetUnit]:
    if not codes:
        return []
    units = db.session.scalars(
        sa.select(BudgetUnit).where(
            BudgetUnit.organisation_id == organisation_id, BudgetUnit.ansvar.in_(codes)
        )
    ).all()
    missing = sorted(set(codes) - {u.ansvar for u in units})
    if missing:
        raise NotFound(f"No budget unit with ansvar {', '.join(missing)}")
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


def _token_hash(token: str) -> str:
    # Tokens are 256-bit random strings: a fast hash is enough (no dictionary to guess from),
    # and it lets us look the token up by its hash.
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(actor: User | None, user: User, label: str | None = None) -> str:
    """Create an API token for ``user`` and return it; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_token_hash(token), label=label)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "token.issue", "api_token", row.id, after={"user": user.username, "label": label},
                 organisation_id=user.organisation_id)
    return token


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, or ``None``."""
    row = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.active:
        return None
    return row.user


def get_by_username(username: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"No user named {username!r}")
    return user
