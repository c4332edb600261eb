"""The Kolada v3 client against the local Kolada double: paging by next_url, at most 25 ids per
request, a 422 split, values per gender with nulls and status, retries with backoff, errors."""

from __future__ import annotations

import pytest
from kolada_double import KoladaData, KoladaDouble

from insights.kolada import KoladaClient, KoladaError


def client_of(double: KoladaDouble, **kw) -> KoladaClient:  # type: ignore[no-untyped-def]
    kw.setdefault("interval", 0)
    kw.setdefault("backoff", 0.01)
    return KoladaClient(double.url, **kw)


def ids_in(path: str, segment: str) -> list[str]:
    parts = path.split("?")[0].split("/")
    return parts[parts.index(segment) + 1].split(",")


def test_data_follows_next_url_across_three_pages(kolada: KoladaDouble) -> None:
    kolada.page_size = 4
    for year in range(2015, 2025):  # 10 rows -> pages of 4, 4, 2
        kolada.data.values[("N15428", "1283", year)] = {"T": float(year - 2000)}
    values = client_of(kolada).data(["N15428"], ["1283"], list(range(2015, 2025)))

    assert sorted(v.year for v in values) == list(range(2015, 2025))
    assert len(kolada.requests) == 3
    assert "page=2" in kolada.requests[1] and "page=3" in kolada.requests[2]


def test_values_come_per_gender_with_nulls_and_status(kolada: KoladaDouble) -> None:
    kolada.data.values[("N15428", "1283", 2023)] = {"T": 81.5, "K": 84.0, "M": None}
    values = {v.gender: v for v in client_of(kolada).data(["N15428"], ["1283"], [2023])}

    assert values["T"].value == 81.5 and values["K"].value == 84.0
    assert values["M"].value is None and values["M"].status == "Saknas"
    assert values["T"].kpi == "N15428" and values["T"].municipality == "1283" and values["T"].year == 2023


def test_a_year_kolada_has_no_figures_for_is_simply_absent(kolada: KoladaDouble) -> None:
    kolada.data.values[("N15428", "1283", 2022)] = {"T": 80.0}
    values = client_of(kolada).data(["N15428"], ["1283"], [2022, 2023])
    assert [v.year for v in values] == [2022]


def test_never_more_than_25_ids_in_one_request(kolada: KoladaDouble) -> None:
    munis = [f"{1000 + i:04d}" for i in range(60)]
    for m in munis:
        kolada.data.values[("N01951", m, 2023)] = {"T": 1.0}
    values = client_of(kolada).data(["N01951"], munis, [2023])

    assert len(values) == 60
    assert len(kolada.requests) == 3  # 25 + 25 + 10
    assert all(len(ids_in(p, "municipality")) <= 25 for p in kolada.requests)


def test_422_splits_the_request_until_kolada_takes_it(kolada: KoladaDouble) -> None:
    kolada.max_ids = 6  # this server takes fewer ids than we send
    munis = [f"{2000 + i:04d}" for i in range(20)]
    for m in munis:
        kolada.data.values[("N01951", m, 2023)] = {"T": 2.0}
    values = client_of(kolada).data(["N01951"], munis, [2023])

    assert sorted(v.municipality for v in values) == munis
    answered = [p for p in kolada.requests if len(ids_in(p, "municipality")) <= 6]
    assert len(kolada.requests) > len(answered) >= 4  # some refused with 422, the halves answered


def test_422_for_one_kpi_and_one_municipality_is_an_error(kolada: KoladaDouble) -> None:
    kolada.fail_next(422, times=1)
    with pytest.raises(KoladaError):
        client_of(kolada).data(["N01951"], ["1283"], [2023])


def test_a_503_is_retried_and_then_answered(kolada: KoladaDouble) -> None:
    kolada.data.values[("N15428", "1283", 2023)] = {"T": 81.5}
    kolada.fail_next(503, times=2)
    slept: list[float] = []
    values = client_of(kolada, sleep=slept.append, backoff=0.5).data(["N15428"], ["1283"], [2023])

    assert [v.value for v in values] == [81.5]
    assert len(kolada.requests) == 3
    assert slept == [0.5, 1.0]  # exponential backoff


def test_429_waits_as_long_as_retry_after_says(kolada: KoladaDouble) -> None:
    kolada.fail_next(429, headers={"Retry-After": "7"})
    slept: list[float] = []
    client_of(kolada, sleep=slept.append).municipalities(["1283"])
    assert slept == [7.0]


def test_gives_up_after_its_retries_with_a_clear_error(kolada: KoladaDouble) -> None:
    kolada.fail_next(500, times=10)
    with pytest.raises(KoladaError, match="after 3 tries"):
        client_of(kolada, retries=2).data(["N15428"], ["1283"], [2023])
    assert len(kolada.requests) == 3


def test_a_404_is_not_retried(kolada: KoladaDouble) -> None:
    kolada.fail_next(404)
    with pytest.raises(KoladaError, match="404"):
        client_of(kolada).kpis(["X"])
    assert len(kolada.requests) == 1


def test_a_dead_server_is_retried_then_reported() -> None:
    dead = KoladaDouble(KoladaData())
    url = dead.url
    dead.stop()
    slept: list[float] = []
    with pytest.raises(KoladaError, match="did not answer"):
        KoladaClient(url, interval=0, retries=2, sleep=slept.append, timeout=2).municipalities(["1283"])
    assert len(slept) == 2


def test_requests_keep_a_polite_interval(kolada: KoladaDouble) -> None:
    slept: list[float] = []
    client = client_of(kolada, interval=5.0, sleep=slept.append)
    client.municipalities(["1283"])
    client.municipalities(["1284"])
    assert len(slept) == 1 and 4.0 < slept[0] <= 5.0  # the second request waited its turn


def test_next_url_to_another_host_is_not_followed(kolada: KoladaDouble) -> None:
    kolada.data.municipalities.update({"1283": "Helsingborg", "1284": "Höganäs"})
    kolada.page_size = 1
    client = client_of(kolada)
    kolada.url = kolada.url.replace("127.0.0.1", "localhost")  # its next_url now names another origin
    with pytest.raises(KoladaError, match="another host"):
        client.municipalities()
    assert len(kolada.requests) == 1


def test_metadata_kpis_municipalities_and_groups(kolada: KoladaDouble) -> None:
    kolada.data.kpis["N15428"] = {"title": "Behöriga till yrkesprogram", "description": "Andel elever"}
    kolada.data.municipalities.update({"1283": "Helsingborg", "1284": "Höganäs"})
    kolada.data.groups["G1"] = ("Liknande kommuner", ["1284"])
    client = client_of(kolada)

    [kpi] = client.kpis(["N15428"])
    assert (kpi.id, kpi.title, kpi.description) == ("N15428", "Behöriga till yrkesprogram", "Andel elever")
    assert {m.title for m in client.municipalities(["1283", "1284"])} == {"Helsingborg", "Höganäs"}
    group = client.municipality_group("G1")
    assert group.title == "Liknande kommuner" and [(m.id, m.title) for m in group.members] == [("1284", "Höganäs")]
    with pytest.raises(KoladaError):
        client.municipality_group("G404")
