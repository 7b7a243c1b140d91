"""``python -m studio ingest FILE_OR_DIR... --workspace W`` and ``python -m studio chunks --workspace W``."""

from __future__ import annotations

import sys

from ..cli_util import CliError, add_workspace_arg, emit_json, open_workspace
from ..paths import shorten


def register(sub) -> None:
    p = sub.add_parser(
        "ingest",
        help="read documents (PDF, DOCX, HTML, Markdown, TXT, EPUB) or QA files into a workspace",
        description="Extract, clean and chunk files and folders into a workspace. Exit status 1 when a file failed.",
    )
    p.add_argument("paths", nargs="+", metavar="FILE_OR_DIR", help="files or folders (walked for known types)")
    add_workspace_arg(p)
    p.add_argument("--chunk-tokens", type=int, metavar="N", help="target chunk size in tokens (default 400)")
    p.add_argument("--overlap", type=int, metavar="N", help="overlap between chunks in tokens (default 15%% of the size)")
    p.add_argument("--max-file-mb", type=float, metavar="MB", help="largest file accepted (default 100)")
    p.add_argument("--tokenizer", metavar="MODEL", help="count tokens with this model's tokenizer (offline)")
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per input file")
    p.set_defaults(func=run_ingest)

    c = sub.add_parser("chunks", help="print a workspace's chunks as JSON lines")
    add_workspace_arg(c)
    c.add_argument("--document", metavar="NAME", help="only this document (name or id)")
    c.set_defaults(func=run_chunks)


def _config(ws, args):
    from ..config import ConfigError
    from .pipeline import load_config

    overrides = {"max_file_mb": args.max_file_mb, "tokenizer": args.tokenizer}
    if args.chunk_tokens is not None:
        overrides["chunk_tokens"] = args.chunk_tokens
        overrides["overlap_tokens"] = args.overlap if args.overlap is not None else round(args.chunk_tokens * 0.15)
    elif args.overlap is not None:
        overrides["overlap_tokens"] = args.overlap
    try:
        return load_config(ws, **overrides)
    except ConfigError as exc:
        raise CliError(str(exc)) from None


def run_ingest(args) -> int:
    from pathlib import Path

    from .pipeline import ingest_paths, save_config

    missing = [p for p in args.paths if not Path(p).exists()]
    ws = open_workspace(args, create=True)
    config = _config(ws, args)
    if args.chunk_tokens is not None or args.overlap is not None:
        save_config(ws, config)

    def progress(done: int, total: int, name: str, report) -> None:
        if report is not None and not args.json:
            detail = report.error or (f"{report.pairs} pairs" if report.kind == "qa" else f"{report.chunks} chunks")
            if not report.error and report.dropped_chars:
                detail += f", {report.dropped_chars:,} characters of contents/navigation left out"
            extra = "" if report.error or not report.warnings else " (" + "; ".join(report.warnings) + ")"
            print(f"[{done}/{total}] {report.name}: {report.status}: {detail}{extra}", file=sys.stderr, flush=True)

    existing = [p for p in args.paths if p not in missing]
    reports = ingest_paths(ws, existing, config, on_progress=progress)
    out = [r.to_dict() for r in reports]
    for p in missing:
        out.append({"name": Path(p).name, "source": p, "status": "error", "error": "no such file or folder",
                    "warnings": [], "chunks": 0, "chars": 0, "pairs": 0, "document_id": None, "message": "no such file or folder"})
    if args.json:
        emit_json(out)
    else:
        ok = sum(r["status"] != "error" and not r.get("duplicate_of") for r in out)  # a skipped duplicate is not added
        skipped = sum(bool(r.get("duplicate_of")) for r in out)
        chunks = sum(r["chunks"] for r in out if not r.get("duplicate_of"))
        for r in out[len(reports):]:
            print(f"{r['name']}: error: {r['error']}", file=sys.stderr)
        print(f"{ok}/{len(out)} file(s) ingested into {ws.name}: {chunks} chunks "
              f"({config.chunk_tokens} tokens, overlap {config.overlap_tokens})"
              + (f"; {skipped} skipped (same content already in the workspace)" if skipped else ""))
    return 1 if any(r["status"] == "error" for r in out) else 0


def run_chunks(args) -> int:
    ws = open_workspace(args)
    doc_id = None
    if args.document:
        doc = ws.find_document(args.document)
        if not doc:
            names = ", ".join(d["name"] for d in ws.list_documents()[:10]) or "none"
            raise CliError(f"no document {shorten(args.document)!r} in {ws.name} (documents: {names})")
        doc_id = doc["id"]
    offset = 0
    while True:
        rows = ws.list_chunks(doc_id, limit=500, offset=offset)
        for row in rows:
            emit_json({
                "id": row["id"], "document": row["document"], "document_id": row["document_id"],
                "ordinal": row["ordinal"], "heading_path": row["heading_path"], "text": row["text"],
                "tokens": row["tokens"], "page": row["page"], "start_char": row["start_char"], "end_char": row["end_char"],
            })
        if len(rows) < 500:
            return 0
        offset += 500
