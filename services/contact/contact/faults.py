"""Fault reports (felanmälan): from Open311 apps (with the api_key the municipality gave them) and
from logged-in residents (with a photo). Each is a contact in BBMT's queue, answered and closed like
any other; it is published as an Open311 service request without anything of who reported it."""

from __future__ import annotations

import hmac
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from contact import texts, threads
from contact.domain import faults as rules
from contact.domain import questions
from contact.domain.routing import Routed
from contact.service import Contact
from contact.store import FaultReport, Question
from fickan.contact.v1 import contact_pb2 as pb
from fickan_common import files, limits, metrics
from fickan_common.db import Database
from fickan_common.errors import NotFound, PermissionDenied, ValidationFailed
from fickan_common.tokens import Principal
from fickan_common.unit_of_work import UnitOfWork

ROUTED_BY = "fault_report"
DEFAULT_DAYS = 90  # Open311: without dates, the last 90 days
MAX_LISTED = 1000
NOT_FOUND = texts.FAULT_NOT_FOUND
_PHOTO = limits.of(pb.ReportFaultRequest, "photo")
NO_KEY = texts.NO_KEY
WRONG_KEY = texts.WRONG_KEY


@dataclass(frozen=True)
class Published:
    report: FaultReport
    question: Question


def parse_keys(setting: str) -> dict[str, str]:
    """'name=key,key2' -> {key: name}."""
    keys: dict[str, str] = {}
    for part in (setting or "").split(","):
        part = part.strip()
        if not part:
            continue
        name, _, key = part.rpartition("=")
        keys[key] = name or "open311"
    return keys


def _when(value: str, field: str, errors: dict[str, str]) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        errors[field] = texts.ISO_TIME
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class Faults:
    def __init__(
        self,
        db: Database,
        contact: Contact,
        faults: rules.Faults,
        api_keys: str,
        on_events: Callable[[Iterable[str]], None] = lambda ids: None,
    ) -> None:
        self.db = db
        self.contact = contact
        self.faults = faults
        self.keys = parse_keys(api_keys)
        self.work = UnitOfWork(db, on_events)  # its events are published after the commit

    def client_of(self, api_key: str) -> str:
        """The Open311 client the key belongs to, or PermissionDenied (403 in Open311's terms)."""
        api_key = (api_key or "").strip()
        if not api_key:
            raise PermissionDenied(NO_KEY)
        for key, name in self.keys.items():
            if hmac.compare_digest(key.encode(), api_key.encode()):
                return name
        raise PermissionDenied(WRONG_KEY)

    def report_from_open311(self, api_key: str, fields: dict) -> Published:
        client = self.client_of(api_key)
        new = rules.clean_report(self.faults, **fields)
        return self._store(new, None, "open311", f"open311:{client}"[:100])

    def report(self, principal: Principal, channel: str, fields: dict, photo_name: str, photo: bytes) -> Published:
        questions.require_resident(principal)
        if "glance" in principal.scope:
            raise PermissionDenied(texts.WATCH_NO_FAULT)
        if channel not in ("web", "mobile"):
            raise ValidationFailed(rules.FIX, {"channel": texts.CHANNEL_WEB_MOBILE})
        errors: dict[str, str] = {}
        try:
            new = rules.clean_report(self.faults, **fields)
        except ValidationFailed as exc:
            errors.update(exc.field_errors)
        if photo:
            try:
                files.check(photo_name or "foto", photo, _PHOTO.max_length or 0, _PHOTO.content_types)
            except ValidationFailed as exc:
                errors["photo"] = exc.field_texts.get("file", exc.text)
        if errors:
            raise ValidationFailed(rules.FIX, errors)
        return self._store(new, principal, channel, channel, photo_name, photo)

    def _store(
        self,
        new: rules.NewReport,
        principal: Principal | None,
        channel: str,
        source: str,
        photo_name: str = "",
        photo: bytes = b"",
    ) -> Published:
        where = new.address or ""
        if new.lat is not None:
            where = f"{where} ({new.lat:.6f}, {new.long:.6f})".strip()
        body = f"{new.description}\n\nPlats: {where}"
        if new.attributes:
            body += "\n" + "\n".join(f"{code}: {', '.join(v)}" for code, v in new.attributes.items())
        if new.media_url:
            body += f"\nBild: {new.media_url}"
        question_text = questions.NewQuestion(
            subject=f"Felanmälan: {new.kind.name}"[: questions.SUBJECT_MAX],
            body=body[: questions.BODY_MAX],
            channel=channel,
            topic="",
            name=new.name,
            email=new.email,
            phone=new.phone,
        )
        at = threads.now()
        with self.work() as session:
            question = self.contact.open_thread(
                session,
                question_text,
                principal.user_id if principal else None,
                Routed(self.faults.group, ROUTED_BY, (new.kind.code,)),
            )
            if photo:
                threads.attach(session, question, photo_name or "foto", photo, principal.user_id, principal.name)  # type: ignore[union-attr]
            report = FaultReport(
                id=str(uuid.uuid4()),
                question_id=question.id,
                service_code=new.kind.code,
                lat=new.lat,
                long=new.long,
                address=new.address,
                description=new.description,
                media_url=new.media_url,
                attributes=json.dumps(new.attributes, ensure_ascii=False),
                source=source,
                requested_at=at,
            )
            session.add(report)
        metrics.BUSINESS.labels("fault_reported").inc()
        return Published(report, question)

    # -- published ----------------------------------------------------------------------------------
    def get(self, report_id: str) -> Published:
        try:
            uuid.UUID(report_id or "")
        except ValueError:
            raise NotFound(NOT_FOUND) from None
        with self.db.read() as session:
            row = session.execute(
                select(FaultReport, Question)
                .join(Question, Question.id == FaultReport.question_id)
                .where(FaultReport.id == report_id)
            ).first()
        if row is None:
            raise NotFound(NOT_FOUND)
        return Published(*row)

    def list(self, ids: list[str], codes: list[str], start: str, end: str, status: str) -> list[Published]:
        errors: dict[str, str] = {}
        start_at, end_at = _when(start, "start_date", errors), _when(end, "end_date", errors)
        status = (status or "").strip()
        wanted_status = [s.strip() for s in status.split(",") if s.strip()]
        if any(s not in ("open", "closed") for s in wanted_status):
            errors["status"] = texts.FAULT_STATUS
        unknown = [c for c in codes if c not in self.faults.kinds]
        if unknown:
            errors["service_code"] = texts.UNKNOWN_SERVICE_CODES.format(codes=", ".join(unknown))
        if errors:
            raise ValidationFailed(rules.FIX, errors)
        query = select(FaultReport, Question).join(Question, Question.id == FaultReport.question_id)
        if ids:
            valid = []
            for i in ids:
                try:
                    valid.append(str(uuid.UUID(i)))
                except ValueError:
                    continue
            query = query.where(FaultReport.id.in_(valid))  # ids override the other filters (Open311)
        else:
            if not start_at and not end_at:
                start_at = datetime.now(UTC) - timedelta(days=DEFAULT_DAYS)
            if start_at:
                query = query.where(FaultReport.requested_at >= start_at)
            if end_at:
                query = query.where(FaultReport.requested_at <= end_at)
            if codes:
                query = query.where(FaultReport.service_code.in_(codes))
            if wanted_status == ["open"]:
                query = query.where(Question.status != questions.CLOSED)
            elif wanted_status == ["closed"]:
                query = query.where(Question.status == questions.CLOSED)
        with self.db.read() as session:
            rows = session.execute(query.order_by(FaultReport.requested_at.desc()).limit(MAX_LISTED)).all()
        return [Published(*r) for r in rows]
