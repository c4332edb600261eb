"""Line charts drawn on the server as SVG (no JavaScript): the geometry here, the markup in
templates/_chart.html. Each line differs by dash and marker as well as colour, so the chart reads
without colour too; the same numbers are always in a table beside it."""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 340
LEFT, RIGHT, TOP, BOTTOM = 76, 36, 20, 48


@dataclass
class Line:
    key: str  # home | mean | reference (styles in fickan.css)
    label: str
    points: list[tuple[float, float]]  # x, y in the viewBox, only where there is a value
    path: str


@dataclass
class Chart:
    width: int
    height: int
    lines: list[Line]
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    left: int
    bottom: float
    right: float


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        high = low + 1
    step = (high - low) / (count - 1)
    magnitude = 10 ** math.floor(math.log10(step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= step)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 0.001:
        ticks.append(round(value, 6))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 6))
    return ticks


def line_chart(years: list[int], series: list[tuple[str, str, list[float | None]]], fmt) -> Chart | None:  # type: ignore[no-untyped-def]
    """series: (key, label, one value or None per year). None when nothing can be drawn."""
    values = [v for _, _, vs in series for v in vs if v is not None]
    if not years or not values:
        return None
    ticks = nice_ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w / 2 if len(years) == 1 else plot_w * i / (len(years) - 1))

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - low) / (high - low))

    lines = []
    for key, label, vs in series:
        points = [(round(x(i), 1), round(y(v), 1)) for i, v in enumerate(vs) if v is not None]
        if not points:
            continue
        # A gap (a year without a value) breaks the line: M starts a new piece after it.
        path, previous = [], None
        for i, v in enumerate(vs):
            if v is None:
                previous = None
                continue
            path.append(f"{'L' if previous is not None else 'M'}{round(x(i), 1)},{round(y(v), 1)}")
            previous = i
        lines.append(Line(key, label, points, " ".join(path)))
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        lines=lines,
        x_ticks=[(round(x(i), 1), str(year)) for i, year in enumerate(years)],
        y_ticks=[(round(y(t), 1), fmt(t)) for t in ticks],
        left=LEFT,
        bottom=HEIGHT - BOTTOM,
        right=WIDTH - RIGHT,
    )
