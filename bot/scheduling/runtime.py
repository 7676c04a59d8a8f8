"""The calendar running itself: APScheduler wakes the planner, the courier sends.

There is one job, and it holds no state: each tick asks the planner what fell due since the
last tick (a mark kept in the database), queues it in the ledger, and flushes the ledger. So
a restart, a crash or a change of plan needs no job bookkeeping: the next tick sees it.
After a command only the courier runs (`after_command`): what the command queued goes out at
once, and no command ever waits for planning.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.community import Community
from bot.domain.clock import FakeClock
from bot.frontend import FrontEnd
from bot.scheduling import unposted
from bot.scheduling.connect import make_due_round
from bot.scheduling.courier import Courier
from bot.scheduling.plan import Planned, Planner
from bot.scheduling.topup import top_up
from bot.scheduling.upkeep import Upkeep
from bot.storage.db import from_iso, utc_iso
from bot.storage.deliveries import Entry
from bot.storage.trouble import explain as explain_db

log = logging.getLogger(__name__)
MARK = "planned_until"
# A tick every second: a quiet one costs well under a millisecond (it plans only what fell
# due since the last), and a reminder, prompt or promotion leaves within a second of its time
# rather than up to half a minute late.
TICK_SECONDS = 1
DRAIN_SECONDS = 10.0  # how long a stopping bot waits for the sends already under way


class Runtime:
    """The clock of the delivery wing, for one front end: each tick has the planner queue
    what fell due since the last one, then the courier send it.

    Why a tick and a ledger rather than a timer per message: timers die with the process,
    while the ledger and the "planned up to here" mark survive it, so a restart picks up
    exactly where the last run stopped, and nothing is planned or sent twice."""

    def __init__(self, community: Community, adapter: FrontEnd) -> None:
        self.community = community
        self.planner = Planner(community)
        self.courier = Courier(community, adapter)
        self.upkeep = Upkeep(community)
        self._upkeep_task: asyncio.Task[int] | None = None
        self.scheduler: AsyncIOScheduler | None = None
        self._lock = asyncio.Lock()  # one planning pass at a time
        self._sending = asyncio.Lock()  # one flush of the ledger at a time
        self._taken_back = False
        self._queued_seen = 0  # the ledger's count of queued deliveries when the hook last sent

    def _take_back_once(self) -> None:
        """At the first tick, take back every claim another process left. Only one bot runs
        on a database (bot/storage/onebot.py), so a claim not made by this process's courier
        was left by one that died mid-send: its deliveries go out now, not minutes later."""
        if not self._taken_back:
            taken = self.community.deliveries.take_back(self.courier.claimer)
            if taken:
                log.warning("took back %d deliveries a stopped process had claimed", taken)
            self._taken_back = True

    async def tick(self) -> int:
        """Plan what fell due since the last tick and send it, the sending starting as soon
        as the first batch is queued; returns how many were sent.

        Once a day it also starts the upkeep (pruning the ledger, refreshing SQLite's
        statistics) as a task of its own.
        """
        async with self._lock:
            if self.courier.closing:
                return 0
            now = self.community.clock.now()
            self._take_back_once()
            top_up(self.community, now)
            make_due_round(self.community, now)
            early = _EarlySend(self.send_now)
            try:
                await self.plan(now, queued=early.start)
                sent = await self.send_now()
            finally:
                sent_early = await early.finished()
        self._start_upkeep(now)
        return sent + sent_early

    async def send_now(self) -> int:
        """Send what is due now, planning nothing: after a command, what it queued (a
        waitlist place, a change of plan) goes out without waiting for the planner."""
        async with self._sending:
            return await self.courier.flush()

    async def after_command(self) -> int:
        """What a front end's after-command hook runs: `send_now`, never taking the front
        end down (a database error is one line; the next tick tries again).

        A command that queued nothing (a listing, a look at one's places, a change that
        tells nobody) claims nothing: most commands are reads, and a claim is a write
        transaction. Nor does the courier's own marking of what it sent call for another
        run. What falls due with time alone is the tick's to send."""
        if not self.queued_since():
            return 0
        self._queued_seen = self.community.deliveries.queued
        return await self._safely(self.send_now())

    def queued_since(self) -> bool:
        """Whether anything was queued since the hook last sent: what a front end asks
        before it starts the hook at all."""
        return self.community.deliveries.queued != self._queued_seen

    def _start_upkeep(self, now: datetime) -> None:
        """Once a day, start the upkeep beside the ticks: a tick (or a command waiting on
        one) never waits for it, and it pauses for the loop between its short batches."""
        running = self._upkeep_task is not None and not self._upkeep_task.done()
        if not running and self.upkeep.due(now):
            self._upkeep_task = asyncio.get_running_loop().create_task(self._safe_upkeep(now))

    async def _safe_upkeep(self, now: datetime) -> int:
        try:
            return await self.upkeep.run_if_due(now)
        except Exception:
            log.exception("the daily upkeep failed; it runs again tomorrow")
            return 0

    async def upkept(self) -> int:
        """Wait for the upkeep the last tick started, if any; rows pruned (tests, rehearsals)."""
        task = self._upkeep_task
        return await task if task is not None else 0

    async def plan(self, now: datetime, queued: Callable[[], None] | None = None) -> int:
        """Queue every delivery that fell due in (mark, now]; the first run starts from now.

        Each batch is queued in one transaction, and the loop is let go between batches: a
        wave of thousands never holds the commands waiting behind it. `queued` is called
        after each batch (the tick starts sending then, not once the whole wave is queued).
        Until the mark moves, a crash mid-way only means the next tick plans the same window
        again (a key already queued is left alone)."""
        meta = self.community.meta
        mark = meta.get(MARK)
        start = from_iso(mark) if mark else now
        count = 0
        if start < now:
            for batch in self.planner.batches(start, now):
                self.community.deliveries.enqueue_many([self._entry(p, now) for p in batch])
                count += len(batch)
                if queued is not None:
                    queued()
                await asyncio.sleep(0)
        meta.set(MARK, utc_iso(now))
        return count

    def _entry(self, item: Planned, now: datetime) -> Entry:
        stale = item.due < now - self.community.config.grace
        return Entry(
            item.key,
            item.kind,
            item.due,
            member_id=item.member_id,
            session_id=item.session_id,
            channel="" if item.member_id else self.community.config.announce_channel,
            payload={"period": item.detail} if item.detail else {},
            status="missed" if stale else "pending",
            reason="due while the bot was not running, past the grace window" if stale else "",
        )

    async def start(self) -> None:
        """Start ticking on the running loop (APScheduler 3 must start inside it)."""
        if self.community.meta.get(MARK) is None:
            self.community.meta.set(MARK, utc_iso(self.community.clock.now()))
        # The channel may have been put right while the bot was down: try once more.
        unposted.retry(self.community)
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.scheduler.add_job(
            self._safe_tick,
            "interval",
            seconds=TICK_SECONDS,
            id="tick",
            misfire_grace_time=TICK_SECONDS,
            coalesce=True,
            max_instances=1,
        )
        self.scheduler.start()
        await self._first_tick(self.tick())

    async def _safe_tick(self) -> None:
        """A tick that never takes the front end down: the next one tries again. While a
        long tick is still sending a wave, the scheduler's next call returns at once: the
        running tick plans again when it ends, and nothing queues up behind it."""
        if self._lock.locked():
            return
        await self._safely(self.tick())

    async def begin(self) -> None:
        """Start ticking on a real clock; on a simulated one (a rehearsal) tick once: its
        time moves only when the person at the console moves it."""
        if isinstance(self.community.clock, FakeClock):
            await self._first_tick(self._safe_tick())
        else:
            await self.start()

    @staticmethod
    async def _first_tick(tick: Coroutine[Any, Any, object]) -> None:
        """The first tick, as a task of its own: a stop that cancels the caller (SIGTERM,
        Ctrl-C) lets its sends finish and be marked (see drain) rather than cutting one off
        half-sent, to be sent again, unsure, at the next start."""
        await asyncio.shield(asyncio.get_running_loop().create_task(tick))

    async def advance_safely(self, until: datetime) -> int:
        """`advance`, with a database error logged in one line (the console carries on)."""
        return await self._safely(self.advance(until))

    async def _safely(self, work: Awaitable[int]) -> int:
        """Run `work`; a database error (a full disk, a file gone read-only) is one line
        naming the file and what to do; anything else keeps its traceback for whoever
        debugs it. Either way the front end carries on and the next tick tries again."""
        try:
            return await work
        except sqlite3.Error as err:
            problem = explain_db(self.community.config.database, err)
            log.error("%s (the bot carries on; the next tick tries again)", problem)
        except Exception:
            log.exception("tick failed")
        return 0

    async def advance(self, until: datetime, step: timedelta = timedelta(minutes=10)) -> int:
        """Move a simulated clock forward in steps, ticking at each, as real time would."""
        clock = self.community.clock
        if not isinstance(clock, FakeClock):
            raise TypeError("only a simulated clock can be moved")
        sent = 0
        while clock.now() < until:
            clock.set(min(clock.now() + step, until))
            sent += await self.tick()
            await self.upkept()
        return sent

    async def drain(self, within: float = DRAIN_SECONDS) -> None:
        """Stop as systemd or a container asks (SIGTERM): claim nothing more, let the sends
        already under way finish and be marked (for at most `within` seconds), and give
        every other claim back, so the next start sends the rest at once.

        A send still unfinished after `within` is cut off when the bot exits; its claim is
        taken back as unsure at the next start, which looks before sending it again."""
        self.courier.closing = True
        self.stop()
        try:
            async with asyncio.timeout(within), self._lock, self._sending:
                pass  # the tick and any after-command send have finished
        except TimeoutError:
            log.warning("stopping with sends still under way after %.0f s", within)

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        if self._upkeep_task is not None:
            self._upkeep_task.cancel()


class _EarlySend:
    """The courier started while a tick is still planning, once the first batch is queued.

    A 10,000-member wave takes ~0.3 s to plan; sending only once all of it was queued held
    the first reminder back that long (under 100 ms only when a member's command happened
    to set the courier off meanwhile). Started once: if it catches up with the planning and
    stops, the tick's own send after planning takes the rest."""

    def __init__(self, send: Callable[[], Coroutine[Any, Any, int]]) -> None:
        self._send = send
        self._task: asyncio.Task[int] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._send())

    async def finished(self) -> int:
        """How many it sent, once it is done (0 if it never started)."""
        return await self._task if self._task is not None else 0
