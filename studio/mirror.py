"""Colab: keep live data on the local disk, mirror it to Google Drive, restore it after a reset.

SQLite's WAL and atomic renames fail on the Drive mount, so the workspace database is copied with
SQLite's online backup API (a consistent snapshot while the app writes) and files are copied to a
temporary name and then renamed. Completed checkpoints and adapters are copied once they exist.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import time
from pathlib import Path

DRIVE_ROOT = Path("/content/drive/MyDrive")
MIRROR_NAME = "fine-tuning-studio"
SKIP_DIRS = {"tmp", "cache", "leases", "gradio"}


def drive_mirror_dir(drive_root: Path | None = None) -> Path | None:
    """The Drive folder mirroring the data root, when Drive is mounted (``STUDIO_MIRROR`` overrides)."""
    explicit = os.environ.get("STUDIO_MIRROR")
    if explicit:
        return Path(explicit)
    root = drive_root or DRIVE_ROOT
    return root / MIRROR_NAME if root.is_dir() else None


def _copy_file(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".partial")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def backup_db(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".partial")
    tmp.unlink(missing_ok=True)
    with sqlite3.connect(str(src)) as source, sqlite3.connect(str(tmp)) as target:
        source.backup(target)
    os.replace(tmp, dst)


def _complete(path: Path) -> bool:
    """A checkpoint folder is complete once it has its weights (written to a temp name, then renamed)."""
    return not path.name.startswith(".") and not path.name.endswith((".tmp", ".partial"))


def mirror_tree(root: Path, mirror: Path) -> int:
    """Copy what changed under the data root to the mirror; returns the number of files copied."""
    copied = 0
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and _complete(Path(d))]
        for name in filenames:
            src = Path(dirpath) / name
            if name.endswith(("-wal", "-shm", ".tmp", ".partial")) or name.startswith("."):
                continue
            dst = mirror / rel / name
            if name.endswith(".db"):
                try:
                    if dst.exists() and dst.stat().st_mtime >= max(src.stat().st_mtime, _wal_mtime(src)):
                        continue
                    backup_db(src, dst)
                    copied += 1
                except sqlite3.Error:
                    continue
                continue
            try:
                st = src.stat()
                if dst.exists() and dst.stat().st_size == st.st_size and dst.stat().st_mtime >= st.st_mtime:
                    continue
                _copy_file(src, dst)
                copied += 1
            except OSError:
                continue
    return copied


def _wal_mtime(db: Path) -> float:
    wal = db.with_name(db.name + "-wal")
    return wal.stat().st_mtime if wal.exists() else 0.0


def restore_tree(mirror: Path, root: Path) -> int:
    """After a Colab reset: bring back every workspace, checkpoint and adapter missing locally."""
    if not mirror.is_dir():
        return 0
    restored = 0
    for dirpath, _dirnames, filenames in os.walk(mirror):
        rel = Path(dirpath).relative_to(mirror)
        for name in filenames:
            if name.endswith(".partial"):
                continue
            dst = root / rel / name
            if not dst.exists():
                _copy_file(Path(dirpath) / name, dst)
                restored += 1
    return restored


class MirrorThread(threading.Thread):
    """Mirrors the data root every ``interval`` seconds while the app runs."""

    def __init__(self, root: Path, mirror: Path, interval: float = 30.0):
        super().__init__(daemon=True, name="studio-mirror")
        self.root, self.mirror, self.interval = root, mirror, interval
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                mirror_tree(self.root, self.mirror)
            except Exception:  # noqa: BLE001 - mirroring must never take the app down
                time.sleep(self.interval)

    def stop(self) -> None:
        self._stop.set()
