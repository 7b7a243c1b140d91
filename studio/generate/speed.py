"""Measured generation speed on this machine, so the estimate before a run is not a guess.

Every run records, per generator (backend, model, recipe, device, CPU count), the wall seconds one chunk took
with its facts and phrasings; the estimate uses the latest measurement (a moving average), and says when there
is none yet (then the live ETA, computed from the run's own pace, takes over within the first chunks).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..speedstore import SpeedStore

FILE = "generation_speed.json"
_STORE = SpeedStore(FILE, "seconds_per_chunk", "chunks", cap=20)


def speed_key(backend: str, model: str, recipe: str, device: str, facts: int, phrasings: int) -> str:
    return f"{backend}|{model}|{recipe}|{device}|cpu{os.cpu_count()}|{facts}x{phrasings}"


def record(key: str, seconds_per_chunk: float, chunks: int, root: Path | None = None) -> None:
    """Fold a measurement (``chunks`` chunks at ``seconds_per_chunk`` each) into the stored average."""
    _STORE.record(key, seconds_per_chunk, chunks, root)


def lookup(key: str, root: Path | None = None) -> float | None:
    return _STORE.lookup(key, root)
