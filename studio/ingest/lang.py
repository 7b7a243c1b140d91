"""Language of a document with py3langid, restricted to the languages the studio writes prompts for."""

from __future__ import annotations

import threading

LANGUAGES = ("en", "it", "fr", "de", "es", "pt", "nl")
_lock = threading.Lock()
_identifier = None


def _get():
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            ident.set_languages(list(LANGUAGES))
            _identifier = ident
        return _identifier


def sample(text: str, size: int = 3000) -> str:
    """Beginning, middle and end of a long text (a preface in another language does not decide)."""
    if len(text) <= size:
        return text
    third = size // 3
    mid = len(text) // 2
    return " ".join((text[:third], text[mid - third // 2 : mid + third // 2], text[-third:]))


def detect_language(text: str, min_chars: int = 20, min_prob: float = 0.5) -> str | None:
    """An ISO 639-1 code, or None when the text is too short or the guess unsure."""
    text = (text or "").strip()
    letters = sum(ch.isalpha() for ch in text[:5000])
    if letters < min_chars:
        return None
    lang, prob = _get().classify(sample(text))
    return str(lang) if prob >= min_prob else None
