"""One interface for every generator: a local transformers model, an OpenAI-compatible endpoint, a replay.

A backend takes a batch of chat requests and returns one result per request, in order. A failure of one
request is recorded in its result (``error``), never raised, so a chunk can be marked failed with the reason;
only problems that make every request fail (bad API key, model not found) raise :class:`BackendError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol


class BackendError(RuntimeError):
    """A problem that stops the whole run (bad key, unknown model, server unreachable), with a readable message."""


@dataclass
class GenerationRequest:
    messages: list[dict[str, str]]
    max_new_tokens: int = 512
    temperature: float = 0.7
    json_schema: dict[str, Any] | None = None  # a hint only: servers may ignore it, the parser never relies on it
    tag: Any = None  # caller's bookkeeping (chunk id, step), returned untouched
    stop: tuple[str, ...] = ()  # local models end a row at the first of these strings (kept in the text)


@dataclass
class GenerationResult:
    text: str = ""
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    tag: Any = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


OnResult = Callable[[int, GenerationResult], None]


class Backend(Protocol):
    name: str  # "transformers", "openai", "replay"
    model: str  # model id as the user named it

    def generate(self, requests: list[GenerationRequest], on_result: OnResult | None = None) -> list[GenerationResult]:
        """Answer every request (batched or concurrently); call ``on_result(index, result)`` as each finishes."""
        ...

    def close(self) -> None:
        ...
