"""The report's chart: attendances each month by objective, drawn headless into a PNG.

matplotlib's Agg backend needs no display, so it runs on a server. A month whose figure comes
from fewer than five people is not drawn; it is labelled "fewer than 5" instead.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure as Canvas  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from bot.domain.objectives import OBJECTIVES  # noqa: E402
from bot.report.build import Report  # noqa: E402
from bot.report.suppress import plotted  # noqa: E402

WIDTH, HEIGHT, DPI = 8, 4.5, 100  # 800 x 450 pixels
COLOURS = {"DEVELOP": "#1b6ca8", "CONNECT": "#e0a100", "INFLUENCE": "#5a9e3a"}


def report_png(report: Report, title: str, fewer: str, alt: str) -> bytes:
    """Stacked bars per month, one colour per objective; the alt text goes in the PNG too."""
    canvas = Canvas(figsize=(WIDTH, HEIGHT), dpi=DPI)
    axes = canvas.add_subplot()
    months = sorted({month for month, _, _ in report.chart})
    bottoms = [0.0] * len(months)
    for objective in OBJECTIVES:
        values = [_value(report, month, objective) for month in months]
        heights = [v or 0.0 for v in values]
        axes.bar(months, heights, bottom=bottoms, label=objective, color=COLOURS[objective])
        for index, value in enumerate(values):
            if value is None:
                axes.annotate(fewer, (index, bottoms[index]), ha="center", va="bottom", fontsize=7)
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    axes.set_title(title)
    axes.set_ylim(bottom=0, top=max([*bottoms, 1.0]) * 1.15)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(loc="upper left")
    if not months:
        axes.text(0.5, 0.5, "–", ha="center", va="center", transform=axes.transAxes)
    canvas.tight_layout()
    out = io.BytesIO()
    canvas.savefig(out, format="png", metadata={"Title": title, "Description": alt})
    return out.getvalue()


def _value(report: Report, month: str, objective: str) -> float | None:
    for m, o, figure in report.chart:
        if m == month and o == objective:
            return plotted(figure)
    return 0.0
