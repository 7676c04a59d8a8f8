"""The secret in a member's calendar address: made unguessable, stored only as a hash.

The address is all a calendar app can send, so the token is the whole of the member's
protection: 32 random bytes, never logged, kept as SHA-256 so a copy of the database opens
nothing, and checked in constant time so response times say nothing about near misses.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

TOKEN_BYTES = 32
# token_urlsafe(32) gives 43 characters of the URL-safe base64 alphabet.
_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def looks_like_token(text: str) -> bool:
    """Cheap shape check first, so junk paths never reach the database."""
    return _SHAPE.fullmatch(text) is not None


def same_hash(stored: str, offered: str) -> bool:
    return hmac.compare_digest(stored.encode("ascii"), offered.encode("ascii"))
