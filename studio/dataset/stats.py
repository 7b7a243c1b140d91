"""Dataset statistics: counts per document, split, status, kind and flag; length histograms; token count
of the training set for a chosen model's tokenizer; and the matching matplotlib figures."""

from __future__ import annotations

from typing import Any

from ..workspace import PairFilter, Workspace
from .errors import DatasetError

HIST_BINS = 20


def _group(ws: Workspace, expr: str, where: str, args: list) -> dict[str, int]:
    sql = f"SELECT {expr} AS k, COUNT(*) FROM qa_pairs p LEFT JOIN documents d ON d.id = p.document_id{where} GROUP BY k ORDER BY 2 DESC"
    return {str(k if k not in (None, "") else "(none)"): int(n) for k, n in ws.conn.execute(sql, args)}


def _histogram(values: list[int], bins: int = HIST_BINS) -> dict[str, list]:
    if not values:
        return {"edges": [], "counts": []}
    lo, hi = min(values), max(values)
    if lo == hi:
        return {"edges": [lo, hi + 1], "counts": [len(values)]}
    width = (hi - lo) / bins
    counts = [0] * bins
    for v in values:
        counts[min(int((v - lo) / width), bins - 1)] += 1
    return {"edges": [round(lo + i * width, 2) for i in range(bins + 1)], "counts": counts}


def compute_stats(ws: Workspace, flt: PairFilter | None = None) -> dict[str, Any]:
    """Counts and length distributions (characters and words) of the pairs in a view (all pairs by default)."""
    where, args = (flt or PairFilter()).where()
    total = ws.count_pairs(flt)
    flags: dict[str, int] = {}
    q_chars, a_chars, q_words, a_words = [], [], [], []
    for q, a, f in ws.conn.execute(f"SELECT p.question, p.answer, p.flags FROM qa_pairs p{where}", args):
        q_chars.append(len(q))
        a_chars.append(len(a))
        q_words.append(len(q.split()))
        a_words.append(len(a.split()))
        for flag in (f or "").split(","):
            if flag:
                flags[flag] = flags.get(flag, 0) + 1

    def summary(values: list[int]) -> dict[str, float]:
        if not values:
            return {"min": 0, "mean": 0.0, "median": 0, "max": 0}
        s = sorted(values)
        return {"min": s[0], "mean": round(sum(s) / len(s), 1), "median": s[len(s) // 2], "max": s[-1]}

    return {
        "total": total,
        "by_document": _group(ws, "d.name", where, args),
        "by_split": _group(ws, "p.split", where, args),
        "by_status": _group(ws, "p.status", where, args),
        "by_kind": _group(ws, "p.kind", where, args),
        "by_flag": dict(sorted(flags.items(), key=lambda kv: -kv[1])),
        "facts": int(ws.conn.execute(f"SELECT COUNT(DISTINCT p.fact_id) FROM qa_pairs p{where}", args).fetchone()[0]),
        "question_chars": summary(q_chars),
        "answer_chars": summary(a_chars),
        "question_words": summary(q_words),
        "answer_words": summary(a_words),
        "question_chars_hist": _histogram(q_chars),
        "answer_chars_hist": _histogram(a_chars),
    }


def training_token_count(
    ws: Workspace, model: str, split: str = "train", status: str | None = "kept", system_prompt: str | None = None
) -> dict[str, Any]:
    """Tokens of the training set as the chosen model's tokenizer (and chat template, when it has one) sees it."""
    from ..models import ModelNotFound, resolve_model

    try:
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(resolve_model(model))
    except ModelNotFound as exc:
        raise DatasetError(str(exc)) from None
    except Exception as exc:  # offline, unknown id, broken folder
        raise DatasetError(f"cannot load the tokenizer of {model!r}: {str(exc).splitlines()[0] if str(exc) else exc}") from None
    flt = PairFilter(split=split, status=status)
    templated = bool(getattr(tok, "chat_template", None))
    counts = []
    for pair in ws.iter_pairs(flt):
        if templated:
            msgs = ([{"role": "system", "content": system_prompt}] if system_prompt else []) + [
                {"role": "user", "content": pair["question"]}, {"role": "assistant", "content": pair["answer"]}]
            ids = tok.apply_chat_template(msgs, tokenize=True)
            if isinstance(ids, dict) or hasattr(ids, "keys"):
                ids = ids["input_ids"]
            counts.append(len(ids))
        else:
            counts.append(len(tok(pair["question"] + "\n" + pair["answer"])["input_ids"]))
    return {
        "model": model,
        "split": split,
        "status": status or "all",
        "pairs": len(counts),
        "tokens": sum(counts),
        "max_tokens": max(counts) if counts else 0,
        "chat_template": templated,
    }


def stats_figures(stats: dict[str, Any]) -> dict[str, Any]:
    """Matplotlib figures: counts (per document, split, status, kind) and the two length histograms."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    counts = Figure(figsize=(10, 6), layout="constrained")
    axes = counts.subplots(2, 2)
    for ax, key, title in zip(axes.flat, ("by_document", "by_split", "by_status", "by_kind"),
                              ("pairs per document", "pairs per split", "pairs per status", "pairs per kind")):
        data = stats.get(key) or {}
        items = list(data.items())[:15]
        labels = [k if len(k) <= 24 else k[:23] + "…" for k, _ in items]
        ax.barh(labels[::-1], [v for _, v in items][::-1], color="#4C72B0")
        ax.set_title(title)
        ax.tick_params(axis="y", labelsize=8)
    lengths = Figure(figsize=(10, 3.5), layout="constrained")
    for ax, key, title in zip(lengths.subplots(1, 2), ("question_chars_hist", "answer_chars_hist"),
                              ("question length (characters)", "answer length (characters)")):
        hist = stats.get(key) or {}
        edges, hcounts = hist.get("edges") or [], hist.get("counts") or []
        if hcounts:
            widths = [edges[i + 1] - edges[i] for i in range(len(hcounts))]
            ax.bar(edges[:-1], hcounts, width=widths, align="edge", color="#55A868", edgecolor="white")
        ax.set_title(title)
        ax.set_ylabel("pairs")
    return {"counts": counts, "lengths": lengths}
