"""What a job function sees: its run folder, its config, and ways to report progress and notice a stop."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Callable

from . import files


class JobStopped(Exception):
    """Raised by :meth:`JobContext.check_stop`; the job ends with state ``stopped``."""


class JobContext:
    def __init__(
        self,
        run_dir: Path,
        run_id: str,
        kind: str,
        config: dict[str, Any],
        workspace_path: str | None = None,
        on_event: Callable[[dict], None] | None = None,
    ):
        self.run_dir = Path(run_dir)
        self.run_id = run_id
        self.kind = kind
        self.config = config
        self.workspace_path = workspace_path
        self._on_event = on_event
        self._workspace = None
        self._stop_flag = False
        self._started = time.time()
        self._progress_t0: float | None = None
        self._progress_done0 = 0
        self.status: dict[str, Any] = files.read_json(self.run_dir / files.STATUS_FILE) or {}
        self.result: dict[str, Any] = {}

    # ---- workspace -----------------------------------------------------------------------
    def workspace(self):
        if self._workspace is None and self.workspace_path:
            from ..workspace import Workspace

            self._workspace = Workspace.open(Path(self.workspace_path))
        return self._workspace

    # ---- reporting ---------------------------------------------------------------------------
    def emit(self, type: str, **fields: Any) -> dict:  # noqa: A002
        event = files.append_event(self.run_dir, {"type": type, **fields})
        if self._on_event:
            self._on_event(event)
        return event

    def log(self, message: str, level: str = "info") -> None:
        self.emit("log", level=level, message=str(message))

    def write_status(self, **fields: Any) -> None:
        self.status.update(fields)
        self.status["updated_at"] = time.time()
        files.write_json_atomic(self.run_dir / files.STATUS_FILE, self.status)

    def progress(self, done: float, total: float | None, message: str = "", **extra: Any) -> dict:
        """Report ``done`` of ``total`` units; the ETA comes from the rate since the first report."""
        now = time.time()
        if self._progress_t0 is None or done < self._progress_done0:
            self._progress_t0, self._progress_done0 = now, done
        elapsed = now - self._progress_t0
        moved = done - self._progress_done0
        rate = moved / elapsed if elapsed > 0 and moved > 0 else None
        eta = (total - done) / rate if rate and total is not None else None
        prog = {
            "done": done,
            "total": total,
            "fraction": (done / total) if total else None,
            "message": message,
            "rate_per_s": round(rate, 4) if rate else None,
            "eta_s": round(eta, 1) if eta is not None else None,
            "elapsed_s": round(now - self._started, 1),
            **extra,
        }
        self.write_status(progress=prog)
        self.emit("progress", **prog)
        return prog

    def set_result(self, **fields: Any) -> None:
        self.result.update(fields)

    # ---- stopping ----------------------------------------------------------------------------
    def request_stop(self) -> None:
        self._stop_flag = True

    def stop_requested(self) -> bool:
        return self._stop_flag or (self.run_dir / files.STOP_FILE).exists()

    def check_stop(self) -> None:
        if self.stop_requested():
            raise JobStopped()

    @property
    def pid(self) -> int:
        return os.getpid()
