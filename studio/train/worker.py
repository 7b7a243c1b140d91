"""Training processes other than the main one under ``accelerate launch``.

The main process (rank 0) runs the job through :mod:`studio.jobs.worker` as usual (status, events, lease); the
others wait until it has frozen the data and saved the plan, then run the same :func:`studio.train.job.run`
with a context that writes nothing (the callback reports only from the main process). A stop request is the
run folder's STOP file, which every rank sees; the callback agrees on it across ranks before stopping.
"""

from __future__ import annotations

import time
from pathlib import Path


class QuietContext:
    """A JobContext that reads the run folder but reports nothing."""

    def __init__(self, run_dir: Path, config: dict):
        self.run_dir = Path(run_dir)
        self.run_id = self.run_dir.name
        self.config = config
        self.result: dict = {}

    def workspace(self):
        return None

    def emit(self, type: str, **fields) -> dict:  # noqa: A002
        return {"type": type, **fields}

    def log(self, message: str, level: str = "info") -> None:
        pass

    def progress(self, done, total, message: str = "", **extra) -> dict:
        return {"done": done, "total": total, "eta_s": None}

    def set_result(self, **fields) -> None:
        self.result.update(fields)

    def stop_requested(self) -> bool:
        from ..jobs import files

        return (self.run_dir / files.STOP_FILE).exists()


def run_secondary(run_dir: Path, timeout_s: float = 1800.0) -> int:
    from ..jobs import files
    from .job import run
    from .plan import PLAN_FILE

    run_dir = Path(run_dir)
    deadline = time.time() + timeout_s
    while not ((run_dir / PLAN_FILE).is_file() and (run_dir / "data" / "manifest.json").is_file()):
        if time.time() > deadline:
            print(f"gave up waiting for the main process to prepare {run_dir}")
            return 1
        time.sleep(1.0)
    config = files.read_config(run_dir)
    run(QuietContext(run_dir, {**config, "resume": bool(config.get("resume"))}))
    return 0
