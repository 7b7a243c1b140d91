"""Rows of a QA file added to a workspace as imported pairs (kind ``imported``, status ``pending``)."""

from __future__ import annotations

from typing import Any

from .lang import detect_language
from .qa_files import QaFileRead


def import_qa_rows(workspace, read: QaFileRead, document_id: int | None, source: str) -> dict[str, Any]:
    """Add the rows as new pairs inside the caller's transaction; returns counts and messages.

    Split comes from the file (else ``train``); one fact id per row unless the file has a ``group``
    column. Rows carrying the id of a pair this workspace already has are left to
    ``python -m studio import-pairs`` (the review round trip) and reported; ids the workspace does
    not know are the file's own and kept in the pair's metadata.
    """
    known = set()
    ids = [r["id"] for r in read.rows if "id" in r]
    if ids:
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            sql = f"SELECT id FROM qa_pairs WHERE id IN ({', '.join('?' * len(part))})"
            known.update(r[0] for r in workspace.conn.execute(sql, part))
    sample = " ".join(f"{r['question']} {r['answer']}" for r in read.rows[:50])
    lang = detect_language(sample)
    prefix = f"imp{document_id}" if document_id is not None else "imp"
    pairs, skipped = [], 0
    for row in read.rows:
        if row.get("id") in known:
            skipped += 1
            continue
        meta = {"source": source, "line": row["line"]}
        for key in ("system", "id"):
            if row.get(key) not in (None, ""):
                meta["source_id" if key == "id" else key] = row[key]
        group = row.get("group")
        pairs.append(
            {
                "question": row["question"],
                "answer": row["answer"],
                "key_answer": row.get("key_answer"),
                "kind": "imported",
                "status": "pending",
                "split": row.get("split", "train"),
                "fact_id": f"{prefix}-g-{group}" if group else f"{prefix}-{row['line']}",
                "document_id": document_id,
                "lang": lang,
                "generator": "import",
                "meta_json": meta,
            }
        )
    added = workspace.add_pairs(pairs) if pairs else []
    messages = []
    if skipped:
        messages.append(
            f"{skipped} row(s) carry ids of pairs already in the workspace: not added again "
            "(use python -m studio import-pairs to apply edits)"
        )
    return {"added": len(added), "skipped": skipped, "lang": lang, "messages": messages}
