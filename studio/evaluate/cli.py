"""``python -m studio evaluate`` (the Evaluate tab's job in the foreground) and ``python -m studio score``."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

from ..cli_util import CliError, emit_json


def register(sub) -> None:
    p = sub.add_parser("evaluate", help="did the model learn the documents? base vs tuned (vs retrieval) on held-out questions")
    p.add_argument("--workspace", "-w", metavar="W", help="workspace name or path (chunks for retrieval; questions for outside adapters)")
    p.add_argument("--base-model", metavar="M", help="base model (default: the one the studio adapter names)")
    p.add_argument("--adapter", metavar="DIR", help="LoRA adapter folder (a studio run's adapter/ uses that run's frozen test)")
    p.add_argument("--arms", help="comma list of base,tuned,base+rag,tuned+rag,gold (default base,tuned with an adapter, else base)")
    p.add_argument("--sets", default="phrasings,facts,refusals,trained", help="comma list of phrasings,facts,refusals,trained")
    p.add_argument("--questions", metavar="FILE.jsonl", help="your own test set: question, reference, optional key, group, set")
    p.add_argument("--max-facts", type=int, metavar="N", help="facts sampled per set (every phrasing of each is asked)")
    p.add_argument("--out", "-o", required=True, metavar="DIR", help="folder for report.json, answers.csv and plots")
    p.add_argument("--max-new-tokens", type=int, metavar="T")
    p.add_argument("--batch-size", type=int, metavar="B")
    p.add_argument("--top-k", type=int, metavar="K", help="retrieved chunks per question")
    p.add_argument("--retriever", choices=["hybrid", "embeddings", "bm25"])
    p.add_argument("--embedder", metavar="PATH", help="sentence embedder (default all-MiniLM-L6-v2)")
    p.add_argument("--threshold", type=float, metavar="X", help="similarity threshold (default: calibrated)")
    p.add_argument("--system-prompt", metavar="TEXT", help="system prompt (default: the run's own)")
    p.add_argument("--no-forgetting", action="store_true", help="skip the general-knowledge probe and perplexity")
    p.add_argument("--judge-model", metavar="MODEL", help="optional LLM judge (with --judge-base-url for an endpoint)")
    p.add_argument("--judge-base-url", metavar="URL")
    p.add_argument("--json", action="store_true", help="JSON events, then a summary line")
    p.set_defaults(func=_evaluate)

    s = sub.add_parser("score", help="score answers against references (no generation)")
    s.add_argument("--input", "-i", required=True, metavar="FILE.jsonl", help="lines with question, reference, prediction [, id, group, key]")
    s.add_argument("--out", "-o", required=True, metavar="FILE.jsonl", help="scored lines, then a summary line")
    s.add_argument("--embedder", metavar="PATH", help="sentence embedder (default all-MiniLM-L6-v2)")
    s.add_argument("--workspace", "-w", metavar="W", help="use the threshold calibrated by this workspace's last evaluation")
    s.add_argument("--threshold", type=float, metavar="X", help="similarity threshold (default: the documented default)")
    s.set_defaults(func=_score)

    i = sub.add_parser("improve", help="more training phrasings for the facts an evaluation found missed (next round)")
    i.add_argument("run", metavar="RUN", help="a training run (its newest evaluation), an evaluation run or report folder")
    i.add_argument("--workspace", "-w", metavar="W", help="workspace name or path")
    i.add_argument("--per-fact", type=int, default=5, metavar="N", help="new phrasings per missed fact (default 5)")
    i.add_argument("--json", action="store_true", help="one JSON line with the result")
    i.set_defaults(func=_improve)


def _config(args):
    from ..config import ConfigError
    from .config import EvalConfig

    data = {"arms": args.arms or ("base,tuned" if args.adapter else "base"), "sets": args.sets, "out": str(Path(args.out).expanduser().resolve()),
            "forgetting": not args.no_forgetting}
    for flag in ("workspace", "base_model", "adapter", "questions", "max_facts", "max_new_tokens", "batch_size", "top_k",
                 "retriever", "embedder", "threshold", "system_prompt", "judge_model", "judge_base_url"):
        value = getattr(args, flag, None)
        if value is not None:
            data[flag] = str(Path(value).expanduser().resolve()) if flag in ("adapter", "questions") else value
    if data.get("workspace"):
        from ..paths import resolve_workspace_path

        data["workspace"] = str(resolve_workspace_path(data["workspace"]))
    if args.max_facts is None:
        data["max_facts"] = None
    try:
        return EvalConfig.from_dict(data)
    except ConfigError as exc:
        raise CliError(str(exc)) from None


def _evaluate(args) -> int:
    from ..jobs import JobRunner
    from ..workspace import Workspace

    cfg = _config(args)
    ws = Workspace.open(Path(cfg.workspace)) if cfg.workspace else None
    if cfg.adapter and not Path(cfg.adapter).is_dir():
        raise CliError(f"no adapter folder at {cfg.adapter}")
    out = Path(cfg.out)
    real = sys.stdout
    on_event = (lambda e: emit_json(e, real)) if args.json else (lambda e: _human(e, real))
    with contextlib.redirect_stdout(sys.stderr):
        status = JobRunner(ws).run_foreground("evaluate", cfg.to_dict(), run_dir=out, on_event=on_event)
    result = status.get("result") or {}
    if status.get("state") != "completed":
        if args.json:
            emit_json({"ok": False, "state": status.get("state"), "error": status.get("error"), "out": str(out)}, real)
        raise CliError(status.get("error") or f"evaluation {status.get('state')}")
    if args.json:
        emit_json({"ok": True, "out": str(out), "report": result.get("report"), "learned": result.get("learned"),
                   "threshold": result.get("threshold"), "results": result.get("results"),
                   "verdict": result.get("verdict")}, real)
    else:
        print(result.get("verdict", ""), file=real)
        for arm, sets in (result.get("results") or {}).items():
            for s, m in sets.items():
                ci = m.get("accuracy_ci") or []
                ci_txt = f" [{ci[0]:.2f}-{ci[1]:.2f}]" if len(ci) == 2 else ""
                cons = m.get("consistency")
                print(f"  {arm:10s} {s:10s} accuracy {m.get('accuracy')}{ci_txt}  strict {m.get('strict_accuracy')}  "
                      f"consistency {cons}  n={m.get('n')}", file=real)
        print(f"report: {result.get('report')}", file=real)
    return 0


def _human(event: dict, out) -> None:
    if event.get("type") == "progress":
        eta = event.get("eta_s")
        print(f"[{event.get('done')}/{event.get('total')}] {event.get('message', '')}"
              + (f" (ETA {eta:.0f}s)" if eta else ""), file=out, flush=True)
    elif event.get("type") == "log":
        print(event.get("message", ""), file=out, flush=True)


def _improve(args) -> int:
    from ..cli_util import open_workspace
    from .improve import ImproveError, find_report, improve

    ws = open_workspace(args)
    try:
        folder = Path(args.run).expanduser()
        if not (folder / "report.json").is_file():
            folder = find_report(ws, args.run)
        with contextlib.redirect_stdout(sys.stderr):
            result = improve(ws, folder, per_fact=args.per_fact)
    except ImproveError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        emit_json({"ok": True, **result.to_dict()})
        return 0
    if not result.missed:
        print(f"no missed facts in {result.report}: every unseen phrasing was answered right")
        return 0
    print(f"{len(result.missed)} missed fact(s); {result.n_added} new pair(s) for round {result.round} "
          f"({sum(1 for v in result.added.values() if v)} facts), {len(result.flagged)} trained pair(s) flagged "
          f"check_answer, {result.leaks_refused} leak(s) refused; review them, then continue training")
    for group, why in result.skipped.items():
        print(f"  {group}: {why}")
    return 0


def _score(args) -> int:
    from .scorefile import score_file

    inp, out = Path(args.input).expanduser(), Path(args.out).expanduser()
    if not inp.is_file():
        raise CliError(f"no such input file: {inp}")
    threshold = args.threshold
    if threshold is None and args.workspace:
        from ..cli_util import open_workspace

        saved = open_workspace(args).get_setting("evaluate.threshold")
        threshold = (saved or {}).get("value")
    summary = score_file(inp, out, embedder=args.embedder, threshold=threshold)
    print(json.dumps(summary, ensure_ascii=False))
    return 0
