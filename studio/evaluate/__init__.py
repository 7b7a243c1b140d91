"""Evaluation: did the tuned model learn the documents? (the protocol: docs/ARCHITECTURE.md, "Evaluation")

Held-out phrasings of trained facts, facts held out whole, refusals and trained questions; arms base, tuned,
base/tuned + retrieval and gold context; answers scored by key answer, number/name/negation agreement and
embedding similarity with a per-workspace threshold; metrics with bootstrap intervals; ``report.json``.
Entry points: :func:`studio.evaluate.pipeline.run_evaluation`, the ``evaluate`` job, ``python -m studio evaluate``
and ``python -m studio score``. Heavy libraries are imported inside functions only.
"""
