"""Checkpoints of a run: written under a staging name and renamed when complete, listed, mirrored, resumed.

``RUN_DIR/checkpoints/checkpoint-N/`` only ever holds a complete checkpoint: the trainer writes it into
``checkpoints/.staging/checkpoint-N`` and renames it at the end, with ``studio_complete.json`` inside. A worker
killed while saving leaves only the staging folder, which is ignored and cleared on the next start.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

STAGING = ".staging"
COMPLETE = "studio_complete.json"
_NAME = re.compile(r"^checkpoint-(\d+)$")


def checkpoints_dir(run_dir: Path) -> Path:
    return Path(run_dir) / "checkpoints"


def list_checkpoints(run_dir: Path) -> list[dict]:
    """Complete checkpoints, oldest first: ``{"step", "path", "saved_at"}``."""
    base = checkpoints_dir(run_dir)
    out = []
    if not base.is_dir():
        return out
    for child in base.iterdir():
        m = _NAME.match(child.name)
        if not m or not child.is_dir():
            continue
        marker = child / COMPLETE
        if not marker.is_file() or not (child / "trainer_state.json").is_file():
            continue
        try:
            info = json.loads(marker.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        out.append({"step": int(m.group(1)), "path": str(child), "saved_at": info.get("saved_at")})
    return sorted(out, key=lambda c: c["step"])


def last_checkpoint(run_dir: Path) -> dict | None:
    found = list_checkpoints(run_dir)
    return found[-1] if found else None


def clear_staging(run_dir: Path) -> None:
    shutil.rmtree(checkpoints_dir(run_dir) / STAGING, ignore_errors=True)


def finalize(staged: Path, final_root: Path, step: int) -> Path:
    """Mark a fully written checkpoint complete and move it into place (one rename)."""
    (staged / COMPLETE).write_text(json.dumps({"step": step, "saved_at": time.time()}))
    target = final_root / staged.name
    if target.exists():
        shutil.rmtree(target)
    os.replace(staged, target)
    return target


def rotate(run_dir: Path, keep: int) -> list[str]:
    """Delete the oldest complete checkpoints beyond ``keep``."""
    found = list_checkpoints(run_dir)
    removed = []
    for ck in found[: max(0, len(found) - keep)]:
        shutil.rmtree(ck["path"], ignore_errors=True)
        removed.append(ck["path"])
    return removed


def mirror(checkpoint: Path, mirror_dir: str | Path, run_name: str, keep: int = 2) -> Path | None:
    """Copy a completed checkpoint to ``mirror_dir/run_name/`` (Colab: the mounted Drive), also via a temp name."""
    if not mirror_dir:
        return None
    dest_root = Path(mirror_dir) / run_name / "checkpoints"
    dest_root.mkdir(parents=True, exist_ok=True)
    tmp = dest_root / f".{checkpoint.name}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(checkpoint, tmp)
    target = dest_root / checkpoint.name
    if target.exists():
        shutil.rmtree(target)
    os.replace(tmp, target)
    mirrored = sorted(
        (p for p in dest_root.iterdir() if _NAME.match(p.name)), key=lambda p: int(_NAME.match(p.name).group(1))
    )
    for old in mirrored[: max(0, len(mirrored) - keep)]:
        shutil.rmtree(old, ignore_errors=True)
    return target


def default_mirror_dir() -> str | None:
    """Where completed checkpoints are mirrored by default: ``<Drive mirror>/runs`` on Colab with Drive mounted."""
    from ..mirror import drive_mirror_dir

    base = drive_mirror_dir()
    return str(base / "runs") if base else None


__all__ = ["list_checkpoints", "last_checkpoint", "clear_staging", "finalize", "rotate", "mirror", "default_mirror_dir"]
