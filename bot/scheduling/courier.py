"""Carries due deliveries from the ledger to the front end, marking each one as it goes.

It paces sends (the front end says how fast its platform allows), skips what no longer
applies, records what arrived too late to be useful as missed, and never sends a key twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import secrets
import socket
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.community import Community
from bot.domain.context import Reply
from bot.frontend import FrontEnd, Reached, SendFailed
from bot.scheduling import retries, unposted
from bot.scheduling.compose import Composer, Skip
from bot.scheduling.kinds import PLATFORM_WORK, kind_of
from bot.storage.db import immediate
from bot.storage.deliveries import Delivery
from bot.storage.members import Member
from bot.storage.sessions import Session

log = logging.getLogger(__name__)
LATE_AFTER = timedelta(minutes=15)
SEND_TIMEOUT = 30.0  # seconds without an answer before a send's outcome counts as unknown
FOUND_ALREADY = "found on the platform after a try whose outcome was unknown"
GROUP_SLICE = 100  # members checked (or claimed) between chances for the loop to serve others


class Pacer:
    """Keeps sends within a platform's pace: at most one per `per_target` seconds to the same
    place (a channel or a member), and at most one per `overall` seconds in all.

    Sends keep an even cadence, but one that woke late (the loop was busy) is not made up for
    by bunching the next ones: no second ever holds more than a second's worth of sends, as a
    platform counting sends in a window would answer that with a 429."""

    def __init__(self, per_target: float, overall: float = 0.0) -> None:
        self.per_target = per_target
        self.overall = overall
        self._next_any = 0.0
        self._next: dict[str, float] = {}
        self._recent: deque[float] = deque(maxlen=max(1, round(1 / overall)) if overall else 0)

    async def wait(self, target: str) -> None:
        now = time.monotonic()
        start = max(now, self._next_any, self._next.get(target, 0.0))
        self._next_any = start + self.overall
        self._next[target] = start + self.per_target
        await asyncio.sleep(start - now)
        if self._recent.maxlen:
            window = self._recent.maxlen * self.overall
            while len(self._recent) == self._recent.maxlen:
                early = self._recent[0] + window - time.monotonic()
                if early <= 0:
                    break
                await asyncio.sleep(early)
            self._recent.append(time.monotonic())


class _Sends:
    """The sends of one flush under way as tasks, at most `limit` at a time; counts those
    that went out."""

    def __init__(self, limit: int) -> None:
        self._room = asyncio.Semaphore(limit)
        self._tasks: set[asyncio.Task[int]] = set()
        self._sent = 0
        self._fatal: BaseException | None = None  # not an error to record: the end of us

    async def room(self) -> None:
        """Wait for a free place; the caller then starts a send, or gives the place back."""
        await self._room.acquire()
        if self._fatal is not None:
            raise self._fatal

    def done(self) -> None:
        self._room.release()

    def start(self, send: Coroutine[Any, Any, int]) -> None:
        task = asyncio.get_running_loop().create_task(send)
        self._tasks.add(task)
        task.add_done_callback(self._finished_one)

    def _finished_one(self, task: asyncio.Task[int]) -> None:
        self._tasks.discard(task)
        self._room.release()
        if task.cancelled():
            return
        error = task.exception()
        if error is not None and not isinstance(error, Exception):
            self._fatal = error  # raised in the flush, as it would have been without tasks
        elif error is not None:  # the delivery stays claimed; the next start takes it back
            log.error("a send failed outside the courier's care", exc_info=error)
        if error is not None:
            return
        self._sent += task.result()

    async def finished(self) -> int:
        """Wait for every send still under way; how many went out in all."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))
        if self._fatal is not None:
            raise self._fatal
        return self._sent


class Courier:
    """Takes what is due from the ledger and hands it to the front end, one key at a time.

    Why a separate courier: planning promises, sending is where the world pushes back (rate
    limits, refusals, outages). Keeping sends here means each is claimed before it goes and
    marked after (sent, late, missed, skipped, failed, or put back for a retry), paced for
    the platform, and written only at the last moment by the composer. What a kind of
    delivery needs (grouped in a session's thread, missed once its session started) comes
    from its row in the kinds table."""

    def __init__(self, community: Community, adapter: FrontEnd) -> None:
        self.community = community
        self.adapter = adapter
        self.capabilities = adapter.capabilities
        self.composer = Composer(community)
        # Written on every claim: the next process to start knows these were not its own.
        self.claimer = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.closing = False  # set when the bot is stopping: claim nothing, start nothing
        self.send_timeout = SEND_TIMEOUT
        # Sends under way at once: enough to keep to the pace over a slow round trip (20/s
        # at a 1 s round trip needs 20), few enough to bound what a crash leaves in doubt.
        self.max_in_flight = adapter.pacing.at_once
        self._turns: dict[int, asyncio.Lock] = {}  # by session: see _session_turn
        self.pacer = Pacer(adapter.pacing.per_target, adapter.pacing.overall)

    async def flush(self, slice_size: int = GROUP_SLICE) -> int:
        """Send everything that is due, however much; returns how many went out.

        Deliveries are claimed a slice at a time and claiming goes on while any are due, so
        no cap splits a wave across ticks. Each direct message or channel post is sent as a
        task of its own: many are in flight at once, each keeping to the pace (`Pacer`), so
        a wave takes what the platform's rate limit allows whatever the round trip. Only a
        slice is claimed ahead of the sends, so a crash leaves few claims in doubt.
        """
        sends = _Sends(self.max_in_flight)
        sent = 0
        together: dict[str, list[Delivery]] = {}
        shared: dict[str, list[Delivery]] = {}
        while not self.closing:
            batch = self.community.deliveries.claim_due(
                self.community.clock.now(), slice_size, by=self.claimer, unclaimed=PLATFORM_WORK
            )
            grouped, alone = await self._grouped(batch)
            conversations, alone = self._shared(alone)
            for name, part in grouped.items():  # a group is sent whole, once all is claimed
                together.setdefault(name, []).extend(part)
            for name, part in conversations.items():
                shared.setdefault(name, []).extend(part)
            for delivery in alone:
                if delivery.member_id is None:  # channel posts and syncs: few, in order
                    sent += await self._unless_closing([delivery], self._deliver_one)
                    continue
                await sends.room()
                if self.closing:  # hand back what was not started; the rest finish
                    self.community.deliveries.unclaim([delivery.key])
                    sends.done()
                    continue
                sends.start(self._deliver(delivery))
            if len(batch) < slice_size:
                break
            await asyncio.sleep(0)  # commands get the loop between slices
        for members_batch in together.values():
            sent += await self._unless_closing(members_batch, self._deliver_together)
        for conversation, group_batch in shared.items():
            deliver = functools.partial(self._deliver_shared, conversation)
            sent += await self._unless_closing(group_batch, deliver)
        sent += await sends.finished()
        self._turns.clear()
        return sent

    async def _deliver_one(self, batch: list[Delivery]) -> int:
        return await self._deliver(batch[0])

    async def _unless_closing(
        self, batch: list[Delivery], send: Callable[[list[Delivery]], Awaitable[int]]
    ) -> int:
        """Send, unless the bot is stopping: then hand the claims back untouched, so the
        next start sends them (a send already under way is left to finish)."""
        if self.closing:
            self.community.deliveries.unclaim([d.key for d in batch])
            return 0
        return await send(batch)

    async def _grouped(
        self, batch: list[Delivery]
    ) -> tuple[dict[str, list[Delivery]], list[Delivery]]:
        """Deliveries that travel as one post in the session's thread naming several members,
        grouped; everything else goes one by one. Each needs the member's choices read, so a
        wave of thousands gives the loop back between slices."""
        together: dict[str, list[Delivery]] = {}
        alone: list[Delivery] = []
        for n, delivery in enumerate(batch):
            if n and n % GROUP_SLICE == 0:
                await asyncio.sleep(0)
            group = self._thread_group(delivery)
            if group:
                together.setdefault(group, []).append(delivery)
            else:
                alone.append(delivery)
        return together, alone

    def _shared(self, batch: list[Delivery]) -> tuple[dict[str, list[Delivery]], list[Delivery]]:
        """Introductions that travel as one message in one private conversation with the
        group, by conversation, where the front end can bring several members together;
        everything else (and every introduction, where it cannot) goes one by one."""
        if not self.capabilities.shares_conversations:
            return {}, batch
        shared: dict[str, list[Delivery]] = {}
        alone: list[Delivery] = []
        for delivery in batch:
            conversation = kind_of(delivery.kind).conversation(delivery)
            if conversation:
                shared.setdefault(conversation, []).append(delivery)
            else:
                alone.append(delivery)
        return shared, alone

    def _thread_group(self, delivery: Delivery) -> str:
        """Where the platform prefers session threads to direct messages (Discord flags bots
        that DM many members) and the member has not chosen DMs, a reminder or a notice about
        their booking goes to the session's thread: one post for everyone due the same words
        (a reminder time, or a notice's text in their zone). Empty for a direct message."""
        if delivery.session_id is None or self._via(delivery) != "thread":
            return ""
        shared = kind_of(delivery.kind).shared_post(delivery)
        return f"{delivery.session_id}:{shared}" if shared else ""

    def _via(self, delivery: Delivery) -> str:
        if not self._threads_first() or delivery.member_id is None:
            return "dm"
        prefs = self.community.members.preferences(delivery.member_id)
        return prefs.via_on(self.capabilities.default_via)

    def _threads_first(self) -> bool:
        return self.capabilities.groups_by_thread

    def _check_reachable(self, member: Member) -> None:
        """A member known to refuse direct messages is not tried again (each refusal counts
        against the bot with the platform); they were told once, on their next command."""
        if self._threads_first() and self.community.members.preferences(member.id).dm_blocked:
            raise Skip("member does not accept direct messages")

    def _too_late(self, delivery: Delivery) -> str:
        """Why a delivery should be recorded as missed rather than sent, if it should. All is
        judged against the time it was first meant for, however often it was retried."""
        now, kind = self.community.clock.now(), kind_of(delivery.kind)
        first_try = delivery.attempts <= 1
        scheduled = kind.scheduled
        if scheduled and first_try and delivery.meant_for < now - self.community.config.grace:
            return "due while the bot was not running, past the grace window"
        session = None
        if delivery.session_id is not None and (scheduled or not first_try):
            session = self.community.sessions.get(delivery.session_id)
        if kind.before_session and session is not None and session.start <= now:
            return "the session had already started"
        if not first_try and now >= self._retry_until(delivery, session):
            rule = retries.rule_words(kind.retry)
            return f"could not be sent in time (tried {rule})"
        return ""

    def _retry_until(self, delivery: Delivery, session: Session | None) -> datetime:
        start = session.start if session is not None else None
        return retries.retry_until(
            kind_of(delivery.kind).retry, delivery.meant_for, start, self.community.zone
        )

    async def _deliver(self, delivery: Delivery) -> int:
        missed = self._too_late(delivery)
        if missed:
            self._mark(delivery, "missed", missed)
            return 0
        try:
            member = self._member(delivery)
            if kind_of(delivery.kind).route == "platform":
                await self._sync(delivery)
                return 0
            await self.pacer.wait(f"m{member.id}" if member else delivery.channel)
            if self.closing:  # the bot began stopping while this one waited its turn
                self.community.deliveries.unclaim([delivery.key])
                return 0
            # Written after the wait: a command may have changed the session meanwhile.
            reply = self.composer.compose(delivery, member, self.community.clock.now())
            reply = replace(reply, ledger_key=delivery.key)  # a label the platform keeps
            channel = delivery.channel or self.community.config.announce_channel
            if member is not None:
                self._check_reachable(member)
            if delivery.unsure and await self._arrived_before(delivery, member, channel):
                self._mark(delivery, self._arrival(delivery), FOUND_ALREADY)
                return 1
            async with self._in_time(delivery):
                if member is not None:
                    await self.adapter.send_to_member(member, self.composer.direct(reply))
                else:
                    await self.adapter.post(channel, reply, delivery.session_id)
        except Skip as skip:
            self._mark(delivery, "skipped", str(skip))
            return 0
        except SendFailed as failure:
            if failure.dms_closed and delivery.member_id is not None:
                self.community.members.note_dms_closed(delivery.member_id)
            if failure.dms_closed and self._thread_group(delivery):
                # Refused as a DM, but it can still reach them in the session's thread.
                return await self._deliver_together([delivery])
            self._failed(delivery, failure)
            return 0
        except Exception as error:
            self._failed(delivery, self._unexpected(delivery, error))
            return 0
        self._mark(delivery, self._arrival(delivery), "")
        return 1

    async def _arrived_before(
        self, delivery: Delivery, member: Member | None, channel: str
    ) -> bool:
        """After a try whose outcome is unknown (a timeout, a process that died mid-send),
        look on the platform for the message before sending it again, where the platform
        lets us (Slack: the ledger key in the message's metadata). A platform that cannot
        look (Discord refuses a repeat of the same nonce itself) says no."""
        if not self.capabilities.finds_deliveries:
            return False
        async with self._in_time(delivery):
            return await self.adapter.find_delivery(delivery.key, member, channel)

    @contextlib.asynccontextmanager
    async def _in_time(self, delivery: Delivery) -> AsyncIterator[None]:
        """A send (or a look) that has had no answer after `send_timeout` seconds is given
        up as one whose outcome is unknown: it may have arrived, so the next try looks
        first."""
        try:
            async with asyncio.timeout(self.send_timeout):
                yield
        except TimeoutError:
            raise SendFailed(
                f"no answer within {self.send_timeout:g} s; it may have arrived",
                permanent=False,
                unknown=True,
            ) from None

    async def _deliver_together(self, batch: list[Delivery]) -> int:
        """One message for many members, sent in as many posts as the platform needs; each
        member is marked as their post lands or fails, never all on one post's fate."""
        async with self._session_turn(batch[0].session_id):
            return await self._post_together(batch)

    def _session_turn(self, session_id: int | None) -> asyncio.Lock:
        """One at a time for what may make a session's thread or private room on the
        platform (sends run side by side; two of these at once would make two rooms)."""
        return self._turns.setdefault(session_id or 0, asyncio.Lock())

    async def _post_together(self, batch: list[Delivery]) -> int:
        wanted = await self._still_wanted(batch)
        if not wanted:
            return 0
        first, someone = next(iter(wanted.values()))
        # Written after the wait: a command may have cancelled the session meanwhile.
        await self.pacer.wait(f"thread:{first.session_id}")
        reply = self._written(wanted, first, lambda: self._shared_reply(first, someone))
        if reply is None:
            return 0
        members = [member for _, member in wanted.values()]
        session_id = first.session_id or 0  # never 0: only a session's deliveries group
        send_together = self.adapter.send_together
        return await self._send_reporting(
            wanted, first, lambda report: send_together(members, reply, session_id, report)
        )

    async def _deliver_shared(self, conversation: str, batch: list[Delivery]) -> int:
        """A CONNECT group's introduction: one message, in one private conversation with
        everyone in the group still to be introduced, naming all who still want it. The
        rest of the group is claimed first, so nobody's part is sent apart later."""
        now = self.community.clock.now()
        known = {d.key for d in batch}
        batch += [
            d
            for d in self.community.deliveries.claim_starting(conversation, now, self.claimer)
            if d.key not in known
        ]
        wanted = await self._still_wanted(batch)
        if not wanted:
            return 0
        first, _ = next(iter(wanted.values()))
        await self.pacer.wait(conversation)
        # Written after the wait: someone may have paused or stopped meanwhile.
        written = self._written(wanted, first, lambda: self.composer.introduce_together(first))
        if written is None:
            return 0
        # Labelled with the conversation, which a retry shares: a platform that can tell a
        # repeat (Discord's nonce) does not post the introduction twice, and one that can
        # look for it (Slack) does so after a try whose outcome was unknown.
        reply = replace(self.composer.direct(written), ledger_key=conversation)
        members = [member for _, member in wanted.values()]
        unsure = any(delivery.unsure for delivery, _ in wanted.values())

        async def send(report: Reached) -> None:
            left = members
            if unsure and self.capabilities.finds_deliveries:
                async with self._in_time(first):
                    found = await self.adapter.find_shared(conversation, members)
                report([m for m in members if m.id in found], None, FOUND_ALREADY)
                left = [m for m in members if m.id not in found]
            if left:
                async with self._in_time(first):
                    await self.adapter.send_to_members(conversation, left, reply, report)

        return await self._send_reporting(wanted, first, send)

    def _written(
        self,
        wanted: dict[int, tuple[Delivery, Member]],
        first: Delivery,
        write: Callable[[], Reply],
    ) -> Reply | None:
        """A group's one message; None, with each member marked, if it no longer applies."""
        try:
            return write()
        except Skip as skip:
            for delivery, _ in wanted.values():
                self._mark(delivery, "skipped", str(skip))
        except Exception as error:
            failure = self._unexpected(first, error)
            for delivery, _ in wanted.values():
                self._failed(delivery, failure)
        return None

    async def _send_reporting(
        self,
        wanted: dict[int, tuple[Delivery, Member]],
        first: Delivery,
        send: Callable[[Reached], Awaitable[None]],
    ) -> int:
        """Run a send that reports its members as each part lands or fails, marking each
        in the ledger then, never all on one part's fate; how many were reached."""
        done: dict[int, bool] = {}

        def report(reached: list[Member], failure: SendFailed | None, note: str) -> None:
            with immediate(self.community.db):  # a part's members, marked together
                for member in reached:
                    if member.id not in wanted or member.id in done:
                        continue
                    delivery = wanted[member.id][0]
                    done[member.id] = failure is None
                    if failure is None:
                        self._mark(delivery, self._arrival(delivery), note)
                        continue
                    if failure.dms_closed:  # a front end's DM in place of a shared post
                        self.community.members.note_dms_closed(member.id)
                    self._failed(delivery, failure)

        try:
            await send(report)
        except Exception as error:
            trouble = error if isinstance(error, SendFailed) else self._unexpected(first, error)
            report([m for _, m in wanted.values() if m.id not in done], trouble, "")
        return sum(done.values())

    async def _still_wanted(self, batch: list[Delivery]) -> dict[int, tuple[Delivery, Member]]:
        """The deliveries of a group still to send, by member; the rest are marked. A group
        can be thousands strong, so the loop lets others run between slices."""
        wanted: dict[int, tuple[Delivery, Member]] = {}
        now = self.community.clock.now()
        for n, delivery in enumerate(batch):
            if n and n % GROUP_SLICE == 0:
                await asyncio.sleep(0)
            missed = self._too_late(delivery)
            if missed:
                self._mark(delivery, "missed", missed)
                continue
            try:
                member = self._member(delivery)
                assert member is not None
                self.composer.check(delivery, member, now)
                wanted[member.id] = (delivery, member)
            except Skip as skip:
                self._mark(delivery, "skipped", str(skip))
            except Exception as error:
                self._failed(delivery, self._unexpected(delivery, error))
        return wanted

    def _shared_reply(self, delivery: Delivery, member: Member) -> Reply:
        """One post read by everyone it names shows the community's time, not the zone of
        whoever happened to be first."""
        shared = replace(member, timezone=self.community.config.timezone)
        return self.composer.compose(delivery, shared, self.community.clock.now())

    def _member(self, delivery: Delivery) -> Member | None:
        if delivery.member_id is None:
            return None
        member = self.community.members.get(delivery.member_id)
        if member is None:
            raise Skip("member no longer registered")
        return member

    async def _sync(self, delivery: Delivery) -> None:
        """Bring a platform's copy of a session up to date: its event, or (for a change of
        places) who is in its private thread."""
        async with self._session_turn(delivery.session_id):
            await self._sync_now(delivery)

    async def _sync_now(self, delivery: Delivery) -> None:
        if delivery.payload.get("what") == "leave":
            await self._leave(delivery)
            return
        places = delivery.payload.get("what") == "places"
        able = self.capabilities.syncs_places if places else self.capabilities.mirrors_sessions
        if not able or delivery.session_id is None:
            self._mark(delivery, "skipped", "nothing to mirror on this platform")
            return
        if not places:
            await self.adapter.sync_session(delivery.session_id)
            self._mark(delivery, "sent", "")
            return
        # A booking names the member whose place changed; once they are in or out, the
        # ledger forgets who it was (an older row names nobody: everyone is brought in step).
        member_id = delivery.payload.get("member")
        await self.adapter.sync_places(delivery.session_id, member_id)
        self._mark(delivery, "sent", "", scrub=member_id is not None)

    async def _leave(self, delivery: Delivery) -> None:
        """Take an erased member out of a private room; then forget who they were."""
        able = self.capabilities.leaves_rooms
        if able:
            room, user = str(delivery.payload["room"]), str(delivery.payload["user"])
            await self.adapter.leave_room(room, user)
        self._mark(delivery, "sent" if able else "skipped", "", scrub=True)

    def _arrival(self, delivery: Delivery) -> str:
        late = delivery.meant_for < self.community.clock.now() - LATE_AFTER
        return "late" if late and kind_of(delivery.kind).scheduled else "sent"

    def _mark(self, delivery: Delivery, status: str, reason: str, *, scrub: bool = False) -> None:
        now, tries = self.community.clock.now(), delivery.attempts
        self.community.deliveries.mark(
            delivery.key, status, now, reason, attempts=tries, scrub=scrub
        )

    def _unexpected(self, delivery: Delivery, error: Exception) -> SendFailed:
        """A bug (ours or a library's) while sending one delivery: retried like a transient
        failure, then recorded, so it never stalls the rest of the wave behind it."""
        log.error("delivery %s raised %s", delivery.key, type(error).__name__, exc_info=error)
        return SendFailed(f"unexpected error: {type(error).__name__}", permanent=False)

    def _failed(self, delivery: Delivery, failure: SendFailed) -> None:
        """A permanent failure is recorded; any other is tried again, backing off, for as
        long as the delivery still means something (bot/scheduling/retries.py). The time it
        was first meant for is kept: late and missed are judged against that."""
        ledger, now = self.community.deliveries, self.community.clock.now()
        log.warning("delivery %s failed: %s", delivery.key, failure.reason)
        if failure.permanent:
            ledger.mark(delivery.key, "failed", now, failure.reason, attempts=delivery.attempts)
            unposted.tell_planner(self.community, delivery, failure.reason)
            return
        wait = retries.next_wait(delivery.attempts, failure.retry_after)
        session = self.community.sessions.get(delivery.session_id or 0)
        # A last try at the deadline itself finds it passed and records the delivery missed.
        again = min(now + wait, max(now, self._retry_until(delivery, session)))
        ledger.release(
            delivery.key, again, failure.reason, attempts=delivery.attempts, unsure=failure.unknown
        )
