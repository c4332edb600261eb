"""The insights service's settings: the ones every service has, plus Kolada's and the import's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fickan_common.settings import ServiceSettings, env_float, env_int, env_str

NAME = "insights"
DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class InsightsSettings:
    service: ServiceSettings
    kolada_url: str  # Kolada API v3; tests point it at a local double
    municipality: str  # the municipality the figures are about (Kolada id, 1283 = Helsingborg)
    import_every_hours: float  # the worker's scheduled import; 0 = never (demo data only)
    years: int  # how many past years an import fetches
    kolada_interval: float  # seconds between two requests to Kolada (a polite rate)
    kolada_retries: int
    kolada_timeout: float
    comparisons_file: Path
    guides_dir: Path


def load() -> InsightsSettings:
    return InsightsSettings(
        service=ServiceSettings.from_env(NAME, grpc_port=50055, metrics_port=9105),
        kolada_url=env_str("FICKAN_INSIGHTS_KOLADA_URL", "https://api.kolada.se/v3"),
        municipality=env_str("FICKAN_INSIGHTS_MUNICIPALITY", "1283"),
        import_every_hours=env_float("FICKAN_INSIGHTS_IMPORT_EVERY_HOURS", 24.0),
        years=env_int("FICKAN_INSIGHTS_YEARS", 6),
        kolada_interval=env_float("FICKAN_INSIGHTS_KOLADA_INTERVAL", 0.5),
        kolada_retries=env_int("FICKAN_INSIGHTS_KOLADA_RETRIES", 4),
        kolada_timeout=env_float("FICKAN_INSIGHTS_KOLADA_TIMEOUT", 30.0),
        comparisons_file=Path(env_str("FICKAN_INSIGHTS_COMPARISONS_FILE", str(DATA / "comparisons.json"))),
        guides_dir=Path(env_str("FICKAN_INSIGHTS_GUIDES_DIR", str(DATA / "guides"))),
    )
