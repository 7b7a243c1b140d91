"""Ingest files into a workspace, one committed document at a time.

``ingest_paths(workspace, paths, config, on_progress)`` reads every file (folders are walked),
checks it (size, type by magic bytes, zip bombs, duplicates by sha256), extracts, cleans, detects
the language, chunks, stores the sanitised copy, and commits the document with its chunks in
one transaction: a crash loses at most the file in flight, and an error in one file never stops
the others. ``rechunk`` re-cuts one stored document with new settings (live preview or commit).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..paths import safe_filename
from .chunking import Chunked, chunk_blocks
from .config import IngestConfig
from .lang import detect_language
from .loaders import load
from .model import Extracted, IngestError
from .sniff import EXTENSIONS, detect
from .tokens import get_counter

log = logging.getLogger(__name__)
SETTING_KEY = "ingest_config"


@dataclass
class FileReport:
    """What happened to one input file (one row of the status list, one object of ``ingest --json``)."""

    name: str
    status: str = "ok"  # ok | warning | error
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    kind: str | None = None
    document_id: int | None = None
    chunks: int = 0
    chars: int = 0
    tokens: int = 0
    pages: int | None = None
    lang: str | None = None
    pairs: int = 0
    duplicate_of: str | None = None
    dropped_chunks: int = 0  # page furniture left out (tables of contents, navigation, boilerplate)
    dropped_chars: int = 0
    source: str = ""
    seconds: float = 0.0

    @property
    def message(self) -> str:
        return self.error or "; ".join(self.warnings)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["message"] = self.message
        return out


ProgressFn = Callable[[int, int, str, "FileReport | None"], None]


def expand_paths(paths: Iterable[str | Path]) -> list[tuple[Path, str]]:
    """Files to ingest with their display names; folders are walked (known types only, hidden skipped)."""
    out: list[tuple[Path, str]] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if not f.startswith(".") and Path(f).suffix.lower() in EXTENSIONS:
                        out.append((Path(root) / f, f))
        else:
            out.append((p, p.name))
    return out


def load_config(workspace, **overrides) -> IngestConfig:
    """The workspace's saved chunk settings, with overrides (None values ignored)."""
    saved = workspace.get_setting(SETTING_KEY) or {}
    data = {**saved, **{k: v for k, v in overrides.items() if v is not None}}
    return IngestConfig.from_dict(data, strict=False)


def save_config(workspace, config: IngestConfig) -> None:
    workspace.set_setting(SETTING_KEY, config.to_dict())


def ingest_paths(
    workspace,
    paths: Iterable[str | Path | tuple[str | Path, str]],
    config: IngestConfig | None = None,
    on_progress: ProgressFn | None = None,
) -> list[FileReport]:
    """Ingest files and folders; ``paths`` items may be ``(path, display_name)`` (uploads keep their names)."""
    config = config or load_config(workspace)
    config.validate()
    items: list[tuple[Path, str]] = []
    plain = []
    for item in paths:
        if isinstance(item, tuple):
            items.extend(expand_paths(plain))
            plain = []
            items.append((Path(item[0]), item[1]))
        else:
            plain.append(item)
    items.extend(expand_paths(plain))
    reports: list[FileReport] = []
    total = len(items)
    for i, (path, name) in enumerate(items):
        if on_progress:
            on_progress(i, total, name, None)
        report = ingest_file(workspace, path, name, config)
        reports.append(report)
        if on_progress:
            on_progress(i + 1, total, name, report)
    return reports


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def ingest_file(workspace, path: Path, name: str | None, config: IngestConfig) -> FileReport:
    """One file, start to commit. Never raises for a bad file: the report says what went wrong."""
    started = time.perf_counter()
    original = name or Path(path).name
    clean_name = safe_filename(original)
    report = FileReport(name=clean_name, source=str(path))
    if clean_name != original:
        report.warnings.append(f"unsafe file name {original!r}: stored as {clean_name!r}")
    try:
        _ingest(workspace, Path(path), clean_name, config, report)
    except IngestError as exc:
        report.error = str(exc)
    except MemoryError:
        report.error = "out of memory while reading this file"
    except Exception as exc:  # a loader bug must not stop the other files
        log.exception("unexpected error ingesting %s", path)
        report.error = f"unexpected error reading the file ({type(exc).__name__}: {str(exc)[:200]})"
    if report.error:
        report.status = "error"
    elif report.warnings:
        report.status = "warning"
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _ingest(workspace, path: Path, name: str, config: IngestConfig, report: FileReport) -> None:
    try:
        st = path.stat()
    except OSError as exc:
        raise IngestError(f"cannot read the file: {exc.strerror or exc}") from None
    if not path.is_file():
        raise IngestError("not a regular file")
    if st.st_size == 0:
        raise IngestError("the file is empty (0 bytes)")
    if st.st_size > config.max_file_bytes:
        raise IngestError(
            f"the file is {st.st_size / 2**20:.0f} MB, over the {config.max_file_mb:g} MB limit (change it in the settings)"
        )
    digest = sha256_file(path)
    existing = workspace.find_document_by_hash(digest)
    if existing:
        _duplicate(workspace, existing, config, report)
        return
    kind, note = detect(path, name)
    report.kind = kind
    if note:
        report.warnings.append(note)
    if kind == "qa":
        _ingest_qa(workspace, path, name, digest, st.st_size, report)
        return
    extracted = load(kind, path, config)
    counter, warn = get_counter(config.tokenizer)
    if warn:
        report.warnings.append(warn)
    result = chunk_blocks(extracted.blocks, counter, config.chunk_tokens, config.overlap_tokens)
    _count_dropped(extracted, counter, config, report)
    report.warnings.extend(extracted.warnings)
    lang = detect_language(result.text)
    _commit(workspace, path, name, digest, st.st_size, extracted, result, lang, counter.name, config, report)


def _count_dropped(extracted: Extracted, counter, config: IngestConfig, report: FileReport) -> None:
    """How many chunks the dropped furniture would have made, into the report and the document's meta."""
    dropped = extracted.meta.setdefault("dropped", {"blocks": 0, "chars": 0, "share": 0.0, "reasons": {}})
    blocks = [d.block for d in extracted.dropped]
    dropped["chunks"] = len(chunk_blocks(blocks, counter, config.chunk_tokens, 0).chunks) if blocks else 0
    report.dropped_chunks, report.dropped_chars = dropped["chunks"], dropped["chars"]


def _duplicate(workspace, doc: dict, config: IngestConfig, report: FileReport) -> None:
    """The same bytes again: skipped, but re-chunked when the chunk settings changed since."""
    report.kind, report.document_id, report.duplicate_of = doc.get("kind"), doc["id"], doc["name"]
    message = f"same content as {doc['name']!r}, already in the workspace: skipped"
    meta = _meta(doc)
    wanted = (config.chunk_tokens, config.overlap_tokens)
    if doc.get("kind") != "qa" and (meta.get("chunk_tokens"), meta.get("overlap_tokens")) != wanted:
        try:
            rechunk(workspace, doc["id"], config, commit=True)
            workspace.update_document(doc["id"], meta_json={**meta, "chunk_tokens": wanted[0], "overlap_tokens": wanted[1]})
            message = f"same content as {doc['name']!r}, already in the workspace: re-chunked with the new settings"
        except IngestError as exc:
            message += f" (not re-chunked: {exc})"
    fresh = workspace.get_document(doc["id"]) or doc
    report.chunks = workspace.conn.execute("SELECT COUNT(*) FROM chunks WHERE document_id = ?", (doc["id"],)).fetchone()[0]
    report.pairs = workspace.conn.execute("SELECT COUNT(*) FROM qa_pairs WHERE document_id = ?", (doc["id"],)).fetchone()[0] if doc.get("kind") == "qa" else 0
    report.chars, report.tokens, report.pages, report.lang = fresh.get("chars") or 0, fresh.get("tokens") or 0, fresh.get("pages"), fresh.get("lang")
    report.warnings.append(message)


def _commit(workspace, path, name, digest, size, extracted: Extracted, result: Chunked, lang, tokenizer, config, report) -> None:
    staged = workspace.stage_file(path, digest)  # renamed into place only once the row has committed
    try:
        with workspace.transaction():
            stored = workspace.file_target(name)
            doc_id = workspace.add_document(
                name,
                digest,
                mime=extracted.mime,
                kind=extracted.kind,
                size_bytes=size,
                pages=extracted.pages,
                chars=len(result.text),
                tokens=result.tokens,
                lang=lang,
                status="warning" if report.warnings else "ok",
                warnings="; ".join(report.warnings) or None,
                stored_path=str(stored),
                meta_json={
                    **extracted.meta,
                    "original_name": Path(report.source).name,
                    "headings": result.headings,
                    "tokenizer": tokenizer,
                    "chunk_tokens": config.chunk_tokens,
                    "overlap_tokens": config.overlap_tokens,
                },
            )
            workspace.replace_chunks(doc_id, result.chunks)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    workspace.place_file(staged, stored)
    report.document_id, report.chunks, report.chars = doc_id, len(result.chunks), len(result.text)
    report.tokens, report.pages, report.lang = result.tokens, extracted.pages, lang


def _ingest_qa(workspace, path: Path, name: str, digest: str, size: int, report: FileReport) -> None:
    from .qa_files import read_qa_file
    from .qa_import import import_qa_rows

    read = read_qa_file(path)
    report.warnings.extend(read.warnings)
    if read.errors:
        shown = "; ".join(read.errors[:3]) + (f" (+{len(read.errors) - 3} more)" if len(read.errors) > 3 else "")
        report.warnings.append(f"{len(read.errors)} row(s) skipped: {shown}")
    if not read.rows:
        raise IngestError("no usable rows in the QA file" + (f": {read.errors[0]}" if read.errors else ""))
    staged = workspace.stage_file(path, digest)
    try:
        with workspace.transaction():
            stored = workspace.file_target(name)
            doc_id = workspace.add_document(
                name, digest, mime=f"application/x-qa-{read.format}", kind="qa", size_bytes=size,
                chars=sum(len(r["question"]) + len(r["answer"]) for r in read.rows),
                status="warning" if report.warnings else "ok",
                stored_path=str(stored),
                meta_json={"format": read.format, "mapping": read.mapping, "rows": read.total_rows,
                           "original_name": Path(report.source).name},
            )
            outcome = import_qa_rows(workspace, read, doc_id, name)
            report.warnings.extend(outcome["messages"])
            workspace.update_document(
                doc_id, lang=outcome["lang"], status="warning" if report.warnings else "ok",
                warnings="; ".join(report.warnings) or None,
            )
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    workspace.place_file(staged, stored)
    report.document_id, report.pairs, report.lang = doc_id, outcome["added"], outcome["lang"]
    report.chars = sum(len(r["question"]) + len(r["answer"]) for r in read.rows)


# ---- re-chunking a stored document ----------------------------------------------------------
_cache: OrderedDict[tuple[str, str], Extracted] = OrderedDict()
_cache_lock = threading.Lock()


def _extracted(doc: dict, config: IngestConfig) -> Extracted:
    key = (doc.get("stored_path") or "", doc["sha256"])
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    path = Path(doc.get("stored_path") or "")
    if not path.is_file():
        raise IngestError(f"the stored copy of {doc['name']!r} is missing: upload it again")
    extracted = load(doc["kind"], path, config)
    with _cache_lock:
        _cache[key] = extracted
        while len(_cache) > 4:
            _cache.popitem(last=False)
    return extracted


def rechunk(workspace, doc_id: int, config: IngestConfig, commit: bool = True) -> list[dict]:
    """Cut a stored document again with ``config``; with ``commit`` its chunks are replaced.

    Refused when generated pairs point at the document's chunks (they would lose their source).
    """
    config.validate()
    doc = workspace.get_document(int(doc_id))
    if not doc:
        raise IngestError(f"no document with id {doc_id}")
    if doc.get("kind") == "qa":
        raise IngestError("a QA file has no chunks")
    counter, _ = get_counter(config.tokenizer)
    result = chunk_blocks(_extracted(doc, config).blocks, counter, config.chunk_tokens, config.overlap_tokens)
    if commit:
        used = workspace.conn.execute(
            "SELECT COUNT(*) FROM qa_pairs p JOIN chunks c ON c.id = p.chunk_id WHERE c.document_id = ?", (doc["id"],)
        ).fetchone()[0]
        if used:
            raise IngestError(
                f"{used} QA pair(s) were generated from this document's chunks: delete them before re-chunking"
            )
        with workspace.transaction():
            workspace.replace_chunks(doc["id"], result.chunks)
            workspace.update_document(doc["id"], tokens=result.tokens, chars=len(result.text))
    return result.chunks




def reimport_qa(workspace, doc_id: int, mapping: dict[str, str]) -> dict:
    """Import a stored QA file again with a chosen column mapping (its earlier imported pairs are replaced)."""
    from .qa_files import read_qa_file
    from .qa_import import import_qa_rows

    doc = workspace.get_document(int(doc_id))
    if not doc or doc.get("kind") != "qa":
        raise IngestError("pick a QA file to re-import")
    path = Path(doc.get("stored_path") or "")
    if not path.is_file():
        raise IngestError(f"the stored copy of {doc['name']!r} is missing: upload it again")
    read = read_qa_file(path, mapping)
    if not read.rows:
        raise IngestError("no usable rows with this mapping" + (f": {read.errors[0]}" if read.errors else ""))
    with workspace.transaction() as c:
        c.execute("DELETE FROM qa_pairs WHERE document_id = ? AND kind = 'imported'", (doc["id"],))
        outcome = import_qa_rows(workspace, read, doc["id"], doc["name"])
        workspace.update_document(doc["id"], meta_json={**_meta(doc), "mapping": read.mapping}, lang=outcome["lang"])
    return {"pairs": outcome["added"], "errors": read.errors, "mapping": read.mapping}


def _meta(doc: dict) -> dict:
    import json

    try:
        return json.loads(doc.get("meta_json") or "{}")
    except ValueError:
        return {}
