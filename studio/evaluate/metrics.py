"""Metrics over scored answers, with cluster-bootstrap 95% intervals (facts are resampled, not phrasings).

A row is a dict with at least ``arm``, ``set``, ``group`` (fact id), ``qid``, ``correct`` (bool) and
``refusal`` (bool). Phrasings of one fact are correlated, so intervals resample whole facts.
"""

from __future__ import annotations

import random
from collections import defaultdict
from itertools import combinations
from typing import Any, Callable, Iterable, Sequence

Agree = Callable[[dict, dict], bool]
CONSISTENCY_SETS = {"phrasings": ("phrasings", "trained"), "trained": ("phrasings", "trained"), "facts": ("facts",)}


def by_group(rows: Iterable[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        out[str(r.get("group") if r.get("group") not in (None, "") else r.get("qid"))].append(r)
    return dict(out)


def bootstrap_ci(groups: Sequence[Any], stat: Callable[[Sequence[Any]], float | None], n: int = 1000,
                 seed: int = 0, level: float = 0.95) -> list[float] | None:
    """Percentile interval of ``stat`` over ``n`` resamples (with replacement) of ``groups``."""
    if not groups or n <= 0:
        return None
    rng = random.Random(seed)
    k = len(groups)
    values = []
    for _ in range(n):
        sample = [groups[rng.randrange(k)] for _ in range(k)]
        v = stat(sample)
        if v is not None:
            values.append(v)
    if not values:
        return None
    values.sort()
    lo = values[int((1 - level) / 2 * (len(values) - 1))]
    hi = values[int(round((1 + level) / 2 * (len(values) - 1)))]
    return [round(lo, 4), round(hi, 4)]


def _acc(groups: Sequence[list[dict]]) -> float | None:
    total = sum(len(g) for g in groups)
    return sum(bool(r["correct"]) for g in groups for r in g) / total if total else None


def _strict(groups: Sequence[list[dict]]) -> float | None:
    return sum(all(r["correct"] for r in g) for g in groups) / len(groups) if groups else None


def accuracy(rows: Sequence[dict], n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Accuracy over every phrasing and strict accuracy (every phrasing of a fact right), with intervals."""
    groups = list(by_group(rows).values())
    acc, strict = _acc(groups), _strict(groups)
    return {
        "accuracy": None if acc is None else round(acc, 4),
        "accuracy_ci": bootstrap_ci(groups, _acc, n_boot, seed),
        "strict_accuracy": None if strict is None else round(strict, 4),
        "strict_accuracy_ci": bootstrap_ci(groups, _strict, n_boot, seed + 1),
        "correct": sum(bool(r["correct"]) for r in rows),
        "n": len(rows),
        "n_facts": len(groups),
        "refused": sum(bool(r.get("refusal")) for r in rows),
    }


def consistency(rows: Sequence[dict], agree: Agree, n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Paraphrase consistency over facts asked in two or more phrasings.

    ``consistency``: share of facts whose answers are all correct (a refusal is never correct, so a model that
    refuses everything scores 0); ``agreement``: mean over facts of the share of answer pairs that agree.
    """
    per_fact = []
    for g in by_group(rows).values():
        if len(g) < 2:
            continue
        pairs = list(combinations(g, 2))
        agreed = sum(bool(agree(a, b)) for a, b in pairs) / len(pairs)
        per_fact.append((all(r["correct"] and not r.get("refusal") for r in g), agreed))
    if not per_fact:
        return {"consistency": None, "consistency_ci": None, "agreement": None, "agreement_ci": None, "n_facts": 0}

    def cons(sample):
        return sum(c for c, _ in sample) / len(sample)

    def agr(sample):
        return sum(a for _, a in sample) / len(sample)

    return {
        "consistency": round(cons(per_fact), 4),
        "consistency_ci": bootstrap_ci(per_fact, cons, n_boot, seed + 2),
        "agreement": round(agr(per_fact), 4),
        "agreement_ci": bootstrap_ci(per_fact, agr, n_boot, seed + 3),
        "n_facts": len(per_fact),
    }


def refusal_accuracy(rows: Sequence[dict], n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Share of should-refuse questions that were declined (rows of the refusals set)."""
    groups = [[r] for r in rows]

    def share(sample):
        return sum(bool(g[0].get("refusal")) for g in sample) / len(sample)

    if not rows:
        return {"refusal_accuracy": None, "refusal_accuracy_ci": None, "n": 0}
    return {"refusal_accuracy": round(share(groups), 4), "refusal_accuracy_ci": bootstrap_ci(groups, share, n_boot, seed + 4),
            "n": len(rows)}


def paired_difference(a_rows: Sequence[dict], b_rows: Sequence[dict], n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Accuracy of ``b`` minus ``a`` on the same questions, facts resampled together."""
    a_by = {r["qid"]: r for r in a_rows}
    pairs = [(a_by[r["qid"]], r) for r in b_rows if r["qid"] in a_by]
    groups = list(by_group([{"group": b.get("group"), "qid": b["qid"], "pair": (a, b)} for a, b in pairs]).values())

    def diff(sample):
        items = [r["pair"] for g in sample for r in g]
        return (sum(bool(b["correct"]) for _, b in items) - sum(bool(a["correct"]) for a, _ in items)) / len(items) if items else None

    d = diff(groups)
    return {"difference": None if d is None else round(d, 4), "ci": bootstrap_ci(groups, diff, n_boot, seed + 5), "n": len(pairs)}


def retrieval_gap(base: Sequence[dict], tuned: Sequence[dict], rag: Sequence[dict], n_boot: int = 1000,
                  seed: int = 0) -> dict[str, Any]:
    """(tuned - base) / (base+retrieval - base), only when retrieval beats base beyond its interval."""
    gain = paired_difference(base, rag, n_boot, seed)
    if not base or not tuned or not rag:
        return {"value": None, "ci": None, "defined": False, "reason": "not defined: an arm is missing", "retrieval_gain": gain}
    if not gain["ci"] or gain["ci"][0] <= 0:
        return {"value": None, "ci": None, "defined": False, "reason": "not defined: retrieval did not help",
                "retrieval_gain": gain}
    b_by, t_by, r_by = ({r["qid"]: r for r in rows} for rows in (base, tuned, rag))
    qids = [q for q in b_by if q in t_by and q in r_by]
    groups = list(by_group([{"group": b_by[q].get("group"), "qid": q} for q in qids]).values())

    def ratio(sample):
        ids = [r["qid"] for g in sample for r in g]
        den = sum(bool(r_by[q]["correct"]) - bool(b_by[q]["correct"]) for q in ids)
        if den <= 0:
            return None
        return sum(bool(t_by[q]["correct"]) - bool(b_by[q]["correct"]) for q in ids) / den

    value = ratio(groups)
    return {"value": None if value is None else round(value, 4), "ci": bootstrap_ci(groups, ratio, n_boot, seed + 6),
            "defined": value is not None, "reason": "", "retrieval_gain": gain}


def summarise(rows: Sequence[dict], agree: Agree, n_boot: int = 1000, seed: int = 0) -> dict[str, dict[str, Any]]:
    """``{arm: {set: metrics}}`` for every arm and set present in ``rows``."""
    out: dict[str, dict[str, Any]] = {}
    arms = list(dict.fromkeys(r["arm"] for r in rows))
    for arm in arms:
        arm_rows = [r for r in rows if r["arm"] == arm]
        sets = list(dict.fromkeys(r["set"] for r in arm_rows))
        cons_cache: dict[tuple, dict] = {}
        out[arm] = {}
        for s in sets:
            srows = [r for r in arm_rows if r["set"] == s]
            if s == "refusals":
                m = refusal_accuracy(srows, n_boot, seed)
                m.update(accuracy=m["refusal_accuracy"], accuracy_ci=m["refusal_accuracy_ci"], strict_accuracy=None,
                         consistency=None, n_facts=len(srows))
            else:
                m = accuracy(srows, n_boot, seed)
                scope = CONSISTENCY_SETS.get(s, (s,))
                facts = frozenset(r.get("group") for r in srows)
                if (scope, facts) not in cons_cache:
                    cons_rows = [r for r in arm_rows if r["set"] in scope and r.get("group") in facts]
                    cons_cache[(scope, facts)] = consistency(cons_rows, agree, n_boot, seed)
                c = cons_cache[(scope, facts)]
                m.update(consistency=c["consistency"], consistency_ci=c["consistency_ci"], agreement=c["agreement"],
                         agreement_ci=c["agreement_ci"], consistency_facts=c["n_facts"])
                m["over_refusal"] = round(m["refused"] / m["n"], 4) if m["n"] else None
            out[arm][s] = m
    return out
