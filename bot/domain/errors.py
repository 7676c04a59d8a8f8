"""The errors a member can cause, rooted in one base class.

Domain code raises these; only the dispatcher turns them into kind, private replies,
using the message template named by ``key`` (see ``content/messages.toml``).
"""

from __future__ import annotations


class CopError(Exception):
    """Something the member should hear about, politely, in their own words' terms.

    ``key`` names a template in ``content/messages.toml``; ``fields`` fill its placeholders.
    """

    key = "error.generic"

    def __init__(self, key: str | None = None, **fields: object) -> None:
        if key is not None:
            self.key = key
        self.fields = fields
        super().__init__(self.key)


class BadInput(CopError):
    """The member typed something we could not use; nothing was changed."""

    key = "error.bad_input"


class UnknownCommand(CopError):
    key = "error.unknown_command"


class NotAllowed(CopError):
    key = "error.not_allowed"


class UnknownSession(CopError):
    key = "error.unknown_session"


class SessionClosed(CopError):
    """The session is cancelled or already over, so it takes no signups."""

    key = "error.session_closed"


class AlreadySignedUp(CopError):
    key = "signup.already"


class NotSignedUp(CopError):
    key = "cancel.not_signed_up"


class ContentError(Exception):
    """Content files that fail validation; carries every problem found, not just the first."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class ConfigError(Exception):
    """A configuration problem, already phrased to name the file, key, found and expected."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))
