"""The console's words on a terminal: a reply as plain text, safe to print, and reading a
line whatever its bytes."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import unicodedata
from typing import TextIO

from bot.domain.context import Reply


def clean(text: str) -> str:
    """Drop control characters (escape sequences could repaint a terminal)."""
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")


def render(reply: Reply) -> str:
    """A reply as plain text: the message, each card indented, buttons as the command to type."""
    lines = [clean(reply.text)]
    for item in reply.cards:
        lines.append("  " + clean(item.title))
        lines.extend("     " + clean(line) for line in item.lines)
        lines.extend(f"     [{clean(a.label)}: /cop {a.command}]" for a in item.actions)
    lines.extend(f"  [{clean(a.label)}: /cop {a.command}]" for a in reply.actions)
    if reply.footer:
        lines.append(clean(reply.footer))
    return "\n".join(lines)


def read_line(stream: TextIO) -> str | None:
    """The next line ('' at the end), or None when its bytes are not UTF-8.

    A terminal set to another encoding, or a file saved in one, would otherwise end the
    console with a decoding traceback; reading bytes and decoding here lets it say so kindly
    and carry on with the next line.
    """
    raw = getattr(stream, "buffer", None)
    if raw is None:
        return stream.readline()
    data = raw.readline()
    try:
        return str(data.decode("utf-8-sig"))  # a file saved by Notepad may begin with a BOM
    except UnicodeDecodeError:
        return None


async def next_line(loop: asyncio.AbstractEventLoop, stream: TextIO) -> str | None:
    """The next line (as `read_line`), read in a daemon thread: when the bot is stopped
    (SIGTERM, Ctrl-C) while a terminal waits for a line, the process can end without one;
    a thread of the default executor would hold the exit until Enter was pressed."""
    found: asyncio.Future[str | None] = loop.create_future()

    def settle(line: str | None, error: BaseException | None) -> None:
        if found.done():
            return
        if error is not None:
            found.set_exception(error)
        else:
            found.set_result(line)

    def read() -> None:
        try:
            line, error = read_line(stream), None
        except BaseException as err:  # handed to the waiting task, which raises it
            line, error = None, err
        with contextlib.suppress(RuntimeError):  # the loop closed while we waited
            loop.call_soon_threadsafe(settle, line, error)

    threading.Thread(target=read, name="console-input", daemon=True).start()
    return await found
