"""The three objectives of the Community of Practice, in one place.

Prompts, resources and members' commands all talk about DEVELOP, CONNECT and INFLUENCE;
keeping the names here means a typo is caught once, the same way everywhere.
"""

from __future__ import annotations

from bot.domain.errors import BadInput

OBJECTIVES: tuple[str, ...] = ("DEVELOP", "CONNECT", "INFLUENCE")


def parse_objective(text: str) -> str:
    """Turn what a member typed ("develop", " Connect ") into a canonical objective name.

    Members should not have to remember capital letters, so case and surrounding spaces are
    forgiven; anything else is refused with ``objective.bad`` so the reply can list the choices.
    """
    candidate = text.strip().upper()
    if candidate not in OBJECTIVES:
        raise BadInput("objective.bad", text=text)
    return candidate
