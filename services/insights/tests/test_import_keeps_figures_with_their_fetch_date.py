"""The import against the local Kolada double: the figures of the comparison services' KPIs for
the municipality, its comparison sets and the country, kept with the date fetched; a failed import
keeps the last good figures; a real import replaces the demo; the scheduler knows when it is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from kolada_double import KoladaDouble
from sqlalchemy import select

from fickan.insights.events.v1 import events_pb2
from fickan_common.db import Database
from fickan_common.events import parse_data
from insights import importer
from insights.demo import load_demo
from insights.domain.catalogue import Catalogue, SetSpec
from insights.kolada import KoladaClient, KoladaError
from insights.store import OUTBOX, ImportRun, MunicipalityRow, SetMember, Value

HOME = "1283"
YEARS = [2022, 2023]


def fill(kolada: KoladaDouble, catalogue: Catalogue) -> None:
    munis = {HOME, catalogue.reference, *(m for s in catalogue.sets.values() for m in s.municipalities)}
    for kpi_id in catalogue.kpi_ids():
        kolada.data.kpis[kpi_id] = {"title": f"Koladas titel {kpi_id}", "description": "Beskrivning"}
        for m in munis:
            kolada.data.values[(kpi_id, m, 2022)] = {"T": 50.0, "K": 52.0, "M": 48.0}
    kolada.data.values[("N15428", HOME, 2023)] = {"T": None, "K": None, "M": None}  # the year is there, no value
    kolada.data.municipalities.update({m: f"Kommun {m}" for m in munis})


def client(kolada: KoladaDouble) -> KoladaClient:
    return KoladaClient(kolada.url, interval=0, backoff=0.01)


def values(db: Database) -> dict[tuple[str, str, int, str], Value]:
    with db.read() as session:
        return {(v.kpi_id, v.municipality_id, v.year, v.gender): v for v in session.scalars(select(Value))}


def test_import_stores_every_value_with_the_date_fetched(db: Database, kolada: KoladaDouble, catalogue) -> None:  # type: ignore[no-untyped-def]
    fill(kolada, catalogue)
    before = datetime.now(UTC)
    result = importer.run_import(db, client(kolada), catalogue, HOME, YEARS)

    stored = values(db)
    assert result.values == len(stored)
    assert stored[("N15428", HOME, 2022, "K")].value == 52.0
    assert stored[("N15428", HOME, 2023, "T")].value is None  # a null stays a null, not a zero
    assert stored[("N15428", HOME, 2023, "T")].status == "Saknas"
    fetched = stored[("N15428", "0000", 2022, "T")].fetched_at
    assert (fetched if fetched.tzinfo else fetched.replace(tzinfo=UTC)) >= before - timedelta(seconds=1)
    assert not any(v.demo for v in stored.values())
    with db.read() as session:
        assert session.get(MunicipalityRow, "1284").title == "Kommun 1284"
        [env] = [r[0] for r in session.execute(select(OUTBOX.table.c.envelope))]
    event = parse_data(env, events_pb2.FiguresImported)
    assert env["event_type"] == "figures_imported" and event.values == result.values


def test_a_second_import_updates_in_place(db: Database, kolada: KoladaDouble, catalogue) -> None:  # type: ignore[no-untyped-def]
    fill(kolada, catalogue)
    importer.run_import(db, client(kolada), catalogue, HOME, YEARS)
    kolada.data.values[("N15428", HOME, 2022)] = {"T": 61.0}
    importer.run_import(db, client(kolada), catalogue, HOME, YEARS)
    assert values(db)[("N15428", HOME, 2022, "T")].value == 61.0


def test_a_failed_import_keeps_the_last_good_figures_and_records_why(
    db: Database, kolada: KoladaDouble, catalogue
) -> None:  # type: ignore[no-untyped-def]
    fill(kolada, catalogue)
    importer.run_import(db, client(kolada), catalogue, HOME, YEARS)
    before = values(db)
    kolada.data.values[("N15428", HOME, 2022)] = {"T": 1.0}
    kolada.fail_next(500, times=50)
    with pytest.raises(KoladaError):
        importer.run_import(db, KoladaClient(kolada.url, interval=0, retries=1, backoff=0), catalogue, HOME, YEARS)

    assert {k: v.value for k, v in values(db).items()} == {k: v.value for k, v in before.items()}
    with db.read() as session:
        runs = session.scalars(select(ImportRun).order_by(ImportRun.started_at)).all()
    assert [r.outcome for r in runs] == ["ok", "failed"] and "500" in runs[1].error


def test_a_real_import_replaces_the_demo_figures(db: Database, kolada: KoladaDouble, catalogue) -> None:  # type: ignore[no-untyped-def]
    assert load_demo(db, catalogue, HOME, YEARS) > 0
    assert all(v.demo for v in values(db).values())
    fill(kolada, catalogue)
    importer.run_import(db, client(kolada), catalogue, HOME, YEARS)
    assert values(db) and not any(v.demo for v in values(db).values())
    assert load_demo(db, catalogue, HOME, YEARS) == 0  # never over real figures


def test_a_set_from_a_kolada_group_takes_its_members(db: Database, kolada: KoladaDouble, catalogue) -> None:  # type: ignore[no-untyped-def]
    members = [f"{3000 + i}" for i in range(25)]
    kolada.data.groups["G42"] = ("Liknande kommuner, storstad", [HOME, *members])
    sets = dict(catalogue.sets)
    sets["liknande"] = SetSpec("liknande", "Liknande kommuner", "", "G42", ())
    grouped = Catalogue(catalogue.reference, catalogue.kpis, catalogue.municipalities, sets, catalogue.services)
    importer.run_import(db, client(kolada), grouped, HOME, YEARS)

    with db.read() as session:
        stored = session.scalars(
            select(SetMember.municipality_id).where(SetMember.set_id == "liknande").order_by(SetMember.position)
        ).all()
    assert stored == members[:20]  # the home municipality left out, at most 20


def test_the_import_is_due_first_then_after_its_interval(db: Database, kolada: KoladaDouble, catalogue) -> None:  # type: ignore[no-untyped-def]
    assert importer.due(db, 24)
    assert not importer.due(db, 0)  # 0 = never (demo only)
    load_demo(db, catalogue, HOME, YEARS)
    assert importer.due(db, 24)  # demo figures do not count as an import
    fill(kolada, catalogue)
    importer.run_import(db, client(kolada), catalogue, HOME, YEARS)
    assert not importer.due(db, 24)
    assert importer.due(db, 24, now=datetime.now(UTC) + timedelta(hours=25))
