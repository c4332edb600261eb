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
from fickan_common.tokens import Principal
from identity.access_log import AccessLog
from identity.service import Identity
from identity.store import OUTBOX, User
from identity.users import STAFF_ONLY, parse_personnummer

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

    def _check(self, roles: list[str], unit: str, answer_group: str) -> dict[str, str]:
        errors: dict[str, str] = {}
        unknown = [r for r in roles if r not in (*STAFF_ROLES, "resident")]
        if unknown:
            errors["roles"] = "Okänd roll: " + ", ".join(sorted(unknown)[:3])
        if "case_worker" in roles and not _UNIT.match(unit):
            errors["unit"] = "En handläggare behöver en enhet (små bokstäver, siffror och bindestreck)."
        if unit and "case_worker" not in roles:
            errors["unit"] = "Bara handläggare har en enhet."
        if "contact_agent" in roles and answer_group not in self.answer_groups:
            errors["answer_group"] = "En kommunvägledare behöver en av svarsgrupperna."
        if answer_group and "contact_agent" not in roles:
            errors["answer_group"] = "Bara kommunvägledare har en svarsgrupp."
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
            raise PermissionDenied(STAFF_ONLY)
        pnr = parse_personnummer(personal_number)
        roles = sorted(set(roles) - {"resident"})
        unit, answer_group, name, reason = unit.strip(), answer_group.strip(), name.strip()[:200], reason.strip()
        errors = self._check(roles, unit, answer_group)
        if errors:
            raise ValidationFailed("Behörigheten kunde inte sparas.", errors)
        with self.db.transaction() as session:
            # Locked, so two admins saving at once apply one after the other (one roles_changed).
            user = session.scalars(select(User).where(User.personal_number == pnr).with_for_update()).first()
            if user is None:
                user = self.identity.users.new_user(session, pnr, name)
            elif name and not user.last_login_at:
                user.name = name  # BankID's name wins once they have logged in
            if admin is not None and user.id == admin.user_id and "admin" not in roles:
                raise Conflict("Du kan inte ta bort din egen administratörsroll.")
            new_roles = ["resident", *roles]
            changed = (list(user.roles or []), user.unit or "", user.answer_group or "") != (
                new_roles,
                unit,
                answer_group,
            )
            user.roles, user.unit, user.answer_group = new_roles, unit, answer_group
            event_ids: list[str] = []
            if changed:
                event_ids += self.identity.sessions.revoke_all(session, user.id, "roles_changed")
                env = OUTBOX.add(
                    session,
                    "roles_changed",
                    events_pb2.RolesChanged(user_id=user.id, roles=new_roles, unit=unit, answer_group=answer_group),
                )
                event_ids.append(env["event_id"])
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
        self.on_events(event_ids)
        return user

    def list(self, admin: Principal) -> list[User]:
        if not admin.has_role("admin"):
            raise PermissionDenied(STAFF_ONLY)
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
