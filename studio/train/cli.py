"""``python -m studio train``: the Train tab's job in the foreground, with ``--json`` events for scripts.

Under ``accelerate launch`` (``WORLD_SIZE`` > 1) the main process prepares the run folder and reports; the other
processes wait for the frozen data and plan, then train with a quiet context (see :mod:`studio.train.worker`).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from ..cli_util import CliError, emit_json


def register(sub) -> None:
    p = sub.add_parser("train", help="fine-tune a LoRA/QLoRA adapter on the workspace's kept pairs")
    p.add_argument("--workspace", "-w", metavar="W", help="workspace name or path (not needed with --resume)")
    p.add_argument("--base-model", metavar="M", help="Hub id, local folder or bundled:smollm2-135m-instruct")
    p.add_argument("--output", "-o", required=True, metavar="DIR", help="the run folder")
    p.add_argument("--method", choices=["auto", "qlora", "lora"])
    group = p.add_mutually_exclusive_group()
    group.add_argument("--max-steps", type=int, metavar="N")
    group.add_argument("--epochs", type=float, metavar="E")
    p.add_argument("--lr", type=float, metavar="X")
    p.add_argument("--batch-size", type=int, metavar="B")
    p.add_argument("--preset", help="auto, cpu, t4, l4, a10g, a100-40, a100-80, h100")
    p.add_argument("--config", metavar="recipe.yaml", help="a recipe YAML (a run's recipe.yaml); flags override it")
    p.add_argument("--resume", action="store_true", help="continue the run in --output from its last checkpoint")
    p.add_argument("--from-run", metavar="RUN", help="start a NEW run from this finished run's adapter (same base "
                   "model): its new pairs plus a replay of the old ones")
    p.add_argument("--replay-share", type=float, metavar="X", help="with --from-run: old pairs mixed in, as a share "
                   "of the new pairs (default 0.5, against forgetting)")
    p.add_argument("--plan", action="store_true", help="print the effective recipe and estimates, do not train")
    p.add_argument("--calibrate", action="store_true",
                   help="with --plan: first time 3 real training steps on this machine, so the time is measured")
    p.add_argument("--print-accelerate", type=int, metavar="GPUS", help="print the accelerate launch command and exit")
    p.add_argument("--json", action="store_true", help="one JSON event per line, then a summary")
    p.set_defaults(func=_run)


def build_config(args):
    from ..config import ConfigError
    from .config import TrainConfig

    data = {}
    if args.config:
        path = Path(args.config)
        if not path.is_file():
            raise CliError(f"recipe file not found: {path}")
        data = TrainConfig.from_yaml(path).to_dict()
    for flag, key in (("base_model", "base_model"), ("method", "method"), ("max_steps", "max_steps"), ("epochs", "epochs"),
                      ("lr", "lr"), ("batch_size", "batch_size"), ("preset", "preset")):
        value = getattr(args, flag, None)
        if value is not None:
            data[key] = value
    if args.epochs is not None:
        data["max_steps"] = None
    if getattr(args, "replay_share", None) is not None:
        data["replay_share"] = args.replay_share
    try:
        return TrainConfig.from_dict(data)
    except ConfigError as exc:
        raise CliError(str(exc)) from None


def _open_ws(args):
    if not args.workspace:
        return None
    from ..cli_util import open_workspace

    return open_workspace(args)


def _run(args) -> int:
    from ..jobs import JobRunner, files

    run_dir = Path(args.output).expanduser().resolve()
    if args.resume:
        previous = files.read_config(run_dir)
        if not previous:
            raise CliError(f"nothing to resume in {run_dir}: no config.yaml there")
        config = {**previous, "resume": True}
        ws = _open_ws(args)
        if ws is None and (files.read_json(run_dir / files.JOB_FILE) or {}).get("workspace"):
            from ..workspace import Workspace

            try:
                ws = Workspace.open(Path(files.read_json(run_dir / files.JOB_FILE)["workspace"]))
            except Exception:  # noqa: BLE001 - resume works from the frozen data alone
                ws = None
    else:
        if not args.base_model and not args.config:
            raise CliError("--base-model is required (or --config recipe.yaml)")
        cfg = build_config(args)
        if args.print_accelerate:
            from .distributed import accelerate_command

            print(accelerate_command(cfg, args.workspace, run_dir, args.print_accelerate))
            return 0
        ws = _open_ws(args)
        if ws is None:
            raise CliError("--workspace is required to start a run (its kept pairs are the training data)")
        if args.from_run:
            cfg = _continue_from(cfg, ws, args.from_run)
        if args.plan:
            return _print_plan(cfg, ws, args.json, getattr(args, "calibrate", False))
        config = {**cfg.to_dict(), "resume": False}
    rank = int(os.environ.get("RANK", "0"))
    if int(os.environ.get("WORLD_SIZE", "1")) > 1 and rank != 0:
        from .worker import run_secondary

        return run_secondary(run_dir)
    runner = JobRunner(ws, root=None)
    real = sys.stdout
    on_event = (lambda e: emit_json(e, real)) if args.json else (lambda e: _human_event(e, real))
    # library chatter goes to stderr so --json stdout stays one JSON object a line
    with contextlib.redirect_stdout(sys.stderr):
        status = runner.run_foreground("train", config, run_dir=run_dir, needs_gpu=False, on_event=on_event)
    summary = {"state": status.get("state"), "error": status.get("error"), "run_dir": str(run_dir),
               **(status.get("result") or {})}
    if args.json:
        emit_json({"type": "summary", **summary}, real)
    else:
        _print_summary(summary)
    return 0 if summary["state"] in ("completed", "stopped") else 1


def _continue_from(cfg, ws, run: str):
    """The config starting from ``run``'s adapter, checked (same base model) before anything loads."""
    from .lineage import LineageError, continue_config

    try:
        return continue_config(ws, cfg, run)
    except LineageError as exc:
        raise CliError(str(exc)) from None


def _human_event(event: dict, out) -> None:
    kind = event.get("type")
    if kind == "train":
        eta = event.get("eta_s")
        print(f"step {event['step']:>5}  loss {event['loss']:.4f}  lr {event.get('learning_rate') or 0:.2e}"
              + (f"  eta {int(eta)}s" if eta is not None else ""), file=out, flush=True)
    elif kind == "eval":
        print(f"step {event['step']:>5}  val loss {event['eval_loss']:.4f}", file=out, flush=True)
    elif kind == "log" and event.get("level") == "warning":
        print(f"warning: {event['message']}", file=out, flush=True)
    elif kind == "plan":
        from .plan import Plan

        fields = {k: event[k] for k in Plan.__dataclass_fields__ if k in event}
        for line in Plan(**fields).summary_lines():
            print(line, file=out, flush=True)
    elif kind == "checkpoint":
        print(f"checkpoint saved: {event['path']}", file=out, flush=True)


def _print_summary(summary: dict) -> None:
    if summary["state"] == "completed":
        print(f"done: adapter in {summary.get('adapter')} ({summary.get('step')} steps, "
              f"train loss {summary.get('train_loss')}, val loss {summary.get('eval_loss')})")
    elif summary["state"] == "stopped":
        print(f"stopped at step {summary.get('step')}; resume with: python -m studio train --output "
              f"{summary['run_dir']} --resume")
    else:
        print(f"error: {summary.get('error')}", file=sys.stderr)


def _print_plan(cfg, ws, as_json: bool, calibrate: bool = False) -> int:
    from .preview import preview_plan

    if calibrate:
        from .calibrate import calibrate as measure

        measure(cfg, ws)
    preview = preview_plan(cfg, ws)
    if as_json:
        emit_json(preview)
    else:
        for line in preview["lines"] + [f"warning: {w}" for w in preview["warnings"]]:
            print(line)
    return 0
