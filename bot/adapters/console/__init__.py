"""The console front end: a terminal, the default with no tokens, and the rehearsal room."""

from bot.adapters.console.adapter import ConsoleAdapter
from bot.adapters.console.exports import ExportFolder
from bot.adapters.console.text import clean, render

__all__ = ["ConsoleAdapter", "ExportFolder", "clean", "render"]
