"""The planning group's report: who came, what they took away, which sectors met.

By objective and by month, against the period before, with a chart. Numbers only, never what
any one member did or wrote, and no figure drawn from fewer than five people.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from itertools import groupby

from bot.community import CommandContext
from bot.dispatch.registry import Option, Registry
from bot.domain.context import Attachment, Item, Reply
from bot.domain.errors import BadInput
from bot.report.build import Row
from bot.report.run import line, make_report

DEFAULT_WEEKS = 12
MOST_WEEKS = 260
_SINCE = re.compile(r"since\s+(\d{4}-\d{2}-\d{2})", re.IGNORECASE)


def report(ctx: CommandContext, period: str = "") -> Reply:
    """The report for the last few weeks (12 unless given) or since a date, with a chart."""
    start = period_start(ctx, period)
    made = make_report(ctx.community, start, ctx.now)
    items = []
    for section, rows in groupby(made.report.rows, key=lambda r: r.section):
        if section == "per_session":
            continue  # too long for a chat message: in the CSV and HTML from `copbot report`
        lines = _lines(ctx, list(rows))
        items.append(Item(ctx.say(f"report.section.{section}"), tuple(lines)))
    return Reply(
        made.intro,
        items=tuple(items),
        footer=f"{ctx.say('report.privacy')}\n{made.alt}",
        attachment=Attachment("copbot-report.png", made.png, "image/png"),
    )


def _lines(ctx: CommandContext, rows: list[Row]) -> list[str]:
    """One line per figure; where rows are about a group (an objective, a month, a sector),
    one line per group with its figures side by side, to keep the card short on a phone."""
    found = []
    for group, same in groupby(rows, key=lambda r: r.group):
        texts = [line(row, ctx.community) for row in same]
        found += [f"{group}: " + " · ".join(texts)] if group else texts
    return found


def period_start(ctx: CommandContext, period: str) -> datetime:
    """`12` (weeks), `since 2026-09-01` (midnight in the community's zone), or the default."""
    words = " ".join(period.split())
    if not words:
        return ctx.now - timedelta(weeks=DEFAULT_WEEKS)
    if words.isdigit() and 1 <= int(words) <= MOST_WEEKS:
        return ctx.now - timedelta(weeks=int(words))
    found = _SINCE.fullmatch(words)
    if found:
        try:
            day = date.fromisoformat(found.group(1))
        except ValueError:
            day = None
        if day is not None:
            start = datetime.combine(day, time(0), tzinfo=ctx.community.zone)
            if start < ctx.now:
                return start
    raise BadInput("report.bad_period", text=words, command="report")


def register(registry: Registry) -> None:
    registry.command("report", Option("period", "text", required=False), planners_only=True)(report)
