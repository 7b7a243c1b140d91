"""Near-duplicate groups among the pairs of a view, found with sentence embeddings, and their resolution.

Pairs of the same fact are meant to be different phrasings of one question, so by default only pairs
of *different* facts are grouped (the recipe deduplicates across facts, never among one fact's own
phrasings). Resolving a group keeps one pair and rejects the others with the ``near_duplicate`` flag;
it is logged and can be undone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..workspace import PairFilter, Workspace
from .actions import current_rows, record_action
from .errors import DatasetError

DEFAULT_THRESHOLD = 0.92
BLOCK = 1024


@dataclass
class DuplicateGroup:
    ids: list[int]
    similarity: float  # the lowest similarity that joined the group
    questions: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"ids": self.ids, "similarity": round(self.similarity, 4), "questions": self.questions}


def _load_embedder(path: str):
    from ..runtime import load_embedder

    return load_embedder(path)


def get_embedder(name: str | None = None):
    from ..models import resolve_embedder

    return _load_embedder(resolve_embedder(name))


def _text(pair: dict, field: str) -> str:
    if field == "both":
        return f"{pair['question']}\n{pair['answer']}"
    return pair[field]


def near_duplicate_groups(
    ws: Workspace,
    flt: PairFilter | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    field: str = "question",
    across_facts_only: bool = True,
    embedder: Any = None,
    batch_size: int = 64,
) -> list[DuplicateGroup]:
    """Groups (largest first) of pairs whose ``field`` (question, answer or both) embed within ``threshold``."""
    import numpy as np

    if not 0.0 < threshold <= 1.0:
        raise DatasetError(f"the similarity threshold must be in (0, 1], not {threshold}")
    if field not in ("question", "answer", "both"):
        raise DatasetError("compare the question, the answer or both")
    pairs = list(ws.iter_pairs(flt))
    if len(pairs) < 2:
        return []
    model = embedder if embedder is not None else get_embedder(None)
    vecs = model.encode([_text(p, field) for p in pairs], batch_size=batch_size, normalize_embeddings=True,
                        convert_to_numpy=True, show_progress_bar=False).astype("float32")
    facts = [p.get("fact_id") or f"#{p['id']}" for p in pairs]
    parent = list(range(len(pairs)))
    lowest: dict[int, float] = {}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for start in range(0, len(pairs), BLOCK):
        sims = vecs[start : start + BLOCK] @ vecs.T
        rows, cols = np.nonzero(sims >= threshold)
        for r, c in zip(rows.tolist(), cols.tolist()):
            i = start + r
            if c <= i or (across_facts_only and facts[i] == facts[c]):
                continue
            a, b = find(i), find(c)
            sim = float(sims[r, c])
            if a != b:
                parent[b] = a
                lowest[a] = min(lowest.get(a, 1.0), lowest.pop(b, 1.0), sim)
            else:
                lowest[a] = min(lowest.get(a, 1.0), sim)
    members: dict[int, list[int]] = {}
    for i in range(len(pairs)):
        members.setdefault(find(i), []).append(i)
    groups = [
        DuplicateGroup([pairs[i]["id"] for i in idx], lowest.get(root, 1.0), [pairs[i]["question"] for i in idx])
        for root, idx in members.items()
        if len(idx) > 1
    ]
    groups.sort(key=lambda g: (-len(g.ids), -g.similarity, g.ids[0]))
    return groups


def resolve_group(ws: Workspace, ids: list[int], keep_id: int) -> str:
    """Keep ``keep_id`` (status kept) and reject the other pairs of the group with the ``near_duplicate`` flag."""
    ids = [int(i) for i in ids]
    if int(keep_id) not in ids:
        raise DatasetError(f"pair {keep_id} is not in this group ({', '.join(map(str, ids))})")
    rows = current_rows(ws, ids, ("status", "flags"))
    missing = [i for i in ids if i not in rows]
    if missing:
        raise DatasetError(f"pairs {', '.join(map(str, missing))} no longer exist: find the groups again")
    before = {i: {"status": rows[i]["status"], "flags": rows[i]["flags"]} for i in ids}
    with ws.transaction():
        ws.update_pair(int(keep_id), status="kept")
        for i in ids:
            if i == int(keep_id):
                continue
            flags = sorted({f for f in (rows[i]["flags"] or "").split(",") if f} | {"near_duplicate"})
            ws.update_pair(i, status="rejected", flags=flags)
        record_action(ws, "dedup", f"near-duplicates: kept {keep_id}, rejected {len(ids) - 1}", changed=before)
    return f"kept pair {keep_id}; rejected {len(ids) - 1} near-duplicate(s)"
