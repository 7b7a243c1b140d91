"""Rows of a QA file added to a workspace as imported pairs (kind ``imported``, status ``pending``)."""

from __future__ import annotations

from typing import Any

from .lang import detect_language
from .qa_files import QaFileRead


def import_qa_rows(workspace, read: QaFileRead, document_id: int | None, source: str) -> dict[str, Any]:
    """Add the rows as new pairs inside the caller's transaction; returns counts and messages.

    Split comes from the file when it has a split column (rows without one go to ``train``); otherwise
    :func:`assign_import_splits` holds out questions for the evaluation (stated in the messages). One fact
    id per row unless the file has a ``group`` column or rows share an answer. Rows carrying the id of a pair this workspace already has are left to
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
        fact_id = f"{prefix}-g-{group}" if group else f"{prefix}-{row['line']}"
        pairs.append(
            {
                "question": row["question"],
                "answer": row["answer"],
                "key_answer": row.get("key_answer"),
                "kind": "imported",
                "status": "pending",
                "split": row.get("split", "train"),
                "fact_id": fact_id,
                "document_id": document_id,
                "lang": lang,
                "generator": "import",
                "meta_json": meta,
            }
        )
    messages = []
    if pairs and not any(r.get("split") for r in read.rows):
        note = assign_import_splits(pairs, grouped=any(r.get("group") for r in read.rows))
        messages.append(note)
    added = workspace.add_pairs(pairs) if pairs else []
    if skipped:
        messages.append(
            f"{skipped} row(s) carry ids of pairs already in the workspace: not added again "
            "(use python -m studio import-pairs to apply edits)"
        )
    return {"added": len(added), "skipped": skipped, "lang": lang, "messages": messages,
            "splits": {s: sum(p["split"] == s for p in pairs) for s in ("train", "val", "heldout")}}


HELDOUT_SHARE = 0.10  # one pair per fact: share held out as the test
VAL_SHARE = 0.05
MIN_HELDOUT = 3


def assign_import_splits(pairs: list[dict], grouped: bool = False) -> str:
    """Give imported pairs (no split in the file) held-out and val questions, in place; returns the sentence
    for the import report.

    Phrasings of one fact (a group column, or rows sharing an answer) are split like generated data: one
    phrasing per fact held out, one more to val from 5 phrasings, a share of facts held out whole. Without
    facts of several phrasings a share of the pairs is held out as the test and a smaller one as val.
    """
    from ..generate.split import split_pairs
    from ..generate.textutil import normalise, stable_unit

    if not grouped:  # rows with the same answer are phrasings of one fact
        first: dict[str, str] = {}
        for p in pairs:
            key = normalise(p["answer"])
            if key:
                p["fact_id"] = first.setdefault(key, p["fact_id"])
    sizes: dict[str, int] = {}
    for p in pairs:
        sizes[p["fact_id"]] = sizes.get(p["fact_id"], 0) + 1
    multi = sum(n >= 3 for n in sizes.values())
    if multi:
        items = [{"id": i, "fact_id": p["fact_id"], "question": p["question"], "split": "train", "locked": False,
                  "group_kind": "fact"} for i, p in enumerate(pairs)]
        res = split_pairs(items, HELDOUT_SHARE, 1, {})
        for i, p in enumerate(pairs):
            p["split"] = "train" if i in res.rejected else res.splits.get(i, "train")
        probe = sum(res.probe.values())
        counts = {s: sum(p["split"] == s for p in pairs) for s in ("train", "val", "heldout")}
        return (f"split by phrasing ({len(sizes)} facts): {counts['train']} train, {counts['val']} val, "
                f"{counts['heldout']} held out for the test (one unseen phrasing of each of {multi} facts with 3 or "
                f"more phrasings" + (f", {probe} facts held out whole" if probe else "") + ")")
    n = len(pairs)
    n_test = max(MIN_HELDOUT, round(HELDOUT_SHARE * n)) if n >= 10 else (1 if n >= 4 else 0)
    n_val = max(1, round(VAL_SHARE * n)) if n >= 10 else 0
    order = sorted(range(n), key=lambda i: stable_unit("import", normalise(pairs[i]["question"]), i))
    for rank, i in enumerate(order):
        pairs[i]["split"] = "heldout" if rank < n_test else "val" if rank < n_test + n_val else "train"
    if not n_test:
        return f"too few pairs ({n}) to hold any out: all train, nothing to evaluate on"
    return (f"no split or fact column: {n_test} of {n} pairs held out for the test and {n_val} for val (about "
            f"{HELDOUT_SHARE:.0%}), never trained; add a group column with 3 or more phrasings per fact to test "
            "unseen phrasings of taught facts instead")
