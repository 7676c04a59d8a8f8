"""The report as files: CSV for a spreadsheet, HTML for a board paper, both from the same rows.

Numbers reach these only through `shown`, so a group under five is "fewer than 5" here too.
"""

from __future__ import annotations

import csv
import html
import io
from base64 import b64encode
from itertools import groupby

from bot.content.messages import Messages
from bot.report.build import Report, Row
from bot.report.suppress import shown

COLUMNS = ("section", "group", "figure", "value", "before")


def cells(row: Row, say: Messages) -> tuple[str, str, str, str, str]:
    """One row as words: section, group, figure, this period, the period before."""
    fewer = say("report.fewer")
    before = shown(row.before, fewer) if row.before is not None else ""
    return (
        say(f"report.section.{row.section}"),
        row.group,
        say(f"report.figure.{row.figure}"),
        shown(row.now, fewer),
        before,
    )


def report_csv(report: Report, say: Messages) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([say(f"report.column.{c}") for c in COLUMNS])
    for row in report.rows:
        writer.writerow([_safe(cell) for cell in cells(row, say)])
    return out.getvalue().encode("utf-8")


def _safe(text: str) -> str:
    """Stop a spreadsheet reading a cell as a formula (a session title could start with =)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def report_html(report: Report, say: Messages, intro: str, png: bytes, alt: str) -> str:
    """A page that stands alone: the chart (inline, with its alt text) and every table."""
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(say('report.chart_title'))}</title>",
        "<style>body{font-family:sans-serif;max-width:60rem;margin:auto;padding:1rem}"
        "table{border-collapse:collapse;margin-bottom:1.5rem}"
        "th,td{border:1px solid #999;padding:.3rem .6rem;text-align:left}</style>",
        "</head><body>",
        f"<p>{html.escape(intro)}</p>",
        f'<img src="data:image/png;base64,{b64encode(png).decode()}" alt="{html.escape(alt)}">',
    ]
    head = "".join(f"<th>{html.escape(say(f'report.column.{c}'))}</th>" for c in COLUMNS[1:])
    for section, rows in groupby(report.rows, key=lambda r: r.section):
        parts.append(f"<h2>{html.escape(say(f'report.section.{section}'))}</h2>")
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
        for row in rows:
            tds = "".join(f"<td>{html.escape(c)}</td>" for c in cells(row, say)[1:])
            parts.append(f"<tr>{tds}</tr>")
        parts.append("</tbody></table>")
    parts.append(f"<p>{html.escape(say('report.privacy'))}</p></body></html>")
    return "\n".join(parts)
