"""Loggers for bolt and the Socket Mode client: one line per event, no needless warnings.

The SDK logs a dropped socket or a failed reconnect with `logger.exception`, a full
traceback every few seconds while Slack is away, and Slack's answer spread over lines; its
message already names the error, so the traceback is dropped and the message kept on one
line. bolt warns "As you gave `client` as well,
`token` will be unused" whenever SLACK_BOT_TOKEN is in the environment, because it reads
that variable itself even when given a client built from the same token: nothing is wrong,
so that one warning is not shown.
"""

from __future__ import annotations

import logging

CLIENT_GIVEN = "As you gave `client` as well, `token` will be unused"


class OneLine(logging.Filter):
    """Keeps a record's message, on one line, and drops its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = " ".join(record.getMessage().split())
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


class NoClientNotice(logging.Filter):
    """Drops bolt's notice that the environment's token is unused (it is the same token)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(CLIENT_GIVEN)


def _with(name: str, *filters: logging.Filter) -> logging.Logger:
    logger = logging.getLogger(name)
    for found in filters:
        if not any(type(f) is type(found) for f in logger.filters):
            logger.addFilter(found)
    return logger


def bolt_logger() -> logging.Logger:
    """The logger bolt's app logs through (listeners' errors, and that notice)."""
    return _with("bot.adapters.slack.bolt", NoClientNotice())


def socket_logger() -> logging.Logger:
    """The logger the Socket Mode client logs through: drops and reconnects, a line each."""
    return _with("bot.adapters.slack.socket", OneLine())
