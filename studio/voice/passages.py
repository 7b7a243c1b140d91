"""Passages of the author's own text: whole paragraphs, about 120-350 words, never longer than training allows.

A passage is a run of consecutive paragraphs of one section (a heading always ends a passage), cut only at
paragraph boundaries, so every answer is the author's text verbatim. A paragraph longer than the maximum is cut
at sentence boundaries; a list or code block is kept whole when it fits, otherwise skipped with a reason (a cut
list or program teaches a broken one). A passage whose tokens (with the question and template around it) would
not fit the training max length is shortened at a paragraph or sentence boundary, or skipped: a truncated answer
loses its end-of-turn token and teaches the model to ramble.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

_WORD = re.compile(r"\S+")
_LIST_LINE = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
PROMPT_OVERHEAD_TOKENS = 96  # system prompt, question and chat template around the answer


def words(text: str) -> int:
    return len(_WORD.findall(text or ""))


def split_sentences(text: str) -> list[str]:
    """The sentences of a paragraph, each an exact slice of it (whitespace between them dropped)."""
    from ..ingest.chunking import split_sentences as spans

    return [text[a:b] for a, b in spans(text)]


def block_kind(text: str) -> str:
    """``code``, ``list`` or ``text`` for one paragraph of laid-out text."""
    stripped = text.strip()
    lines = [ln for ln in stripped.splitlines() if ln.strip()]
    if stripped.startswith("```") or stripped.startswith("~~~") or (lines and all(ln.startswith(("    ", "\t")) for ln in lines)):
        return "code"
    if lines and sum(bool(_LIST_LINE.match(ln)) for ln in lines) >= max(1, (len(lines) + 1) // 2):
        return "list"
    return "text"


@dataclass
class Block:
    text: str
    kind: str = "text"  # text, list, code, heading
    section: str = ""  # heading path in force


@dataclass
class Passage:
    text: str
    document_id: int | None = None
    section: str = ""
    ordinal: int = 0
    start_char: int | None = None
    end_char: int | None = None
    chunk_ids: list[int] = field(default_factory=list)

    @property
    def words(self) -> int:
        return words(self.text)


@dataclass
class Skipped:
    reason: str
    text: str
    document_id: int | None = None


def blocks_from_text(text: str) -> list[Block]:
    """Plain or Markdown text as blocks: blank lines separate paragraphs, ``#`` lines are headings."""
    out: list[Block] = []
    path: list[tuple[int, str]] = []
    fence = False
    buf: list[str] = []
    for para in re.split(r"\n\s*\n", text or ""):
        # keep fenced code blocks whole even when they contain blank lines
        if fence:
            buf.append(para)
            if para.rstrip().endswith(("```", "~~~")):
                out.append(Block("\n\n".join(buf), "code", " > ".join(h for _, h in path)))
                buf, fence = [], False
            continue
        stripped = para.strip()
        if not stripped:
            continue
        if stripped.startswith(("```", "~~~")) and not (stripped.count("```") >= 2 or stripped.count("~~~") >= 2):
            fence, buf = True, [stripped]
            continue
        m = re.match(r"^(#{1,6})\s+(.+)$", stripped)
        if m and "\n" not in stripped:
            level = len(m.group(1))
            path = [h for h in path if h[0] < level] + [(level, m.group(2).strip())]
            out.append(Block(m.group(2).strip(), "heading", " > ".join(h for _, h in path)))
            continue
        out.append(Block(stripped, block_kind(stripped), " > ".join(h for _, h in path)))
    if buf:
        out.append(Block("\n\n".join(buf), "code", " > ".join(h for _, h in path)))
    return out


def pack(
    blocks: Iterable[Block],
    min_words: int = 120,
    max_words: int = 350,
    max_tokens: int | None = None,
    count_tokens: Callable[[str], int] | None = None,
    document_id: int | None = None,
) -> tuple[list[Passage], list[Skipped]]:
    """Consecutive paragraphs of one section packed into passages of ``min_words``-``max_words`` words.

    ``max_tokens`` (the answer's token budget) caps every passage when ``count_tokens`` is given.
    A section's last short run joins the previous passage when it fits, else stands alone if it has at
    least half the minimum, else is dropped (reported as skipped).
    """
    count = count_tokens or (lambda t: -(-len(t) // 4))
    passages: list[Passage] = []
    skipped: list[Skipped] = []
    cur: list[str] = []
    cur_section = ""

    def fits(text: str) -> bool:
        return words(text) <= max_words and (max_tokens is None or count(text) <= max_tokens)

    def flush(final: bool) -> None:
        nonlocal cur
        if not cur:
            return
        text = "\n\n".join(cur)
        n = words(text)
        if n >= min_words or (final and n >= min_words // 2):
            passages.append(Passage(text, document_id, cur_section, len(passages)))
        elif final and passages and passages[-1].section == cur_section and fits(passages[-1].text + "\n\n" + text):
            passages[-1].text = passages[-1].text + "\n\n" + text
        else:
            skipped.append(Skipped(f"too short ({n} words) at the end of a section", text, document_id))
        cur = []

    for block in blocks:
        if block.kind == "heading":
            flush(final=True)
            cur_section = block.section
            continue
        if block.section != cur_section:
            flush(final=True)
            cur_section = block.section
        pieces = [block.text]
        if not fits(block.text):
            if block.kind in ("list", "code"):
                flush(final=True)
                skipped.append(Skipped(f"{block.kind} block too long to keep whole ({words(block.text)} words)", block.text, document_id))
                continue
            pieces = _sentence_runs(block.text, max_words, max_tokens, count)
            if not pieces:
                skipped.append(Skipped("a single sentence longer than a passage", block.text, document_id))
                continue
        for piece in pieces:
            if cur and not fits("\n\n".join(cur + [piece])):
                flush(final=False) if words("\n\n".join(cur)) >= min_words else _force(cur, passages, skipped, cur_section, document_id)
                cur = []
            cur.append(piece)
            if words("\n\n".join(cur)) >= min_words and block.kind == "text":
                flush(final=False)
    flush(final=True)
    for i, p in enumerate(passages):
        p.ordinal = i
    return passages, skipped


def _force(cur, passages, skipped, section, document_id) -> None:
    text = "\n\n".join(cur)
    if words(text) >= 20:
        passages.append(Passage(text, document_id, section, len(passages)))
    else:
        skipped.append(Skipped(f"too short ({words(text)} words) before a block that does not fit with it", text, document_id))


def _sentence_runs(text: str, max_words: int, max_tokens: int | None, count) -> list[str]:
    """A long paragraph cut into runs of whole sentences, each within the limits (verbatim slices, joined by a space)."""
    runs, cur = [], []
    for sent in split_sentences(text):
        trial = " ".join(cur + [sent])
        if cur and (words(trial) > max_words or (max_tokens is not None and count(trial) > max_tokens)):
            runs.append(" ".join(cur))
            cur = []
        cur.append(sent)
    if cur:
        runs.append(" ".join(cur))
    ok = [r for r in runs if words(r) <= max_words and (max_tokens is None or count(r) <= max_tokens)]
    return ok


def segment_text(text: str, min_words: int = 120, max_words: int = 350) -> list[str]:
    """Any text cut into passage-sized segments (for style profiles of the author and of the reference)."""
    passages, _ = pack(blocks_from_text(text), min_words, max_words)
    if not passages and words(text) >= 20:
        return [text.strip()]
    return [p.text for p in passages]
