"""One small store for speeds measured on this machine (generation, training, chat), in the studio's cache folder.

Each kind keeps one JSON file of ``key -> {value, count, at}``; a new measurement is folded into a moving average
in which older measurements weigh at most ``cap`` units. A read-only or full disk leaves the estimate unmeasured.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from .paths import cache_dir


@dataclass(frozen=True)
class SpeedStore:
    file: str  # e.g. "train_speed.json"
    value: str  # the averaged field, e.g. "seconds_per_step"
    count: str  # what it was measured over, e.g. "steps"
    cap: int  # older measurements weigh at most this many units
    digits: int = 3

    def path(self, root: Path | None = None) -> Path:
        return cache_dir(root) / self.file

    def _read(self, path: Path) -> dict:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def record(self, key: str, value: float, count: int, root: Path | None = None, replace: bool = False) -> None:
        """Fold a measurement into the average; ``replace``: an explicit measurement (a calibration the user asked
        for just now) that stands for the machine as it is, so older ones (under another load) are dropped."""
        if count <= 0 or not value or value <= 0:
            return
        path = self.path(root)
        data = self._read(path)
        old = None if replace else data.get(key)
        if old:
            weight = min(old.get(self.count, 0), self.cap)
            value = (old[self.value] * weight + value * count) / (weight + count)
            count += old.get(self.count, 0)
        data[key] = {self.value: round(value, self.digits), self.count: count, "at": time.time()}
        tmp = path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass

    def lookup(self, key: str, root: Path | None = None) -> float | None:
        entry = self._read(self.path(root)).get(key)
        return float(entry[self.value]) if entry else None
