"""``python -m studio export|review|import-pairs|push-dataset``: the review and export stage from the shell."""

from __future__ import annotations

from ..cli_util import CliError, add_workspace_arg, emit_json
from .formats import FORMATS

SPLITS_ARG = ("train", "val", "heldout", "all")


def register(sub) -> None:
    p = sub.add_parser("export", help="export the reviewed pairs (OpenAI JSONL, Alpaca, ShareGPT, LLaMA-Factory, Parquet, CSV)")
    add_workspace_arg(p)
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument("--out", required=True, help="output folder (or a file when one split is exported)")
    p.add_argument("--split", default="all", choices=SPLITS_ARG, help="which split (default: all, one file each)")
    p.add_argument("--status", default="kept", choices=("kept", "pending", "rejected", "all"),
                   help="which pairs (default: kept only)")
    p.add_argument("--system-prompt", default=None, help="system prompt added to every example")
    p.add_argument("--name", default="studio", help="dataset name prefix (LLaMA-Factory)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_export)

    p = sub.add_parser("review", help="dataset stats and bulk review actions")
    add_workspace_arg(p)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--stats", action="store_true", help="counts per document/split/status/kind and lengths")
    what.add_argument("--keep-all", action="store_true", help="keep every pair of the view (see the filters)")
    what.add_argument("--reject-flagged", action="store_true", help="reject every flagged pair of the view")
    what.add_argument("--undo", action="store_true", help="undo the last review action")
    what.add_argument("--near-duplicates", action="store_true", help="list near-duplicate groups (embeddings)")
    p.add_argument("--tokens", metavar="MODEL", help="with --stats: token count of the kept train split for MODEL")
    p.add_argument("--threshold", type=float, default=0.92, help="with --near-duplicates: cosine similarity")
    for name in ("split", "status", "kind", "flag", "search"):
        p.add_argument(f"--{name}", default=None, help=f"filter the view by {name}")
    p.add_argument("--document", default=None, help="filter by document name or id")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_review)

    p = sub.add_parser("import-pairs", help="import a QA file (CSV/JSONL/JSON/Parquet); rows with an id update that pair")
    p.add_argument("file")
    add_workspace_arg(p)
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN", help="map a file column, e.g. question=Domanda")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_import)

    p = sub.add_parser("push-dataset", help="push the exported dataset to the Hub (private by default; token from HF_TOKEN)")
    p.add_argument("repo_id", help="owner/name of the dataset repo")
    add_workspace_arg(p)
    p.add_argument("--public", action="store_true", help="make the dataset public")
    p.add_argument("--license", default="other")
    p.add_argument("--format", default="openai", choices=("openai", "parquet", "csv", "alpaca", "sharegpt"))
    p.add_argument("--status", default="kept", choices=("kept", "pending", "rejected", "all"))
    p.add_argument("--system-prompt", default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_push)


def _ws(args):
    from ..cli_util import open_workspace

    return open_workspace(args)


def _export(args) -> int:
    from .export import ExportOptions, export_dataset

    ws = _ws(args)
    result = export_dataset(ws, ExportOptions(args.format, args.out, split=args.split, status=args.status,
                                              system_prompt=args.system_prompt, name=args.name))
    if args.json:
        emit_json(result.to_dict())
    else:
        print(result.summary())
        for split, path in result.files.items():
            print(f"  {split:>8}: {path}")
        for path in result.extra:
            print(f"  {'info':>8}: {path}")
    return 0


def _view_filter(args, ws):
    from ..workspace import PairFilter

    doc_id = None
    if args.document:
        doc = ws.find_document(args.document)
        if not doc:
            raise CliError(f"no document {args.document!r} in workspace {ws.name}")
        doc_id = doc["id"]
    return PairFilter(document_id=doc_id, split=args.split, status=args.status, kind=args.kind, flag=args.flag,
                      search=args.search or "")


def _review(args) -> int:
    from .actions import bulk_action, undo_last

    ws = _ws(args)
    flt = _view_filter(args, ws)
    if args.stats:
        from .stats import compute_stats, training_token_count

        out = compute_stats(ws, flt)
        if args.tokens:
            out["training_tokens"] = training_token_count(ws, args.tokens)
        if args.json:
            emit_json(out)
        else:
            print(f"pairs: {out['total']} ({out['facts']} facts)")
            for key in ("by_split", "by_status", "by_kind", "by_document", "by_flag"):
                print(f"{key[3:]:>9}: " + ", ".join(f"{k} {v}" for k, v in out[key].items()))
            for key in ("question_chars", "answer_chars"):
                s = out[key]
                print(f"{key:>15}: min {s['min']}, median {s['median']}, mean {s['mean']}, max {s['max']}")
            if "training_tokens" in out:
                t = out["training_tokens"]
                print(f"training tokens ({t['model']}): {t['tokens']} in {t['pairs']} kept train pairs")
        return 0
    if args.near_duplicates:
        from .neardup import near_duplicate_groups

        groups = near_duplicate_groups(ws, flt, threshold=args.threshold)
        if args.json:
            emit_json([g.to_dict() for g in groups])
        else:
            print(f"{len(groups)} near-duplicate groups")
            for g in groups:
                print(f"- {g.ids} (similarity >= {g.similarity:.3f}): {g.questions[0]}")
        return 0
    if args.undo:
        res = undo_last(ws)
        emit_json(res.__dict__) if args.json else print(res.message)
        return 0
    if args.keep_all:
        res = bulk_action(ws, "keep", flt)
    else:
        if flt.flag in (None, "", "all", "none"):
            flt.flag = "any"
        res = bulk_action(ws, "reject", flt)
    emit_json({"action": res.action, "count": res.count, "message": res.message}) if args.json else print(res.message)
    return 0


def _import(args) -> int:
    from .importer import import_pairs
    from .reader import parse_mapping

    ws = _ws(args)
    report = import_pairs(ws, args.file, parse_mapping(args.map))
    if args.json:
        emit_json(report.to_dict())
    else:
        print(report.summary())
        for row, message in report.errors[:50]:
            print(f"  row {row}: {message}")
        if len(report.errors) > 50:
            print(f"  ... and {len(report.errors) - 50} more")
    return 1 if report.errors else 0


def _push(args) -> int:
    from .hub_push import DatasetPushOptions, push_dataset

    ws = _ws(args)
    opts = DatasetPushOptions(args.repo_id, private=not args.public, license=args.license, format=args.format,
                              status=args.status, system_prompt=args.system_prompt)
    out = push_dataset(ws, opts)
    emit_json(out) if args.json else print(f"pushed {sum(out['counts'].values())} pairs to {out['url']}"
                                           f" ({'private' if out['private'] else 'public'})")
    return 0
