"""``python -m studio publish-space | export-gguf | serve``: the three ways to share a trained adapter."""

from __future__ import annotations

import sys
from pathlib import Path

from ..cli_util import CliError, emit_json


def register(sub) -> None:
    p = sub.add_parser("publish-space", help="build (and push) a chat Space for an adapter",
                       description="Writes a Space folder (app.py, requirements.txt, README.md with the suggested "
                                   "hardware and the evaluation summary, the adapter) and pushes it as a new gradio "
                                   "Space. The token comes from HF_TOKEN (never a flag).")
    p.add_argument("source", metavar="RUN_OR_REPO", help="a run or adapter folder, or an adapter repo id on the Hub")
    p.add_argument("--space-id", required=True, metavar="ID", help="owner/name of the Space")
    p.add_argument("--stage-only", nargs="?", const="", default=None, metavar="DIR",
                   help="write the Space folder (to DIR, default RUN/export/space) and push nothing")
    p.add_argument("--private", action="store_true", help="private Space (default: public, a demo to share)")
    p.add_argument("--base-model", default=None, metavar="ID", help="Hub id of the base model (default: the adapter's)")
    p.add_argument("--hardware", default=None, help="override the suggested hardware (cpu-basic, t4-small, ...)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_publish)

    g = sub.add_parser("export-gguf", help="export the merged model as GGUF (F16 or Q8_0) with an Ollama Modelfile",
                       description="Merges the adapter (once), writes model.gguf and a Modelfile (FROM, TEMPLATE, "
                                   "SYSTEM, stop tokens). --verify loads the file with transformers' GGUF loader and "
                                   "compares next-token logits with the merged model.")
    g.add_argument("run", metavar="RUN", help="run or adapter folder")
    g.add_argument("--quant", default="q8_0", choices=("q8_0", "f16"))
    g.add_argument("--out", default=None, metavar="DIR", help="output folder (default: RUN/export/gguf-<quant>)")
    g.add_argument("--merged-dir", default=None, metavar="DIR", help="merged model folder (default: RUN/merged)")
    g.add_argument("--verify", action="store_true", help="reload the GGUF with transformers and compare logits")
    g.add_argument("--json", action="store_true", help="machine-readable output")
    g.set_defaults(func=_gguf)

    s = sub.add_parser("serve", help="serve base + adapter on an OpenAI-compatible local endpoint",
                       description="Merges the adapter if needed and runs `transformers serve` pinned to the merged "
                                   "folder (chat completions at BASE_URL/chat/completions). Ctrl-C stops it.")
    s.add_argument("run", metavar="RUN", help="run or adapter folder")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--host", default="127.0.0.1", help="address (default loopback; 0.0.0.0 exposes it)")
    s.add_argument("--device", default="auto", help="auto, cpu, cuda:0, ...")
    s.add_argument("--merged-dir", default=None, metavar="DIR", help="merged model folder (default: RUN/merged)")
    s.add_argument("--print-only", action="store_true", help="merge, print the endpoint and command, start nothing")
    s.set_defaults(func=_serve)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _publish(args) -> int:
    from .auth import redact, resolve_token
    from .errors import HubError
    from .runinfo import StagingError, read_run
    from .space_app import SpaceOptions, push_space, stage_space

    opts = SpaceOptions.from_dict({"space_id": args.space_id, "private": args.private,
                                   "base_model": args.base_model, "hardware": args.hardware})
    stage_only = args.stage_only is not None
    token = None if stage_only else resolve_token()
    if not stage_only and not token:
        raise CliError("no Hugging Face token: set HF_TOKEN to a token with write access, or use --stage-only")
    if args.stage_only:
        folder = Path(args.stage_only)
    elif Path(args.source).expanduser().exists():
        run = read_run(args.source)
        folder = (run.run_dir or run.adapter_dir.parent) / "export" / "space"
    else:
        folder = Path.cwd() / f"space-{args.space_id.split('/')[-1]}"
    try:
        staged = stage_space(args.source, folder, opts, on_progress=_say)
    except StagingError as exc:
        raise CliError(str(exc)) from None
    for warning in staged.warnings:
        _say(f"warning: {warning}")
    out = staged.to_dict() | {"pushed": False}
    if not stage_only:
        try:
            out["url"] = push_space(staged.folder, opts, token, on_progress=_say)
        except HubError as exc:
            raise CliError(redact(str(exc), token)) from None
        out["pushed"] = True
    if args.json:
        emit_json(out)
    elif out["pushed"]:
        print(out["url"])
    else:
        print(f"staged the Space in {staged.folder} ({len(staged.files)} files, suggested hardware "
              f"{staged.hardware}); nothing was pushed")
    return 0


def _gguf(args) -> int:
    from .gguf_export import GgufOptions, export_gguf
    from .runinfo import StagingError

    opts = GgufOptions.from_dict({"quant": args.quant, "out_dir": args.out, "merged_dir": args.merged_dir})
    try:
        result = export_gguf(args.run, opts, on_progress=_say)
    except StagingError as exc:
        raise CliError(str(exc)) from None
    out = result.to_dict()
    if args.verify:
        from .gguf_check import compare_with_merged
        from .merge import ensure_merged

        _say("checking the file with transformers' GGUF loader")
        check = compare_with_merged(ensure_merged(args.run, args.merged_dir)[0], result.gguf_path, args.quant)
        out["check"] = check.to_dict()
    if args.json:
        emit_json(out)
    else:
        print(f"wrote {result.gguf_path} ({result.bytes / 1e6:.1f} MB, {result.quant.upper()}) and {result.modelfile}")
        print(f"ollama: cd {result.gguf_path.parent} && ollama create my-model -f Modelfile && ollama run my-model")
        if "check" in out:
            c = out["check"]
            print(f"check: max |logit diff| {c['max_abs_diff']:g}, top-1 agreement {c['top1_agreement']:.0%}, "
                  f"{'within' if c['within_tolerance'] else 'OUTSIDE'} tolerance {c['tolerance']}")
    if "check" in out and not out["check"]["within_tolerance"]:
        return 1
    return 0


def _serve(args) -> int:
    from .merge import ensure_merged
    from .runinfo import StagingError
    from .serve import ServeOptions, endpoint, run_server, serve_command

    opts = ServeOptions.from_dict({"host": args.host, "port": args.port, "device": args.device,
                                   "merged_dir": args.merged_dir})
    try:
        merged, _run = ensure_merged(args.run, args.merged_dir, on_progress=_say)
    except StagingError as exc:
        raise CliError(str(exc)) from None
    info = endpoint(merged, opts)
    print(f"base URL: {info['base_url']}", flush=True)
    print(f"model: {info['model']}", flush=True)
    if args.print_only:
        print("command: " + " ".join(serve_command(merged, opts)))
        return 0
    _say("starting transformers serve (Ctrl-C stops it)")
    return run_server(merged, opts)
