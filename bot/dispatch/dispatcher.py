"""One boundary between the front ends and the commands: parse, convert, check, run, answer.

Front ends hand over either a typed line (`/cop signup 3` on Slack or the console) or named
options (Discord). Either way, errors that a member caused come back as a kind, private
reply; anything unexpected is logged with a reference and answered with a short apology.
"""

from __future__ import annotations

import logging
import shlex
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.community import CommandContext, Community, NoticeQueue
from bot.dispatch.convert import convert, refuse_hidden
from bot.dispatch.registry import Command, Option, Registry
from bot.dispatch.shapes import continues, looks_like
from bot.domain.context import Actor, Reply
from bot.domain.errors import BadInput, CopError, NotAllowed, UnknownCommand

log = logging.getLogger(__name__)
MAX_LINE = 4000
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"'})


def is_planner(actor: Actor, community: Community) -> bool:
    """Planning-group membership, checked on every call (the config says how on each
    platform)."""
    group = community.config.planning_group
    return group.includes(actor.platform, actor.user_id, actor.roles)


def tokenize(line: str) -> list[str]:
    """Split a typed line into words, honouring double quotes (a phone's curly ones too).

    Only double quotes group words: an apostrophe, as in "Children's voices", is a letter.
    """
    if len(line) > MAX_LINE:
        raise BadInput("error.too_long", limit=str(MAX_LINE))
    refuse_hidden(line)
    line = line.translate(_QUOTES)
    if '"' not in line:
        return line.split()  # nothing quoted: plain words (the usual case, and quicker)
    lexer = shlex.shlex(line, posix=True)
    lexer.whitespace_split = True
    lexer.quotes = '"'
    lexer.escape = ""
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:
        raise BadInput("error.quotes") from None


class Dispatcher:
    """The one door every command comes through, whichever front end it arrived by: it parses,
    checks, runs the handler and turns any problem into a kind private reply, so every front
    end gets the same answers and none handles errors of its own."""

    def __init__(self, registry: Registry, community: Community, notices: NoticeQueue) -> None:
        self.registry = registry
        self.community = community
        # Handed in by the app: the queue lives in the delivery wing, a floor above.
        self.notices = notices

    def handle_line(self, actor: Actor, line: str) -> Reply:
        """Answer a typed `/cop ...` line (the `/cop` itself is optional)."""
        return self._guard(actor, lambda: self._run_line(actor, line))

    def handle(self, actor: Actor, name: str, options: dict[str, str]) -> Reply:
        """Answer a command whose options arrive already named (Discord, forms, buttons)."""
        return self._guard(actor, lambda: self._run_named(actor, name, options))

    def _run_line(self, actor: Actor, line: str) -> Reply:
        words = tokenize(line.strip())
        if words[:1] in (["/cop"], ["/cop-plan"]):  # Discord's words work everywhere
            words = words[1:]
        name = words[0].lower() if words else "help"
        command = self._command(name)
        named, positional = _split(words[1:], command)
        return self._run(actor, command, named, positional)

    def _run_named(self, actor: Actor, name: str, options: dict[str, str]) -> Reply:
        for value in (name, *options.values()):
            refuse_hidden(value)  # Discord's options and the forms, held to the typed rule
        command = self._command(name)
        return self._run(actor, command, {k: v for k, v in options.items() if v != ""}, [])

    def _command(self, name: str) -> Command:
        command = self.registry.get(name)
        if command is None:
            raise UnknownCommand(text=name)
        return command

    def _run(
        self, actor: Actor, command: Command, named: dict[str, str], positional: list[str]
    ) -> Reply:
        ctx = self._context(actor)
        if command.planners_only and not ctx.is_planner:
            raise NotAllowed(command=command.name)
        args = _bind(command, named, positional, ctx)
        reply = self._with_news(ctx, command.handler(ctx, **args))
        for finish in self.registry.finishers:
            reply = finish(ctx, command.name, reply)
        return reply

    def _with_news(self, ctx: CommandContext, reply: Reply) -> Reply:
        """Tell a member, once, that their direct messages could not be delivered."""
        before = ctx.member.preferences
        if not before.get("dm_blocked") or before.get("dm_blocked_told"):
            return reply
        members = self.community.members
        prefs = members.preferences(ctx.member.id)  # the command may have just changed them
        if not prefs.dm_blocked or prefs.dm_blocked_told:
            return reply
        members.save_preferences(ctx.member.id, replace(prefs, dm_blocked_told=True))
        note = self.community.messages("notice.dm_blocked")
        return replace(reply, footer=f"{reply.footer}\n{note}".strip())

    def _context(self, actor: Actor) -> CommandContext:
        """Who asked, and the calendar's marks as they asked: one read tells both whether
        the member is still as last read (another process may have changed them) and
        whether the shared listing still stands."""
        marks, now = self.community.sessions.calendar_mark(), self.community.clock.now()
        member = self.community.register(actor, others=marks[2], now=now)
        return CommandContext(
            self.community,
            actor,
            member,
            now,
            is_planner(actor, self.community),
            self.notices,
            marks,
        )

    def _guard(self, actor: Actor, run: Callable[[], Reply]) -> Reply:
        try:
            return run()
        except CopError as err:
            fields = tuple((k, str(v)) for k, v in err.fields.items())
            return Reply(self._explain(err), private=True, error=err.key, error_fields=fields)
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("command failed (reference %s)", ref)
            text = self.community.messages("error.unexpected", ref=ref)
            return Reply(text, private=True, error="error.unexpected", error_fields=(("ref", ref),))

    def _explain(self, err: CopError) -> str:
        """The error's own words, plus how the command is used when the member mistyped."""
        messages = self.community.messages
        fields = dict(err.fields)
        status = fields.pop("status_key", None)
        if isinstance(status, str):
            fields["status"] = messages(f"status.{status}")
        option = fields.get("option")
        if isinstance(option, str) and messages.has(f"option.{option}"):
            fields["option"] = messages(f"option.{option}")
        try:
            text = messages.lenient(err.key, fields)
        except KeyError:
            log.error("no usable template for error %s", err.key)
            text = messages("error.bad_input")
        command = err.fields.get("command")
        if isinstance(err, BadInput) and isinstance(command, str) and self.registry.get(command):
            text += "\n" + messages("help.usage_hint", usage=messages(f"help.{command}.usage"))
        return text


def _split(words: list[str], command: Command) -> tuple[dict[str, str], list[str]]:
    """Separate `name=value` words (for options the command has) from positional ones."""
    named: dict[str, str] = {}
    positional: list[str] = []
    takes_assignments = any(o.kind == "assignments" for o in command.options)
    for word in words:
        name, sep, value = word.partition("=")
        if sep and command.option(name.lower()) and not takes_assignments:
            named[name.lower()] = value
        else:
            positional.append(word)
    return named, positional


def _bind(
    command: Command, named: dict[str, str], positional: list[str], ctx: CommandContext
) -> dict[str, Any]:
    """Give each option its value: named ones first, then positional words in order."""
    zone, now = ctx.community.zone, ctx.now
    values: dict[str, Any] = {}
    for name, raw in named.items():
        option = command.option(name)
        if option is None:
            raise BadInput("error.unknown_option", option=name, command=command.name)
        values[name] = _convert(command, option, raw, ctx)
    words = list(positional)
    refused: dict[int, BadInput] = {}
    for option in (o for o in command.options if o.name not in named and not o.named_only):
        if not words:
            if option.required:
                raise BadInput("error.missing", option=option.name, command=command.name)
            continue
        taken = _take(command, option, words, now, zone, ctx, refused)
        if taken is not None:
            values[option.name], words = taken
    if words:
        # Words an optional option turned down: its own explanation helps more than "extra".
        raise refused.get(len(words)) or BadInput(
            "error.extra", text=" ".join(words), command=command.name
        )
    return values


# How many words an option may span when typed positionally; the longest reading wins.
WIDTHS = {"when": 4, "repeat": 10, "duration": 2}


def _take(
    command: Command,
    option: Option,
    words: list[str],
    now: Any,
    zone: Any,
    ctx: CommandContext,
    refused: dict[int, BadInput],
) -> tuple[Any, list[str]] | None:
    """Try the longest run of words this option accepts; None if an optional one accepts none."""
    if option.rest:
        # Assignments are split again by their handler, so keep each word's quoting intact.
        raw = shlex.join(words) if option.kind == "assignments" else " ".join(words)
        return _convert(command, option, raw, ctx), []
    widths: range | tuple[int, ...] = range(min(WIDTHS.get(option.kind, 1), len(words)), 0, -1)
    if option.kind == "duration" and words[0].isdigit():
        # A bare number here is the number of places; a length has its unit ("90m", "2 hours").
        if len(words) < 2 or words[1][:1].isdigit():
            return None
        widths = (2,)
    tried: list[BadInput] = []
    for width in widths:
        try:
            value = convert(option, " ".join(words[:width]), now, zone)
        except BadInput as err:
            tried.append(err)
            continue
        if not (tried and continues(option.kind, words[width:])):
            return value, words[width:]
        break  # "weekly x-1": the longer reading was meant, so say why it failed
    if not tried:
        return None
    error = _telling(tried)
    error.fields.setdefault("command", command.name)
    if option.required or looks_like(option.kind, words):
        raise error  # a "0" where places go is a mistake to explain, not part of the place
    refused.setdefault(len(words), error)
    return None


# Errors that only say "not understood"; any other names what was wrong, so it is preferred.
_VAGUE = frozenset({"when.unreadable", "repeat.bad"})


def _telling(tried: list[BadInput]) -> BadInput:
    """The most useful of the errors from the readings tried (longest first).

    "2026-11-24 14:00 60m" is unreadable as a whole but has passed as its first two words:
    the planner should hear that it has passed, about the shortest words that say so.
    """
    specific = [err for err in tried if err.key not in _VAGUE]
    return specific[-1] if specific else tried[0]


def _convert(command: Command, option: Option, raw: str, ctx: CommandContext) -> Any:
    try:
        return convert(option, raw, ctx.now, ctx.community.zone)
    except BadInput as err:
        err.fields.setdefault("command", command.name)
        raise
