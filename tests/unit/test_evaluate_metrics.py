"""Metrics and bootstrap intervals on hand-made rows (no models)."""

from __future__ import annotations

from studio.evaluate import metrics as mt
from studio.evaluate.report import summary_line, verdict


def _rows(arm, pattern, set_name="phrasings", refuse=False):
    """pattern: list per fact of per-phrasing correctness."""
    rows = []
    for f, answers in enumerate(pattern):
        for p, ok in enumerate(answers):
            rows.append({"arm": arm, "set": set_name, "group": f"f{f}", "qid": f"{set_name}-{f}-{p}", "correct": ok,
                         "refusal": refuse, "prediction": "x" if ok else "y"})
    return rows


def _agree(a, b):
    return not a["refusal"] and not b["refusal"] and a["prediction"] == b["prediction"]


def test_accuracy_strict_and_ci():
    rows = _rows("tuned", [[True, True], [True, False], [False, False], [True, True]])
    m = mt.accuracy(rows, n_boot=500)
    assert m["accuracy"] == 0.625 and m["strict_accuracy"] == 0.5 and m["n"] == 8 and m["n_facts"] == 4
    lo, hi = m["accuracy_ci"]
    assert 0 <= lo <= 0.625 <= hi <= 1 and hi - lo > 0.1
    # the same data twice as large gives a narrower interval; the seed makes it deterministic
    big = mt.accuracy(rows + [{**r, "group": r["group"] + "b", "qid": r["qid"] + "b"} for r in rows], n_boot=500)
    assert big["accuracy_ci"][1] - big["accuracy_ci"][0] < hi - lo
    assert mt.accuracy(rows, n_boot=500)["accuracy_ci"] == m["accuracy_ci"]
    all_right = mt.accuracy(_rows("t", [[True]] * 5), n_boot=200)
    assert all_right["accuracy_ci"] == [1.0, 1.0]


def test_consistency_and_refusing_everything():
    rows = _rows("tuned", [[True, True, True], [True, False, True], [True, True]])
    c = mt.consistency(rows, _agree, n_boot=200)
    assert c["consistency"] == round(2 / 3, 4) and c["n_facts"] == 3
    assert c["agreement"] == round((1 + 1 / 3 + 1) / 3, 4)
    refuser = _rows("base", [[False, False], [False, False]], refuse=True)
    for r in refuser:
        r["prediction"] = "The documents do not say."
    c2 = mt.consistency(refuser, _agree, n_boot=100)
    assert c2["consistency"] == 0 and c2["agreement"] == 0


def test_retrieval_gap_defined_only_when_retrieval_helps():
    base = _rows("base", [[False]] * 20)
    tuned = _rows("tuned", [[i < 10] for i in range(20)])
    rag = _rows("base+rag", [[i < 16] for i in range(20)])
    gap = mt.retrieval_gap(base, tuned, rag, n_boot=300)
    assert gap["defined"] and gap["value"] == round(10 / 16, 4) and gap["ci"][0] <= gap["value"] <= gap["ci"][1]
    useless = _rows("base+rag", [[i < 1] for i in range(20)])
    gap2 = mt.retrieval_gap(base, tuned, useless, n_boot=300)
    assert not gap2["defined"] and gap2["reason"] == "not defined: retrieval did not help"


def test_summarise_verdict_and_summary_line():
    rows = (_rows("base", [[False, False]] * 10) + _rows("tuned", [[True, True]] * 8 + [[False, False]] * 2)
            + _rows("base", [[False]] * 10, "trained") + _rows("tuned", [[True]] * 10, "trained")
            + _rows("tuned", [[True]] * 3 + [[False]] * 2, "refusals", refuse=False))
    for r in rows:
        r["group"] = f"{r['set'][:1]}{r['group']}" if r["set"] == "refusals" else r["group"]
    m = mt.summarise(rows, _agree, n_boot=200)
    assert m["tuned"]["phrasings"]["accuracy"] == 0.8 and m["base"]["phrasings"]["accuracy"] == 0.0
    assert m["tuned"]["phrasings"]["consistency"] == 0.8  # phrasings + trained answers of each fact
    diff = {"phrasings": mt.paired_difference(
        [r for r in rows if r["arm"] == "base" and r["set"] == "phrasings"],
        [r for r in rows if r["arm"] == "tuned" and r["set"] == "phrasings"], 200)}
    v = verdict(m, diff, None, None)
    assert v["learned"] is True and v["text"].startswith("Learned: 16 of 20 unseen phrasings right")
    assert "base 0 of 20" in v["text"]
    flat = {"phrasings": {"difference": 0.0, "ci": [-0.1, 0.1]}}
    v2 = verdict({"base": m["base"], "tuned": m["base"]}, flat, None, None)
    assert v2["learned"] is False and v2["advice"]
    line = summary_line({"metrics": m, "verdict": v, "threshold": {"value": 0.55}, "files": {"folder": "/x"}})
    assert set(line["results"]["tuned"]["phrasings"]) == {"accuracy", "accuracy_ci", "strict_accuracy", "consistency", "n"}
