"""Making the report for a period: figures for it and the period before, words, and the chart.

Shared by `/cop report` and `copbot report`, so the chat and the files always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.calendar.session_when import human_length
from bot.community import Community
from bot.domain.when import format_local
from bot.report.build import Report, Row, build
from bot.report.chart import report_png
from bot.report.suppress import shown
from bot.storage.outcomes import period_figures


@dataclass(frozen=True)
class MadeReport:
    report: Report
    intro: str
    alt: str
    png: bytes


def make_report(community: Community, start: datetime, end: datetime) -> MadeReport:
    """The report for [start, end), compared with the same length of time just before it."""
    say, db = community.messages, community.db
    length = end - start
    report = build(
        period_figures(db, start, end, community.zone),
        period_figures(db, start - length, start, community.zone),
        community.outcomes.sector_choices,
    )
    zone = community.zone
    before = human_length(int(length.total_seconds() // 60), say)
    intro = say(
        "report.intro",
        start=format_local(start, zone),
        end=format_local(end, zone),
        before=before,
    )
    alt = _alt(report, community)
    png = report_png(report, say("report.chart_title"), say("report.fewer"), alt)
    return MadeReport(report, intro, alt, png)


def line(row: Row, community: Community) -> str:
    """ "Label: value (before)" for one row, small groups hidden."""
    say = community.messages
    fewer = say("report.fewer")
    before = shown(row.before, fewer) if row.before is not None else ""
    label = say(f"report.figure.{row.figure}")
    if row.before is None:
        return f"{label}: {shown(row.now, fewer)}"
    return say("report.line", label=label, value=shown(row.now, fewer), before=before)


def _alt(report: Report, community: Community) -> str:
    months = sorted({month for month, _, _ in report.chart})
    span = f"{months[0]} to {months[-1]}" if months else community.messages("report.empty")
    total = next(r for r in report.rows if r.section == "attendance" and r.figure == "attended")
    return community.messages("report.alt", months=span, summary=line(total, community))
