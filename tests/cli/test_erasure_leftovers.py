"""After forget-me, nothing a member typed is left in the database file, its log, or exports.

Deleting rows is not enough: FTS5 keeps a deleted document's words in its index pages
until a merge, freed pages keep their old bytes unless secure_delete is on, and the
write-ahead log keeps earlier copies of every page it wrote.
"""

from __future__ import annotations

import io
from pathlib import Path

from bot.app import App, run_console
from bot.config import Config
from bot.domain.clock import FakeClock
from tests.helpers import NOW

MARKER = "Quillfeatherzz"
LINK = "https://www.gov.uk/government/publications/working-definition-of-trauma-informed-practice"

SCRIPT = f"""\
/as alice
suggest {LINK} DEVELOP {MARKER} circle notes
suggest {LINK}?b DEVELOP Reading list from {MARKER} group
reflect {MARKER} was on my mind this week
mydata
/as organiser
reject s2 Thank you, we have this one already
/as bob
suggest {LINK}?c CONNECT Bob's own pick
/as alice
forget-me confirm
"""


def raw_bytes(database: Path) -> bytes:
    """The database file and any write-ahead log beside it, as a disk image would hold."""
    found = b""
    for suffix in ("", "-wal", "-journal"):
        part = database.with_name(database.name + suffix)
        if part.exists():
            found += part.read_bytes()
    return found


async def test_forget_me_leaves_no_trace_in_the_file_the_log_or_the_exports(
    tmp_path: Path,
) -> None:
    database = tmp_path / "copbot.db"
    app = App.build(Config(database=database), FakeClock(NOW))
    try:
        out = io.StringIO()
        await run_console(app, io.StringIO(SCRIPT), out)
        text = out.getvalue()
        assert "Everything I held about you has been erased" in text, text
        assert MARKER in text  # the member did type it, and saw it
        image = raw_bytes(database)
        for form in (MARKER, MARKER.lower(), MARKER.upper()):
            assert form.encode() not in image, f"{form!r} is still in the database file"
        assert b"Bob's own pick" in image, "another member's suggestion is kept"
        assert app.community.library.search("trauma informed", None, 5), "search still works"
        assert "-alice/my-copbot-data.json)" in text, "mydata saved alice's file"
        exports = tmp_path / "exports"
        assert not list(exports.glob("*-alice")), "alice's saved files are still there"
    finally:
        app.close()
    image = raw_bytes(database)
    assert MARKER.lower().encode() not in image.lower()


def test_every_connection_overwrites_what_it_deletes(tmp_path: Path) -> None:
    app = App.build(Config(database=tmp_path / "copbot.db"), FakeClock(NOW))
    try:
        assert app.community.db.execute("PRAGMA secure_delete").fetchone()[0] == 1
    finally:
        app.close()
