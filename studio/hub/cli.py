"""``python -m studio push``: stage an adapter (or merged weights) with its model card and push it to the Hub."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from ..cli_util import CliError, add_workspace_arg, emit_json, open_workspace


def register(sub) -> None:
    p = sub.add_parser("push", help="push an adapter (or merged model) with its model card to the Hugging Face Hub",
                       description="Stages the adapter, tokenizer, training recipe, evaluation report and a model "
                                   "card, then uploads them. The token comes from HF_TOKEN (never a flag).")
    p.add_argument("--adapter", required=True, metavar="DIR", help="adapter folder (or its run folder)")
    p.add_argument("--repo-id", required=True, metavar="ID", help="owner/name (a bare name goes to your user)")
    vis = p.add_mutually_exclusive_group()
    vis.add_argument("--private", dest="private", action="store_true", default=True, help="private repo (default)")
    vis.add_argument("--public", dest="private", action="store_false", help="public repo (asks to confirm)")
    p.add_argument("--merged", action="store_true", help="push merged full weights instead of the adapter")
    p.add_argument("--merge-dtype", default="auto", choices=("auto", "bfloat16", "float16", "float32"))
    p.add_argument("--stage-only", metavar="DIR", help="write the complete folder to DIR and push nothing")
    p.add_argument("--report", metavar="FILE", help="evaluation report.json (default: the run's latest)")
    p.add_argument("--card", metavar="FILE", help="use this README.md (an edited card) instead of the generated one")
    p.add_argument("--license", default="other", help="licence id for the card (default: other)")
    p.add_argument("--language", default="", help="comma-separated language codes of the documents")
    p.add_argument("--commit-message", default=None, help="commit message")
    p.add_argument("--pr", action="store_true", help="open a pull request instead of committing to main")
    p.add_argument("--push-dataset", action="store_true", help="also push the workspace's dataset (needs --workspace)")
    add_workspace_arg(p, required=False)
    p.add_argument("--yes", action="store_true", help="do not ask before a public push")
    p.add_argument("--json", action="store_true", help="machine-readable output (last line: the result)")
    p.set_defaults(func=_run)


def _say(args, message: str) -> None:
    if not args.json:
        print(message, file=sys.stderr, flush=True)


def _confirm_public(args, summary: str) -> None:
    if args.private or args.yes:
        return
    if not sys.stdin.isatty():
        raise CliError("a public push needs --yes when not run interactively: " + summary)
    print(summary, file=sys.stderr)
    answer = input("Push PUBLICLY? Anyone will be able to download it. [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise CliError("not pushed")


def _run(args) -> int:
    from .auth import redact, resolve_token
    from .errors import HubError
    from .push import DEFAULT_MESSAGE, PushOptions, push_folder
    from .runinfo import StagingError
    from .staging import StageOptions, describe_upload, stage

    card_text = None
    if args.card:
        try:
            card_text = Path(args.card).read_text(encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot read the card {args.card}: {exc.strerror or exc}") from None
    stage_opts = StageOptions.from_dict({
        "repo_id": args.repo_id, "merged": args.merged, "merge_dtype": args.merge_dtype, "report": args.report,
        "license": args.license, "language": args.language, "card_text": card_text,
    })
    token = None if args.stage_only else resolve_token()
    if not args.stage_only and not token:
        raise CliError("no Hugging Face token: set HF_TOKEN to a token with write access, or use --stage-only DIR")
    push_opts = PushOptions.from_dict({"repo_id": args.repo_id, "private": args.private,
                                       "commit_message": args.commit_message or DEFAULT_MESSAGE,
                                       "create_pr": args.pr, "push_dataset": args.push_dataset})
    workspace = open_workspace(args) if args.workspace else None
    folder = Path(args.stage_only) if args.stage_only else Path(tempfile.mkdtemp(prefix="studio-push-"))
    try:
        try:
            staged = stage(args.adapter, folder, stage_opts, on_progress=lambda m: _say(args, m))
        except StagingError as exc:
            raise CliError(str(exc)) from None
        for warning in staged.warnings:
            _say(args, f"warning: {warning}")
        summary = describe_upload(staged, args.private, args.push_dataset)
        if args.stage_only:
            out = staged.to_dict() | {"pushed": False}
            if args.json:
                emit_json(out)
            else:
                print(f"staged {len(staged.files)} files ({staged.total_bytes / 1e6:.1f} MB) in {staged.folder}; "
                      "nothing was pushed")
            return 0
        _say(args, summary)
        _confirm_public(args, summary)
        try:
            result = push_folder(staged.folder, push_opts, token, workspace=workspace,
                                 on_progress=lambda m, f: _say(args, f"[{int(100 * f):3d}%] {m}"))
        except HubError as exc:
            raise CliError(redact(str(exc), token)) from None
        out = result.to_dict() | {"pushed": True, "files": staged.files, "warnings": staged.warnings}
        if args.json:
            emit_json(out)
        else:
            print(result.pr_url or result.url)
        return 0
    finally:
        if not args.stage_only:
            shutil.rmtree(folder, ignore_errors=True)
