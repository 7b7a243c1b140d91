"""Start, resume and find training runs of a workspace through the job runner (used by the Train tab).

A second start while a run is active is refused with its id (two clicks never start two runs); resume reuses
the run folder, so the worker continues from its last complete checkpoint with the same plan.
"""

from __future__ import annotations

import threading
from pathlib import Path

from .config import TrainConfig

_LOCK = threading.Lock()
FINISHED = ("completed",)
RESUMABLE = ("stopped", "failed", "killed")


class RunActive(RuntimeError):
    def __init__(self, run_id: str):
        super().__init__(f"a training run is already active: {run_id}")
        self.run_id = run_id


def active_run(runner) -> dict | None:
    found = runner.active("train")
    return found[0] if found else None


def start(runner, cfg: TrainConfig) -> str:
    """Submit a new training run; raises :class:`RunActive` when one is queued or running."""
    cfg.validate()
    with _LOCK:
        current = active_run(runner)
        if current:
            raise RunActive(current["id"])
        return runner.submit("train", {**cfg.to_dict(), "resume": False}, needs_gpu=True)


def resume(runner, run_id: str) -> str:
    """Resume a stopped, failed or killed run in its own folder."""
    from ..jobs import files

    with _LOCK:
        current = active_run(runner)
        if current:
            raise RunActive(current["id"])
        run_dir = Path(runner.run_dir(run_id))
        config = files.read_config(run_dir)
        if not config:
            raise FileNotFoundError(f"run {run_id} has no config.yaml to resume from")
        return runner.submit("train", {**config, "resume": True}, run_dir=run_dir, needs_gpu=True)


def latest(runner) -> dict | None:
    """The newest training run with its true status (reattach after a reload)."""
    return runner.latest("train")


__all__ = ["start", "resume", "latest", "active_run", "RunActive", "RESUMABLE"]
