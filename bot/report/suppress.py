"""The one rule every output of the report obeys: no figure drawn from fewer than 5 people.

Chat, CSV, HTML and the chart all turn figures into what is shown through `shown` (words) or
`plotted` (a number for the chart, or None), so no output can forget the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SMALLEST_GROUP = 5


@dataclass(frozen=True)
class Figure:
    """A number and how many distinct people it was drawn from (None: not about people)."""

    value: float
    people: int | None = None
    kind: Literal["count", "share"] = "count"

    @property
    def hidden(self) -> bool:
        return self.people is not None and 0 < self.people < SMALLEST_GROUP


def shown(figure: Figure, fewer: str) -> str:
    """The figure as it may leave the bot: `fewer` ("fewer than 5") when the group is small."""
    if figure.hidden:
        return fewer
    if figure.kind == "share":
        return "–" if figure.people == 0 else f"{round(figure.value * 100)}%"
    return str(int(figure.value))


def plotted(figure: Figure) -> float | None:
    """The figure as the chart may draw it: None when it must not be shown."""
    return None if figure.hidden else figure.value
