"""Retrieval over the workspace chunks: embeddings (the scorer's embedder), BM25, or both fused by rank."""

from __future__ import annotations

from typing import Sequence

from . import textnorm as tn


class Retriever:
    """Top-k chunks for a question. ``mode``: hybrid (reciprocal rank fusion), embeddings or bm25."""

    def __init__(self, chunks: Sequence[dict], scorer=None, mode: str = "hybrid", top_k: int = 3):
        self.chunks = [c for c in chunks if (c.get("text") or "").strip()]
        self.mode = mode if scorer is not None else "bm25"
        self.top_k = top_k
        self.scorer = scorer
        self._bm25 = None
        self._matrix = None

    def __len__(self) -> int:
        return len(self.chunks)

    def _prepare(self) -> None:
        if self.mode in ("hybrid", "bm25") and self._bm25 is None:
            from rank_bm25 import BM25Okapi

            self._bm25 = BM25Okapi([tn.content_tokens(c["text"]) or ["_"] for c in self.chunks])
        if self.mode in ("hybrid", "embeddings") and self._matrix is None:
            import numpy as np

            texts = [c["text"] for c in self.chunks]
            self.scorer.prepare(texts)
            self._matrix = np.stack([self.scorer._vectors[t] for t in texts])

    def search_many(self, questions: Sequence[str]) -> list[list[dict]]:
        """The top-k chunks for each question (questions encoded in one batch)."""
        if not self.chunks:
            return [[] for _ in questions]
        import numpy as np

        self._prepare()
        if self.mode in ("hybrid", "embeddings"):
            self.scorer.prepare(questions)
        out = []
        k = min(self.top_k, len(self.chunks))
        for q in questions:
            ranks: dict[int, float] = {}
            if self.mode in ("hybrid", "embeddings"):
                sims = self._matrix @ self.scorer._vectors[q]
                for r, i in enumerate(np.argsort(-sims)[: max(k * 4, 10)]):
                    ranks[int(i)] = ranks.get(int(i), 0.0) + 1.0 / (60 + r)
            if self.mode in ("hybrid", "bm25"):
                scores = self._bm25.get_scores(tn.content_tokens(q) or ["_"])
                for r, i in enumerate(np.argsort(-scores)[: max(k * 4, 10)]):
                    ranks[int(i)] = ranks.get(int(i), 0.0) + 1.0 / (60 + r)
            best = sorted(ranks, key=lambda i: -ranks[i])[:k]
            out.append([self.chunks[i] for i in best])
        return out
