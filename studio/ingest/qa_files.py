"""Existing QA data (CSV/TSV, JSONL, JSON, Parquet) read into normalised rows.

``read_qa_file(path, mapping=None) -> QaFileRead``: the file's rows as dicts with ``question``,
``answer`` and, when the file has them, ``id`` (int), ``split`` (train/val/heldout), ``group``,
``kind``, ``status``, ``key_answer``, ``system``, plus ``line`` (1-based row number in the file).
Three layouts are recognised: question/answer columns (many synonyms, English and Italian),
instruction/input/output (Alpaca), and chat ``messages``/``conversations`` (OpenAI or ShareGPT).
``mapping`` ({"question": column, "answer": column, ...}) overrides the detected one; the result
says which mapping was used and whether the guess was ``ambiguous`` (several candidate columns,
or a guess from two unnamed text columns), so a UI can show a preview and let the user choose.
Bad rows go to ``errors`` ("row 7: empty answer") and never stop the others.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import IngestError

FIELDS = ("question", "answer", "input", "messages", "id", "split", "group", "kind", "status", "key_answer", "system")
CANDIDATES = {
    "messages": ["messages", "conversations", "conversation", "chat", "dialog"],
    "question": ["question", "instruction", "prompt", "query", "q", "domanda", "user", "human", "input_text", "questions"],
    "answer": ["answer", "output", "response", "completion", "a", "risposta", "assistant", "gpt", "reference", "target",
               "answers", "chosen"],
    "input": ["input", "context"],
    "id": ["id", "pair_id"],
    "split": ["split", "set", "partition"],
    "group": ["group", "fact_id", "fact", "group_id"],
    "kind": ["kind", "type"],
    "status": ["status", "state"],
    "key_answer": ["key_answer", "key"],
    "system": ["system", "system_prompt"],
}
SPLIT_ALIASES = {
    "train": "train", "training": "train", "val": "val", "valid": "val", "validation": "val", "dev": "val",
    "eval": "val", "heldout": "heldout", "held_out": "heldout", "held-out": "heldout", "test": "heldout",
}
STATUS_ALIASES = {"pending": "pending", "kept": "kept", "keep": "kept", "accepted": "kept", "ok": "kept",
                  "rejected": "rejected", "reject": "rejected", "discarded": "rejected"}
KINDS = ("fact", "paraphrase", "refusal", "false_premise", "voice", "extractive", "manual", "imported")
MAX_ROWS = 200_000


@dataclass
class QaFileRead:
    rows: list[dict]
    mapping: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    ambiguous: bool = False
    format: str = ""
    total_rows: int = 0
    raw_preview: list[dict] = field(default_factory=list)  # first raw records, for a mapping preview

    def preview(self, n: int = 5) -> list[dict]:
        return [{k: r.get(k) for k in ("question", "answer", "split", "group", "id")} for r in self.rows[:n]]


def read_qa_file(path: str | Path, mapping: dict[str, str] | None = None) -> QaFileRead:
    """Read a QA file into normalised rows; raises :class:`IngestError` only when nothing can be read."""
    path = Path(path)
    records, fmt, errors = _records(path)
    if not records:
        raise IngestError("the QA file holds no rows" + (f" ({errors[0]})" if errors else ""))
    if len(records) > MAX_ROWS:
        raise IngestError(f"the QA file has {len(records)} rows (limit {MAX_ROWS}): split it into smaller files")
    columns = _columns(records)
    result = QaFileRead(rows=[], mapping={}, errors=errors, columns=columns, format=fmt, total_rows=len(records))
    result.raw_preview = [{c: _short(r.get(c)) for c in columns} for r in records[:5]]
    if mapping:
        unknown = [f"{k}<-{v}" for k, v in mapping.items() if v and v not in columns]
        if unknown:
            raise IngestError(f"mapping names columns the file does not have: {', '.join(unknown)}")
        result.mapping = {k: v for k, v in mapping.items() if v and k in FIELDS}
    else:
        result.mapping, result.ambiguous, notes = detect_mapping(columns, records)
        result.warnings += notes
    m = result.mapping
    if "messages" not in m and not ("question" in m and "answer" in m):
        raise IngestError(
            "no question/answer, instruction/output or messages columns found (columns: "
            + ", ".join(columns[:12]) + "): name them, or choose the mapping"
        )
    multi_turn = 0
    for line, record in enumerate(records, start=1):
        try:
            row, multi = _normalise(record, m, line, result.warnings)
            multi_turn += multi
            result.rows.append(row)
        except ValueError as exc:
            result.errors.append(f"row {line}: {exc}")
    if multi_turn:
        result.warnings.append(f"{multi_turn} multi-turn conversation(s): only the last question and answer were kept")
    return result


def _short(value: Any) -> Any:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 200 else text[:200] + "..."


def _records(path: Path) -> tuple[list[dict], str, list[str]]:
    suffix = path.suffix.lower()
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head == b"PAR1" or suffix == ".parquet":
        return _parquet(path), "parquet", []
    from .loaders.text import decode

    text, _ = decode(path.read_bytes())
    text = text.lstrip("\ufeff")
    stripped = text.lstrip()
    if suffix in (".jsonl", ".ndjson") or (suffix != ".csv" and stripped.startswith("{") and "\n{" in stripped):
        records, errors = _jsonl(text)
        return records, "jsonl", errors
    if suffix == ".json" or stripped.startswith(("[", "{")):
        return _json(text), "json", []
    return _csv(text, "\t" if suffix == ".tsv" else None), "csv", []


def _parquet(path: Path) -> list[dict]:
    try:
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    except Exception as exc:
        raise IngestError(f"corrupt Parquet file ({type(exc).__name__})") from None


def _jsonl(text: str) -> tuple[list[dict], list[str]]:
    records, errors = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"line {n}: not valid JSON ({exc.msg})")
            continue
        if isinstance(obj, dict):
            records.append(obj)
        else:
            errors.append(f"line {n}: expected a JSON object")
    return records, errors


def _json(text: str) -> list[dict]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        data = data.get("data") or data.get("rows") or (lists[0] if len(lists) == 1 else [data])
    if not isinstance(data, list):
        raise IngestError("the JSON must be a list of objects")
    return [r for r in data if isinstance(r, dict)]


def _csv(text: str, delimiter: str | None) -> list[dict]:
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    csv.field_size_limit(10_000_000)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    try:
        return [{(k or "").strip(): v for k, v in row.items() if k is not None} for row in reader]
    except csv.Error as exc:
        raise IngestError(f"the CSV could not be read: {exc}") from None


def _columns(records: list[dict]) -> list[str]:
    seen: dict[str, None] = {}
    for r in records[:200]:
        for k in r:
            seen.setdefault(str(k), None)
    return list(seen)


def detect_mapping(columns: list[str], records: list[dict]) -> tuple[dict[str, str], bool, list[str]]:
    """Best mapping from field to column, whether it was a guess among alternatives, and notes."""
    by_lower = {c.strip().lower(): c for c in columns}
    mapping: dict[str, str] = {}
    notes: list[str] = []
    ambiguous = False
    used: set[str] = set()
    for field_name in ("messages", "question", "answer", "input", "id", "split", "group", "kind", "status", "key_answer", "system"):
        hits = [by_lower[c] for c in CANDIDATES[field_name] if c in by_lower and by_lower[c] not in used]
        if field_name == "input" and "question" in mapping and mapping["question"].lower() != "instruction":
            hits = []  # "input" is the question itself unless the file is instruction/input/output
        if field_name == "question" and not hits and "input" in by_lower and "messages" not in mapping:
            hits = [by_lower["input"]]
        if hits:
            mapping[field_name] = hits[0]
            used.add(hits[0])
            if field_name in ("question", "answer") and len(hits) > 1:
                ambiguous = True
                notes.append(f"several possible {field_name} columns ({', '.join(hits)}): used {hits[0]!r}")
    if "messages" in mapping:
        mapping.pop("question", None)
        mapping.pop("answer", None)
    elif not ("question" in mapping and "answer" in mapping):
        texts = [c for c in columns if c not in used and all(isinstance(r.get(c), str) for r in records[:20] if c in r)]
        if len(texts) >= 2 and "question" not in mapping and "answer" not in mapping:
            mapping["question"], mapping["answer"] = texts[0], texts[1]
            ambiguous = True
            notes.append(f"no named question/answer columns: guessed question={texts[0]!r}, answer={texts[1]!r}")
    return mapping, ambiguous, notes


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from pandas-written files
        return ""
    if isinstance(value, list):  # chat content parts
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in value)
    return str(value).strip()


def _messages(value: Any) -> tuple[str, str, str, int]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ValueError("messages is not a JSON list") from None
    if not isinstance(value, list):
        raise ValueError("messages must be a list of {role, content}")
    turns = []
    for msg in value:
        if not isinstance(msg, dict):
            continue
        role = str(msg.get("role") or msg.get("from") or "").lower()
        role = {"human": "user", "gpt": "assistant", "bot": "assistant", "model": "assistant"}.get(role, role)
        turns.append((role, _text(msg.get("content", msg.get("value")))))
    system = next((t for r, t in turns if r == "system"), "")
    last_a = max((i for i, (r, _) in enumerate(turns) if r == "assistant"), default=-1)
    last_q = max((i for i, (r, _) in enumerate(turns[: max(last_a, 0)]) if r == "user"), default=-1)
    if last_a < 0 or last_q < 0:
        raise ValueError("the conversation has no user question followed by an assistant answer")
    users = sum(1 for r, _ in turns if r == "user")
    return turns[last_q][1], turns[last_a][1], system, int(users > 1)


def _normalise(record: dict, m: dict[str, str], line: int, warnings: list[str]) -> tuple[dict, int]:
    multi = 0
    row: dict[str, Any] = {"line": line}
    if "messages" in m:
        row["question"], row["answer"], system, multi = _messages(record.get(m["messages"]))
        if system:
            row["system"] = system
    else:
        row["question"] = _text(record.get(m["question"]))
        row["answer"] = _text(record.get(m["answer"]))
        extra = _text(record.get(m["input"])) if "input" in m else ""
        if extra:
            row["question"] = f"{row['question']}\n\n{extra}" if row["question"] else extra
    if not row["question"]:
        raise ValueError("empty question")
    if not row["answer"]:
        raise ValueError("empty answer")
    if "id" in m and _text(record.get(m["id"])):
        raw = _text(record.get(m["id"]))
        try:
            row["id"] = int(float(raw))
        except ValueError:
            raise ValueError(f"id {raw!r} is not a number") from None
    if "split" in m and _text(record.get(m["split"])):
        raw = _text(record.get(m["split"])).lower()
        if raw not in SPLIT_ALIASES:
            raise ValueError(f"unknown split {raw!r} (use train, val or heldout)")
        row["split"] = SPLIT_ALIASES[raw]
    if "status" in m and _text(record.get(m["status"])):
        raw = _text(record.get(m["status"])).lower()
        if raw not in STATUS_ALIASES:
            raise ValueError(f"unknown status {raw!r} (use pending, kept or rejected)")
        row["status"] = STATUS_ALIASES[raw]
    if "kind" in m and _text(record.get(m["kind"])):
        raw = _text(record.get(m["kind"])).lower()
        if raw in KINDS:
            row["kind"] = raw
    for name in ("group", "key_answer", "system"):
        if name in m and _text(record.get(m[name])):
            row[name] = _text(record.get(m[name]))
    return row, multi
