"""Read an edited QA file (CSV, JSONL, JSON, Parquet) for the re-import.

:func:`read_import_rows` uses the ingestion package's reader (``studio.ingest.qa_files.read_qa_file``:
column synonyms, encodings, chat layouts, per-row errors) and adds the two columns only the review
round trip carries: ``version`` (the guard against overwriting a newer edit) and ``flags``.
"""

from __future__ import annotations

import re
from pathlib import Path

from .csvsafe import unescape_cell
from .errors import DatasetError


def _norm(name: str) -> str:
    return str(name).strip().lower().replace(" ", "_").replace("-", "_")


def parse_mapping(items: list[str] | None) -> dict[str, str]:
    """``["question=Domanda", "answer=Risposta"]`` -> a mapping dict."""
    out = {}
    for item in items or []:
        field_name, sep, col = item.partition("=")
        if not sep or not field_name.strip() or not col.strip():
            raise DatasetError(f"bad column mapping {item!r}: write field=column, for example question=Domanda")
        out[field_name.strip()] = col.strip()
    return out


def _split_error(text: str) -> tuple[int, str]:
    m = re.match(r"^(?:row|line) (\d+): (.*)$", text)
    return (int(m.group(1)), m.group(2)) if m else (0, text)


def read_import_rows(path: str | Path, mapping: dict[str, str] | None = None) -> tuple[list[dict], list[tuple[int, str]]]:
    """(rows, per-row errors). Rows carry ``row`` (1-based record number) and the studio's field names."""
    from ..ingest.model import IngestError
    from ..ingest.qa_files import detect_mapping, read_qa_file

    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"no such file: {path}")
    theirs = {("group" if k == "fact_id" else k): v for k, v in (mapping or {}).items()}
    bad = [k for k in theirs if k not in ("question", "answer", "input", "messages", "id", "split", "group", "kind",
                                          "status", "key_answer", "system")]
    if bad:
        raise DatasetError(f"cannot map to {', '.join(bad)}: the fields are question, answer, id, split, status, "
                           "kind, fact_id, key_answer")
    try:
        read = read_qa_file(path, theirs or None)
        if theirs:  # a mapping replaces the detected one: keep the detected id/split/status/... columns too
            detected, _, _ = detect_mapping(read.columns, [])
            extra = {k: v for k, v in detected.items()
                     if k not in theirs and k not in ("question", "answer", "messages", "input")
                     and v not in theirs.values()}
            if extra:
                read = read_qa_file(path, {**theirs, **extra})
    except IngestError as exc:
        raise DatasetError(f"{path.name}: {exc}") from None
    if read.ambiguous and not theirs:  # a guessed mapping could overwrite pairs with the wrong column
        guess = ", ".join(f"{k}={v}" for k, v in read.mapping.items() if k in ("question", "answer"))
        raise DatasetError(
            f"{path.name}: no unambiguous question and answer columns (columns: {', '.join(read.columns)}); "
            f"confirm the mapping, for example {guess or 'question=COLUMN, answer=COLUMN'}"
        )
    extras = _extra_columns(path, read.columns, read.total_rows)
    csv_file = path.suffix.lower() == ".csv"
    rows = []
    for r in read.rows:
        if csv_file:  # the export wrote a formula-like cell with a leading ': take it off again
            r = {k: unescape_cell(v) for k, v in r.items()}
        row = {k: v for k, v in r.items() if k in ("question", "answer", "id", "split", "status", "kind", "key_answer")}
        if r.get("group"):
            row["fact_id"] = r["group"]
        row["row"] = r["line"]
        row.update(extras.get(r["line"], {}))
        rows.append(row)
    return rows, [_split_error(e) for e in read.errors]


def _extra_columns(path: Path, columns: list[str], total: int) -> dict[int, dict]:
    """``version`` and ``flags`` by record number, when the file has those columns (the studio's own exports)."""
    wanted = [c for c in columns if _norm(c) in ("version", "flags")]
    if not wanted:
        return {}
    from ..ingest.qa_files import _records  # the same records, in the same order, as read_qa_file's rows

    records, _, _ = _records(path)
    if len(records) != total:
        return {}
    out = {}
    for n, rec in enumerate(records, 1):
        vals = {_norm(c): rec.get(c) for c in wanted}
        out[n] = {k: (None if isinstance(v, float) and v != v else unescape_cell(v)) for k, v in vals.items()}
    return out
