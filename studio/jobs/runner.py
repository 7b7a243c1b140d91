"""Start, watch, stop and find jobs. The page never owns a job: it polls by run id.

Each job runs as a detached subprocess (its own session, so closing the app or the browser tab changes
nothing, and a stop reaches its whole process group). Status is always checked against the process:
a job whose process is gone without a final state is reported as ``killed``, never as running.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

from ..paths import data_root
from . import files
from .kinds import JOB_KINDS, UnknownJobKind
from .process import kill_group, process_alive
from .worker import execute

STOPPED_BY_USER = "stopped by you: everything saved before the stop is kept"
VANISHED = "the worker process ended without reporting: it was killed (often out of memory) or crashed; see worker.log"


def new_run_id(kind: str) -> str:
    return f"{kind}-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(2)}"


class JobRunner:
    """Jobs of one workspace (or of no workspace when ``workspace`` is None)."""

    def __init__(self, workspace=None, root: Path | None = None, gpu_capacity: int = 1, limits: dict[str, int] | None = None):
        self.workspace = workspace
        self.root = Path(root) if root else data_root()
        self.gpu_capacity = gpu_capacity
        self.limits = limits or {}  # kind -> max jobs of that kind at once (e.g. generate on a public Space)
        self._procs: dict[str, subprocess.Popen] = {}

    # ---- creating runs -------------------------------------------------------------------------
    def _runs_dir(self) -> Path:
        base = self.workspace.runs_dir if self.workspace is not None else self.root / "runs"
        base.mkdir(parents=True, exist_ok=True)
        return base

    def prepare(self, kind: str, config: dict[str, Any], run_dir: Path | None = None, needs_gpu: bool = False, run_id: str | None = None) -> tuple[str, Path]:
        if kind not in JOB_KINDS:
            raise UnknownJobKind(f"unknown job kind {kind!r}")
        run_id = run_id or new_run_id(kind)
        run_dir = Path(run_dir) if run_dir else self._runs_dir() / run_id
        run_dir.mkdir(parents=True, exist_ok=True)
        previous = files.read_json(run_dir / files.JOB_FILE)
        if previous:  # resuming in the same folder keeps its id
            run_id = previous["run_id"]
        lease_dir, capacity = None, 1
        if needs_gpu:
            lease_dir, capacity = self.root / "leases" / "gpu", self.gpu_capacity
        elif kind in self.limits:
            lease_dir, capacity = self.root / "leases" / kind, self.limits[kind]
        job = {
            "run_id": run_id,
            "kind": kind,
            "workspace": str(self.workspace.path) if self.workspace is not None else None,
            "needs_gpu": needs_gpu,
            "lease_dir": str(lease_dir) if lease_dir else None,
            "lease_capacity": capacity,
            "created_at": time.time(),
        }
        files.write_json_atomic(run_dir / files.JOB_FILE, job)
        files.write_config(run_dir, config)
        (run_dir / files.STOP_FILE).unlink(missing_ok=True)
        (run_dir / files.EXIT_FILE).unlink(missing_ok=True)
        files.write_json_atomic(run_dir / files.STATUS_FILE, {
            **(files.read_json(run_dir / files.STATUS_FILE) or {}),
            "state": "queued", "run_id": run_id, "kind": kind, "pid": None, "error": None, "updated_at": time.time(),
        })
        if self.workspace is not None:
            if self.workspace.get_run(run_id):
                self.workspace.update_run(run_id, status="queued", error=None, ended_at=None, config_json=config)
            else:
                self.workspace.add_run(run_id, kind, config, str(run_dir), status="queued", needs_gpu=needs_gpu)
        return run_id, run_dir

    def submit(self, kind: str, config: dict[str, Any], run_dir: Path | None = None, needs_gpu: bool = False,
               run_id: str | None = None, extra_env: dict[str, str] | None = None) -> str:
        """Start the job in a detached worker process; returns its run id at once.

        ``extra_env`` reaches only the worker's environment (an API key typed in a password field), never
        ``config.yaml``, the events or the workspace.
        """
        run_id, run_dir = self.prepare(kind, config, run_dir, needs_gpu, run_id)
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "STUDIO_HOME": str(self.root), **(extra_env or {})}
        log = open(run_dir / files.LOG_FILE, "ab")  # noqa: SIM115 - handed to the child
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "studio.jobs.worker", str(run_dir)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, env=env, cwd=str(Path(__file__).resolve().parents[2]),
            )
        finally:
            log.close()
        self._procs[run_id] = proc
        status = files.read_json(run_dir / files.STATUS_FILE) or {}
        if not status.get("pid"):  # the worker writes its own soon; record it now so a quick poll is truthful
            status.update(pid=proc.pid, start_time=None)
            files.write_json_atomic(run_dir / files.STATUS_FILE, status)
        threading.Thread(target=self._reap, args=(run_id, proc, run_dir), daemon=True).start()
        return run_id

    @staticmethod
    def _reap(run_id: str, proc: subprocess.Popen, run_dir: Path) -> None:
        code = proc.wait()
        files.write_json_atomic(run_dir / files.EXIT_FILE, {"returncode": code, "ts": time.time()})

    def run_foreground(self, kind: str, config: dict[str, Any], run_dir: Path | None = None, needs_gpu: bool = False,
                       on_event: Callable[[dict], None] | None = None) -> dict:
        """Run the job in this process (the CLI): same code, same run folder, same events."""
        _, run_dir = self.prepare(kind, config, run_dir, needs_gpu)
        return execute(run_dir, on_event=on_event, handle_signals=threading.current_thread() is threading.main_thread())

    # ---- watching --------------------------------------------------------------------------------
    def run_dir(self, run_id: str) -> Path:
        if self.workspace is not None:
            row = self.workspace.get_run(run_id)
            if row and row.get("output_dir"):
                return Path(row["output_dir"])
        return self._runs_dir() / run_id

    def status(self, run_id_or_dir: str | Path) -> dict[str, Any]:
        run_dir = Path(run_id_or_dir) if isinstance(run_id_or_dir, Path) else self.run_dir(run_id_or_dir)
        return job_status(run_dir, self.workspace)

    def events(self, run_id: str, offset: int = 0, types: set[str] | None = None) -> tuple[list[dict], int]:
        return files.read_events(self.run_dir(run_id), offset, types)

    def latest(self, kind: str | None = None) -> dict[str, Any] | None:
        """The newest run of ``kind`` with its true status (to reattach after a reload or restart)."""
        if self.workspace is None:
            return None
        runs = self.workspace.list_runs(kind, limit=1)
        if not runs:
            return None
        return {**runs[0], **self.status(runs[0]["id"])}

    def active(self, kind: str | None = None) -> list[dict[str, Any]]:
        if self.workspace is None:
            return []
        out = []
        for row in self.workspace.list_runs(kind, limit=50):
            if row["status"] in files.ACTIVE_STATES:
                st = self.status(row["id"])
                if st["state"] in files.ACTIVE_STATES:
                    out.append({**row, **st})
        return out

    # ---- stopping ----------------------------------------------------------------------------------
    def stop(self, run_id: str, grace_s: float = 60.0) -> dict[str, Any]:
        """Ask the job to stop (it saves what it can); kill its process group if it ignores us for ``grace_s``."""
        run_dir = self.run_dir(run_id)
        (run_dir / files.STOP_FILE).write_text(str(time.time()))
        status = self.status(run_id)
        if status["state"] in files.ACTIVE_STATES and status.get("pid"):
            pid, start = status["pid"], status.get("start_time")

            def _hard_kill():
                if process_alive(pid, start):
                    kill_group(pid)

            timer = threading.Timer(grace_s, _hard_kill)
            timer.daemon = True
            timer.start()
        return self.status(run_id)

    def kill(self, run_id: str) -> dict[str, Any]:
        status = self.status(run_id)
        if status.get("pid") and status["state"] in files.ACTIVE_STATES:
            kill_group(status["pid"])
            proc = self._procs.get(run_id)
            if proc:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
            deadline = time.time() + 5
            while time.time() < deadline and process_alive(status["pid"], status.get("start_time")):
                time.sleep(0.1)
            run_dir = self.run_dir(run_id)
            current = files.read_json(run_dir / files.STATUS_FILE) or {}
            if current.get("state") in files.ACTIVE_STATES:
                current.update(state="killed", error="killed on request (hard stop)", ended_at=time.time())
                files.write_json_atomic(run_dir / files.STATUS_FILE, current)
                files.append_event(run_dir, {"type": "state", "state": "killed", "error": current["error"]})
                if self.workspace is not None:
                    self.workspace.update_run(run_id, status="killed", error=current["error"])
        return self.status(run_id)


def job_status(run_dir: Path, workspace=None) -> dict[str, Any]:
    """The run's state, checked against its process; a vanished worker is recorded as ``killed``."""
    run_dir = Path(run_dir)
    status = files.read_json(run_dir / files.STATUS_FILE)
    if status is None:
        return {"state": "unknown", "error": f"no run in {run_dir}", "run_dir": str(run_dir)}
    status = dict(status)
    status["run_dir"] = str(run_dir)
    state = status.get("state")
    if state in files.ACTIVE_STATES:
        pid = status.get("pid")
        alive = process_alive(pid, status.get("start_time"))
        if not alive and pid:
            exit_info = files.read_json(run_dir / files.EXIT_FILE)
            deadline = time.time() + 1.0
            while exit_info is None and time.time() < deadline:  # the parent's reaper may be writing it now
                time.sleep(0.05)
                exit_info = files.read_json(run_dir / files.EXIT_FILE)
            exit_info = exit_info or {}
            fresh = files.read_json(run_dir / files.STATUS_FILE) or {}
            if fresh.get("state") not in files.ACTIVE_STATES:  # it finished while we looked
                return {**fresh, "run_dir": str(run_dir)}
            code = exit_info.get("returncode")
            reason = VANISHED
            new_state = "killed"
            if (run_dir / files.STOP_FILE).exists():  # the user's own Stop, ended by force after the grace period
                new_state, reason = "stopped", STOPPED_BY_USER
            elif code is not None and code < 0:
                reason = f"the worker was killed by signal {-code}" + (" (SIGKILL: often out of memory)" if code == -9 else "")
            status.update(state=new_state, error=None if new_state == "stopped" else reason, note=reason, ended_at=time.time())
            files.write_json_atomic(run_dir / files.STATUS_FILE, {k: v for k, v in status.items() if k != "run_dir"})
            files.append_event(run_dir, {"type": "state", "state": new_state, "error": status["error"], "note": reason})
            if workspace is not None and status.get("run_id"):
                try:
                    workspace.update_run(status["run_id"], status=new_state, error=status["error"])
                except Exception:  # noqa: BLE001
                    pass
        elif not pid and time.time() - float(status.get("updated_at") or 0) > 60:
            status.update(state="killed", error=VANISHED)
        elif state == "running" and (run_dir / files.STOP_FILE).exists():
            status["state"] = "stopping"
    return status
