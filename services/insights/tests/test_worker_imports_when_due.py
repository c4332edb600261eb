"""The worker's scheduled import, through its nameko entrypoint, against the local Kolada double."""

from __future__ import annotations

from dataclasses import replace

from kolada_double import KoladaDouble
from nameko.testing.services import worker_factory
from sqlalchemy import func, select

from fickan_common.db import Database
from fickan_common.worker import WorkerRuntime
from insights import settings as settings_module
from insights.store import OUTBOX, ImportRun, Value
from insights.worker import InsightsWorker


def worker_for(db: Database, kolada: KoladaDouble, every_hours: float = 24.0):  # type: ignore[no-untyped-def]
    runtime = WorkerRuntime(lambda: db, OUTBOX, grace=0)
    runtime.db = db
    settings = replace(
        settings_module.load(), kolada_url=kolada.url, kolada_interval=0, import_every_hours=every_hours, years=2
    )
    worker = worker_factory(InsightsWorker, runtime=runtime)
    worker.settings = settings  # a plain attribute: the settings read at start, here pointed at the double
    return worker


def count(db: Database, model) -> int:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_the_worker_imports_once_and_not_again_until_due(db: Database, kolada: KoladaDouble, catalogue) -> None:  # type: ignore[no-untyped-def]
    from insights.importer import years_back

    for kpi in catalogue.kpi_ids():
        kolada.data.values[(kpi, "1283", years_back(2)[0])] = {"T": 1.0}
    worker = worker_for(db, kolada)
    worker.import_when_due()
    asked = len(kolada.requests)
    worker.import_when_due()

    assert count(db, Value) == len(catalogue.kpi_ids())
    assert len(kolada.requests) == asked  # the second tick found the import fresh
    assert count(db, ImportRun) == 1


def test_a_kolada_outage_is_recorded_and_the_worker_carries_on(db: Database, kolada: KoladaDouble) -> None:
    kolada.fail_next(503, times=100)
    worker = worker_for(db, kolada)
    worker.settings = replace(worker.settings, kolada_retries=0)
    worker.import_when_due()  # does not raise
    with db.read() as session:
        assert session.scalars(select(ImportRun.outcome)).all() == ["failed"]


def test_the_scheduled_import_can_be_switched_off(db: Database, kolada: KoladaDouble) -> None:
    worker_for(db, kolada, every_hours=0).import_when_due()
    assert kolada.requests == [] and count(db, ImportRun) == 0
