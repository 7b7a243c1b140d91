"""Quality flags per pair (shown and filterable in Review; they never delete anything)."""

from __future__ import annotations

from .textutil import content_tokens, normalise, numbers

FLAGS = ("unsupported", "answer_in_question", "too_short", "too_long", "lang_mismatch")


def detect_lang(text: str) -> str | None:
    if len(text) < 40:
        return None
    try:
        import py3langid
    except ImportError:
        return None
    lang, _ = py3langid.classify(text)
    return lang


def quality_flags(question: str, answer: str, key_answer: str | None, chunk: str, lang: str | None, kind: str) -> list[str]:
    flags = []
    if kind in ("fact", "paraphrase", "false_premise"):
        ans_tokens = content_tokens(answer)
        chunk_tokens = set(content_tokens(chunk))
        support = sum(t in chunk_tokens for t in ans_tokens) / len(ans_tokens) if ans_tokens else 0.0
        missing_numbers = numbers(answer) - numbers(chunk)
        if support < 0.5 or missing_numbers:
            flags.append("unsupported")
        key = normalise(key_answer or "")
        if key and len(key) >= 3 and f" {key} " in f" {normalise(question)} ":
            flags.append("answer_in_question")
    if len(normalise(question)) < 8 or len(normalise(answer)) < 2:
        flags.append("too_short")
    if len(question) > 400 or len(answer) > 1500:
        flags.append("too_long")
    if lang:
        got = detect_lang(answer)
        if got and got in ("en", "it", "fr", "de", "es", "pt") and got != lang[:2]:
            flags.append("lang_mismatch")
    return flags
