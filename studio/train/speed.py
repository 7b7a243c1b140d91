"""Measured training pace on this machine, so the plan's time is not a guess once a run has measured it.

Every run records its seconds per optimizer step for its recipe shape (base model, method, device, CPU count,
batch, accumulation, max length, packing; a moving average in the studio's cache folder). The plan uses the
stored pace when there is one; otherwise its time is a rough guess from the model size and the card, labelled
so. During a run :class:`StepPace` turns the run's own step times into the live ETA (model loading and the
first step's warm-up excluded).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

from ..speedstore import SpeedStore

FILE = "train_speed.json"
WINDOW = 50  # steps the live pace averages over
_STORE = SpeedStore(FILE, "seconds_per_step", "steps", cap=WINDOW, digits=4)


def speed_key(base_model: str, method: str, device: str, batch: int, accum: int, max_length: int,
              packing: bool) -> str:
    return f"{base_model}|{method}|{device}|cpu{os.cpu_count()}|b{batch}x{accum}|len{max_length}|pack{int(packing)}"


def record(key: str, seconds_per_step: float, steps: int, root: Path | None = None, replace: bool = False) -> None:
    """Fold ``steps`` steps at ``seconds_per_step`` into the stored average (older runs weigh at most 50 steps);
    ``replace`` (a calibration): this measurement alone stands for the machine now."""
    _STORE.record(key, seconds_per_step, steps, root, replace=replace)


def lookup(key: str, root: Path | None = None) -> float | None:
    return _STORE.lookup(key, root)


# Seconds before the first step (model load, data preparation, the first val pass), per model, method and device:
# on a short run they are most of the wait, so the plan adds them once measured.
_SETUP = SpeedStore("train_setup.json", "seconds", "runs", cap=5, digits=1)


def setup_key(key: str) -> str:
    """The part of a recipe-shape key the set-up time depends on (model, method, device, CPUs)."""
    return "|".join(key.split("|")[:4])


def record_setup(key: str, seconds: float, root: Path | None = None, replace: bool = False) -> None:
    _SETUP.record(setup_key(key), seconds, 1, root, replace=replace)


def lookup_setup(key: str, root: Path | None = None) -> float | None:
    return _SETUP.lookup(setup_key(key), root)


# Seconds from the training worker's process start to its model load (Python, torch, transformers, TRL imports and
# the run's data): the same for every recipe on a machine, measured by each run; a calibration runs in the app's
# process, where all of that is already loaded, so it cannot see it.
_START = SpeedStore("train_worker_start.json", "seconds", "runs", cap=5, digits=1)
START_KEY = f"worker|cpu{os.cpu_count()}"
DEFAULT_WORKER_START_S = 12.0  # imports measured at about 10 s on a 2-core CPU, before any run here measured it
EVAL_STEP_SHARE = 0.35  # a val batch (forward only) costs about a third of a training step (forward and backward)


def process_age_s() -> float | None:
    """Seconds since this process started, in a job's own worker process (None elsewhere, or where the platform
    does not say): the CLI runs jobs in its own long-lived process, whose age says nothing about a job."""
    if os.environ.get("STUDIO_JOB_WORKER") != "1":
        return None
    try:
        import psutil

        return max(0.0, time.time() - psutil.Process().create_time())
    except Exception:  # noqa: BLE001 - psutil missing or no access: the plan keeps its default
        return None


def record_worker_start(seconds: float, root: Path | None = None) -> None:
    _START.record(START_KEY, seconds, 1, root)


def lookup_worker_start(root: Path | None = None) -> float | None:
    return _START.lookup(START_KEY, root)


def eval_seconds(s_per_step: float, steps: int, eval_steps: int, n_val: int, batch: int) -> float:
    """Time of the val-loss passes of a run: one before the first step and one every ``eval_steps`` steps."""
    if n_val <= 0 or steps <= 0:
        return 0.0
    passes = 1 + steps // max(1, eval_steps)
    return passes * -(-n_val // max(1, batch)) * s_per_step * EVAL_STEP_SHARE



class StepPace:
    """Seconds per step from the run's own step times; the first step (warm-up) is dropped once others exist."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.times: list[tuple[int, float]] = []
        self.steps = 0  # steps timed since begin

    def begin(self, step: int) -> None:
        self.times = [(step, self.clock())]
        self.steps = 0

    def step(self, step: int) -> None:
        if not self.times:
            self.begin(step)
            return
        self.times.append((step, self.clock()))
        self.times = self.times[-(WINDOW + 2):]
        self.steps += 1

    def seconds_per_step(self) -> float | None:
        points = self.times[1:] if len(self.times) >= 3 else self.times  # without the warm-up step when possible
        if len(points) < 2:
            return None
        (s0, t0), (s1, t1) = points[0], points[-1]
        return (t1 - t0) / (s1 - s0) if s1 > s0 and t1 > t0 else None

    def eta(self, step: int, max_steps: int, planned_s_per_step: float | None = None) -> float | None:
        """Seconds left: the measured pace, else the plan's pace (measured by earlier runs), else unknown."""
        pace = self.seconds_per_step() or planned_s_per_step
        if pace is None:
            return None
        return max(0.0, (max_steps - step) * pace)


__all__ = ["speed_key", "record", "lookup", "record_setup", "lookup_setup", "record_worker_start", "lookup_worker_start",
           "eval_seconds", "process_age_s", "StepPace"]
