"""A member's right to see and erase their data, answered by every store that holds it."""

from __future__ import annotations

from typing import Any, Protocol


class HoldsMemberData(Protocol):
    def export(self, member_id: int) -> dict[str, Any]: ...

    def delete(self, member_id: int) -> int: ...


class Privacy:
    """Asks every registered store in turn; a store that forgets its duty fails a test."""

    def __init__(self, stores: list[HoldsMemberData]) -> None:
        self.stores = stores

    def export(self, member_id: int) -> dict[str, Any]:
        held: dict[str, Any] = {}
        for store in self.stores:
            held.update(store.export(member_id))
        return held

    def erase(self, member_id: int) -> int:
        """Delete in reverse order so rows that point at the member go before the member."""
        return sum(store.delete(member_id) for store in reversed(self.stores))
