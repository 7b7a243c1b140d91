"""How fast a chat model answers on this machine, measured on its replies, so the tab can say how long a reply takes.

Every reply records tokens per second for its model, device and CPU count (a moving average in the studio's cache
folder); before a reply the estimate is ``max_new_tokens / tokens_per_s``, and there is none until the first reply
has measured it (the tab says so instead of guessing).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Callable

from ..paths import cache_dir

FILE = "chat_speed.json"


def speed_key(model: str, device: str, pair: bool) -> str:
    """``pair``: base and tuned answered in one batched generate (two rows a step)."""
    return f"{model}|{device}|cpu{os.cpu_count()}|{'pair' if pair else 'single'}"


class ReplyMeter:
    """Tokens a reply produced over the seconds it took (prompt reading included: that is what the user waits)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.t0 = clock()

    def rate(self, tokens: int) -> float | None:
        seconds = self.clock() - self.t0
        return tokens / seconds if tokens > 0 and seconds > 0 else None


def _path(root: Path | None = None) -> Path:
    return cache_dir(root) / FILE


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record(key: str, tokens_per_s: float, tokens: int, root: Path | None = None) -> None:
    """Fold one reply into the stored average (weighted by tokens; older replies count for at most 512 tokens)."""
    if not tokens_per_s or tokens_per_s <= 0 or tokens <= 0:
        return
    path = _path(root)
    data = _read(path)
    old = data.get(key)
    if old:
        weight = min(old.get("tokens", 0), 512)
        tokens_per_s = (old["tokens_per_s"] * weight + tokens_per_s * tokens) / (weight + tokens)
        tokens += old.get("tokens", 0)
    data[key] = {"tokens_per_s": round(tokens_per_s, 3), "tokens": tokens, "at": time.time()}
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:  # a read-only or full disk: the estimate stays unmeasured
        pass


def lookup(key: str, root: Path | None = None) -> float | None:
    entry = _read(_path(root)).get(key)
    return float(entry["tokens_per_s"]) if entry else None


def reply_seconds(tokens_per_s: float | None, max_new_tokens: int) -> float | None:
    """The longest reply's wait at the measured pace (None: not measured yet)."""
    if not tokens_per_s or tokens_per_s <= 0:
        return None
    return max_new_tokens / tokens_per_s


__all__ = ["speed_key", "ReplyMeter", "record", "lookup", "reply_seconds"]
