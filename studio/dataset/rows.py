"""Per-row helpers of the review: the source chunk, the other phrasings of a fact, a pair added by hand,
and "regenerate with the current generator" (the text comes from :mod:`studio.generate.regenerate`)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from ..workspace import ConflictError, PairValidationError, Workspace
from .actions import current_rows, record_action
from .errors import DatasetError

# what a regeneration replaces (and its undo puts back)
REGEN_FIELDS = ("question", "answer", "key_answer", "flags", "status", "judge_score", "judge_reason", "meta_json")


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


def regenerate(ws: Workspace, pair_id: int, backend: Any = None, **settings: Any) -> dict:
    """Rewrite one pair from its source chunk and fact with the workspace's generator, as one undoable action.

    ``settings`` override the workspace's generator settings (e.g. ``temperature``); ``backend`` replaces the
    generator outright (tests). The pair goes back to ``pending`` with fresh quality flags and no judge score.
    """
    from ..generate.regenerate import RegenerateError, generator_settings, rewrite_pair

    pair = _pair(ws, pair_id)
    before = current_rows(ws, [int(pair_id)], REGEN_FIELDS)[int(pair_id)]
    try:
        cfg = generator_settings(ws, **settings)
        new = rewrite_pair(ws, pair, cfg, backend=backend)
    except (RegenerateError, ValueError) as exc:
        raise DatasetError(f"not regenerated: {exc}") from None
    except Exception as exc:  # the generator's own failures: one readable line, never a traceback in the UI
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DatasetError(f"regeneration failed: {first}") from None
    meta = _meta(pair.get("meta_json"))
    meta["regenerated"] = {"generator": new.generator, "model": new.model, "prompt_version": new.prompt_version,
                           "from_question": pair["question"]}
    try:
        updated = ws.update_pair(int(pair_id), expected_version=int(pair["version"]), question=new.question,
                                 answer=new.answer, key_answer=new.key_answer, flags=new.flags, status="pending",
                                 judge_score=None, judge_reason=None, meta_json=meta)
    except ConflictError as exc:
        raise DatasetError(str(exc)) from None
    record_action(ws, "regenerate", f"regenerate pair {pair_id}", changed={int(pair_id): {
        k: v for k, v in before.items() if k != "id"}}, prev_versions={int(pair_id): int(pair["version"])})
    return updated


def _meta(value: Any) -> dict:
    if isinstance(value, dict):
        return dict(value)
    try:
        out = json.loads(value) if value else {}
    except ValueError:
        out = {}
    return out if isinstance(out, dict) else {}
