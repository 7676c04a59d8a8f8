"""The one runner: a front end with the calendar ticking beside it, until it closes.

Every front end (the console, Slack, Discord) runs the same way: it starts, the runtime
starts (APScheduler ticking in the same loop, or on a simulated clock one tick), and each
answered command has the courier send what the command queued, at once, without planning.
It runs until cancelled or until the front end closes: the console when the person leaves,
a platform only when its connection ends for good (raised as SetupError, saying why).

Once started, what start-up built (the imported libraries, the platform client, the
content) lives as long as the process, so it is frozen out of Python's garbage collector
(`gc.freeze`): each full collection then walks only what was made since, instead of every
object in the process again, which paused a rush of commands for ~80 ms at a time. And the
youngest generation is collected after 10,000 new objects rather than 700: each of those
collections walks every request still in flight, so during a rush of a thousand commands
they cost ~30-60 ms of CPU, and ~5 ms at the larger size. Cycles made while serving are
still collected; stopping puts both back as they were.

While it serves, the database's write-ahead log is checkpointed by a thread of its own
(`bot/storage/checkpoints.py`), not inside whichever command's commit filled it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from bot.frontend import FrontEnd
from bot.scheduling.runtime import Runtime
from bot.storage.checkpoints import checkpoints_beside


async def serve(front_end: FrontEnd, runtime: Runtime) -> None:
    """Start `front_end`, then the runtime; run until either closes or this is cancelled."""
    front_end.after_command.connect(runtime.after_command, wanted=runtime.queued_since)
    await front_end.start()
    try:
        await runtime.begin()
        with collector_for_serving(), checkpoints_beside(runtime.community.db):
            await front_end.wait_closed()
    finally:
        # Stopping (SIGTERM cancels this task): the sends under way finish and are marked.
        await runtime.drain()
        await front_end.stop()


YOUNG_OBJECTS = 10_000  # new objects before the youngest generation is collected (Python: 700)


@contextmanager
def collector_for_serving() -> Iterator[None]:
    """Python's garbage collector set for a long-running server (see the module's notes),
    and put back as it was afterwards."""
    gc.collect()
    gc.freeze()
    threshold = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
