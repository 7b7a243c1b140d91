"""Run one job in its run folder: ``python -m studio.jobs.worker RUN_DIR``.

The same :func:`execute` runs in the foreground for the CLI. The worker writes ``status.json`` at each
state change, takes the GPU (or another) lease when the job needs one, turns SIGTERM into a graceful stop
request, and records any error as a readable message (the traceback goes to ``worker.log`` only).
"""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Callable

from . import files
from .context import JobContext, JobStopped
from .kinds import resolve
from .lease import Lease
from .process import process_start_time


def _sync_row(ctx: JobContext, **fields) -> None:
    try:
        ws = ctx.workspace()
        if ws is not None and ws.get_run(ctx.run_id):
            ws.update_run(ctx.run_id, **fields)
    except Exception as exc:  # noqa: BLE001 - the run folder stays the source of truth
        print(f"warning: could not update the runs table: {exc}", file=sys.stderr)


def readable_error(exc: BaseException) -> str:
    """One line a user can act on."""
    if getattr(exc, "user_message", None):  # a job's own advice (e.g. studio.train.job.TrainingFailed)
        return str(exc.user_message)[:800]
    text = f"{type(exc).__name__}: {exc}".strip()
    low = text.lower()
    if "out of memory" in low or isinstance(exc, MemoryError):
        return ("out of memory: " + text[:300] + " — try a smaller batch size, a shorter max length, "
                "or a smaller model")
    if isinstance(exc, OSError) and getattr(exc, "errno", None) == 28:
        return "the disk is full: free some space (old runs, checkpoints) and resume"
    return text[:500]


def execute(run_dir: Path, on_event: Callable[[dict], None] | None = None, handle_signals: bool = True) -> dict:
    run_dir = Path(run_dir)
    job = files.read_json(run_dir / files.JOB_FILE)
    if not job:
        raise SystemExit(f"no {files.JOB_FILE} in {run_dir}")
    ctx = JobContext(run_dir, job["run_id"], job["kind"], files.read_config(run_dir), job.get("workspace"), on_event)
    if handle_signals:
        def _graceful(signum, frame):  # noqa: ARG001
            if ctx.stop_requested():
                raise KeyboardInterrupt
            ctx.request_stop()

        signal.signal(signal.SIGTERM, _graceful)
    pid = ctx.pid
    ctx.write_status(state="queued", pid=pid, start_time=process_start_time(pid), kind=ctx.kind, run_id=ctx.run_id,
                     created_at=job.get("created_at"), error=None)
    ticket = None
    lease_dir = job.get("lease_dir")
    try:
        if lease_dir:
            lease = Lease(Path(lease_dir), job.get("lease_capacity", 1))
            ticket = lease.take_ticket(ctx.run_id, job.get("created_at"))
            got = lease.wait(
                ticket,
                on_wait=lambda pos: (ctx.write_status(state="queued", queue_position=pos),
                                     ctx.emit("queued", position=pos)),
                should_stop=ctx.stop_requested,
            )
            if not got:
                raise JobStopped()
        started = time.time()
        ctx.write_status(state="running", queue_position=0, started_at=started)
        _sync_row(ctx, status="running", pid=pid, started_at=time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(started)))
        ctx.emit("state", state="running")
        fn = resolve(ctx.kind)
        result = fn(ctx) or {}
        ctx.result.update(result)
        final, error = ("stopped" if ctx.stop_requested() and ctx.result.get("stopped") else "completed"), None
    except JobStopped:
        final, error = "stopped", None
    except KeyboardInterrupt:
        final, error = "stopped", None
    except BaseException as exc:  # noqa: BLE001 - every failure becomes a readable status
        final, error = "failed", readable_error(exc)
        traceback.print_exc()
    finally:
        Lease.release(ticket)
    ctx.write_status(state=final, error=error, result=ctx.result, ended_at=time.time())
    ctx.emit("state", state=final, error=error, result=ctx.result)
    _sync_row(ctx, status=final, error=error, ended_at=time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()))
    return ctx.status


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m studio.jobs.worker RUN_DIR", file=sys.stderr)
        return 2
    os.environ["STUDIO_JOB_WORKER"] = "1"  # a process of its own: its start-up time is the job's (train.speed)
    status = execute(Path(argv[0]))
    return 0 if status.get("state") in ("completed", "stopped") else 1


if __name__ == "__main__":
    sys.exit(main())
