"""``python -m studio generate``: the Generate tab's job, run in the foreground."""

from __future__ import annotations

import sys

from ..cli_util import CliError, add_workspace_arg, emit_json, open_workspace

SUMMARY_KEYS = ("chunks_done", "chunks_failed", "pairs", "train", "heldout", "heldout_phrasings", "heldout_facts",
                "val", "leaks_fixed")


def register(sub) -> None:
    from .config import GenerateConfig

    h = GenerateConfig.help()
    p = sub.add_parser("generate", help="generate QA pairs (facts, paraphrases, refusals) from the workspace's chunks")
    add_workspace_arg(p)
    p.add_argument("--backend", choices=["transformers", "openai", "replay"], default="transformers", help=h["backend"])
    p.add_argument("--model", default=None, help=h["model"])
    p.add_argument("--base-url", default=None, help=h["base_url"])
    p.add_argument("--api-key-env", default=None, metavar="VAR", help=h["api_key_env"])
    p.add_argument("--facts-per-chunk", type=int, default=None, metavar="N", help=h["facts_per_chunk"])
    p.add_argument("--paraphrases", type=int, default=None, metavar="K", help=h["paraphrases"])
    p.add_argument("--refusal-share", type=float, default=None, metavar="F", help=h["refusal_share"])
    p.add_argument("--false-premise-share", type=float, default=None, metavar="F", help=h["false_premise_share"])
    p.add_argument("--heldout-facts-share", type=float, default=None, metavar="F", help=h["heldout_facts_share"])
    p.add_argument("--heldout-phrasings", type=int, default=None, metavar="N", help=h["heldout_phrasings"])
    p.add_argument("--curate", action="store_true", default=None, help=h["curate"])
    p.add_argument("--judge-min-score", type=int, default=None, metavar="S", help=h["judge_min_score"])
    p.add_argument("--temperature", type=float, default=None, help=h["temperature"])
    p.add_argument("--max-new-tokens", type=int, default=None, metavar="N", help=h["max_new_tokens"])
    p.add_argument("--limit-chunks", type=int, default=None, metavar="N", help=h["limit_chunks"])
    p.add_argument("--concurrency", type=int, default=None, metavar="N", help=h["concurrency"])
    p.add_argument("--batch-size", type=int, default=None, metavar="N", help=h["batch_size"])
    p.add_argument("--embedder", default=None, help=h["embedder"])
    p.add_argument("--language", choices=["auto", "en", "it"], default=None, help=h["language"])
    p.add_argument("--retry-failed", action="store_true", default=None, help=h["retry_failed"])
    p.add_argument("--recordings", default=None, help=h["recordings"])
    p.add_argument("--recipe", choices=["auto", "full", "guided"], default=None, help=h["recipe"])
    p.add_argument("--mode", choices=["knowledge", "voice", "both"], default=None,
                   help="goal: knowledge (know my documents, default), voice (talk like me) or both")
    p.add_argument("--author-name", dest="author_name", default=None, help="voice: the author's name for the system prompt")
    p.add_argument("--json", action="store_true", help="print events as JSON lines; the last line is the summary")
    p.set_defaults(func=_run)


def config_from_args(args):
    from .config import GenerateConfig

    values = {k: getattr(args, k) for k in (
        "backend", "model", "base_url", "api_key_env", "facts_per_chunk", "paraphrases", "refusal_share",
        "false_premise_share", "heldout_facts_share", "heldout_phrasings", "curate", "judge_min_score", "temperature",
        "max_new_tokens", "limit_chunks", "concurrency", "batch_size", "embedder", "language", "retry_failed", "recordings",
        "mode", "author_name", "recipe",
    ) if getattr(args, k, None) is not None}
    if values.get("backend") == "replay" and "model" not in values:
        values["model"] = "replay"
    return GenerateConfig.from_dict(values)


def _run(args) -> int:
    from ..jobs import JobRunner

    cfg = config_from_args(args)
    ws = open_workspace(args)
    if not ws.list_chunks(limit=1):
        raise CliError(f"workspace {ws.name!r} has no chunks yet: add documents first (python -m studio ingest)")

    def on_event(event: dict) -> None:
        if args.json:
            if event.get("type") in ("progress", "chunk", "log"):
                emit_json(event)
        elif event.get("type") == "progress":
            print(f"\r{event.get('done', 0)}/{event.get('total', 0)} chunks  {event.get('pairs', 0)} pairs  "
                  f"{event.get('message', '')}", end="", file=sys.stderr, flush=True)
        elif event.get("type") == "chunk" and event.get("status") == "failed":
            print(f"\nchunk {event['chunk_id']} failed: {event.get('reason')}", file=sys.stderr)

    status = JobRunner(ws).run_foreground("generate", cfg.to_dict(), on_event=on_event)
    result = status.get("result") or {}
    summary = {k: result.get(k, 0) for k in SUMMARY_KEYS}
    summary.update({k: result.get(k) for k in ("chunks_total", "facts", "refusals", "false_premises", "flagged",
                                               "calls", "pairs_per_min", "stopped") if k in result})
    summary["state"] = status.get("state")
    if status.get("error"):
        summary["error"] = status["error"]
    if args.json:
        emit_json(summary)
    else:
        print(file=sys.stderr)
        for k, v in summary.items():
            print(f"{k}: {v}")
    if status.get("state") == "failed":
        if not args.json:
            print(f"error: {status.get('error')}", file=sys.stderr)
        return 1
    return 0
