"""The daily upkeep: prune the delivery ledger, let go of choice sets no place names, and
refresh SQLite's statistics.

It runs from the scheduler's tick, at most once in any 24 hours (the last run is kept in the
database, so restarts do not repeat it), and works in batches with a pause for the event loop
between them: a command arriving meanwhile waits for one batch at most, never for the job.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from bot.community import Community
from bot.storage.choice_sets import forget_unused
from bot.storage.db import from_iso, utc_iso
from bot.storage.retention import BATCH_ROWS, optimize, prune_batch

log = logging.getLogger(__name__)
LAST_RUN = "upkeep_last_run"
EVERY = timedelta(days=1)


class Upkeep:
    def __init__(self, community: Community, batch_rows: int = BATCH_ROWS) -> None:
        self.community = community
        self.batch_rows = batch_rows
        self.runs = 0
        self._busy = False

    def due(self, now: datetime) -> bool:
        last = self.community.meta.get(LAST_RUN)
        return not self._busy and (last is None or now - from_iso(last) >= EVERY)

    async def run_if_due(self, now: datetime) -> int:
        """Run the upkeep when a day has passed since the last run; returns rows pruned."""
        if not self.due(now):
            return 0
        self._busy = True
        try:
            self.community.meta.set(LAST_RUN, utc_iso(now))
            pruned = await self._prune(now)
            forget_unused(self.community.db)
            optimize(self.community.db)
            self.runs += 1
        finally:
            self._busy = False
        if pruned:
            log.info("upkeep: %d finished deliveries counted and let go", pruned)
        return pruned

    async def _prune(self, now: datetime) -> int:
        keep = self.community.config.keep_deliveries
        if keep is None:
            return 0
        pruned = 0
        while True:
            done = prune_batch(self.community.db, now - keep, self.batch_rows)
            pruned += done
            if done < self.batch_rows:
                return pruned
            await asyncio.sleep(0)  # let commands and sends run between batches
