"""The one runner: a front end with the calendar ticking beside it, until it closes.

Every front end (the console, Slack, Discord) runs the same way: it starts, the runtime
starts (APScheduler ticking in the same loop, or on a simulated clock one tick), and each
answered command has the courier send what the command queued, at once, without planning.
It runs until cancelled or until the front end closes: the console when the person leaves,
a platform only when its connection ends for good (raised as SetupError, saying why).
"""

from __future__ import annotations

from bot.frontend import FrontEnd
from bot.scheduling.runtime import Runtime


async def serve(front_end: FrontEnd, runtime: Runtime) -> None:
    """Start `front_end`, then the runtime; run until either closes or this is cancelled."""
    front_end.after_command.connect(runtime.after_command)
    await front_end.start()
    try:
        await runtime.begin()
        await front_end.wait_closed()
    finally:
        # Stopping (SIGTERM cancels this task): the sends under way finish and are marked.
        await runtime.drain()
        await front_end.stop()
