"""How fast a chat model answers on this machine, measured on its replies, so the tab can say how long a reply takes.

Every reply records tokens per second for its model, device and CPU count (a moving average in the studio's cache
folder); before a reply the estimate is ``max_new_tokens / tokens_per_s``, and there is none until the first reply
has measured it (the tab says so instead of guessing).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

from ..speedstore import SpeedStore

FILE = "chat_speed.json"
_STORE = SpeedStore(FILE, "tokens_per_s", "tokens", cap=512)


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


def record(key: str, tokens_per_s: float, tokens: int, root: Path | None = None) -> None:
    """Fold one reply into the stored average (weighted by tokens; older replies count for at most 512 tokens)."""
    _STORE.record(key, tokens_per_s, tokens, root)


def lookup(key: str, root: Path | None = None) -> float | None:
    return _STORE.lookup(key, root)



def reply_seconds(tokens_per_s: float | None, max_new_tokens: int) -> float | None:
    """The longest reply's wait at the measured pace (None: not measured yet)."""
    if not tokens_per_s or tokens_per_s <= 0:
        return None
    return max_new_tokens / tokens_per_s


__all__ = ["speed_key", "ReplyMeter", "record", "lookup", "reply_seconds"]
