"""Scoring a JSONL file of answers (``python -m studio score``): no generation, one batched encode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import metrics as mt
from .scoring import EmbedderError, Item, Scorer


class ScoreFileError(ValueError):
    """A line that cannot be scored (readable message with its line number)."""


def read_rows(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ScoreFileError(f"{path.name} line {n}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise ScoreFileError(f"{path.name} line {n}: expected an object")
            if row.get("summary") is True:
                continue  # a summary line from an earlier run
            missing = [k for k in ("question", "reference", "prediction") if k not in row]
            if missing:
                raise ScoreFileError(f"{path.name} line {n}: missing {', '.join(missing)}")
            rows.append(row)
    if not rows:
        raise ScoreFileError(f"{path.name} has no answers to score")
    return rows


def score_file(inp: Path, out: Path, embedder: Any = None, threshold: float | None = None) -> dict[str, Any]:
    """Write every input line with ``similarity``, ``token_f1``, ``correct`` (and the reason), then a summary line."""
    rows = read_rows(Path(inp))
    scorer = Scorer(embedder, threshold=threshold)
    items = [Item(str(r["question"] or ""), str(r["reference"] or ""), str(r["prediction"] or ""),
                  key=(str(r["key"]) if r.get("key") not in (None, "") else None), group=r.get("group"),
                  expect_refusal=r.get("set") == "refusals" or r.get("kind") == "refusal") for r in rows]
    try:
        scores = scorer.score_many(items)
    except EmbedderError as exc:
        raise ScoreFileError(str(exc)) from None
    scored = []
    for i, (r, sc) in enumerate(zip(rows, scores)):
        d = sc.to_dict()
        scored.append({**r, "similarity": d["similarity"], "token_f1": d["token_f1"], "correct": d["correct"],
                       "key_hit": d["key_hit"], "refusal": d["refusal"], "conflicts": d["conflicts"], "reason": d["reason"]})
    summary: dict[str, Any] = {
        "summary": True, "n": len(scored), "accuracy": round(sum(r["correct"] for r in scored) / len(scored), 4),
        "empty": sum(1 for r in scored if not str(r["prediction"] or "").strip()),
        "threshold": scorer.threshold, "threshold_source": scorer.threshold_info["source"],
        "embedder": scorer.embedder_name,
    }
    if any(r.get("group") not in (None, "") for r in scored):
        mrows = [{"group": r.get("group"), "qid": r.get("id", i), "correct": r["correct"], "refusal": r["refusal"],
                  "prediction": r["prediction"]} for i, r in enumerate(scored)]
        cons = mt.consistency(mrows, lambda a, b: scorer.agree(a["prediction"], b["prediction"], a["correct"], b["correct"]),
                              n_boot=0)
        summary.update(consistency=cons["consistency"], agreement=cons["agreement"], groups=cons["n_facts"])
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for r in scored:
            fh.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")
        fh.write(json.dumps(summary, ensure_ascii=False) + "\n")
    tmp.replace(out)
    return summary
