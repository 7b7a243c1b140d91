"""Re-import an edited CSV/JSONL/JSON/Parquet file, matched by id (the review round trip).

Rows with an id update that pair (only the fields the file has; a ``version`` column guards against
overwriting an edit made in the workspace since the export); rows without an id are added as new
``imported`` pairs. Every bad row (unknown id, empty question or answer, bad split/status/kind, repeated
id, stale version) is reported with its row number and skipped; the good rows are applied. The whole
import is one entry in the undo log.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..workspace import KINDS, SPLITS, STATUSES, ConflictError, PairValidationError, Workspace
from .actions import record_action
from .errors import DatasetError
from .reader import read_import_rows

UPDATABLE = ("question", "answer", "key_answer", "split", "status", "kind", "flags", "fact_id")
CHOICES = {"split": SPLITS, "status": STATUSES, "kind": KINDS}


@dataclass
class ImportReport:
    file: str
    rows: int = 0
    updated: int = 0
    added: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, 1 = first data row; message)
    action_id: int | None = None
    notes: list[str] = field(default_factory=list)  # e.g. how the new pairs were split

    def summary(self) -> str:
        text = (f"{self.file}: {self.rows} rows: {self.updated} updated, {self.added} added, "
                f"{self.unchanged} unchanged, {len(self.errors)} rejected")
        return "; ".join([text, *self.notes])

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "rows": self.rows, "updated": self.updated, "added": self.added,
                "unchanged": self.unchanged, "notes": self.notes, "errors": [{"row": r, "message": m} for r, m in self.errors]}


def _text(val: Any) -> str | None:
    if val is None:
        return None
    return str(val).strip()


def _clean_fields(row: dict) -> dict[str, Any]:
    """The updatable fields the row carries, validated; raises DatasetError with the reason."""
    out: dict[str, Any] = {}
    for key in UPDATABLE:
        if key not in row:
            continue
        val = _text(row[key])
        if key in ("question", "answer"):
            if not val:
                raise DatasetError(f"the {key} is empty")
        elif key in CHOICES:
            if not val:
                continue  # an empty cell keeps the current value
            val = val.lower()
            if val not in CHOICES[key]:
                raise DatasetError(f"{key} must be one of {', '.join(CHOICES[key])}, not {row[key]!r}")
        elif key == "flags":
            val = ",".join(sorted({f.strip() for f in (val or "").split(",") if f.strip()}))
        else:
            val = val or None
        out[key] = val
    return out


def _as_int(val: Any, what: str) -> int | None:
    if val is None or (isinstance(val, str) and not val.strip()):
        return None
    try:
        num = float(val)
    except (TypeError, ValueError):
        raise DatasetError(f"{what} {val!r} is not a number") from None
    if not num.is_integer():
        raise DatasetError(f"{what} {val!r} is not a whole number")
    return int(num)


def import_pairs(ws: Workspace, path: str | Path, mapping: dict[str, str] | None = None) -> ImportReport:
    """Apply a QA file to the workspace. Raises DatasetError only when the file itself cannot be used."""
    rows, file_errors = read_import_rows(path, mapping)
    report = ImportReport(Path(path).name, rows=len(rows) + len(file_errors), errors=list(file_errors))
    before: dict[int, dict] = {}
    added: list[int] = []
    seen: set[int] = set()
    new_rows: list[tuple[int, dict]] = []
    with ws.transaction():
        for row in rows:
            n = row["row"]
            try:
                pair_id = _as_int(row.get("id"), "id")
                fields = _clean_fields(row)
                if pair_id is None:
                    if "question" not in fields or "answer" not in fields:
                        raise DatasetError("a new row needs a question and an answer")
                    new_rows.append((n, fields))
                    continue
                if pair_id in seen:
                    raise DatasetError(f"id {pair_id} appears twice in the file; only the first row was used")
                seen.add(pair_id)
                current = ws.get_pair(pair_id)
                if current is None:
                    raise DatasetError(f"id {pair_id} is not in this workspace (deleted, or from another workspace)")
                version = _as_int(row.get("version"), "version")
                if version is not None and version != current["version"]:
                    raise DatasetError(
                        f"pair {pair_id} was edited in the workspace after this file was exported "
                        f"(version {current['version']}, file has {version}); export again and redo this row"
                    )
                changes = {k: v for k, v in fields.items() if (current.get(k) or None) != (v or None)}
                if not changes:
                    report.unchanged += 1
                    continue
                ws.update_pair(pair_id, expected_version=current["version"], **changes)
                before[pair_id] = {k: current.get(k) for k in changes}
                report.updated += 1
            except (DatasetError, PairValidationError, ConflictError) as exc:
                report.errors.append((n, str(exc)))
        grouped = any(f.get("fact_id") for _, f in new_rows)
        for n, fields in new_rows:
            fields.setdefault("kind", "imported")
            fields.setdefault("status", "pending")
            fields["fact_id"] = fields.get("fact_id") or f"imported-{uuid.uuid4().hex[:12]}"
        if len(new_rows) >= 4 and not any(r.get("split") for r in rows):
            from ..ingest.qa_import import assign_import_splits

            report.notes.append("new pairs: " + assign_import_splits([f for _, f in new_rows], grouped))
        for n, fields in new_rows:
            fields.setdefault("split", "train")
            try:
                added += ws.add_pairs([fields])
                report.added += 1
            except PairValidationError as exc:
                report.errors.append((n, str(exc)))
        report.errors.sort(key=lambda e: e[0])
        if before or added:
            report.action_id = record_action(ws, "import", f"import {report.file}: {report.updated} updated, "
                                             f"{report.added} added", changed=before, added=added)
    return report
