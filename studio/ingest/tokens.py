"""Token counting: the chosen model's tokenizer when it is available offline, else a built-in estimate.

The estimate needs no download and costs nothing (ingestion keeps the extractor's speed): one
token per 4 characters of ASCII text, per 3.5 characters otherwise (accents, other scripts).
On English prose it lands within about 10% of Llama- and SmolLM-class BPE tokenizers; on Italian
it undercounts SmolLM2 (an English-centred vocabulary) by about a third: name the model's
tokenizer (``IngestConfig.tokenizer``) when chunk sizes must be exact.
"""

from __future__ import annotations

import functools
from pathlib import Path

ESTIMATE = "estimate"


class TokenCounter:
    name = ESTIMATE
    exact = False

    def count(self, text: str) -> int:
        if not text:
            return 0
        return -(-len(text) * 10 // (40 if text.isascii() else 35))  # ceil(chars / 4), / 3.5 beyond ASCII


class HfTokenCounter(TokenCounter):
    exact = True

    def __init__(self, tokenizer, name: str):
        self._tok = tokenizer
        self.name = name

    def count(self, text: str) -> int:
        return len(self._tok.encode(text, add_special_tokens=False).ids) if text else 0


def _tokenizer_file(spec: str) -> Path | None:
    from ..models import BUNDLED_CHAT, is_bundled

    if is_bundled(spec):
        if spec.strip().lower() != BUNDLED_CHAT:
            return None
        from ..paths import cache_dir

        path = cache_dir() / "models" / "smollm2-135m-instruct" / "tokenizer.json"
        if not path.is_file():
            from ..models import ensure_bundled_chat

            path = ensure_bundled_chat() / "tokenizer.json"
        return path if path.is_file() else None
    local = Path(spec).expanduser()
    if local.is_dir():
        return local / "tokenizer.json" if (local / "tokenizer.json").is_file() else None
    if local.is_file() and local.name.endswith(".json"):
        return local
    try:
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(spec, "tokenizer.json")
    except Exception:
        return None
    return Path(found) if isinstance(found, str) else None


@functools.lru_cache(maxsize=8)
def _load(spec: str) -> TokenCounter | None:
    path = _tokenizer_file(spec)
    if path is None:
        return None
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.no_padding()  # some tokenizer.json files pad or truncate every encoding to a fixed length
    tok.no_truncation()
    return HfTokenCounter(tok, spec)


def get_counter(spec: str | None) -> tuple[TokenCounter, str | None]:
    """The counter for a model name, and a warning when it had to fall back to the estimate."""
    if not spec or spec.strip().lower() == ESTIMATE:
        return TokenCounter(), None
    try:
        counter = _load(spec.strip())
    except Exception as exc:  # a broken tokenizer file must not stop ingestion
        return TokenCounter(), f"tokenizer of {spec} could not be loaded ({type(exc).__name__}): token counts are estimates"
    if counter is None:
        return TokenCounter(), f"tokenizer of {spec} is not available offline: token counts are estimates"
    return counter, None
