"""Sentence embeddings for dedup, fact grouping, refusal checks and leakage (all-MiniLM-L6-v2 by default)."""

from __future__ import annotations

from typing import Any, Iterator


class Embedder:
    """Unit-length embeddings, cached per text; the model loads on first use."""

    def __init__(self, name: str | None = None, model: Any = None):
        self.name = name
        self._model = model
        self._cache: dict[str, Any] = {}

    def _load(self):
        if self._model is None:
            from ..models import resolve_embedder
            from ..runtime import load_embedder

            self._model = load_embedder(resolve_embedder(self.name))
        return self._model

    def encode(self, texts: list[str]):
        import numpy as np

        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vecs = self._load().encode(missing, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
            for t, v in zip(missing, vecs):
                self._cache[t] = v.astype("float32")
        if not texts:
            return np.zeros((0, 384), dtype="float32")
        return np.stack([self._cache[t] for t in texts])


def similar_pairs(a, b, threshold: float, block: int = 1024) -> Iterator[tuple[int, int, float]]:
    """(i, j, cosine) for rows of ``a`` and ``b`` (unit vectors) at or above ``threshold``, block by block."""
    import numpy as np

    for start in range(0, len(a), block):
        sims = a[start : start + block] @ b.T
        rows, cols = np.nonzero(sims >= threshold)
        for i, j in zip(rows.tolist(), cols.tolist()):
            yield start + i, j, float(sims[i, j])
