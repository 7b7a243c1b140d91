"""Generation backends behind one interface (:mod:`.base`): local transformers, OpenAI-compatible, replay."""

from __future__ import annotations

import os
from typing import Any

from .base import Backend, BackendError, GenerationRequest, GenerationResult

__all__ = ["Backend", "BackendError", "GenerationRequest", "GenerationResult", "make_backend"]


def make_backend(config: Any) -> Backend:
    """The backend a :class:`~studio.generate.config.GenerateConfig` names (imports only that one)."""
    name = getattr(config, "backend", None) or "transformers"
    if name == "transformers":
        from .local import LocalBackend

        return LocalBackend(config.model, batch_size=config.batch_size, seed=getattr(config, "seed", 0))
    if name == "replay":
        from .replay import ReplayBackend

        delay = float(os.environ.get("STUDIO_REPLAY_DELAY", "0") or 0)  # tests slow it down to kill it mid-run
        return ReplayBackend("replay", recordings=getattr(config, "recordings", None), delay_s=delay)
    if name == "openai":
        try:
            from .openai_compat import OpenAICompatBackend
        except ImportError as exc:
            raise BackendError(f"the OpenAI-compatible backend is not available in this build ({exc})") from None
        return OpenAICompatBackend(config)
    raise BackendError(f"unknown backend {name!r}: use transformers, openai or replay")
