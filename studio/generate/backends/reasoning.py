"""Remove the reasoning that "thinking" models print before their answer.

Reasoning models (DeepSeek-R1, Qwen3, QwQ, Magistral, gpt-oss, ...) put a scratchpad before the answer:
``<think>...</think>``, ``<thinking>...</thinking>``, ``<reasoning>...</reasoning>``, ``[THINK]...[/THINK]``, or the
harmony channels ``<|channel|>analysis<|message|>...<|channel|>final<|message|>``. Some chat templates open the block
themselves, so the output starts inside it and only the closing tag appears; a truncated output may open a block and
never close it. Everything before the answer goes; the answer is kept as written.
"""

from __future__ import annotations

import re

_TAGS = ("think", "thinking", "thought", "reasoning", "reflection", "scratchpad")
_TAG_ALT = "|".join(_TAGS)
# closed blocks, in either <tag>...</tag> or [TAG]...[/TAG] form
_CLOSED = re.compile(
    rf"<(?P<a>{_TAG_ALT})(?:\s[^>]*)?>.*?</(?P=a)\s*>|\[(?P<b>{_TAG_ALT})\].*?\[/(?P=b)\]",
    re.IGNORECASE | re.DOTALL,
)
# a closing tag whose opening tag was in the prompt (the template opened the block)
_ORPHAN_CLOSE = re.compile(rf"</(?:{_TAG_ALT})\s*>|\[/(?:{_TAG_ALT})\]", re.IGNORECASE)
# an opening tag never closed (output cut off while reasoning)
_UNCLOSED_OPEN = re.compile(rf"<(?:{_TAG_ALT})(?:\s[^>]*)?>|\[(?:{_TAG_ALT})\]", re.IGNORECASE)
_HARMONY_FINAL = re.compile(r"<\|channel\|>\s*final\s*<\|message\|>", re.IGNORECASE)
_HARMONY_TOKENS = re.compile(r"<\|(?:start|end|return|message|channel|constrain)\|>")


def strip_reasoning(text: str | None) -> tuple[str, bool]:
    """Return ``(answer, stripped)``: the text without its reasoning blocks, and whether any were removed."""
    if not text:
        return "", False
    original = text
    final = list(_HARMONY_FINAL.finditer(text))
    if final:
        text = _HARMONY_TOKENS.sub("", text[final[-1].end():])
    elif "<|channel|>" in text and "analysis" in text:
        # harmony output cut off before the final channel: only reasoning came back
        text = ""
    text = _CLOSED.sub("", text)
    closes = list(_ORPHAN_CLOSE.finditer(text))
    if closes:
        text = text[closes[-1].end():]
    opened = _UNCLOSED_OPEN.search(text)
    if opened:
        text = text[: opened.start()]
    text = text.strip()
    return text, text != original.strip()
