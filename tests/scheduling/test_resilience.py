"""A restart, a crash (a real SIGKILL) and downtime: nothing sent twice, nothing stale flooded.

The ledger claims a key before sending and marks it after, so the only delivery that can go
out twice is one the process had sent but not yet marked when it died (documented in
bot/storage/deliveries.py). Only one bot runs on a database, so the next one to start takes
back every claim it did not make, at its first tick.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain.context import Reply
from bot.scheduling.runtime import MARK
from bot.storage.db import utc_iso
from bot.storage.members import Member
from tests.scheduling.conftest import Recorder, World, Worlds, local

REPO = Path(__file__).resolve().parents[2]
WAVE_DUE = local("2026-12-02 14:00")  # the 1-day reminders for a session on 3 December


class Crash(BaseException):
    """The process dying mid-wave: not an error the courier could catch and record."""


@dataclass
class CrashingRecorder(Recorder):
    crash_after: int = 10**9

    async def send_to_member(self, member: Member, reply: Reply) -> None:
        if len(self.sent) >= self.crash_after:
            raise Crash()
        await super().send_to_member(member, reply)


def crowd(world: World, count: int) -> tuple[int, list[str]]:
    """A session on Thursday 3 December at 14:00 with `count` members confirmed."""
    session = world.schedule('"Circle" 2026-12-03 14:00 90m CONNECT none Civic Hall')
    names = [f"member{i:02d}" for i in range(count)]
    for name in names:
        world.run(name, f"signup {session}")
    return session, names


def reminder_rows(world: World) -> list[dict]:
    return [r for r in world.ledger("reminder") if ":1d:" in r["key"]]


async def test_a_restart_mid_wave_sends_each_key_once(worlds: Worlds) -> None:
    first = await worlds(platform=CrashingRecorder)
    assert isinstance(first.platform, CrashingRecorder)
    _, names = crowd(first, 20)
    await first.advance(WAVE_DUE - timedelta(minutes=10))
    first.platform.sent.clear()
    first.platform.crash_after = 7

    with pytest.raises(Crash):
        await first.advance(WAVE_DUE)
    before = [s.to for s in first.platform.sent]
    assert len(before) == 7
    statuses = Counter(r["status"] for r in reminder_rows(first))
    assert statuses == {"sent": 7, "claimed": 13}
    # Worse still, say the planner's mark was lost too: the next process plans the wave again.
    first.community.meta.set(MARK, utc_iso(WAVE_DUE - timedelta(minutes=10)))
    first.app.close()

    # A new process on the same file, straight away: its first tick takes the dead one's
    # claims back and sends the rest, once each.
    second = await worlds(start=WAVE_DUE, db="t.db")
    after = [s.to for s in second.platform.sent]
    assert sorted(before + after) == sorted(names)
    assert {r["status"] for r in reminder_rows(second)} == {"sent"}
    assert "missed" not in second.community.deliveries.counts()
    # Later ticks send nothing more for this wave.
    await second.advance(local("2026-12-02 18:00"))
    assert [s.to for s in second.platform.sent] == after


SLOW_SENDER = """
import asyncio, sys
from datetime import datetime
from pathlib import Path

from bot.app import App
from bot.config import Config
from bot.domain.clock import FakeClock
from bot.frontend import AfterCommand, Capabilities, Pacing
from bot.scheduling.runtime import Runtime

database, log, moment = sys.argv[1:4]


class SlowPlatform:
    platform = "test"
    capabilities, after_command = Capabilities(), AfterCommand()
    pacing = Pacing(overall=0.04)  # a pace, so the wave takes a while with sends overlapping

    def __init__(self):
        self.log = open(log, "a", buffering=1)  # one write(2) per line

    async def send_to_member(self, member, reply):
        await asyncio.sleep(0.04)
        self.log.write(member.display_name + "\\n")

    async def post(self, channel, reply, session_id=None):
        await asyncio.sleep(0.04)
        self.log.write("#" + channel + "\\n")


async def main():
    app = App.build(Config(database=Path(database)), FakeClock(datetime.fromisoformat(moment)))
    print("ready", flush=True)
    await Runtime(app.community, SlowPlatform()).tick()
    print("finished", flush=True)


asyncio.run(main())
"""


def wait_for_lines(path: Path, count: int, process: subprocess.Popen, limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= count:
            return
        if process.poll() is not None:
            raise AssertionError(f"the sender ended early: {process.stderr.read()}")  # type: ignore[union-attr]
        time.sleep(0.01)
    raise AssertionError(f"fewer than {count} sends after {limit} s")


async def test_a_sigkill_mid_wave_loses_nothing_and_repeats_at_most_the_send_in_flight(
    worlds: Worlds, tmp_path: Path
) -> None:
    setup = await worlds()
    _, names = crowd(setup, 30)
    await setup.advance(WAVE_DUE - timedelta(minutes=10))
    setup.app.close()
    log = tmp_path / "sent.log"
    moment = WAVE_DUE + timedelta(minutes=1)

    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_SENDER, str(setup.path), str(log), moment.isoformat()],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_lines(log, 10, process, limit=8.0)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=5)
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]
    assert process.returncode == -signal.SIGKILL, "the wave finished before the kill"
    before = log.read_text().splitlines()
    assert 10 <= len(before) < len(names)

    # Back in this process, on the same file, seconds later: the dead process's claims are
    # taken back at the first tick.
    later = await worlds(start=moment + timedelta(seconds=5), db="t.db")
    rows = reminder_rows(later)
    after = [s.to for s in later.platform.sent]
    counts = Counter(before + after)
    assert set(counts) == set(names), "every member was reminded"
    twice = sorted(name for name, n in counts.items() if n > 1)
    assert len(twice) <= 1, twice  # at most the one in flight when the process died
    assert all(n <= 2 for n in counts.values())
    for name in twice:  # ... which the dead process had sent but not yet marked
        assert before[-1] == name
    assert len(rows) == len(names)
    assert {r["status"] for r in rows} == {"sent"}
    assert not {"missed", "claimed", "pending"} & set(later.community.deliveries.counts())


async def test_three_hours_down_sends_the_recent_late_and_records_the_stale_as_missed(
    world: World,
) -> None:
    sessions = {
        "A": world.schedule('"Friday early" 2026-12-04 09:30 60m CONNECT 20 Hall'),
        "B": world.schedule('"Friday late" 2026-12-04 11:00 60m CONNECT 20 Hall'),
        "C": world.schedule('"Thursday lunch" 2026-12-03 11:45 60m CONNECT 20 Hall'),
        "D": world.schedule('"Thursday afternoon" 2026-12-03 12:50 60m CONNECT 20 Hall'),
    }
    alice = world.member("alice")
    for session in sessions.values():
        world.run("alice", f"signup {session}")
    await world.advance(local("2026-12-03 09:00"))
    world.platform.sent.clear()

    # The bot is down from 09:00 to 12:00; then one tick.
    world.clock.set(local("2026-12-03 12:00"))
    await world.runtime.tick()

    def row(key: str) -> tuple[str, str]:
        found = world.ledger(key=key)[0]
        return found["status"], found["reason"]

    a, b, c, d = (sessions[k] for k in "ABCD")
    me = alice.id
    # Due at 09:30, two and a half hours ago: past the 2-hour grace window, never sent.
    status, reason = row(f"reminder:{a}:{me}:1d:20261204T0930Z")
    assert status == "missed" and "grace" in reason
    # Due at 11:00, an hour ago: sent, and recorded as late.
    assert row(f"reminder:{b}:{me}:1d:20261204T1100Z") == ("late", "")
    # Due at 10:45, within the grace window, but the session began at 11:45: missed.
    assert row(f"reminder:{c}:{me}:1h:20261203T1145Z") == (
        "missed",
        "the session had already started",
    )
    # The 'starting in 15 minutes' post for it would be wrong now, too.
    assert row(f"soon:{c}:20261203T1145Z")[0] == "missed"
    # Due at 11:50, ten minutes ago: simply sent.
    assert row(f"reminder:{d}:{me}:1h:20261203T1250Z") == ("sent", "")

    texts = [s.text for s in world.platform.sent]
    assert len(texts) == 2
    assert "#" + str(b) + " Friday late starts in" in texts[0]
    assert "#" + str(d) + " Thursday afternoon starts in" in texts[1]
    # And the planner carries on from now: nothing of the gap is planned again.
    await world.advance(local("2026-12-03 12:40"))
    assert len(world.platform.sent) == 3  # only D's 'starting soon' post at 12:35
    assert "Starting in 15 minutes: #" + str(d) in world.platform.sent[-1].text


async def test_a_claim_names_its_process_and_only_other_processes_claims_are_taken_back(
    world: World,
) -> None:
    ledger, now = world.community.deliveries, world.clock.now()
    for key in ("a", "b"):
        ledger.enqueue(key, "notice", now, channel="C1")
    [mine] = ledger.claim_due(now, 1, by="this-process")
    [theirs] = ledger.claim_due(now, 1, by="a-dead-process")
    assert (mine.claimed_by, theirs.claimed_by) == ("this-process", "a-dead-process")

    assert ledger.take_back("this-process") == 1

    kept, back = ledger.get(mine.key), ledger.get(theirs.key)
    assert kept is not None and (kept.status, kept.unsure) == ("claimed", False)
    assert back is not None and (back.status, back.unsure) == ("pending", True)
    assert back.due == theirs.due  # due now still: sent at the next flush
