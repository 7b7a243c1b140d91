"""``python -m studio style-score`` and ``python -m studio voice-generate``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..cli_util import CliError, add_workspace_arg, emit_json, open_workspace


def register(sub) -> None:
    from .config import VoiceConfig

    h = VoiceConfig.help()
    p = sub.add_parser("style-score", help="score texts by how close their style is to an author's")
    p.add_argument("--author", nargs="+", required=True, metavar="FILE_OR_DIR", help="the author's texts (any format ingestion reads)")
    p.add_argument("--reference", nargs="+", default=None, metavar="FILE_OR_DIR",
                   help="other writers' texts that set the scale (default: the bundled sample in the author's language)")
    p.add_argument("--input", required=True, metavar="FILE.jsonl", help="one JSON object a line: id, text, optional group and system")
    p.add_argument("--out", required=True, metavar="FILE.jsonl", help="the input lines with style_score added, then a summary line")
    p.add_argument("--top-k", type=int, default=None, metavar="N", help=h["style_top_k"])
    p.add_argument("--json", action="store_true", help="print the summary as one JSON line")
    p.set_defaults(func=run_style_score)

    g = sub.add_parser("voice-generate", help="generate voice (\"talk like me\") and extractive pairs from the workspace")
    add_workspace_arg(g)
    g.add_argument("--backend", choices=["transformers", "openai", "replay"], default="transformers")
    g.add_argument("--model", default=None, help="generator model (default: the bundled SmolLM2)")
    g.add_argument("--base-url", default=None, help="endpoint URL for the openai backend")
    g.add_argument("--api-key-env", default=None, metavar="VAR", help="environment variable holding the API key")
    g.add_argument("--author-name", default=None, metavar="NAME", help=h["author_name"])
    g.add_argument("--heldout-share", type=float, default=None, help=h["heldout_share"])
    g.add_argument("--voice-share", type=float, default=None, help=h["voice_share"])
    g.add_argument("--no-curate", action="store_true", help="skip the curation call")
    g.add_argument("--min-score", type=int, default=None, help=h["curate_min_score"])
    g.add_argument("--max-length", type=int, default=None, help=h["max_length"])
    g.add_argument("--json", action="store_true", help="print the summary as one JSON line")
    g.set_defaults(func=run_voice_generate)


def _read_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        raise CliError(f"no such input file: {path}")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CliError(f"{path}:{n}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise CliError(f"{path}:{n}: each line needs a \"text\" string (and an \"id\")")
        rows.append(row)
    if not rows:
        raise CliError(f"{path} has no lines to score")
    return rows


def style_score_rows(rows: list[dict], author: list[str], reference: list[str] | None, top_k: int = 300) -> tuple[list[dict], dict | None]:
    """Scored rows and, when groups have both base and tuned, the summary (W, CI, G, validity)."""
    from .metrics import gap_closure, validity, win_rate
    from .style import build_profile

    profile = build_profile(author, reference, top_k)
    scores = profile.score([r["text"] for r in rows])
    out = [{**r, "style_score": round(float(s), 6)} for r, s in zip(rows, scores)]
    groups: dict[str, dict[str, float]] = {}
    for r in out:
        if r.get("group") is not None and r.get("system"):
            groups.setdefault(str(r["group"]), {})[str(r["system"])] = r["style_score"]
    paired = [g for g in groups.values() if "base" in g and "tuned" in g]
    if not paired:
        return out, None
    base, tuned = [g["base"] for g in paired], [g["tuned"] for g in paired]
    w, lo, hi = win_rate(tuned, base)
    summary = {"summary": True, "groups": len(paired), "win_rate": w, "win_rate_ci": [lo, hi],
               "gap_closure": None, "gap_closure_ci": None, "valid": None,
               "profile": {"words": len(profile.vocabulary), "reference": profile.reference, "lang": profile.lang}}
    with_author = [g for g in paired if "author" in g]
    if with_author:
        g, glo, ghi = gap_closure([x["tuned"] for x in with_author], [x["base"] for x in with_author],
                                  [x["author"] for x in with_author])
        gate = validity([x["author"] for x in with_author], [x["base"] for x in with_author])
        summary.update(gap_closure=g, gap_closure_ci=[glo, ghi], valid=gate["valid"], verdict=gate["verdict"])
    return out, summary


def run_style_score(args) -> int:
    from .style import StyleError, read_texts

    rows = _read_jsonl(Path(args.input))
    try:
        author = read_texts(args.author)
        reference = read_texts(args.reference) if args.reference else None
        out, summary = style_score_rows(rows, author, reference, args.top_k or 300)
    except StyleError as exc:
        raise CliError(str(exc)) from None
    target = Path(args.out)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for r in out + ([summary] if summary else []):
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    tmp.replace(target)
    info = summary or {"summary": True, "scored": len(out)}
    if args.json:
        emit_json({**info, "out": str(target), "scored": len(out)})
    else:
        print(f"scored {len(out)} texts -> {target}")
        if summary:
            lo, hi = summary["win_rate_ci"]
            print(f"win rate of tuned over base: {summary['win_rate']:.2f} (95% CI {lo:.2f}-{hi:.2f}) on {summary['groups']} prompts")
            if summary.get("gap_closure") is not None:
                print(f"gap closure: {summary['gap_closure']:.2f}; {summary.get('verdict', '')}")
    return 0


def make_backend(args):
    if args.backend == "replay":
        from .replay import VoiceReplayBackend

        return VoiceReplayBackend(args.model or "voice-replay")
    from ..generate.backends import make_backend as make
    from ..generate.config import GenerateConfig

    values = {"backend": args.backend, "model": args.model or "bundled:smollm2-135m-instruct"}
    if args.base_url:
        values["base_url"] = args.base_url
    if args.api_key_env:
        values["api_key_env"] = args.api_key_env
    cfg = GenerateConfig.from_dict(values)
    if cfg.backend == "transformers":
        from ..models import resolve_model

        cfg = cfg.replace(model=resolve_model(cfg.model))
    return make(cfg)


def run_voice_generate(args) -> int:
    from .config import VoiceConfig
    from .pipeline import run_voice_recipe

    values = {k: v for k, v in {
        "author_name": args.author_name, "heldout_share": args.heldout_share, "voice_share": args.voice_share,
        "curate_min_score": args.min_score, "max_length": args.max_length,
    }.items() if v is not None}
    if args.no_curate:
        values["curate"] = False
    cfg = VoiceConfig.from_dict(values)
    ws = open_workspace(args)
    backend = make_backend(args)
    try:
        summary = run_voice_recipe(ws, backend, cfg, progress=None if args.json else _progress)
    finally:
        backend.close()
    if args.json:
        emit_json(summary)
        return 0
    for w in summary["warnings"]:
        print(f"warning: {w}", file=sys.stderr)
    mix = summary["mix"]
    print(f"{summary['split']}; passages: {summary['passages']['train']} train, {summary['passages']['heldout']} held out, "
          f"{summary['passages']['skipped']} skipped")
    if mix:
        print(f"pairs: {mix['voice_pairs']} voice + {mix['extractive_pairs']} extractive "
              f"({mix['voice_share']:.0%} voice by assistant tokens), {summary.get('heldout_prompts', 0)} held-out prompts")
    if summary["failures"]:
        print(f"{len(summary['failures'])} generator replies could not be used (first: {summary['failures'][0]['reason']})")
    return 0


def _progress(done: int, total: int, message: str) -> None:
    if total and (done == total or done % 10 == 0):
        print(f"  {done}/{total} {message}", file=sys.stderr)
