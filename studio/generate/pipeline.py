"""The generation run: chunks in waves through the backend, each saved as it finishes, then finalize.

Chunks already done are skipped (resume); a killed run loses at most the chunks in flight, which are
marked ``running`` and picked up again next time. A :class:`BackendError` (bad key, unknown model)
pauses the run with its message; everything saved so far stays.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ..workspace import Workspace
from .backends import Backend, BackendError, make_backend
from .chunk_task import ChunkTask
from .config import GenerateConfig
from .finalize import finalize
from .progress_store import chunk_counts, chunks_to_do, mark_chunks, save_chunk

Progress = Callable[..., None]


@dataclass
class RunState:
    total: int = 0
    done: int = 0
    failed: int = 0
    pairs: int = 0
    flagged: int = 0
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    started: float = field(default_factory=time.time)
    sample: list[dict] = field(default_factory=list)

    def rates(self) -> dict[str, float]:
        minutes = max((time.time() - self.started) / 60, 1e-6)
        return {"pairs_per_min": round(self.pairs / minutes, 1), "elapsed_s": round(time.time() - self.started, 1)}


def run_generation(
    ws: Workspace,
    cfg: GenerateConfig,
    backend: Backend | None = None,
    run_id: str | None = None,
    progress: Progress | None = None,
    emit: Callable[..., None] | None = None,
    stop_requested: Callable[[], bool] | None = None,
    embedder=None,
    exclude_chunk_ids: set[int] | None = None,
) -> dict[str, Any]:
    recipe = "knowledge"  # the fact recipe's progress key, whatever the goal ("both" runs the voice recipe first)
    todo = chunks_to_do(ws, recipe, cfg.retry_failed, None)
    if exclude_chunk_ids:
        todo = [c for c in todo if c["id"] not in exclude_chunk_ids]
    if cfg.limit_chunks:
        todo = todo[: cfg.limit_chunks]
    positions = {c["id"]: i for i, c in enumerate(_all_chunk_ids(ws))}
    state = RunState(total=len(todo))
    own_backend = backend is None
    backend = backend or make_backend(cfg)
    generator = backend.name
    wave_size = max(cfg.batch_size, cfg.concurrency) if generator == "transformers" else max(cfg.concurrency * 2, 1)
    stopped, error = False, None
    _report(progress, state, "starting")
    try:
        for start in range(0, len(todo), wave_size):
            if stop_requested and stop_requested():
                stopped = True
                break
            wave = todo[start : start + wave_size]
            mark_chunks(ws, [c["id"] for c in wave], recipe, "running", run_id)
            tasks = [ChunkTask(c, cfg, positions.get(c["id"], 0), generator, backend.model) for c in wave]
            while True:
                active = [t for t in tasks if not t.finished]
                if not active:
                    break
                requests = [t.next_request() for t in active]
                results = backend.generate(requests)
                for task, result in zip(active, results):
                    task.feed(result)
                    if task.finished:
                        _finish(ws, task, recipe, run_id, state, emit)
                _report(progress, state, f"chunk {state.done + state.failed} of {state.total}")
                if stop_requested and stop_requested() and any(not t.finished for t in tasks):
                    stopped = True
                    break
            if stopped:
                break
    except BackendError as exc:
        error = str(exc)
    finally:
        if own_backend:
            backend.close()
        leftover = [c["id"] for c in todo if _status(ws, c["id"], recipe) == "running"]
        if leftover:
            mark_chunks(ws, leftover, recipe, "pending", run_id)
    _report(progress, state, "grouping, deduplicating and splitting")
    summary = finalize(ws, cfg, embedder)
    counts = chunk_counts(ws, recipe)
    summary.update(
        chunks_done=counts.get("done", 0), chunks_failed=counts.get("failed", 0), chunks_total=counts["total"],
        chunks_this_run=state.done + state.failed, calls=state.calls, prompt_tokens=state.prompt_tokens,
        completion_tokens=state.completion_tokens, stopped=stopped, error=error, **state.rates(),
    )
    if emit:
        emit("generate_summary", **summary)
    return summary


def _all_chunk_ids(ws: Workspace) -> list[dict]:
    return [dict(r) for r in ws.conn.execute("SELECT id FROM chunks ORDER BY document_id, ordinal")]


def _status(ws: Workspace, chunk_id: int, recipe: str) -> str | None:
    row = ws.conn.execute("SELECT status FROM gen_chunks WHERE chunk_id = ? AND recipe = ?", (chunk_id, recipe)).fetchone()
    return row[0] if row else None


def _finish(ws: Workspace, task: ChunkTask, recipe: str, run_id: str | None, state: RunState, emit) -> None:
    save_chunk(ws, task, recipe, run_id)
    state.calls += task.calls
    state.prompt_tokens += task.prompt_tokens
    state.completion_tokens += task.completion_tokens
    if task.failed:
        state.failed += 1
    else:
        state.done += 1
        state.pairs += len(task.pairs)
        state.flagged += sum(bool(p["flags"]) for p in task.pairs)
        state.sample = (task.pairs[:3] + state.sample)[:10]
    if emit:
        emit("chunk", chunk_id=task.chunk["id"], status="failed" if task.failed else "done",
             reason=task.failed or "; ".join(task.notes), pairs=len(task.pairs),
             sample=[{"question": p["question"], "answer": p["answer"], "kind": p["kind"]} for p in task.pairs[:2]])


def _report(progress: Progress | None, state: RunState, message: str) -> None:
    if progress:
        progress(state.done + state.failed, max(state.total, 1), message, chunks_done=state.done,
                 chunks_failed=state.failed, pairs=state.pairs, flagged=state.flagged, **state.rates())
