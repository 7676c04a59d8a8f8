"""Carries due deliveries from the ledger to the front end, marking each one as it goes."""

from __future__ import annotations

import logging

from bot.adapters.base import Adapter, SendFailed
from bot.community import Community
from bot.storage.deliveries import Delivery, reply_from_payload

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


class Courier:
    def __init__(self, community: Community, adapter: Adapter) -> None:
        self.community = community
        self.adapter = adapter

    async def flush(self, limit: int = 100) -> int:
        """Send what is due now; returns how many were sent."""
        ledger = self.community.deliveries
        sent = 0
        for delivery in ledger.claim_due(self.community.clock.now(), limit):
            sent += await self._deliver(delivery)
        return sent

    async def _deliver(self, delivery: Delivery) -> int:
        ledger, now = self.community.deliveries, self.community.clock.now()
        reply = reply_from_payload(delivery.payload)
        try:
            if delivery.member_id is not None:
                member = self.community.members.get(delivery.member_id)
                if member is None:
                    ledger.mark(delivery.key, "failed", now, "member no longer registered")
                    return 0
                await self.adapter.send_to_member(member, reply)
            else:
                await self.adapter.post(delivery.channel, reply)
        except SendFailed as failure:
            self._failed(delivery, failure)
            return 0
        ledger.mark(delivery.key, "sent", self.community.clock.now())
        return 1

    def _failed(self, delivery: Delivery, failure: SendFailed) -> None:
        ledger, now = self.community.deliveries, self.community.clock.now()
        log.warning("delivery %s failed: %s", delivery.key, failure.reason)
        if failure.permanent or delivery.attempts >= MAX_ATTEMPTS:
            ledger.mark(delivery.key, "failed", now, failure.reason)
        else:
            from datetime import timedelta

            wait = timedelta(seconds=failure.retry_after or 30 * 2**delivery.attempts)
            ledger.release(delivery.key, now + wait, failure.reason)
