"""The split by phrasing, with the held-out-facts probe and the leakage check (docs/ARCHITECTURE.md).

* facts with at least 3 phrasings: ``heldout_phrasings`` go to ``heldout`` (the test), with at least 5 one
  more goes to ``val`` (eval loss), the others to ``train``: the test asks unseen questions about taught facts;
* a share of facts (``heldout_facts_share``) is held out whole (the probe);
* a held-out question near-identical to a train question is swapped with another phrasing of its fact,
  or moved to train (probe questions are rejected) and counted in ``leaks_fixed``;
* decisions are deterministic (hash order) and, once made, locked: reruns and resumes keep them.

Pure functions over plain dicts: ``{"id", "fact_id", "question", "split", "locked", "group_kind"}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .textutil import normalise, stable_unit, token_key


@dataclass
class SplitResult:
    splits: dict[int, str] = field(default_factory=dict)
    probe: dict[str, bool] = field(default_factory=dict)
    leaks_fixed: int = 0
    leak_flagged: set[int] = field(default_factory=set)
    rejected: set[int] = field(default_factory=set)


def choose_probe_facts(fact_ids: list[str], share: float, previous: dict[str, bool]) -> dict[str, bool]:
    """Which facts are held out whole; earlier decisions stand, new facts fill up to the share in hash order."""
    decided = {f: bool(previous[f]) for f in fact_ids if f in previous}
    new = sorted((f for f in fact_ids if f not in decided), key=lambda f: stable_unit("probe", f))
    target = round(share * len(fact_ids))
    if share > 0 and len(fact_ids) >= 4:
        target = max(1, target)
    need = max(0, target - sum(decided.values()))
    for i, f in enumerate(new):
        decided[f] = i < need
    return decided


def assign_phrasings(group: list[dict], probe: bool, heldout_phrasings: int) -> dict[int, str]:
    """Split one fact's phrasings; locked phrasings keep their split."""
    if probe:
        return {p["id"]: "heldout" for p in group}
    out = {p["id"]: p["split"] for p in group if p.get("locked")}
    n = len(group)
    want_h = min(heldout_phrasings, n - 2) if n >= 3 else 0
    want_v = 1 if n >= 5 else 0
    have_h = sum(s == "heldout" for s in out.values())
    have_v = sum(s == "val" for s in out.values())
    free = sorted((p for p in group if not p.get("locked")), key=lambda p: stable_unit("phr", p["fact_id"], normalise(p["question"])))
    for p in free:
        if have_h < want_h:
            out[p["id"]], have_h = "heldout", have_h + 1
        elif have_v < want_v:
            out[p["id"]], have_v = "val", have_v + 1
        else:
            out[p["id"]] = "train"
    if "train" not in out.values():  # a fact never goes untaught unless it is the probe
        out = {pid: "train" for pid in out}
    return out


def split_pairs(
    pairs: list[dict],
    share: float,
    heldout_phrasings: int,
    previous_probe: dict[str, bool],
    vectors: Callable[[list[str]], object] | None = None,
    leak_threshold: float = 0.95,
) -> SplitResult:
    """Split every pair, then run the leakage check. ``vectors`` maps questions to unit embeddings."""
    groups: dict[str, list[dict]] = {}
    for p in pairs:
        groups.setdefault(p["fact_id"], []).append(p)
    fact_ids = sorted(f for f, g in groups.items() if g[0].get("group_kind", "fact") == "fact")
    res = SplitResult(probe=choose_probe_facts(fact_ids, share, previous_probe))
    for fid, group in groups.items():
        res.splits.update(assign_phrasings(group, res.probe.get(fid, False), heldout_phrasings))
    _fix_leaks(pairs, res, vectors, leak_threshold)
    return res


def _fix_leaks(pairs: list[dict], res: SplitResult, vectors, threshold: float) -> None:
    import numpy as np

    index = {p["id"]: i for i, p in enumerate(pairs)}
    keys = [token_key(p["question"]) for p in pairs]
    by_key: dict[str, list[int]] = {}
    for j, k in enumerate(keys):
        by_key.setdefault(k, []).append(j)
    emb = vectors([p["question"] for p in pairs]) if vectors and pairs else None
    split = res.splits

    def train_mask(exclude: int | None = None):
        m = np.array([split.get(p["id"]) == "train" and p["id"] not in res.rejected for p in pairs])
        if exclude is not None:
            m[index[exclude]] = False
        return m

    def leaks(pid: int, mask) -> bool:
        i = index[pid]
        same_key = any(mask[j] for j in by_key[keys[i]] if j != i)
        if same_key:
            return True
        if emb is None or not mask.any():
            return False
        return bool((emb[mask] @ emb[i]).max() >= threshold)

    by_fact: dict[str, list[dict]] = {}
    for p in pairs:
        by_fact.setdefault(p["fact_id"], []).append(p)
    for p in sorted(pairs, key=lambda q: q["id"]):
        pid = p["id"]
        if split.get(pid) != "heldout" or pid in res.rejected or not leaks(pid, train_mask()):
            continue
        res.leaks_fixed += 1
        if res.probe.get(p["fact_id"]):
            res.rejected.add(pid)
            res.leak_flagged.add(pid)
            continue
        swapped = False
        candidates = sorted((q for q in by_fact[p["fact_id"]] if split.get(q["id"]) == "train"),
                            key=lambda q: stable_unit("swap", q["fact_id"], normalise(q["question"])))
        for cand in candidates:
            split[pid], split[cand["id"]] = "train", "heldout"
            if not leaks(cand["id"], train_mask()) and "train" in {split[q["id"]] for q in by_fact[p["fact_id"]]}:
                swapped = True
                break
            split[pid], split[cand["id"]] = "heldout", "train"
        if not swapped:
            split[pid] = "train"
            res.leak_flagged.add(pid)
