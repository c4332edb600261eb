"""A client of Kolada's open API v3 (https://api.kolada.se/v3): KPIs, municipalities, municipality
groups and data, the way Kolada answers them.

- Lists come as {"values": [...], "count": n, "next_url": "..."}; we follow next_url until it is
  absent (only to Kolada's own origin).
- Ids go comma-separated in the path. Kolada publishes no cap; we send at most 25 per request, and
  a 422 ("too many ids" in practice) makes us split the request in two and try the halves.
- Data values come per gender (T total, K women, M men), each with a status and possibly null.
- Network errors, timeouts, 429 and 5xx are retried with exponential backoff (Retry-After wins);
  every request waits its turn so we ask at a polite rate.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

MAX_IDS = 25
RETRY_STATUSES = {429, 500, 502, 503, 504}
USER_AGENT = "Fickan-insights/0.1 (+https://github.com/; municipal comparison import)"


class KoladaError(Exception):
    """Kolada did not answer usefully (after retries), or answered something we cannot read."""


class TooManyIds(KoladaError):
    """HTTP 422: the request named more ids than Kolada would take."""


@dataclass(frozen=True)
class KpiInfo:
    id: str
    title: str
    description: str
    is_divided_by_gender: bool


@dataclass(frozen=True)
class Municipality:
    id: str
    title: str
    type: str


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    members: tuple[Municipality, ...]


@dataclass(frozen=True)
class DataValue:
    kpi: str
    municipality: str
    year: int
    gender: str
    value: float | None
    status: str
    count: int


def chunks(ids: Sequence[str], size: int = MAX_IDS) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


class KoladaClient:
    def __init__(
        self,
        base_url: str,
        interval: float = 0.5,
        retries: int = 4,
        backoff: float = 1.0,
        timeout: float = 30.0,
        max_ids: int = MAX_IDS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.origin = urllib.parse.urlsplit(self.base_url)[:2]
        self.interval = interval
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.max_ids = max_ids
        self.sleep = sleep
        self.requests = 0  # how many HTTP requests were made (for logs and tests)
        self._lock = threading.Lock()
        self._last = 0.0

    # -- metadata ---------------------------------------------------------------------------------
    def kpis(self, ids: Sequence[str]) -> list[KpiInfo]:
        found = []
        for part in chunks(ids, self.max_ids):
            for item in self._list(f"/kpi/{_ids(part)}"):
                found.append(
                    KpiInfo(
                        id=str(item["id"]),
                        title=str(item.get("title") or item["id"]),
                        description=str(item.get("description") or ""),
                        is_divided_by_gender=bool(item.get("is_divided_by_gender")),
                    )
                )
        return found

    def municipalities(self, ids: Sequence[str] | None = None) -> list[Municipality]:
        paths = [f"/municipality/{_ids(part)}" for part in chunks(ids, self.max_ids)] if ids else ["/municipality"]
        return [
            Municipality(id=str(m["id"]), title=str(m.get("title") or m["id"]), type=str(m.get("type") or ""))
            for path in paths
            for m in self._list(path)
        ]

    def municipality_group(self, group_id: str) -> Group:
        items = list(self._list(f"/municipality_groups/{_ids([group_id])}"))
        if not items:
            raise KoladaError(f"Kolada has no municipality group {group_id}")
        item = items[0]
        members = tuple(
            Municipality(id=str(m["member_id"]), title=str(m.get("member_title") or m["member_id"]), type="K")
            for m in item.get("members") or ()
        )
        return Group(id=str(item["id"]), title=str(item.get("title") or ""), members=members)

    # -- data -------------------------------------------------------------------------------------
    def data(self, kpi_ids: Sequence[str], municipality_ids: Sequence[str], years: Sequence[int]) -> list[DataValue]:
        """Every value of these KPIs, municipalities and years (missing years are simply absent)."""
        values: list[DataValue] = []
        for kpis in chunks(kpi_ids, self.max_ids):
            for munis in chunks(municipality_ids, self.max_ids):
                values.extend(self._data(kpis, munis, [str(y) for y in years]))
        return values

    def _data(self, kpis: list[str], munis: list[str], years: list[str]) -> list[DataValue]:
        path = f"/data/kpi/{_ids(kpis)}/municipality/{_ids(munis)}/year/{_ids(years)}"
        try:
            return [v for item in self._list(path) for v in _values(item)]
        except TooManyIds:
            # Split the longer list and ask for the halves; one KPI for one municipality cannot split.
            if len(kpis) == 1 and len(munis) == 1:
                raise
            log.info("kolada refused the ids (422), splitting", extra={"fields": {"kpis": len(kpis), "m": len(munis)}})
            if len(kpis) >= len(munis):
                half = len(kpis) // 2
                return self._data(kpis[:half], munis, years) + self._data(kpis[half:], munis, years)
            half = len(munis) // 2
            return self._data(kpis, munis[:half], years) + self._data(kpis, munis[half:], years)

    # -- HTTP -------------------------------------------------------------------------------------
    def _list(self, path: str) -> Iterator[dict[str, Any]]:
        url: str | None = self.base_url + path
        seen: set[str] = set()
        while url:
            if url in seen:
                raise KoladaError("Kolada's next_url points back to a page already read")
            seen.add(url)
            page = self._get(url)
            values = page.get("values")
            if not isinstance(values, list):
                raise KoladaError(f"Kolada's answer has no list of values: {path}")
            yield from values
            url = page.get("next_url") or None
            if url and urllib.parse.urlsplit(url)[:2] != self.origin:
                raise KoladaError("Kolada's next_url leads to another host; not followed")

    def _wait_turn(self) -> None:
        with self._lock:
            wait = self._last + self.interval - time.monotonic()
            if wait > 0:
                self.sleep(wait)
            self._last = time.monotonic()

    def _get(self, url: str) -> dict[str, Any]:
        attempt = 0
        while True:
            self._wait_turn()
            self.requests += 1
            request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
            retry_after: float | None = None
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body = response.read()
                try:
                    answer = json.loads(body)
                except ValueError:
                    problem = "not JSON"
                else:
                    if isinstance(answer, dict):
                        return answer
                    problem = "not a JSON object"
            except urllib.error.HTTPError as error:
                if error.code == 422:
                    raise TooManyIds(f"Kolada answered 422 for {url}") from None
                if error.code not in RETRY_STATUSES:
                    raise KoladaError(f"Kolada answered {error.code} for {url}") from None
                problem = f"HTTP {error.code}"
                retry_after = _seconds(error.headers.get("Retry-After"))
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                problem = f"{type(error).__name__}: {getattr(error, 'reason', error)}"
            if attempt >= self.retries:
                raise KoladaError(f"Kolada did not answer ({problem}) after {attempt + 1} tries: {url}")
            delay = retry_after if retry_after is not None else self.backoff * (2**attempt)
            log.warning("kolada request failed, retrying", extra={"fields": {"problem": problem, "in_s": delay}})
            self.sleep(min(delay, 60.0))
            attempt += 1


def _ids(ids: Sequence[str]) -> str:
    return ",".join(urllib.parse.quote(str(i), safe="") for i in ids)


def _seconds(header: str | None) -> float | None:
    try:
        return max(0.0, float(header)) if header else None
    except ValueError:
        return None


def _values(item: dict[str, Any]) -> Iterator[DataValue]:
    for v in item.get("values") or ():
        raw = v.get("value")
        yield DataValue(
            kpi=str(item["kpi"]),
            municipality=str(item["municipality"]),
            year=int(item["period"]),
            gender=str(v.get("gender") or "T"),
            value=None if raw is None else float(raw),
            status=str(v.get("status") or ""),
            count=int(v.get("count") or 0),
        )
