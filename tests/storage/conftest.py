"""Keeping the database healthy over years: indexes, backups, and the ledger kept small."""

from __future__ import annotations

from tests.core.conftest import app, clock, run  # noqa: F401  (the same fixtures here)
