"""After the chunks: refusal check, fact grouping, dedup across facts, split, leakage check.

Runs over every generated pair of the workspace (so resumed runs and new documents are handled
together); earlier split decisions stay locked. Nothing is deleted: a pair taken out is ``rejected``
with a flag saying why (``answerable``, ``duplicate``, ``leak``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..workspace import Workspace
from .embed import Embedder, similar_pairs
from .progress_store import facts_meta, generated_pairs
from .split import split_pairs
from .textutil import content_tokens, normalise, numbers, token_key

REFUSAL_SENTENCE_SIM = 0.6  # a refusal question this close to a sentence of any chunk is answered there
REFUSAL_QUESTION_SIM = 0.85  # ... or this close to a question about a fact
GROUP_SIM = 0.9  # same fact stated in two chunks
GROUP_SIM_SAME_KEY = 0.8  # ... when both carry the same key answer
_SENT = re.compile(r"(?<=[.!?;])\s+|\n+")


def answerable_refusals(refusals: list[dict], sentences: list[str], fact_questions: list[str], embedder: Embedder) -> set[str]:
    """Refusal groups (fact ids) whose question some chunk answers, found by retrieval over all chunks."""
    if not refusals:
        return set()
    qs = [p["question"] for p in refusals]
    qv = embedder.encode(qs)
    hit: set[str] = set()
    for vecs, thr in ((embedder.encode(sentences), REFUSAL_SENTENCE_SIM), (embedder.encode(fact_questions), REFUSAL_QUESTION_SIM)):
        if len(vecs):
            for i, _, _ in similar_pairs(qv, vecs, thr):
                hit.add(refusals[i]["fact_id"])
    sent_tokens = [set(content_tokens(s)) for s in sentences]
    for p in refusals:  # lexical backstop: every content word of the question in one sentence
        toks = set(content_tokens(p["question"]))
        if len(toks) >= 2 and any(toks <= st for st in sent_tokens):
            hit.add(p["fact_id"])
    return hit


def group_facts(facts: list[dict], embedder: Embedder) -> dict[str, str]:
    """fact id -> canonical id (the earliest) for the same fact stated in several chunks."""
    if len(facts) < 2:
        return {}
    vecs = embedder.encode([f["statement"] or "" for f in facts])
    parent = list(range(len(facts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    keys = [normalise(f.get("key_answer") or "") for f in facts]
    for i, j, sim in similar_pairs(vecs, vecs, GROUP_SIM_SAME_KEY):
        if i >= j:
            continue
        same_key = bool(keys[i]) and keys[i] == keys[j]
        compatible = numbers(facts[i]["statement"]) == numbers(facts[j]["statement"])
        if compatible and (sim >= GROUP_SIM or same_key):
            a, b = find(i), find(j)
            parent[max(a, b)] = min(a, b)
    return {facts[i]["id"]: facts[find(i)]["id"] for i in range(len(facts)) if find(i) != i}


def duplicates_across_facts(pairs: list[dict], embedder: Embedder, threshold: float) -> set[int]:
    """Ids of later pairs whose question repeats another fact's question; a fact's own phrasings never count."""
    vecs = embedder.encode([p["question"] for p in pairs])
    drop: set[int] = set()
    seen: dict[str, str] = {}
    for p in pairs:
        k = token_key(p["question"])
        if k in seen and seen[k] != p["fact_id"]:
            drop.add(p["id"])
        seen.setdefault(k, p["fact_id"])
    for i, j, _ in similar_pairs(vecs, vecs, threshold):
        if i < j and pairs[i]["fact_id"] != pairs[j]["fact_id"] and pairs[i]["id"] not in drop:
            drop.add(pairs[j]["id"])
    return drop


def finalize(ws: Workspace, cfg, embedder: Embedder | None = None) -> dict[str, Any]:
    embedder = embedder or Embedder(cfg.embedder)
    pairs = generated_pairs(ws)
    facts = facts_meta(ws)
    live = [p for p in pairs if p["status"] != "rejected"]
    reject: dict[int, str] = {}

    # 1. refusals another chunk answers are not refusals
    refusals = [p for p in live if p["kind"] == "refusal"]
    if refusals:
        sentences = [s.strip() for (t,) in ws.conn.execute("SELECT text FROM chunks") for s in _SENT.split(t) if len(s.split()) >= 4]
        fact_qs = [p["question"] for p in live if p["kind"] in ("fact", "paraphrase")]
        bad = answerable_refusals(refusals, sentences, fact_qs, embedder)
        reject.update({p["id"]: "answerable" for p in refusals if p["fact_id"] in bad})

    # 2. the same fact from overlapping chunks gets one id
    fact_rows = [f for f in facts.values() if f["meta"].get("kind", "fact") == "fact" and not f["meta"].get("merged_into")]
    merged = group_facts(fact_rows, embedder)
    for p in pairs:
        p["orig_fact_id"] = p["fact_id"]
        if p["fact_id"] in merged:
            p["fact_id"] = merged[p["fact_id"]]
    # 3. near-duplicates across facts
    live = [p for p in pairs if p["status"] != "rejected" and p["id"] not in reject]
    reject.update({pid: "duplicate" for pid in duplicates_across_facts(live, embedder, cfg.dedup_threshold)})

    # 4. split by phrasing with the probe, then the leakage check
    live = [p for p in live if p["id"] not in reject]
    items = [{"id": p["id"], "fact_id": p["fact_id"], "question": p["question"], "split": p["split"],
              "locked": bool(p["meta"].get("split_locked") or p["edited_at"]),
              "group_kind": "fact" if p["kind"] in ("fact", "paraphrase") else p["kind"]} for p in live]
    previous = {f: bool(m["meta"]["probe"]) for f, m in facts.items() if "probe" in m["meta"]}
    res = split_pairs(items, cfg.heldout_facts_share, cfg.heldout_phrasings, previous,
                      vectors=embedder.encode, leak_threshold=cfg.leak_threshold)
    for pid in res.rejected:
        reject[pid] = "leak"

    # 5. write it all in one transaction
    with ws.transaction() as c:
        for old, new in merged.items():
            meta = {**facts[old]["meta"], "merged_into": new}
            c.execute("UPDATE facts SET meta_json = ? WHERE id = ?", (json.dumps(meta), old))
        for fid, probe in res.probe.items():
            if fid in facts and facts[fid]["meta"].get("probe") != probe:
                meta = {**facts[fid]["meta"], "probe": probe}
                c.execute("UPDATE facts SET meta_json = ? WHERE id = ?", (json.dumps(meta), fid))
        for p in pairs:
            flags = list(p["flags"])
            status, split = p["status"], res.splits.get(p["id"], p["split"])
            if p["id"] in reject:
                status = "rejected"
                flags.append(reject[p["id"]])
            if p["id"] in res.leak_flagged:
                flags.append("leak")
            meta = {**p["meta"], "split_locked": p["id"] in res.splits} if p["id"] in res.splits else p["meta"]
            new = (p["fact_id"], split, status, ",".join(sorted(set(flags))), json.dumps(meta))
            old = (p["orig_fact_id"], p["split"], p["status"], ",".join(p["flags"]), json.dumps(p["meta"]))
            if new != old:
                c.execute("UPDATE qa_pairs SET fact_id = ?, split = ?, status = ?, flags = ?, meta_json = ? WHERE id = ?",
                          (*new, p["id"]))
    return split_summary(ws, leaks_fixed=res.leaks_fixed, rejected=reject)


def split_summary(ws: Workspace, leaks_fixed: int = 0, rejected: dict | None = None) -> dict[str, Any]:
    pairs = [p for p in generated_pairs(ws) if p["status"] != "rejected"]
    facts = facts_meta(ws)
    train_facts = {p["fact_id"] for p in pairs if p["split"] == "train"}
    probe = {f for f, m in facts.items() if m["meta"].get("probe")}
    out = {
        "pairs": len(pairs),
        "train": sum(p["split"] == "train" for p in pairs),
        "val": sum(p["split"] == "val" for p in pairs),
        "heldout": sum(p["split"] == "heldout" for p in pairs),
        "heldout_phrasings": sum(p["split"] == "heldout" and p["fact_id"] in train_facts for p in pairs),
        "heldout_facts": len({p["fact_id"] for p in pairs if p["fact_id"] in probe}),
        "facts": len({p["fact_id"] for p in pairs if p["kind"] in ("fact", "paraphrase")}),
        "refusals": sum(p["kind"] == "refusal" for p in pairs),
        "false_premises": sum(p["kind"] == "false_premise" for p in pairs),
        "flagged": sum(bool(p["flags"]) for p in pairs),
        "leaks_fixed": leaks_fixed,
    }
    if rejected is not None:
        out["rejected_answerable"] = sum(v == "answerable" for v in rejected.values())
        out["rejected_duplicates"] = sum(v == "duplicate" for v in rejected.values())
    return out
