"""The outcome loop's tests share the core tests' app, clock and console helpers."""

from tests.core.conftest import app, clock, member, run  # noqa: F401
