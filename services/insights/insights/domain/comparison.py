"""A comparison: which municipalities a resident compares with, and the rank and mean per year.
Plain functions over plain values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fickan_common.errors import ValidationFailed
from insights import texts
from insights.domain.catalogue import MAX_SET


@dataclass(frozen=True)
class YearFigures:
    year: int
    mean: float | None
    rank: int  # 0: the home municipality has no value this year
    ranked: int


def choose(members: Sequence[str], picked: Sequence[str]) -> list[str]:
    """The resident's pick among a set's members (empty: the whole set), in the set's order."""
    if not picked:
        return list(members)
    if len(picked) > MAX_SET:
        raise ValidationFailed(
            texts.TOO_MANY_MUNICIPALITIES.format(max=MAX_SET), {"municipality_ids": texts.AT_MOST.format(max=MAX_SET)}
        )
    unknown = [m for m in picked if m not in members]
    if unknown:
        raise ValidationFailed(
            texts.UNKNOWN_MUNICIPALITY.format(names=", ".join(unknown)),
            {"municipality_ids": texts.CHOOSE_FROM_LIST},
        )
    wanted = set(picked)
    return [m for m in members if m in wanted]


def year_figures(
    year: int, home: str, chosen: Sequence[str], values: Mapping[str, float | None], higher_is_better: bool
) -> YearFigures:
    """Mean of the chosen municipalities (home not in it) and home's rank among home + chosen.
    Municipalities without a value that year are left out of both; ties share the better place."""
    others = [values[m] for m in chosen if m != home and values.get(m) is not None]
    mean = sum(others) / len(others) if others else None  # type: ignore[arg-type]
    ranked = [v for m, v in values.items() if (m == home or m in chosen) and v is not None]
    mine = values.get(home)
    if mine is None:
        return YearFigures(year, mean, 0, len(ranked))
    better = sum(1 for v in ranked if (v > mine if higher_is_better else v < mine))
    return YearFigures(year, mean, better + 1, len(ranked))
