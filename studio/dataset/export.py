"""Exporters: OpenAI chat JSONL, Alpaca JSON, ShareGPT JSON, a LLaMA-Factory folder, Parquet and CSV.

Train, val and held-out go to separate files (``train``, ``val``, ``heldout``); only kept pairs by default.
Every file is written to a temporary name and renamed, so a failed export never leaves half a file.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..workspace import SPLITS, PairFilter, Workspace
from .csvsafe import escape_row
from .errors import DatasetError
from .formats import EXTENSIONS, FORMATS, RECORD_BUILDERS, TABLE_COLUMNS
from .llamafactory import check_dataset_info, dataset_entry

STATUS_CHOICES = ("kept", "pending", "rejected", "all")
SPLIT_CHOICES = (*SPLITS, "all")


@dataclass
class ExportOptions:
    format: str
    out: Path
    split: str = "all"  # train | val | heldout | all
    status: str = "kept"  # kept | pending | rejected | all
    system_prompt: str | None = None
    name: str = "studio"  # LLaMA-Factory dataset name prefix

    def __post_init__(self) -> None:
        self.format = (self.format or "").strip().lower()
        if self.format not in FORMATS:
            raise DatasetError(f"unknown export format {self.format!r}: use one of {', '.join(FORMATS)}")
        if self.split not in SPLIT_CHOICES:
            raise DatasetError(f"split must be one of {', '.join(SPLIT_CHOICES)}, not {self.split!r}")
        if self.status not in STATUS_CHOICES:
            raise DatasetError(f"status must be one of {', '.join(STATUS_CHOICES)}, not {self.status!r}")
        self.out = Path(self.out).expanduser()
        self.system_prompt = (self.system_prompt or "").strip() or None
        if not self.name.replace("_", "").replace("-", "").isalnum():
            raise DatasetError("the dataset name may only use letters, digits, - and _")

    @property
    def splits(self) -> tuple[str, ...]:
        return SPLITS if self.split == "all" else (self.split,)


@dataclass
class ExportResult:
    format: str
    folder: Path
    files: dict[str, Path] = field(default_factory=dict)  # split -> file
    counts: dict[str, int] = field(default_factory=dict)
    extra: list[Path] = field(default_factory=list)  # dataset_info.json

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        parts = ", ".join(f"{s} {n}" for s, n in self.counts.items())
        return f"exported {self.total} pairs as {self.format} to {self.folder} ({parts})"

    def to_dict(self) -> dict[str, Any]:
        return {"format": self.format, "folder": str(self.folder), "files": {k: str(v) for k, v in self.files.items()},
                "counts": self.counts, "total": self.total, "extra": [str(p) for p in self.extra]}


def _atomic_write(path: Path, writer: Callable[[Any], None], binary: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "newline": ""})) as fh:
            writer(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_jsonl(path: Path, records: list[dict]) -> None:
    _atomic_write(path, lambda fh: fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def _write_json(path: Path, records: list[dict]) -> None:
    _atomic_write(path, lambda fh: json.dump(records, fh, ensure_ascii=False, indent=1))


def _write_csv(path: Path, records: list[dict]) -> None:
    def write(fh):
        w = csv.DictWriter(fh, fieldnames=list(TABLE_COLUMNS))
        w.writeheader()
        w.writerows(escape_row(r) for r in records)  # a cell starting with = + - @ is text, never a formula

    _atomic_write(path, write)


def _write_parquet(path: Path, records: list[dict]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([
        (c, pa.int64() if c in ("id", "version") else pa.float64() if c == "judge_score" else pa.string())
        for c in TABLE_COLUMNS
    ])
    table = pa.Table.from_pylist(records, schema=schema)
    _atomic_write(path, lambda fh: pq.write_table(table, fh), binary=True)


WRITERS = {"openai": _write_jsonl, "alpaca": _write_json, "sharegpt": _write_json, "llamafactory": _write_json,
           "parquet": _write_parquet, "csv": _write_csv}


def _target(opts: ExportOptions, split: str) -> tuple[Path, Path]:
    """(folder, file) for one split. A file path as ``out`` is honoured when one split is exported."""
    ext = EXTENSIONS.get(opts.format, ".json")
    if opts.format != "llamafactory" and opts.out.suffix.lower() == ext and len(opts.splits) == 1:
        return opts.out.parent, opts.out
    name = f"{opts.name}_{split}{ext}" if opts.format == "llamafactory" else f"{split}{ext}"
    return opts.out, opts.out / name


def collect(ws: Workspace, split: str, status: str) -> list[dict]:
    flt = PairFilter(split=split, status=None if status == "all" else status)
    return list(ws.iter_pairs(flt))


def export_dataset(ws: Workspace, opts: ExportOptions) -> ExportResult:
    """Write the chosen splits in the chosen format; raises DatasetError when nothing matches."""
    if opts.out.exists() and not opts.out.is_dir() and opts.out.suffix.lower() != EXTENSIONS.get(opts.format, ".json"):
        raise DatasetError(f"{opts.out} is a file: give a folder (or a {EXTENSIONS.get(opts.format, '')} file for one split)")
    ext = EXTENSIONS.get(opts.format)
    if ext and opts.out.suffix.lower() == ext and len(opts.splits) > 1:
        raise DatasetError(f"{opts.out.name} is a file name, but {len(opts.splits)} splits go to separate files: "
                           "give a folder, or choose one split")
    build = RECORD_BUILDERS[opts.format]
    result = ExportResult(opts.format, opts.out)
    per_split = {s: collect(ws, s, opts.status) for s in opts.splits}
    if not any(per_split.values()):
        matching = sum(ws.count_pairs(PairFilter(split=s)) for s in opts.splits)
        hint = f" ({matching} pairs are there, none {opts.status}: review them or export with --status all)" if matching else ""
        raise DatasetError(f"no {opts.status} pairs in split {opts.split} to export{hint}")
    info: dict[str, Any] = {}
    try:
        for split, pairs in per_split.items():
            result.counts[split] = len(pairs)
            if not pairs:
                continue
            folder, path = _target(opts, split)
            result.folder = folder
            WRITERS[opts.format](path, [build(p, opts.system_prompt) for p in pairs])
            result.files[split] = path
            if opts.format == "llamafactory":
                info[f"{opts.name}_{split}"] = dataset_entry(path.name, bool(opts.system_prompt))
        if opts.format == "llamafactory":
            info_path = opts.out / "dataset_info.json"
            _atomic_write(info_path, lambda fh: json.dump(info, fh, ensure_ascii=False, indent=2))
            result.extra.append(info_path)
            check_dataset_info(opts.out)
    except OSError as exc:
        raise DatasetError(f"cannot write the export to {opts.out}: {exc.strerror or exc}") from None
    return result


def load_export(result: ExportResult, split: str):
    """Load one exported split back with ``datasets`` (the check every export passes)."""
    from datasets import load_dataset

    path = result.files[split]
    builder = {".jsonl": "json", ".json": "json", ".parquet": "parquet", ".csv": "csv"}[path.suffix]
    return load_dataset(builder, data_files={split: str(path)}, split=split)
