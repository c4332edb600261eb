"""Staff roles: who is a case worker (and in which unit), a contact-centre agent (and in which answer
group) or an admin. An admin assigns them; the first admin comes from the command line:

    python -m identity.staff --personal-number 19xxxxxxxxxx --name "..." --roles admin

Everyone is also a resident (for their own errands). A change of roles ends the person's sessions,
so the new roles hold from their next login rather than when their old token runs out.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterable

from sqlalchemy import select

from fickan.identity.events.v1 import events_pb2
from fickan_common.access import STAFF_ROLES
from fickan_common.errors import Conflict, PermissionDenied, ValidationFailed
from fickan_common.texts import Text
from fickan_common.tokens import Principal
from fickan_common.unit_of_work import UnitOfWork
from identity import texts
from identity.access_log import AccessLog
from identity.service import Identity
from identity.store import OUTBOX, User
from identity.users import parse_personnummer

# The contact centre's answer groups and advisory services (DOMAIN.md); a municipality may add more.
ANSWER_GROUPS = (
    "BSU",
    "ÄSSF",
    "BBMT",
    "Budget- och skuldrådgivning",
    "Konsumentvägledning",
    "Energi- och klimatrådgivning",
    "EU-information",
    "Volontärcentralen",
    "Seniorvägledning",
    "Funktionshinderombud",
)
_UNIT = re.compile(r"^[a-z0-9åäö][a-z0-9åäö-]{1,59}$")


class Staff:
    def __init__(
        self,
        identity: Identity,
        access_log: AccessLog,
        answer_groups: Iterable[str] = ANSWER_GROUPS,
        on_events: Callable[[Iterable[str]], None] | None = None,
    ) -> None:
        self.identity = identity
        self.db = identity.db
        self.access_log = access_log
        self.answer_groups = tuple(answer_groups)
        self.on_events = on_events or identity.on_events
        self.work = UnitOfWork(self.db, self.on_events)  # its events are published after the commit

    def _check(self, roles: list[str], unit: str, answer_group: str) -> dict[str, Text]:
        errors: dict[str, Text] = {}
        unknown = [r for r in roles if r not in (*STAFF_ROLES, "resident")]
        if unknown:
            errors["roles"] = texts.UNKNOWN_ROLE.format(roles=", ".join(sorted(unknown)[:3]))
        if "case_worker" in roles and not _UNIT.match(unit):
            errors["unit"] = texts.UNIT_NEEDED
        if unit and "case_worker" not in roles:
            errors["unit"] = texts.UNIT_ONLY_CASE_WORKERS
        if "contact_agent" in roles and answer_group not in self.answer_groups:
            errors["answer_group"] = texts.ANSWER_GROUP_NEEDED
        if answer_group and "contact_agent" not in roles:
            errors["answer_group"] = texts.ANSWER_GROUP_ONLY_AGENTS
        return errors

    def assign(
        self,
        admin: Principal | None,
        personal_number: str,
        name: str,
        roles: list[str],
        unit: str = "",
        answer_group: str = "",
        reason: str = "",
    ) -> User:
        """Sets a person's staff roles (admin is None only from the command line)."""
        if admin is not None and not admin.has_role("admin"):
            raise PermissionDenied(texts.STAFF_ONLY)
        pnr = parse_personnummer(personal_number)
        roles = sorted(set(roles) - {"resident"})
        unit, answer_group, name, reason = unit.strip(), answer_group.strip(), name.strip()[:200], reason.strip()
        errors = self._check(roles, unit, answer_group)
        if errors:
            raise ValidationFailed(texts.ROLES_NOT_SAVED, errors)
        with self.work() as session:
            # Locked, so two admins saving at once apply one after the other (one roles_changed).
            user = session.scalars(select(User).where(User.personal_number == pnr).with_for_update()).first()
            if user is None:
                user = self.identity.users.new(session, pnr, name)
            elif name and not user.last_login_at:
                user.name = name  # BankID's name wins once they have logged in
            if admin is not None and user.id == admin.user_id and "admin" not in roles:
                raise Conflict(texts.OWN_ADMIN_ROLE)
            new_roles = ["resident", *roles]
            changed = (list(user.roles or []), user.unit or "", user.answer_group or "") != (
                new_roles,
                unit,
                answer_group,
            )
            user.roles, user.unit, user.answer_group = new_roles, unit, answer_group
            if changed:
                self.identity.sessions.revoke_all(session, user.id, "roles_changed")
                OUTBOX.add(
                    session,
                    "roles_changed",
                    events_pb2.RolesChanged(user_id=user.id, roles=new_roles, unit=unit, answer_group=answer_group),
                )
                if admin is not None:
                    self.access_log.record_in(
                        session,
                        subjects=[user.id],
                        actor=admin,
                        action="change",
                        resource=f"user:{user.id}",
                        description="Behörigheter ändrade",
                        reason=reason,
                        source="identity",
                    )
        return user

    def list(self, admin: Principal) -> list[User]:
        if not admin.has_role("admin"):
            raise PermissionDenied(texts.STAFF_ONLY)
        with self.db.transaction() as session:
            users = session.scalars(select(User).order_by(User.name)).all()
        return [u for u in users if set(u.roles or []) & set(STAFF_ROLES)]


def main() -> None:
    """Assign staff roles from the command line (the first admin of a new installation)."""
    from fickan_common.db import Database
    from identity import settings as settings_module
    from identity.keys import SigningKeys

    parser = argparse.ArgumentParser(description="Assign a person's staff roles.")
    parser.add_argument("--personal-number", required=True)
    parser.add_argument("--name", default="")
    parser.add_argument("--roles", default="", help="comma-separated: case_worker, contact_agent, admin")
    parser.add_argument("--unit", default="")
    parser.add_argument("--answer-group", default="")
    args = parser.parse_args()
    settings = settings_module.load()
    db = Database(settings.service.database_url)
    identity = Identity(db, SigningKeys(settings.keys_dir, settings.generate_keys), None)
    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    user = Staff(identity, AccessLog(db)).assign(
        None, args.personal_number, args.name, roles, args.unit, args.answer_group
    )
    print(f"{user.name or user.id}: {', '.join(user.roles)}")
    db.dispose()


if __name__ == "__main__":
    main()
