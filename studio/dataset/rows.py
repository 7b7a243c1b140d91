"""Per-row helpers of the review: the source chunk, the other phrasings of a fact, a pair added by hand,
and "regenerate with the current generator" (a seam into :mod:`studio.generate`)."""

from __future__ import annotations

import importlib
import uuid
from typing import Any, Callable

from ..workspace import PairValidationError, Workspace
from .actions import record_action
from .errors import DatasetError

# Where the generation package is expected to expose one-pair regeneration:
# ``regenerate_pair(ws, pair_id, **settings) -> dict`` (the updated pair).
REGENERATE_TARGETS = ("studio.generate.regenerate:regenerate_pair", "studio.generate.pipeline:regenerate_pair")


class GenerationUnavailable(DatasetError):
    """Regeneration needs the generation package (or a configured generator), which is not there."""


def _pair(ws: Workspace, pair_id: int) -> dict:
    pair = ws.get_pair(int(pair_id))
    if pair is None:
        raise DatasetError(f"no pair with id {pair_id} (it may have been deleted)")
    return pair


def source_chunk(ws: Workspace, pair_id: int) -> dict[str, Any]:
    """The chunk a pair was written from: document, heading, page and text (empty text when none)."""
    pair = _pair(ws, pair_id)
    chunk = ws.get_chunk(pair["chunk_id"]) if pair.get("chunk_id") else None
    if chunk is None:
        return {"pair_id": pair["id"], "document": pair.get("document") or "", "heading": "", "page": None,
                "text": "", "message": "this pair has no source chunk (imported or written by hand)"}
    return {"pair_id": pair["id"], "document": chunk.get("document") or "", "heading": chunk.get("heading_path") or "",
            "page": chunk.get("page"), "text": chunk["text"], "message": ""}


def other_phrasings(ws: Workspace, pair_id: int, limit: int = 200) -> list[dict]:
    """The other pairs of the same fact (same ``fact_id``), this one excluded."""
    pair = _pair(ws, pair_id)
    if not pair.get("fact_id"):
        return []
    rows = ws.conn.execute(
        "SELECT id, question, answer, split, status, kind FROM qa_pairs WHERE fact_id = ? AND id != ? ORDER BY id LIMIT ?",
        (pair["fact_id"], pair["id"], limit),
    )
    return [dict(r) for r in rows]


def add_pair_by_hand(
    ws: Workspace,
    question: str,
    answer: str,
    split: str = "train",
    status: str = "kept",
    fact_id: str | None = None,
    like_pair: int | None = None,
    key_answer: str | None = None,
) -> dict:
    """Add a ``manual`` pair. With ``like_pair`` it joins that pair's fact and source chunk (a new phrasing)."""
    fields: dict[str, Any] = {"question": question, "answer": answer, "split": split, "status": status,
                              "kind": "manual", "key_answer": key_answer or None}
    if like_pair is not None:
        ref = _pair(ws, like_pair)
        fields.update(fact_id=ref.get("fact_id"), chunk_id=ref.get("chunk_id"), document_id=ref.get("document_id"))
        fields["key_answer"] = fields["key_answer"] or ref.get("key_answer")
    if fact_id:
        fields["fact_id"] = fact_id
    fields["fact_id"] = fields.get("fact_id") or f"manual-{uuid.uuid4().hex[:12]}"
    try:
        (new_id,) = ws.add_pairs([fields])
    except PairValidationError as exc:
        raise DatasetError(f"pair not added: {exc}") from None
    record_action(ws, "add", f"add pair {new_id} by hand", added=[new_id])
    return ws.get_pair(new_id)


def _find_regenerator() -> Callable[..., dict] | None:
    for target in REGENERATE_TARGETS:
        module, _, name = target.partition(":")
        try:
            fn = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if callable(fn):
            return fn
    return None


def regeneration_available() -> bool:
    return _find_regenerator() is not None


def regenerate(ws: Workspace, pair_id: int, **settings: Any) -> dict:
    """Rewrite one pair with the current generator; the old text goes to the undo log."""
    pair = _pair(ws, pair_id)
    fn = _find_regenerator()
    if fn is None:
        raise GenerationUnavailable(
            "regenerating needs the generation package, which is not available in this installation; "
            "edit the row by hand or add a new phrasing instead"
        )
    before = {k: pair.get(k) for k in ("question", "answer", "key_answer")}
    try:
        updated = fn(ws, int(pair_id), **settings)
    except DatasetError:
        raise
    except Exception as exc:  # the generator's own errors: one readable line, never a traceback in the UI
        raise DatasetError(f"regeneration failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    record_action(ws, "regenerate", f"regenerate pair {pair_id}", changed={int(pair_id): before},
                  prev_versions={int(pair_id): int(pair["version"])})
    return updated if isinstance(updated, dict) else ws.get_pair(int(pair_id))
