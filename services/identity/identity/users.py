"""Users: a person is known by their personnummer here only (every other service has the user id).
A person becomes a resident user the first time BankID names them (login, phone identification) or
a resident names them as a co-applicant; the demo data and the staff command line create users with
roles. What a user may do is staff.py's concern; their sessions are sessions.py's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from fickan_common.db import Database
from fickan_common.errors import NotFound, PermissionDenied, RateLimited, ValidationFailed
from fickan_common.tokens import Principal
from identity import texts
from identity.domain import personnummer
from identity.limits import LoginLimiter
from identity.store import User


def parse_personnummer(value: str, field: str = "personal_number") -> str:
    try:
        return personnummer.parse(value).canonical
    except personnummer.InvalidPersonnummer:
        raise ValidationFailed(texts.PNR_MESSAGE, {field: texts.PNR_MESSAGE}) from None


class Users:
    def __init__(self, db: Database, limiter: LoginLimiter) -> None:
        self.db = db
        self.limiter = limiter  # resolve_person is limited per caller

    def get(self, user_id: str) -> User:
        with self.db.transaction() as session:
            user = session.get(User, user_id)
            if user is None:
                raise NotFound(texts.USER_NOT_FOUND)
            return user

    def ensure(self, personal_number: str, name: str, roles: list[str], unit: str = "", answer_group: str = "") -> User:
        """Create or update a user (the demo data and the staff command line)."""
        pnr = parse_personnummer(personal_number)
        with self.db.transaction() as session:
            user = session.scalars(select(User).where(User.personal_number == pnr)).first()
            if user is None:
                user = User(id=str(uuid.uuid4()), personal_number=pnr, created_at=datetime.now(UTC))
                session.add(user)
            user.name, user.roles, user.unit, user.answer_group = name, roles, unit, answer_group
        return user

    @staticmethod
    def new(session: DbSession, pnr: str, name: str) -> User:
        """A new resident user, or the one a concurrent request made a moment ago (the personnummer
        is unique: the insert runs in a savepoint so losing that race costs nothing)."""
        user = User(
            id=str(uuid.uuid4()),
            personal_number=pnr,
            name=name,
            roles=["resident"],
            unit="",
            answer_group="",
            created_at=datetime.now(UTC),
        )
        try:
            with session.begin_nested():
                session.add(user)
        except IntegrityError:
            user = session.scalars(select(User).where(User.personal_number == pnr)).one()
        return user

    def by_personnummer(self, session: DbSession, pnr: str, name: str) -> User:
        """The user with this personnummer, made a resident on first sight. BankID's name wins."""
        user = session.scalars(select(User).where(User.personal_number == pnr)).first()
        if user is None:
            user = self.new(session, pnr, name)
        elif name and user.name != name:
            user.name = name
        return user

    def resolve_person(self, principal: Principal, personal_number: str) -> tuple[str, str]:
        """(user id, masked number) of a person, made a resident user on first sight. A resident
        names a co-applicant this way; rate-limited per caller against trawling."""
        if not principal.is_resident or "glance" in principal.scope:
            raise PermissionDenied(texts.RESIDENTS_ONLY)
        pnr = parse_personnummer(personal_number)
        if not self.limiter.allow("-", "resolve:" + principal.user_id):
            raise RateLimited(texts.TOO_MANY_TRIES)
        with self.db.transaction() as session:
            user = self.by_personnummer(session, pnr, "")
            user_id = user.id
        return user_id, personnummer.parse(pnr).masked()
