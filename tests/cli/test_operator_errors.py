"""An operator who gets something wrong gets one plain sentence, never a traceback.

Each case runs through the `copbot` entry point; where the operating system's own answer
matters (permissions), copbot runs as a real process that obeys them.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Config
from bot.storage.db import open_db
from tests.cli.conftest import copbot


def config_for(folder: Path, database: str) -> None:
    (folder / "config.toml").write_text(f'[storage]\ndatabase = "{database}"\n', "utf-8")


def a_good_database(path: Path) -> Path:
    open_db(path).close()
    return path


def one_sentence(err: str, path: Path, *words: str) -> None:
    """The whole message is one line naming the file, with no traceback."""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert str(path.resolve()) in lines[0]
    for word in words:
        assert word in lines[0]


def spoil(scratch: Path, how: str) -> Path:
    good = a_good_database(scratch / "good.db")
    spoiled = scratch / f"{how}.db"
    data = good.read_bytes()
    if how == "truncated":
        spoiled.write_bytes(data[:4096])
    elif how == "corrupt":
        spoiled.write_bytes(data[:8192] + b"\xff" * 12288 + data[20480:])
    else:
        spoiled.write_text("Meeting notes, not a database\n", encoding="utf-8")
    return spoiled


@pytest.mark.parametrize(
    ("how", "words"),
    [
        ("truncated", ("damaged or cut short", "backup")),
        ("corrupt", ("damaged or cut short", "backup")),
        ("not-a-database", ("not a copbot database", "storage.database")),
    ],
)
@pytest.mark.parametrize("command", ["run", "check"])
def test_a_damaged_database_is_named_with_what_to_do(
    scratch: Path,
    capsys: pytest.CaptureFixture[str],
    how: str,
    words: tuple[str, ...],
    command: str,
) -> None:
    path = spoil(scratch, how)
    before = path.read_bytes()
    config_for(scratch, path.name)
    assert main([command]) == 1
    err = capsys.readouterr().err
    if command == "check":
        assert err.startswith("Problems found:")
        err = err.removeprefix("Problems found:").strip().removeprefix("- ")
    one_sentence(err, path, *words)
    assert path.read_bytes() == before


@pytest.mark.parametrize("command", ["run", "check"])
def test_a_read_only_database_is_named_with_what_to_do(scratch: Path, command: str) -> None:
    path = a_good_database(scratch / "copbot.db")
    path.chmod(0o444)
    config_for(scratch, "copbot.db")
    done = copbot(scratch, command)
    assert done.returncode == 1
    err = done.stderr.decode()
    if command == "check":
        err = err.removeprefix("Problems found:").strip().removeprefix("- ")
    one_sentence(err, path, "read-only", "permission to write")


@pytest.fixture
def locked_folder(scratch: Path) -> Iterator[Path]:
    folder = scratch / "data"
    folder.mkdir()
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


@pytest.mark.parametrize("command", ["run", "check"])
def test_a_database_in_a_folder_it_cannot_write_is_named(
    scratch: Path, locked_folder: Path, command: str
) -> None:
    config_for(scratch, "data/copbot.db")
    done = copbot(scratch, command)
    assert done.returncode == 1
    err = done.stderr.decode()
    if command == "check":
        err = err.removeprefix("Problems found:").strip().removeprefix("- ")
    one_sentence(err, locked_folder / "copbot.db", "cannot be opened", "folder")
    assert list(locked_folder.iterdir()) == []


def test_a_database_whose_folder_does_not_exist_is_named_by_check(
    scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_for(scratch, "nowhere/copbot.db")
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "nowhere" in err and "does not exist" in err and "Traceback" not in err
    assert not (scratch / "nowhere").exists()


def test_a_full_disk_is_named_with_what_to_do(
    scratch: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's page limit makes a real SQLITE_FULL, as a full disk would."""
    import bot.storage.db as db_module

    tune = db_module._tuned

    def with_no_room(conn: sqlite3.Connection, *, on_disk: bool) -> object:
        db = tune(conn, on_disk=on_disk)
        conn.execute("PRAGMA max_page_count = 3")
        return db

    monkeypatch.setattr(db_module, "_tuned", with_no_room)
    config_for(scratch, "copbot.db")
    assert main(["run"]) == 1
    one_sentence(capsys.readouterr().err, scratch / "copbot.db", "disk is full", "free some")


def test_a_healthy_database_passes_check(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = a_good_database(scratch / "copbot.db")
    before = path.read_bytes()
    config_for(scratch, "copbot.db")
    assert main(["check"]) == 0
    assert path.read_bytes() == before
    assert "Database:" in capsys.readouterr().out


def test_unknown_sections_and_keys_are_refused_with_the_likely_meaning(
    scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (scratch / "config.toml").write_text(
        '[comunity]\nname = "Leeds"\n[storage]\ndatabse = "x.db"\n'
        '[quiet_hours]\nstart = "19:00"\nweekend = false\n[colours]\nblue = 1\n',
        encoding="utf-8",
    )
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "unknown section 'comunity'; did you mean 'community'?" in err
    assert "unknown key 'storage.databse'; did you mean 'storage.database'?" in err
    assert "unknown key 'quiet_hours.weekend'; did you mean 'quiet_hours.weekends'?" in err
    assert "unknown section 'colours'" in err and "colours'; did you mean" not in err
    assert "quiet_hours.start" not in err


def test_the_shipped_example_has_no_unknown_keys(capsys: pytest.CaptureFixture[str]) -> None:
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    assert main(["check", "--config", str(example)]) in (0, 1)
    assert "unknown" not in capsys.readouterr().err


@pytest.mark.parametrize("name", ['""', '"   "'])
def test_an_empty_community_name_is_refused(
    scratch: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    (scratch / "config.toml").write_text(f"[community]\nname = {name}\n", encoding="utf-8")
    assert main(["check"]) == 1
    assert "community.name" in capsys.readouterr().err


def test_a_config_named_on_purpose_must_exist(
    scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--config", "missing.toml"]) == 1
    err = capsys.readouterr().err
    assert "missing.toml" in err and "no such file" in err
    assert main(["check"]) == 0, "the default config.toml may be absent"
    assert Config().community_name in capsys.readouterr().out


def test_export_with_nothing_to_export_shows_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["export"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "usage: copbot export" in err and "attendees" not in err.split("usage:")[0]


def test_a_damaged_database_in_a_real_process_leaves_no_traceback(scratch: Path) -> None:
    path = spoil(scratch, "truncated")
    config_for(scratch, path.name)
    for command in ("run", "check", "calendar"):
        done = copbot(scratch, command)
        assert done.returncode == 1, command
        assert b"Traceback" not in done.stderr and str(path).encode() in done.stderr


def test_the_shipped_content_copy_does_not_matter_to_database_errors(scratch: Path) -> None:
    shutil.copytree(Path(__file__).resolve().parents[2] / "content", scratch / "content")
    (scratch / "config.toml").write_text(
        '[content]\ndir = "content"\n[storage]\ndatabase = "bad.db"\n', encoding="utf-8"
    )
    (scratch / "bad.db").write_bytes(b"x" * 5000)
    done = copbot(scratch, "run")
    assert done.returncode == 1 and b"not a copbot database" in done.stderr


def test_an_output_file_in_a_missing_folder_is_one_sentence(
    scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["calendar", "--out", "no/such/folder/cop.ics"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no/such/folder/cop.ics" in err and "Traceback" not in err
