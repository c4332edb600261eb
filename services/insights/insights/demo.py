"""Demo figures for trying the platform without the internet: made-up values in the shape of the
real ones, every row marked demo (every page that shows them says so). Never written over real
imported figures; the first real import removes them.

    python -m insights.demo
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from fickan_common.db import Database
from insights.domain.catalogue import Catalogue
from insights.importer import years_back
from insights.store import ImportRun, KpiRow, MunicipalityRow, Value


def _unit(*parts: str) -> float:
    """A stable number in [0, 1) from the parts (the same demo every time)."""
    return int(hashlib.sha256("/".join(parts).encode()).hexdigest()[:8], 16) / 0x100000000


def load_demo(db: Database, catalogue: Catalogue, home: str, years: list[int]) -> int:
    """Writes the demo figures unless real ones exist; returns how many values it wrote."""
    now = datetime.now(UTC)
    munis = list(
        dict.fromkeys([home, catalogue.reference, *(m for s in catalogue.sets.values() for m in s.municipalities)])
    )
    with db.transaction() as session:
        if session.scalars(select(Value.kpi_id).where(Value.demo.is_(False)).limit(1)).first():
            return 0
        for kpi_id, spec in catalogue.kpis.items():
            session.merge(KpiRow(id=kpi_id, title=spec.title, description="", fetched_at=now))
        for m in munis:
            session.merge(MunicipalityRow(id=m, title=catalogue.municipalities.get(m, m), type="K"))
        written = 0
        for kpi_id, spec in catalogue.kpis.items():
            low, high = spec.demo_range
            for m in munis:
                level = _unit(kpi_id, m)
                for i, year in enumerate(years):
                    if year == years[-1] and _unit(kpi_id, m, "late") < 0.3:
                        continue  # like Kolada: the newest year is not in for everyone yet
                    null = _unit(kpi_id, m, str(year), "null") < 0.04
                    drift = (i - len(years) / 2) * 0.02 + (_unit(kpi_id, m, str(year)) - 0.5) * 0.06
                    value = None if null else round(low + (high - low) * min(max(level + drift, 0), 1), 1)
                    for gender, factor in (("T", 1.0), ("K", 1.03), ("M", 0.97)):
                        session.merge(
                            Value(
                                kpi_id=kpi_id, municipality_id=m, year=year, gender=gender,
                                value=None if value is None else round(value * factor, 1),
                                status="" if value is not None else "Saknas", count=1, fetched_at=now, demo=True,
                            )
                        )  # fmt: skip
                        written += 1
        session.add(
            ImportRun(
                id=str(uuid.uuid4()), started_at=now, finished_at=now, outcome="ok", values=written, error="", demo=True
            )
        )
    return written


def main() -> None:
    from insights import settings as settings_module
    from insights.domain import catalogue as catalogue_module

    settings = settings_module.load()
    written = load_demo(
        Database(settings.service.database_url),
        catalogue_module.load(settings.comparisons_file),
        settings.municipality,
        years_back(settings.years),
    )
    print(f"demo figures: {written} values written" if written else "real figures exist: no demo figures written")


if __name__ == "__main__":
    main()
