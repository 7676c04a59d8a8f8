"""From raw period figures to the report's rows: each a labelled figure, now and before.

Every output reads these rows, so the chat card, the CSV, the HTML page and the chart show the
same numbers, each passed through `bot.report.suppress`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.content.message_fields import REPORT_SECTIONS
from bot.content.sectors import Sectors
from bot.domain.objectives import OBJECTIVES
from bot.report.suppress import Figure
from bot.storage.feedback import ANSWERS
from bot.storage.outcomes import ALL, PeriodFigures, SessionMix

THREE = 3
# Figures about today, not about a period: there is nothing earlier to compare them with.
NOT_COMPARED = ("connect_opted_in",)
Group = tuple[str, str]


@dataclass(frozen=True)
class Row:
    """One line of the report: `section`, the group it is about, the figure, now and before."""

    section: str
    group: str
    figure: str
    now: Figure
    before: Figure | None = None


@dataclass(frozen=True)
class Report:
    start: datetime
    end: datetime
    before_start: datetime
    rows: tuple[Row, ...]
    chart: tuple[tuple[str, str, Figure], ...]  # (month, objective, attendances)


def build(now: PeriodFigures, before: PeriodFigures, sectors: Sectors) -> Report:
    """The report's rows for `now`, each with the same figure for `before` where it compares."""
    rows: list[Row] = []
    for section, names in REPORT_SECTIONS.items():
        for name in names:
            rows.append(
                Row(
                    section,
                    "",
                    name,
                    figure(now, name, (ALL, ALL)),
                    None if name in NOT_COMPARED else figure(before, name, (ALL, ALL)),
                )
            )
    for objective in OBJECTIVES:
        for name in ("held", "attended", "people", "three_sectors", *_answer_names()):
            group = (objective, ALL)
            rows.append(
                Row(
                    "objectives",
                    objective,
                    name,
                    figure(now, name, group),
                    figure(before, name, group),
                )
            )
    for month in sorted({m for (o, m) in now.sessions if o == ALL and m != ALL}):
        for name in ("held", "attended", "people"):
            rows.append(Row("months", month, name, figure(now, name, (ALL, month))))
    for sector in sectors.choices:
        rows.append(
            Row(
                "sectors",
                sector.label,
                "people",
                _people(now.sectors.get(sector.id, 0)),
                _people(before.sectors.get(sector.id, 0)),
            )
        )
    rows.append(
        Row(
            "sectors",
            "",
            "undeclared",
            _people(now.sectors.get("", 0)),
            _people(before.sectors.get("", 0)),
        )
    )
    for mix in now.per_session:
        label = f"#{mix.id} {mix.start[:10]} {mix.objective}"
        rows.append(Row("per_session", label, "people", _people(mix.people)))
        rows.append(Row("per_session", label, "sectors", Figure(mix.sectors, mix.people)))
    chart = tuple(
        (month, objective, figure(now, "attended", (objective, month)))
        for month in sorted({m for (o, m) in now.sessions if m != ALL})
        for objective in OBJECTIVES
    )
    return Report(now.start, now.end, before.start, tuple(rows), chart)


def _answer_names() -> tuple[str, ...]:
    return tuple(f"answer_{a}" for a in ANSWERS)


def _people(count: int) -> Figure:
    return Figure(count, count)


def figure(found: PeriodFigures, name: str, group: Group) -> Figure:
    """One named figure for one group (objective or "*", month or "*")."""
    maker = _MAKERS.get(name)
    if maker is not None:
        return maker(found, group)
    if name.startswith("answer_"):
        return _answers(found, group, name.removeprefix("answer_"))
    sessions = found.sessions.get(group, {})
    if name in sessions:
        return Figure(sessions[name])
    people = found.people.get(group, {})
    base = people.get(f"{name}_people", people.get(name, 0))
    return Figure(people.get(name, 0), base)


def _rate(found: PeriodFigures, group: Group, came: bool) -> Figure:
    people = found.people.get(group, {})
    booked = people.get("booked_recorded", 0)
    share = people.get("booked_came", 0) / booked if booked else 0.0
    return Figure(
        share if came else 1 - share if booked else 0.0,
        people.get("booked_recorded_people", 0),
        "share",
    )


def _three_sectors(found: PeriodFigures, group: Group) -> Figure:
    def inside(mix: SessionMix) -> bool:
        return group[0] in (ALL, mix.objective) and group[1] in (ALL, mix.start[:7])

    met = [m for m in found.per_session if inside(m) and m.people]
    share = sum(m.sectors >= THREE for m in met) / len(met) if met else 0.0
    return Figure(share, found.people.get(group, {}).get("people", 0), "share")


def _answers(found: PeriodFigures, group: Group, answer: str) -> Figure:
    count = sum(
        n for (o, a), (n, _) in found.feedback.items() if a == answer and group[0] in (ALL, o)
    )
    return Figure(count, count)


def _words(found: PeriodFigures, group: Group) -> Figure:
    count = sum(w for (o, _), (_, w) in found.feedback.items() if group[0] in (ALL, o))
    return Figure(count, count)


def _delivery(*statuses: str) -> Callable[[PeriodFigures, Group], Figure]:
    def make(found: PeriodFigures, group: Group) -> Figure:
        counts = [found.deliveries.get(s, (0, 0, 0)) for s in statuses]
        people = sum(c[1] for c in counts)
        return Figure(sum(c[0] for c in counts), people or None)

    return make


def _connect(found: PeriodFigures, name: str) -> Figure:
    """CONNECT's counts, each drawn from the people it is about."""
    c = found.connect
    people, answered = c.get("people", 0), c.get("answered", 0)
    groups = c.get("groups", 0)
    return {
        "connect_opted_in": Figure(c.get("opted_in", 0), c.get("opted_in", 0)),
        "connect_groups": Figure(groups, people),
        "connect_cross_sector": Figure(
            c.get("mixed", 0) / groups if groups else 0.0, people, "share"
        ),
        "connect_met": Figure(c.get("met", 0) / answered if answered else 0.0, answered, "share"),
    }[name]


_MAKERS: dict[str, Callable[[PeriodFigures, Group], Figure]] = {
    "attendance_rate": lambda f, g: _rate(f, g, True),
    "no_show_rate": lambda f, g: _rate(f, g, False),
    "three_sectors": _three_sectors,
    "feedback_words": _words,
    "reflections": lambda f, g: Figure(f.practice[0], f.practice[1]),
    "suggestions": lambda f, g: Figure(f.practice[2], f.practice[3]),
    "delivered": _delivery("sent", "late"),
    "late": _delivery("late"),
    "missed": _delivery("missed"),
    "failed": _delivery("failed"),
    "connect_opted_in": lambda f, g: _connect(f, "connect_opted_in"),
    "connect_groups": lambda f, g: _connect(f, "connect_groups"),
    "connect_cross_sector": lambda f, g: _connect(f, "connect_cross_sector"),
    "connect_met": lambda f, g: _connect(f, "connect_met"),
}
