"""Geometry of the report's server-rendered SVG charts; the templates draw them, so every label is escaped."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from recommendations.choices import STATUS_COLOURS, Status

from .selectors import MonthCounts

#: The statuses' colours (the stylesheet's --s-* variables), as SVG ``fill`` attributes for renderers that do not
#: apply the stylesheet to SVG (WeasyPrint, for the PDF); in browsers the stylesheet's classes win.
#: Each status's fill, as SVG attributes too (WeasyPrint ignores CSS fills inside SVG): the one set of status colours.
STATUS_FILLS: dict[str, str] = {str(status): colour for status, colour in STATUS_COLOURS.items()}


@dataclass
class Segment:
    """One status's part of a stacked bar (coordinates in the chart's own units)."""

    status: str
    label: str
    count: int
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0
    share: float = 0.0

    @property
    def middle(self) -> float:
        """The x of the segment's centre (where a label on it goes)."""
        return self.x + self.width / 2

    @property
    def fill(self) -> str:
        """The status's colour."""
        return STATUS_FILLS.get(self.status, "#999999")


def stacked_bar(counts: Mapping[str, int], *, width: float = 100.0) -> list[Segment]:
    """Horizontal segments of a 100%-wide bar, one per status with recommendations, in lifecycle order."""
    total = sum(counts.values())
    segments: list[Segment] = []
    x = 0.0
    if not total:
        return segments
    for status in Status:
        count = counts.get(status.value, 0)
        if not count:
            continue
        part = width * count / total
        segments.append(
            Segment(status=status.value, label=str(status.label), count=count, x=x, width=part, share=count / total)
        )
        x += part
    return segments


def nice_step(maximum: int, *, ticks: int = 4) -> int:
    """A round step (1, 2, 5, 10, 20, 50, ...) that divides 0..maximum into at most ``ticks`` intervals."""
    if maximum <= ticks:
        return 1
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)  # pragma: no cover - the loop always returns


@dataclass
class MonthBar:
    """One month's stacked column in the progress-over-time chart."""

    month: date
    x: float
    width: float
    total: int
    segments: list[Segment] = field(default_factory=list)
    show_year: bool = False

    @property
    def label_x(self) -> float:
        """Where the month's label is centred."""
        return self.x + self.width / 2


@dataclass
class HistoryChart:
    """A stacked column chart of status counts at each month's end."""

    width: int
    height: int
    left: int
    top: int
    plot_width: float
    plot_height: float
    bars: list[MonthBar]
    ticks: list[tuple[int, float]]

    @property
    def baseline(self) -> float:
        """The y of the x axis."""
        return self.top + self.plot_height

    @property
    def right(self) -> float:
        """The x where the plot ends."""
        return self.left + self.plot_width


def history_chart(history: Sequence[MonthCounts], *, width: int = 1000, height: int = 270) -> HistoryChart:
    """Lay out month columns stacked by status, with a rounded y axis, in a ``width`` × ``height`` view box."""
    left, right, top, bottom = 44, 8, 12, 44
    plot_width, plot_height = width - left - right, height - top - bottom
    maximum = max((month.total for month in history), default=0)
    step = nice_step(maximum)
    ceiling = max(step * math.ceil(maximum / step), step) if maximum else 1
    scale = plot_height / ceiling
    slot = plot_width / max(len(history), 1)
    bar_width = min(slot * 0.64, 48)
    bars = []
    for index, month in enumerate(history):
        x = left + slot * index + (slot - bar_width) / 2
        bar = MonthBar(
            month=month.month,
            x=x,
            width=bar_width,
            total=month.total,
            show_year=index == 0 or month.month.month == 1,
        )
        y: float = top + plot_height
        for status in Status:
            count = month.counts.get(status.value, 0)
            if count <= 0:
                continue
            h = count * scale
            y -= h
            bar.segments.append(
                Segment(status=status.value, label=str(status.label), count=count, x=x, y=y, width=bar_width, height=h)
            )
        bars.append(bar)
    ticks = [(value, top + plot_height - value * scale) for value in range(0, ceiling + 1, step)] if maximum else []
    return HistoryChart(
        width=width,
        height=height,
        left=left,
        top=top,
        plot_width=plot_width,
        plot_height=plot_height,
        bars=bars,
        ticks=ticks,
    )
