"""QA pairs in the workspace: add, read, query a filtered page, edit with version checks, bulk updates."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from .db import WorkspaceError

KINDS = ("fact", "paraphrase", "refusal", "false_premise", "voice", "extractive", "manual", "imported")
SPLITS = ("train", "val", "heldout")
STATUSES = ("pending", "kept", "rejected")
EDITABLE = {
    "question", "answer", "key_answer", "kind", "split", "status", "flags", "judge_score", "judge_reason",
    "fact_id", "lang", "meta_json", "chunk_id", "document_id", "round",
}
PAIR_COLUMNS = (
    "chunk_id", "document_id", "fact_id", "question", "answer", "key_answer", "kind", "split", "status",
    "judge_score", "judge_reason", "generator", "model", "prompt_version", "flags", "lang", "meta_json", "round",
)
SORTABLE = {"id", "question", "answer", "kind", "split", "status", "judge_score", "document_id", "fact_id", "created_at", "edited_at", "round"}


class ConflictError(WorkspaceError):
    """The row changed since it was read (another tab or process edited it)."""


class PairValidationError(WorkspaceError):
    """A pair that cannot be stored as given (empty question, unknown split...)."""


@dataclass
class PairFilter:
    """Which pairs a view shows. Empty fields match everything."""

    document_id: int | None = None
    split: str | None = None
    status: str | None = None
    kind: str | None = None
    flag: str | None = None  # a flag name, or "any" / "none"
    fact_id: str | None = None
    round: int | None = None  # the round a pair came from (1: first generation)
    search: str = ""
    ids: list[int] | None = field(default=None)

    def where(self) -> tuple[str, list[Any]]:
        clauses, args = [], []
        for col in ("document_id", "split", "status", "kind", "fact_id", "round"):
            val = getattr(self, col)
            if val not in (None, "", "all"):
                clauses.append(f"p.{col} = ?")
                args.append(val)
        if self.flag == "any":
            clauses.append("p.flags != ''")
        elif self.flag == "none":
            clauses.append("p.flags = ''")
        elif self.flag not in (None, "", "all"):
            clauses.append("(',' || p.flags || ',') LIKE ?")
            args.append(f"%,{self.flag},%")
        if self.search.strip():
            term = "%" + self.search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            clauses.append("(p.question LIKE ? ESCAPE '\\' OR p.answer LIKE ? ESCAPE '\\' OR p.key_answer LIKE ? ESCAPE '\\')")
            args += [term, term, term]
        if self.ids is not None:
            ids = [int(i) for i in self.ids] or [-1]
            clauses.append(f"p.id IN ({', '.join('?' * len(ids))})")
            args += ids
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


def validate_pair_fields(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    for key in ("question", "answer"):
        if key in out:
            val = (out[key] or "").strip() if isinstance(out[key], str) or out[key] is None else str(out[key]).strip()
            if not val:
                raise PairValidationError(f"the {key} cannot be empty")
            out[key] = val
    for key, allowed in (("kind", KINDS), ("split", SPLITS), ("status", STATUSES)):
        if key in out and out[key] not in allowed:
            raise PairValidationError(f"{key} must be one of {', '.join(allowed)}, not {out[key]!r}")
    if "flags" in out and isinstance(out["flags"], (list, tuple, set)):
        out["flags"] = ",".join(sorted({str(f) for f in out["flags"] if f}))
    if "meta_json" in out and not isinstance(out["meta_json"], (str, type(None))):
        out["meta_json"] = json.dumps(out["meta_json"], default=str)
    if "judge_score" in out and out["judge_score"] not in (None, ""):
        out["judge_score"] = float(out["judge_score"])
    return out


class PairsMixin:
    """QA pair operations; mixed into :class:`studio.workspace.store.Workspace`."""

    def add_pairs(self, pairs: Iterable[dict[str, Any]]) -> list[int]:
        from .store import now_iso

        ts = now_iso()
        ids = []
        with self.transaction() as c:
            for pair in pairs:
                clean = validate_pair_fields({k: v for k, v in pair.items() if k in PAIR_COLUMNS})
                if "question" not in clean or "answer" not in clean:
                    raise PairValidationError("a pair needs a question and an answer")
                if clean.get("chunk_id") and not clean.get("document_id"):
                    row = c.execute("SELECT document_id FROM chunks WHERE id = ?", (clean["chunk_id"],)).fetchone()
                    clean["document_id"] = row[0] if row else None
                clean["created_at"] = ts
                cur = c.execute(
                    f"INSERT INTO qa_pairs({', '.join(clean)}) VALUES ({', '.join('?' * len(clean))})",
                    tuple(clean.values()),
                )
                ids.append(int(cur.lastrowid))
        return ids

    def get_pair(self, pair_id: int) -> dict | None:
        row = self.conn.execute(_SELECT + " WHERE p.id = ?", (int(pair_id),)).fetchone()
        return dict(row) if row else None

    def update_pair(self, pair_id: int, expected_version: int | None = None, **fields: Any) -> dict:
        """Edit one pair. With ``expected_version`` a concurrent edit raises :class:`ConflictError`."""
        from .store import now_iso

        bad = set(fields) - EDITABLE
        if bad:
            raise PairValidationError(f"cannot edit {', '.join(sorted(bad))}")
        clean = validate_pair_fields(fields)
        with self.transaction() as c:
            row = c.execute("SELECT version FROM qa_pairs WHERE id = ?", (int(pair_id),)).fetchone()
            if row is None:
                raise WorkspaceError(f"no pair with id {pair_id} (it may have been deleted)")
            if expected_version is not None and int(row[0]) != int(expected_version):
                raise ConflictError(
                    f"pair {pair_id} was changed elsewhere (version {row[0]}, you edited {expected_version}); reload it"
                )
            if clean:
                sets = ", ".join(f"{k} = ?" for k in clean)
                c.execute(
                    f"UPDATE qa_pairs SET {sets}, edited_at = ?, version = version + 1 WHERE id = ?",
                    (*clean.values(), now_iso(), int(pair_id)),
                )
        return self.get_pair(pair_id)

    def bulk_update_pairs(self, ids: list[int], **fields: Any) -> int:
        from .store import now_iso

        clean = validate_pair_fields(fields)
        if not ids or not clean:
            return 0
        total = 0
        with self.transaction() as c:
            for start in range(0, len(ids), 500):
                part = [int(i) for i in ids[start : start + 500]]
                sets = ", ".join(f"{k} = ?" for k in clean)
                total += c.execute(
                    f"UPDATE qa_pairs SET {sets}, edited_at = ?, version = version + 1 WHERE id IN ({', '.join('?' * len(part))})",
                    (*clean.values(), now_iso(), *part),
                ).rowcount
        return total

    def delete_pairs(self, ids: list[int]) -> int:
        total = 0
        with self.transaction() as c:
            for start in range(0, len(ids), 500):
                part = [int(i) for i in ids[start : start + 500]]
                total += c.execute(f"DELETE FROM qa_pairs WHERE id IN ({', '.join('?' * len(part))})", part).rowcount
        return total

    def query_pairs(
        self, flt: PairFilter | None = None, sort: str = "id", descending: bool = False, offset: int = 0, limit: int = 100
    ) -> tuple[list[dict], int]:
        """One page of a filtered, sorted view, and the view's total size."""
        where, args = (flt or PairFilter()).where()
        if sort not in SORTABLE:
            raise PairValidationError(f"cannot sort by {sort!r}")
        total = self.conn.execute(f"SELECT COUNT(*) FROM qa_pairs p{where}", args).fetchone()[0]
        order = f" ORDER BY p.{sort} {'DESC' if descending else 'ASC'}, p.id"
        rows = self.conn.execute(_SELECT + where + order + " LIMIT ? OFFSET ?", (*args, int(limit), int(offset))).fetchall()
        return [dict(r) for r in rows], int(total)

    def pair_ids(self, flt: PairFilter | None = None) -> list[int]:
        where, args = (flt or PairFilter()).where()
        return [r[0] for r in self.conn.execute(f"SELECT p.id FROM qa_pairs p{where} ORDER BY p.id", args)]

    def iter_pairs(self, flt: PairFilter | None = None, batch: int = 1000) -> Iterator[dict]:
        where, args = (flt or PairFilter()).where()
        last = 0
        while True:
            extra = (" AND" if where else " WHERE") + " p.id > ?"
            rows = self.conn.execute(_SELECT + where + extra + " ORDER BY p.id LIMIT ?", (*args, last, batch)).fetchall()
            if not rows:
                return
            for r in rows:
                yield dict(r)
            last = rows[-1]["id"]

    def count_pairs(self, flt: PairFilter | None = None) -> int:
        where, args = (flt or PairFilter()).where()
        return int(self.conn.execute(f"SELECT COUNT(*) FROM qa_pairs p{where}", args).fetchone()[0])


_SELECT = (
    "SELECT p.*, d.name AS document, c.heading_path AS heading_path FROM qa_pairs p "
    "LEFT JOIN documents d ON d.id = p.document_id LEFT JOIN chunks c ON c.id = p.chunk_id"
)
