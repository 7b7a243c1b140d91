"""Voice evaluation statistics: win rate with a bootstrap CI, gap closure, validity gate, memorisation guard."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .style import tokenize


def win_rate(tuned: Sequence[float], base: Sequence[float], n_boot: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Share of prompts where ``tuned`` scores above ``base`` (ties count half), with a bootstrap 95% CI."""
    t, b = np.asarray(tuned, float), np.asarray(base, float)
    if not len(t):
        return float("nan"), float("nan"), float("nan")
    wins = (t > b).astype(float) + 0.5 * (t == b)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(wins), size=(n_boot, len(wins)))
    boots = wins[idx].mean(axis=1)
    return float(wins.mean()), float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5))


def gap_closure(tuned: Sequence[float], base: Sequence[float], author: Sequence[float],
                n_boot: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """G = (mean tuned - mean base) / (mean author - mean base), with a bootstrap 95% CI over prompts."""
    t, b, a = (np.asarray(x, float) for x in (tuned, base, author))
    if not len(t):
        return float("nan"), float("nan"), float("nan")

    def g(ti, bi, ai):
        den = ai.mean(axis=-1) - bi.mean(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(np.abs(den) > 1e-12, (ti.mean(axis=-1) - bi.mean(axis=-1)) / den, np.nan)

    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(t), size=(n_boot, len(t)))
    boots = g(t[idx], b[idx], a[idx])
    boots = boots[np.isfinite(boots)]
    point = float(g(t, b, a))
    if not len(boots):
        return point, float("nan"), float("nan")
    return point, float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5))


def validity(author: Sequence[float], base: Sequence[float], threshold: float = 0.9) -> dict:
    """The gate: the author's own held-out passages must beat the base answers at least ``threshold`` of the time."""
    w, lo, hi = win_rate(author, base)
    valid = bool(len(author)) and w >= threshold
    return {
        "author_vs_base": w, "author_vs_base_ci": [lo, hi], "threshold": threshold, "valid": valid,
        "verdict": "valid" if valid else "inconclusive: the score cannot tell this author from the base model",
    }


class NgramIndex:
    """Find the longest run of tokens a text shares with a set of training texts (seeded by short n-grams)."""

    def __init__(self, texts: Sequence[str], seed_n: int = 6):
        self.seed_n = seed_n
        self.tokens: list[str] = []
        self.index: dict[tuple, list[int]] = {}
        for text in texts:
            toks = tokenize(text)
            start = len(self.tokens)
            self.tokens.extend(toks + ["\x00"])  # a separator that no text contains
            for i in range(len(toks) - seed_n + 1):
                self.index.setdefault(tuple(toks[i : i + seed_n]), []).append(start + i)

    def longest(self, text: str) -> int:
        toks = tokenize(text)
        n, best = self.seed_n, 0
        if len(toks) < n:
            return max((k for k in range(len(toks), 0, -1) if self._has(toks[:k])), default=0) if toks else 0
        for i in range(len(toks) - n + 1):
            if len(toks) - i <= best:
                break
            for pos in self.index.get(tuple(toks[i : i + n]), ()):
                k = n
                while i + k < len(toks) and pos + k < len(self.tokens) and self.tokens[pos + k] == toks[i + k]:
                    k += 1
                best = max(best, k)
        return best

    def _has(self, toks: list[str]) -> bool:
        joined = " ".join(toks)
        return joined in " ".join(self.tokens)


def memorisation(answers: Sequence[str], train_texts: Sequence[str], limit: int = 30) -> list[dict]:
    """For each answer, the longest token run it shares with the train passages, flagged above ``limit``."""
    index = NgramIndex(train_texts)
    out = []
    for a in answers:
        n = index.longest(a)
        out.append({"longest_shared_ngram": n, "memorised": n > limit})
    return out
