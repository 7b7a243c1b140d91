"""Measured generation speed on this machine, so the estimate before a run is not a guess.

Every run records, per generator (backend, model, recipe, device, CPU count), the wall seconds one chunk took
with its facts and phrasings; the estimate uses the latest measurement (a moving average), and says when there
is none yet (then the live ETA, computed from the run's own pace, takes over within the first chunks).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from ..paths import cache_dir

FILE = "generation_speed.json"


def speed_key(backend: str, model: str, recipe: str, device: str, facts: int, phrasings: int) -> str:
    return f"{backend}|{model}|{recipe}|{device}|cpu{os.cpu_count()}|{facts}x{phrasings}"


def _path(root: Path | None = None) -> Path:
    return cache_dir(root) / FILE


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def record(key: str, seconds_per_chunk: float, chunks: int, root: Path | None = None) -> None:
    """Fold a measurement (``chunks`` chunks at ``seconds_per_chunk`` each) into the stored average."""
    if chunks <= 0 or seconds_per_chunk <= 0:
        return
    path = _path(root)
    data = _read(path)
    old = data.get(key)
    if old:
        weight = min(old.get("chunks", 0), 20)
        seconds_per_chunk = (old["seconds_per_chunk"] * weight + seconds_per_chunk * chunks) / (weight + chunks)
        chunks += old.get("chunks", 0)
    data[key] = {"seconds_per_chunk": round(seconds_per_chunk, 3), "chunks": chunks, "at": time.time()}
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:  # a full or read-only disk: the estimate just stays unmeasured
        pass


def lookup(key: str, root: Path | None = None) -> float | None:
    entry = _read(_path(root)).get(key)
    return float(entry["seconds_per_chunk"]) if entry else None
