"""Generation progress in the workspace: ``gen_chunks`` (per chunk and recipe) and the ``facts`` table."""

from __future__ import annotations

import json

from ..workspace import Workspace, now_iso
from ..workspace.pairs import validate_pair_fields

GEN_KINDS = ("fact", "paraphrase", "refusal", "false_premise")


def chunks_to_do(ws: Workspace, recipe: str, retry_failed: bool, limit: int | None) -> list[dict]:
    """Chunks without a finished generation, in document order (failed ones only when retrying)."""
    skip = ("done",) if retry_failed else ("done", "failed")
    rows = ws.conn.execute(
        "SELECT c.id, c.document_id, c.ordinal, c.text, c.tokens, d.lang, d.name AS document, g.status AS gen_status "
        "FROM chunks c JOIN documents d ON d.id = c.document_id "
        "LEFT JOIN gen_chunks g ON g.chunk_id = c.id AND g.recipe = ? "
        "ORDER BY c.document_id, c.ordinal", (recipe,)
    ).fetchall()
    todo = [dict(r) for r in rows if r["gen_status"] not in skip]
    return todo[:limit] if limit else todo


def mark_chunks(ws: Workspace, chunk_ids: list[int], recipe: str, status: str, run_id: str | None) -> None:
    ts = now_iso()
    with ws.transaction() as c:
        c.executemany(
            "INSERT INTO gen_chunks(chunk_id, recipe, status, run_id, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(chunk_id, recipe) DO UPDATE SET status = excluded.status, run_id = excluded.run_id, "
            "updated_at = excluded.updated_at",
            [(cid, recipe, status, run_id, ts) for cid in chunk_ids],
        )


def save_chunk(ws: Workspace, task, recipe: str, run_id: str | None) -> None:
    """Pairs, facts and the chunk's status in one transaction: a crash loses at most this chunk."""
    ts = now_iso()
    chunk = task.chunk
    status = "failed" if task.failed else "done"
    reason = task.failed or ("; ".join(task.notes) or None)
    with ws.transaction() as c:
        if not task.failed:
            for f in task.fact_rows():
                c.execute(
                    "INSERT OR IGNORE INTO facts(id, chunk_id, document_id, statement, key_answer, lang, created_at, meta_json) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (f["id"], chunk["id"], chunk["document_id"], f["statement"], f["key_answer"], task.lang, ts,
                     json.dumps({"kind": f["kind"], "recipe": recipe})),
                )
            rows = []
            for p in task.pairs:
                clean = validate_pair_fields({**p, "meta_json": {"recipe": recipe, "run_id": run_id}})
                rows.append(clean)
            if rows:
                ws.add_pairs(rows)
        c.execute(
            "INSERT INTO gen_chunks(chunk_id, recipe, status, reason, attempts, pairs, run_id, updated_at) "
            "VALUES (?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT(chunk_id, recipe) DO UPDATE SET status = excluded.status, "
            "reason = excluded.reason, attempts = gen_chunks.attempts + 1, pairs = excluded.pairs, "
            "run_id = excluded.run_id, updated_at = excluded.updated_at",
            (chunk["id"], recipe, status, reason, 0 if task.failed else len(task.pairs), run_id, ts),
        )


def chunk_counts(ws: Workspace, recipe: str) -> dict[str, int]:
    rows = ws.conn.execute("SELECT status, COUNT(*) FROM gen_chunks WHERE recipe = ? GROUP BY status", (recipe,))
    out = {r[0]: r[1] for r in rows}
    out["total"] = ws.conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
    return out


def failed_chunks(ws: Workspace, recipe: str = "knowledge") -> list[dict]:
    rows = ws.conn.execute(
        "SELECT g.chunk_id, d.name AS document, c.ordinal, g.reason, g.attempts, g.updated_at "
        "FROM gen_chunks g JOIN chunks c ON c.id = g.chunk_id JOIN documents d ON d.id = c.document_id "
        "WHERE g.recipe = ? AND g.status = 'failed' ORDER BY c.document_id, c.ordinal", (recipe,)
    ).fetchall()
    return [dict(r) for r in rows]


def coverage(ws: Workspace, recipe: str = "knowledge") -> dict[str, list[dict]]:
    """Pairs per document and per chunk (not rejected), with the chunks that gave none."""
    kinds = ", ".join(f"'{k}'" for k in GEN_KINDS)
    per_chunk = ws.conn.execute(
        f"SELECT c.id AS chunk_id, d.name AS document, c.ordinal, COALESCE(g.status, 'pending') AS status, "
        f"COALESCE(g.reason, '') AS reason, "
        f"(SELECT COUNT(*) FROM qa_pairs p WHERE p.chunk_id = c.id AND p.status != 'rejected' AND p.kind IN ({kinds})) AS pairs "
        "FROM chunks c JOIN documents d ON d.id = c.document_id "
        "LEFT JOIN gen_chunks g ON g.chunk_id = c.id AND g.recipe = ? ORDER BY c.document_id, c.ordinal", (recipe,)
    ).fetchall()
    chunks = [dict(r) for r in per_chunk]
    docs: dict[str, dict] = {}
    for ch in chunks:
        d = docs.setdefault(ch["document"], {"document": ch["document"], "chunks": 0, "chunks_done": 0, "pairs": 0, "empty_chunks": 0})
        d["chunks"] += 1
        d["chunks_done"] += ch["status"] == "done"
        d["pairs"] += ch["pairs"]
        d["empty_chunks"] += ch["pairs"] == 0
    return {"documents": list(docs.values()), "chunks": chunks, "empty": [c for c in chunks if c["pairs"] == 0]}


def generated_pairs(ws: Workspace) -> list[dict]:
    kinds = ", ".join(f"'{k}'" for k in GEN_KINDS)
    rows = ws.conn.execute(
        f"SELECT id, chunk_id, document_id, fact_id, question, answer, key_answer, kind, split, status, flags, "
        f"meta_json, edited_at FROM qa_pairs WHERE generator IS NOT NULL AND kind IN ({kinds}) ORDER BY id"
    ).fetchall()
    out = []
    for r in rows:
        d = dict(r)
        try:
            d["meta"] = json.loads(d.pop("meta_json") or "{}")
        except ValueError:
            d["meta"] = {}
        d["flags"] = [f for f in (d["flags"] or "").split(",") if f]
        out.append(d)
    return out


def facts_meta(ws: Workspace) -> dict[str, dict]:
    out = {}
    for r in ws.conn.execute("SELECT id, statement, key_answer, document_id, created_at, meta_json FROM facts ORDER BY created_at, id"):
        d = dict(r)
        try:
            d["meta"] = json.loads(d.pop("meta_json") or "{}")
        except ValueError:
            d["meta"] = {}
        out[d["id"]] = d
    return out
