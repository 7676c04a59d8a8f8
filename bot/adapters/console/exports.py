"""Files the console saves for members: a privacy store like any other."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.domain.context import Attachment
from bot.storage.members import Member


class ExportFolder:
    """Files the console saved for each member (their data, a calendar, a list), by member.

    Each member's files live in their own folder, named by member number first, so erasing a
    member can remove exactly their files: it is a privacy store like any other.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, member: Member, attachment: Attachment) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_-]+", "-", member.display_name).strip("-")[:40]
        folder = self.root / f"{member.id}-{safe or 'member'}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / Path(attachment.filename).name
        path.write_bytes(attachment.content)
        return path

    def _files(self, member_id: int) -> list[Path]:
        if not self.root.is_dir():
            return []
        folders = [f for f in self.root.glob(f"{member_id}-*") if f.is_dir()]
        return sorted(path for folder in folders for path in folder.iterdir() if path.is_file())

    def export(self, member_id: int) -> dict[str, Any]:
        return {"saved_files": [str(path) for path in self._files(member_id)]}

    def delete(self, member_id: int) -> int:
        files = self._files(member_id)
        for path in files:
            path.unlink(missing_ok=True)
        for folder in {path.parent for path in files}:
            if not any(folder.iterdir()):
                folder.rmdir()
        return len(files)
