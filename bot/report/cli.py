"""`copbot report`: the planning group's report written to files, for a board paper.

    copbot report --since 2026-09-01 --csv report.csv --png chart.png --html report.html

Heavy imports (matplotlib) wait until the command runs, so the rest of the CLI starts fast.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time
from pathlib import Path

from bot.community import Community


def add_report_command(
    sub: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> argparse.ArgumentParser:
    """The `report` subcommand's options; the command line opens the community and calls
    `write_report` with it."""
    report = sub.add_parser(
        "report",
        parents=[common],
        help="the planning group's report since a date: printed, and as CSV, PNG or HTML files",
    )
    report.add_argument(
        "--since", required=True, type=date.fromisoformat, help="first day, e.g. 2026-09-01"
    )
    report.add_argument("--csv", type=Path, help="write every figure as CSV")
    report.add_argument("--png", type=Path, help="write the chart as a PNG")
    report.add_argument("--html", type=Path, help="write a page with the chart and every table")
    return report


def write_report(community: Community, args: argparse.Namespace) -> int:
    """Print the report since `args.since` and write the files asked for."""
    from bot.report.outputs import report_csv, report_html
    from bot.report.run import line, make_report

    now = community.clock.now()
    start = datetime.combine(args.since, time(0), tzinfo=community.zone)
    if start >= now:
        print(
            f"{args.since} is not in the past: give the first day to count from.",
            file=sys.stderr,
        )
        return 1
    made = make_report(community, start, now)
    say = community.messages
    print(made.intro)
    for row in made.report.rows:
        if row.section != "per_session":
            group = f"{row.group}: " if row.group else ""
            print(f"  [{say(f'report.section.{row.section}')}] {group}{line(row, community)}")
    print(say("report.privacy"))
    written = {
        args.csv: lambda: report_csv(made.report, say),
        args.png: lambda: made.png,
        args.html: lambda: report_html(made.report, say, made.intro, made.png, made.alt).encode(),
    }
    for path, content in written.items():
        if path is not None:
            path.write_bytes(content())
            print(f"Wrote {path}")
    return 0
