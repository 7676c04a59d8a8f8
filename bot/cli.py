"""The `copbot` command line: run the bot, check the setup, write the calendar, export lists."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import datetime
from pathlib import Path

from bot.config import Config, load_config
from bot.domain.clock import FakeClock
from bot.errors import ConfigError, ContentError


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        config = load_config(Path(args.config))
    except ConfigError as err:
        return _problems("Your configuration needs attention:", err.problems)
    try:
        return int(args.func(config, args))
    except ConfigError as err:
        return _problems("Please check the command line:", err.problems)
    except ContentError as err:
        return _problems("The content files need attention:", err.problems)


def _problems(title: str, problems: list[str]) -> int:
    print(title, file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="copbot", description="A chat bot that runs a Community of Practice."
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        default="config.toml",
        metavar="PATH",
        help="configuration file (default: config.toml; built-in defaults when it does not exist)",
    )
    common.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_run(sub, common)
    check = sub.add_parser(
        "check",
        parents=[common],
        help="validate the configuration and content; show what would run when",
    )
    check.set_defaults(func=_check)
    cal = sub.add_parser("calendar", parents=[common], help="write the calendar as an .ics file")
    cal.add_argument("--out", default="copbot.ics", help="where to write it (default copbot.ics)")
    cal.set_defaults(func=_calendar)
    export = sub.add_parser("export", parents=[common], help="export data as CSV")
    what = export.add_subparsers(title="what", metavar="WHAT")
    attendees = what.add_parser(
        "attendees", parents=[common], help="the attendee list of a session, as CSV"
    )
    attendees.add_argument("session", type=int, help="the session number")
    attendees.add_argument("--out", default="-", help="file to write (default: the screen)")
    attendees.set_defaults(func=_export_attendees)
    return parser


def _add_run(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    run = sub.add_parser("run", parents=[common], help="start the bot")
    run.add_argument(
        "--console",
        action="store_true",
        help="use the console even when a Slack or Discord token is set",
    )
    run.add_argument(
        "--simulated-clock",
        metavar="WHEN",
        default=None,
        help="rehearse with a simulated clock starting at WHEN (e.g. "
        "2026-12-01T09:00, community time); move it with /clock +1d",
    )
    run.set_defaults(func=_run)


def _run(config: Config, args: argparse.Namespace) -> int:
    from bot.app import App, run_console

    platform = "console" if args.console else config.chosen_platform()
    if platform != "console":
        print(
            f"The {platform} front end is not available in this version; "
            "starting the console instead.",
            file=sys.stderr,
        )
    clock = _simulated_clock(args.simulated_clock, config)
    app = App.build(config, clock)
    try:
        asyncio.run(run_console(app))
    except KeyboardInterrupt:
        pass
    finally:
        app.close()
    return 0


def _simulated_clock(text: str | None, config: Config) -> FakeClock | None:
    if text is None:
        return None
    try:
        start = datetime.fromisoformat(text)
    except ValueError:
        problem = f"--simulated-clock: found {text!r}, expected e.g. 2026-12-01T09:00"
        raise ConfigError([problem]) from None
    return FakeClock(start if start.tzinfo else start.replace(tzinfo=config.zone))


def _check(config: Config, args: argparse.Namespace) -> int:
    from bot.checkup import checkup

    report, problems = checkup(config)
    print(report)
    if problems:
        return _problems("Problems found:", problems)
    return 0


def _calendar(config: Config, args: argparse.Namespace) -> int:
    from bot.app import App
    from bot.ical import calendar_ics

    app = App.build(config)
    community = app.community
    sessions = community.sessions.upcoming(community.clock.now(), 10_000)
    content = calendar_ics(sessions, config.community_name, community.zone, community.clock.now())
    Path(args.out).write_bytes(content)
    print(f"Wrote {len(sessions)} session(s) to {args.out}")
    app.close()
    return 0


def _export_attendees(config: Config, args: argparse.Namespace) -> int:
    from bot.app import App
    from bot.export import attendees_csv

    app = App.build(config)
    community = app.community
    session = community.sessions.get(args.session)
    if session is None:
        print(
            f"There is no session {args.session}. `copbot calendar` lists them all.",
            file=sys.stderr,
        )
        return 1
    places = community.signups.attendees(session.id)
    data = attendees_csv(session, places, community.members, community.zone)
    if args.out == "-":
        sys.stdout.write(data.decode())
    else:
        Path(args.out).write_bytes(data)
        print(f"Wrote {len(places)} attendee(s) of session {session.id} to {args.out}")
    app.close()
    return 0
