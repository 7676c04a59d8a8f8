"""The `copbot` command line: run the bot, check the setup, write the calendar, export lists."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sqlite3
import sys
import threading
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import DEFAULT_CONFIG, Config, load_config
from bot.domain.clock import FakeClock
from bot.domain.errors import ConfigError, ContentError
from bot.frontend import SetupError
from bot.report.cli import add_report_command, write_report
from bot.storage.onebot import AlreadyRunning, DatabaseLock
from bot.storage.trouble import explain as explain_db

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from bot.app import App


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
        path, named = _config_path(args.config)
        config = load_config(path, must_exist=named)
    except ConfigError as err:
        return _problems("Your configuration needs attention:", err.problems)
    try:
        return int(args.func(config, args))
    except ConfigError as err:
        return _problems("Please check the command line:", err.problems)
    except ContentError as err:
        return _problems("The content files need attention:", err.problems)
    except sqlite3.Error as err:
        print(explain_db(config.database, err), file=sys.stderr)
        return 1
    except AlreadyRunning as err:
        print(err, file=sys.stderr)
        return 1
    except OSError as err:
        if not err.filename:
            raise
        # A file the operator named (--out) in a folder that is missing or not theirs.
        print(f"copbot could not use {err.filename}: {err.strerror or err}.", file=sys.stderr)
        return 1


def _config_path(given: str | None) -> tuple[Path, bool]:
    """The file to read, and whether it must exist: only the default may be absent."""
    return (Path(given), True) if given is not None else (Path(DEFAULT_CONFIG), False)


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
        default=None,
        metavar="PATH",
        help="configuration file (default: config.toml, or built-in defaults when there is "
        "none; a file named here must exist)",
    )
    common.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_run(sub, common)
    _add_backup(sub, common)
    check = sub.add_parser(
        "check",
        parents=[common],
        help="validate the configuration and content; show what would run when",
    )
    check.set_defaults(func=_check)
    manifest = sub.add_parser(
        "slack-manifest",
        parents=[common],
        help="print the Slack app manifest to create the app from",
    )
    manifest.add_argument(
        "--request-url",
        default="",
        help="for HTTP mode: the public URL Slack should send events to",
    )
    manifest.set_defaults(func=_slack_manifest)
    invite = sub.add_parser(
        "discord-invite",
        parents=[common],
        help="print the link that adds the bot to a Discord server",
    )
    invite.add_argument(
        "--application-id",
        default="",
        help="the Discord application id (else the config or DISCORD_APPLICATION_ID)",
    )
    invite.set_defaults(func=_discord_invite)
    cal = sub.add_parser("calendar", parents=[common], help="write the calendar as an .ics file")
    cal.add_argument("--out", default="copbot.ics", help="where to write it (default copbot.ics)")
    cal.set_defaults(func=_calendar)
    add_report_command(sub, common).set_defaults(func=_report)  # see bot/report/cli.py
    export = sub.add_parser("export", parents=[common], help="export data as CSV")
    what = export.add_subparsers(title="what", metavar="WHAT", required=True)
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
        "--http",
        action="store_true",
        help="Slack only: receive events over signed HTTP instead of Socket Mode",
    )
    run.add_argument("--port", type=int, default=3000, help="the port for --http (default 3000)")
    run.add_argument(
        "--simulated-clock",
        metavar="WHEN",
        default=None,
        help="rehearse on the console with a simulated clock starting at WHEN (e.g. "
        "2026-12-01T09:00, community time); move it with /clock +1d. A rehearsal works on "
        "an in-memory copy of the database and always uses the console, even when Slack "
        "or Discord is configured (where Discord's /cop-plan commands work too): nothing "
        "reaches members or the live calendar",
    )
    run.set_defaults(func=_run)


def _run(config: Config, args: argparse.Namespace) -> int:
    from bot.app import App, choose_platform

    clock = _simulated_clock(args.simulated_clock, config)
    platform = choose_platform(config, console=bool(args.console or clock))
    # A rehearsal works on a copy in memory and sends nothing: it needs no lock.
    lock = _one_bot(config) if clock is None else None
    try:
        app = App.build(config) if clock is None else App.rehearse(config, clock)
        try:
            asyncio.run(_front_end(app, platform, args))
        except SetupError as err:
            return _problems(f"copbot could not start on {platform}:", [str(err)])
        except (KeyboardInterrupt, asyncio.CancelledError):
            pass  # stopped by a signal, after the sends under way were finished
        finally:
            app.close()
    finally:
        if lock is not None:
            lock.release()
    return 0


def _one_bot(config: Config) -> DatabaseLock | None:
    """The database's lock, held until the bot stops; raises AlreadyRunning if it is taken."""
    if str(config.database) == ":memory:":
        return None
    lock = DatabaseLock(Path(config.database))
    lock.acquire()
    return lock


async def _front_end(app: App, platform: str, args: argparse.Namespace) -> None:
    """The chosen front end, with the calendar pages beside it when configured: on the front
    end's own port where it serves HTTP, else on a server of their own in the same loop."""
    from bot.app import RunOptions
    from bot.web.server import WebSite

    _stop_on_signals()
    options = RunOptions(http=args.http, port=getattr(args, "port", 3000))
    site = WebSite(app.community) if app.config.web.enabled else None
    shared = site is not None and app.shares_port(platform, options)
    if site is not None and shared:
        options = replace(options, routes=site.shared_routes)
    elif site is not None:
        await site.start()
        print(f"Calendar links and pages: {app.config.web.address}", file=sys.stderr, flush=True)
    try:
        await app.run(platform, options)
    finally:
        if site is not None and not shared:
            await site.stop()


def _stop_on_signals() -> None:
    """SIGTERM (systemd, a container stopping) and SIGINT (Ctrl-C) stop the bot cleanly: the
    running front end is cancelled, and on its way out the runtime lets the sends under
    way finish and be marked (bot/scheduling/runtime.py, drain). A second signal while
    that is happening cuts it short."""
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread receives signals (tests run the CLI in a thread)
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    assert main is not None

    def stop(name: str) -> None:
        log.warning("%s: stopping once the messages on their way have gone", name)
        main.cancel()

    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stop, signal.Signals(number).name)


def _simulated_clock(text: str | None, config: Config) -> FakeClock | None:
    if text is None:
        return None
    try:
        start = datetime.fromisoformat(text)
    except ValueError:
        problem = f"--simulated-clock: found {text!r}, expected e.g. 2026-12-01T09:00"
        raise ConfigError([problem]) from None
    return FakeClock(start if start.tzinfo else start.replace(tzinfo=config.zone))


def _slack_manifest(config: Config, args: argparse.Namespace) -> int:
    from bot.adapters.slack.manifest import slack_manifest
    from commands import build_registry

    print(slack_manifest(config, build_registry(), args.request_url))
    return 0


def _discord_invite(config: Config, args: argparse.Namespace) -> int:
    import os

    from bot.adapters.discord_.invite import discord_invite_url

    app_id = (
        args.application_id
        or config.discord_application_id
        or os.environ.get("DISCORD_APPLICATION_ID", "")
    )
    if not app_id.isdigit():
        print(
            "Please give the Discord application id (a number from the Developer Portal): "
            "--application-id, discord.application_id in the config, or "
            "DISCORD_APPLICATION_ID.",
            file=sys.stderr,
        )
        return 1
    print(discord_invite_url(app_id, config.discord_events, bool(config.discord_event_channel)))
    return 0


def _check(config: Config, args: argparse.Namespace) -> int:
    from bot.checkup import checkup

    report, problems = checkup(config)
    print(report)
    if problems:
        return _problems("Problems found:", problems)
    return 0


def _calendar(config: Config, args: argparse.Namespace) -> int:
    from bot.app import App
    from bot.calendar.ical import calendar_ics

    app = App.build(config)
    community = app.community
    sessions = community.sessions.upcoming(community.clock.now(), 10_000, include_cancelled=True)
    content = calendar_ics(sessions, config.community_name, community.zone, community.clock.now())
    Path(args.out).write_bytes(content)
    live = sum(not s.cancelled for s in sessions)
    print(f"Wrote {live} session(s) to {args.out}, plus {len(sessions) - live} cancelled")
    app.close()
    return 0


def _report(config: Config, args: argparse.Namespace) -> int:
    from bot.app import App

    app = App.build(config)
    try:
        return write_report(app.community, args)
    finally:
        app.close()


def _export_attendees(config: Config, args: argparse.Namespace) -> int:
    from bot.app import App
    from bot.calendar.attendees import attendees_csv

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
    present = community.outcomes.attendance.present(session.id)
    members = community.members.many([*(p.member_id for p in places), *present])
    data = attendees_csv(session, places, members, community.zone, present)
    if args.out == "-":
        sys.stdout.write(data.decode())
    else:
        Path(args.out).write_bytes(data)
        print(f"Wrote {len(places)} attendee(s) of session {session.id} to {args.out}")
    app.close()
    return 0


def _add_backup(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    backup = sub.add_parser(
        "backup",
        parents=[common],
        help="copy the database to PATH, safely while the bot runs, and check the copy",
    )
    backup.add_argument(
        "path", metavar="PATH", help="the file to write, or a folder for a dated file"
    )
    backup.set_defaults(func=_backup)


def _backup(config: Config, args: argparse.Namespace) -> int:
    """A checked copy of the live database; one sentence either way, exit 1 on failure."""
    from bot.domain.clock import SystemClock
    from bot.storage.backup import BackupError, backup_to

    try:
        made = backup_to(Path(config.database), Path(args.path), SystemClock().now())
    except BackupError as err:
        print(f"No backup was made. {err}", file=sys.stderr)
        return 1
    print(f"Backed up {config.database} to {made.path} ({made.size:,} bytes, checked whole).")
    return 0
