"""applications' settings: read from the environment once, at the start of the api, the worker and
the migrate step, typed, and handed to the parts that need them. No other module of the service
reads the environment (tests/test_only_settings_read_the_environment.py checks it); the domain gets
its values passed in (calculation.use_tables_dir, periods.use_file)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from applications.domain import calculation, periods
from fickan_common.settings import ServiceSettings, env_bool, env_int, env_str

NAME = "applications"


@dataclass(frozen=True)
class CaseworkSettings:
    auto_decide: bool = False  # decide by itself when every rule of the proposal passed
    random_check_rate: float = 0.0  # share of sent cases picked for a random check (stickprov)
    housing_cap: int | None = None  # the municipality's reasonable housing cost, if it has one


@dataclass(frozen=True)
class RetentionSettings:
    draft_days: int = 30  # a draft nobody saved for this many days is deleted
    warning_days: int = 7  # the resident is told this many days before
    case_months: int = 36  # a closed or withdrawn case is thinned this many months after it ended
    batch: int = 200  # at most this many cases per step and run


@dataclass(frozen=True)
class ApplicationsSettings:
    service: ServiceSettings
    case_unit: str  # the unit that handles sent cases
    contact_target: str  # contact's gRPC: which case an agent's question is about (the agents' glance)
    receive_at_once: bool  # the api receives a sent case itself; False leaves it to the worker
    casework: CaseworkSettings  # automatic decisions, the random-check rate, the housing cap
    retention: RetentionSettings  # how long drafts and ended cases are kept
    riksnorm_dir: Path | None  # the municipality's own riksnorm tables (before the packaged ones)
    periods_file: Path | None  # the municipality's application periods (else data/periods.json)
    fixed_today: date | None  # a demo or test platform that lives on a given day

    def today(self) -> date:
        """Today, or the fixed day of a demo platform."""
        return self.fixed_today or datetime.now(UTC).date()

    def configure_domain(self) -> None:
        """Hands the domain the municipality's own data files: the api and the worker, once at start."""
        calculation.use_tables_dir(self.riksnorm_dir)
        periods.use_file(self.periods_file)


def _path(name: str) -> Path | None:
    value = env_str(name, "").strip()
    return Path(value) if value else None


def _day(name: str) -> date | None:
    value = env_str(name, "").strip()
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise SystemExit(f"setting {name} must be a date (YYYY-MM-DD), got {value!r}") from None


def _retention() -> RetentionSettings:
    defaults = RetentionSettings()
    draft_days = max(env_int("FICKAN_DRAFT_RETENTION_DAYS", defaults.draft_days), 1)
    return RetentionSettings(
        draft_days=draft_days,
        warning_days=min(max(env_int("FICKAN_DRAFT_WARNING_DAYS", defaults.warning_days), 0), draft_days),
        case_months=max(env_int("FICKAN_CASE_RETENTION_MONTHS", defaults.case_months), 1),
        batch=max(env_int("FICKAN_RETENTION_BATCH", defaults.batch), 1),
    )


def _rate(name: str) -> float:
    value = env_str(name, "0").strip() or "0"
    try:
        return float(value)
    except ValueError:
        raise SystemExit(f"setting {name} must be a number, got {value!r}") from None


def load() -> ApplicationsSettings:
    return ApplicationsSettings(
        service=ServiceSettings.from_env(NAME, grpc_port=50052, metrics_port=9102),
        case_unit=env_str("FICKAN_CASE_UNIT", "ekonomiskt-bistand"),
        contact_target=env_str("FICKAN_CONTACT_TARGET", "127.0.0.1:50054"),
        receive_at_once=env_bool("FICKAN_RECEIVE_AT_ONCE", True),
        casework=CaseworkSettings(
            auto_decide=env_bool("FICKAN_AUTO_DECIDE", False),
            random_check_rate=_rate("FICKAN_RANDOM_CHECK_RATE"),
            housing_cap=env_int("FICKAN_HOUSING_CAP", 0) or None,
        ),
        retention=_retention(),
        riksnorm_dir=_path("FICKAN_RIKSNORM_DIR"),
        periods_file=_path("FICKAN_APPLICATIONS_PERIODS_FILE"),
        fixed_today=_day("FICKAN_TODAY"),
    )
