"""Job kinds: name -> ``module:function``. Each function is ``run(ctx: JobContext) -> dict | None``."""

from __future__ import annotations

import importlib
from typing import Callable

JOB_KINDS: dict[str, str] = {
    "demo": "studio.jobs.demo:run",
    "generate": "studio.generate.job:run",
    "train": "studio.train.job:run",
    "evaluate": "studio.evaluate.job:run",
    "push": "studio.hub.job:run",
    "merge": "studio.hub.job:merge",
}


class UnknownJobKind(ValueError):
    pass


def resolve(kind: str) -> Callable:
    target = JOB_KINDS.get(kind)
    if not target:
        raise UnknownJobKind(f"unknown job kind {kind!r}; known: {', '.join(sorted(JOB_KINDS))}")
    module, _, func = target.partition(":")
    return getattr(importlib.import_module(module), func)
