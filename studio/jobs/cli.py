"""``python -m studio jobs list|status|stop|kill|tail`` for any long job of a workspace."""

from __future__ import annotations

import time

from ..cli_util import CliError, add_workspace_arg, emit_json, open_workspace


def register(sub) -> None:
    p = sub.add_parser("jobs", help="list, watch, stop or kill the workspace's jobs")
    p.add_argument("action", choices=["list", "status", "stop", "kill", "tail", "demo"])
    p.add_argument("run_id", nargs="?")
    add_workspace_arg(p)
    p.add_argument("--json", action="store_true")
    p.add_argument("--follow", action="store_true", help="with tail: keep printing until the job ends")
    p.set_defaults(func=_run)


def _run(args) -> int:
    from . import ACTIVE_STATES, JobRunner

    ws = open_workspace(args)
    runner = JobRunner(ws)
    if args.action == "list":
        rows = [{**r, **runner.status(r["id"])} for r in ws.list_runs()]
        if args.json:
            emit_json([{k: r.get(k) for k in ("id", "kind", "state", "created_at", "error", "run_dir")} for r in rows])
        else:
            for r in rows:
                print(f"{r['id']:<40} {r['state']:<10} {r.get('error') or ''}")
        return 0
    if args.action == "demo":
        status = runner.run_foreground("demo", {"steps": 3, "delay": 0.1}, on_event=emit_json if args.json else None)
        return 0 if status["state"] == "completed" else 1
    if not args.run_id:
        raise CliError(f"jobs {args.action} needs a run id")
    if args.action == "status":
        emit_json(runner.status(args.run_id))
    elif args.action == "stop":
        emit_json(runner.stop(args.run_id))
    elif args.action == "kill":
        emit_json(runner.kill(args.run_id))
    elif args.action == "tail":
        offset = 0
        while True:
            events, offset = runner.events(args.run_id, offset)
            for e in events:
                emit_json(e)
            if not args.follow or runner.status(args.run_id)["state"] not in ACTIVE_STATES:
                break
            time.sleep(1)
    return 0
