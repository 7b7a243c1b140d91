"""The ``push`` and ``merge`` job kinds (``studio.jobs``): stage, optionally merge, then upload.

The token never goes into ``config.yaml``: the push job takes it from :func:`hand_token` (the UI runs
the job in its own process and hands the token over in memory) or from ``HF_TOKEN`` (the CLI, or a
worker that inherited it). Everything the job writes (events, status, result) is passed through
``redact`` first.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

from .auth import redact, resolve_token
from .errors import HubError
from .push import PushOptions, push_folder
from .runinfo import StagingError
from .staging import StageOptions, describe_upload, stage

_TOKENS: dict[str, str] = {}
_LOCK = threading.Lock()
STAGE_KEYS = {"repo_id", "merged", "merge_dtype", "report", "license", "language", "tags", "datasets", "card_text"}
PUSH_KEYS = {"repo_id", "private", "commit_message", "create_pr", "push_dataset", "dataset_repo_id"}


class PushFailed(RuntimeError):
    """A push job's failure; ``user_message`` is what the worker records."""

    def __init__(self, message: str):
        super().__init__(message)
        self.user_message = message


def hand_token(run_dir: str | Path, token: str | None) -> None:
    """Give the push job of ``run_dir`` its token, in memory only (same process)."""
    if token:
        with _LOCK:
            _TOKENS[str(Path(run_dir).resolve())] = token


def _take_token(run_dir: Path) -> str | None:
    with _LOCK:
        return _TOKENS.pop(str(Path(run_dir).resolve()), None)


def _options(config: dict) -> tuple[StageOptions, PushOptions]:
    stage_opts = StageOptions.from_dict({k: v for k, v in config.items() if k in STAGE_KEYS})
    push_opts = PushOptions.from_dict({k: v for k, v in config.items() if k in PUSH_KEYS})
    return stage_opts, push_opts


def run(ctx) -> dict:
    """Stage ``config['adapter']`` into ``config['stage_dir']`` (default RUN_DIR/staged) and push it."""
    config = dict(ctx.config)
    token = _take_token(ctx.run_dir) or resolve_token()
    try:
        if not config.get("adapter"):
            raise StagingError("no adapter folder given")
        stage_opts, push_opts = _options(config)
        folder = Path(config.get("stage_dir") or ctx.run_dir / "staged")
        ctx.progress(0, 3, "staging the folder")
        staged = stage(config["adapter"], folder, stage_opts, on_progress=lambda m: ctx.log(m))
        for warning in staged.warnings:
            ctx.emit("warning", message=warning)
        ctx.emit("staged", folder=str(staged.folder), files=staged.files, total_bytes=staged.total_bytes,
                 evaluated=staged.report_path is not None,
                 summary=describe_upload(staged, push_opts.private, push_opts.push_dataset))
        result = {"staged": str(staged.folder), "files": staged.files, "warnings": staged.warnings,
                  "evaluated": staged.report_path is not None}
        if config.get("stage_only"):
            ctx.progress(3, 3, "staged (nothing pushed)")
            ctx.set_result(**result)
            return result
        ctx.check_stop()
        if not token:
            raise HubError("no Hugging Face token: log in, paste a token with write access, or set HF_TOKEN")
        ctx.progress(1, 3, "uploading to the Hub")
        workspace = ctx.workspace() if push_opts.push_dataset else None
        pushed = push_folder(staged.folder, push_opts, token, workspace=workspace,
                             on_progress=lambda m, f: ctx.progress(1 + 2 * f, 3, redact(m, token)))
        result.update(pushed.to_dict())
        if pushed.dataset_error:
            ctx.emit("warning", message=redact(pushed.dataset_error, token))
        ctx.emit("pushed", url=pushed.url, commit_url=pushed.commit_url, pr_url=pushed.pr_url,
                 private=pushed.private, visibility_changed=pushed.visibility_changed)
        ctx.progress(3, 3, "pushed")
        ctx.set_result(**result)
        return result
    except (HubError, StagingError, ValueError) as exc:
        raise PushFailed(redact(str(exc), token)) from None


def merge(ctx) -> dict:
    """Write merged weights of ``config['adapter']`` to ``config['out']`` (default RUN_DIR/merged)."""
    from .merge import memory_warning, merge_adapter
    from .runinfo import read_run

    from ..models import resolve_model

    config = dict(ctx.config)
    out = Path(config.get("out") or ctx.run_dir / "merged")
    try:
        run_info = read_run(config.get("adapter") or "")
        base = config.get("base_model") or run_info.base_model
        warning = memory_warning(resolve_model(base), config.get("dtype", "auto"))
        if warning:
            ctx.emit("warning", message=warning)
        ctx.progress(0, 1, "merging")
        # written aside and renamed when complete: a killed merge never leaves a folder that looks merged
        partial = out.parent / f".{out.name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        merge_adapter(base, run_info.adapter_dir, partial, config.get("dtype", "auto"), on_progress=ctx.log)
        if out.exists():
            shutil.rmtree(out)
        os.replace(partial, out)
    except OSError as exc:
        if exc.errno == 28:
            raise PushFailed(f"the disk is full: could not write the merged model to {out}; free some space and "
                             "merge again") from None
        raise PushFailed(str(exc)) from None
    except (StagingError, ValueError) as exc:
        raise PushFailed(str(exc)) from None
    ctx.progress(1, 1, "merged")
    result = {"merged": str(out)}
    ctx.set_result(**result)
    return result
