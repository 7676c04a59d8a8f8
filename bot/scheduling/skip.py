"""The one way a message says it should not go out any more."""

from __future__ import annotations


class Skip(Exception):
    """This delivery should not go out any more; the reason is recorded in the ledger.

    Raised while checking or writing a message at send time (a place given up, a session
    cancelled, a member who turned that kind of message off), never for a failure to send."""
