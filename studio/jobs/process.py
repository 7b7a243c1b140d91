"""Process liveness that survives pid reuse: a pid counts as alive only with the same start time."""

from __future__ import annotations

import os
import signal


def process_start_time(pid: int) -> float | None:
    try:
        import psutil

        return round(psutil.Process(pid).create_time(), 2)
    except Exception:  # noqa: BLE001 - psutil.NoSuchProcess, AccessDenied, ImportError
        return None


def process_alive(pid: int | None, start_time: float | None = None) -> bool:
    if not pid:
        return False
    try:
        import psutil

        proc = psutil.Process(int(pid))
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        if start_time is not None and abs(proc.create_time() - float(start_time)) > 1.0:
            return False
        return True
    except Exception:  # noqa: BLE001
        return False


def kill_group(pid: int, sig: int = signal.SIGKILL) -> bool:
    """Signal the job's whole process group (a job may have children, e.g. under accelerate launch)."""
    try:
        os.killpg(os.getpgid(int(pid)), sig)
        return True
    except (ProcessLookupError, PermissionError, OSError):
        try:
            os.kill(int(pid), sig)
            return True
        except (ProcessLookupError, PermissionError, OSError):
            return False
