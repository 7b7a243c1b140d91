"""Heading-aware, sentence-respecting, token-sized chunks with overlap.

The document's blocks are laid out as one text (blocks separated by blank lines, table rows by
single newlines); sentences, table rows and headings become units with exact character spans.
Units are packed into chunks up to the target size; the next chunk starts with the previous
chunk's last sentences (up to the overlap), never across a heading: a heading always starts a
new chunk, and every chunk carries the heading path in force where it starts. A chunk's
text is always an exact slice of the document text, so nothing is reworded or lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import HEADING, TABLE, Block
from .tokens import TokenCounter

_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]»]*\s+(?=[\"'“‘(\[«¿¡]?[A-ZÀ-Ý0-9])")
_ABBREV = {
    "mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "e.g", "i.e", "eg", "ie", "fig", "no", "nr", "sig", "dott",
    "ing", "avv", "pag", "cap", "art", "vol", "ed", "jr", "sr", "inc", "ltd", "co", "cf", "approx", "ca", "p", "pp",
    "es", "ecc", "sec", "min", "max", "dott.ssa", "sigg", "spett", "geom", "rag", "arch", "n", "nn", "op", "cit",
}
PATH_SEP = " > "


@dataclass(slots=True)
class Unit:
    start: int
    end: int
    tokens: int
    page: int | None
    heading: int = 0  # heading level, 0 for body text


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of one paragraph (abbreviations and decimals do not end a sentence)."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        cut = m.start()
        space = max(text.rfind(" ", start, cut), text.rfind("\n", start, cut))
        word = text[max(space + 1, start) : cut].lower().rstrip(".")
        if word in _ABBREV or (len(word) == 1 and word.isalpha()):
            continue
        end = m.end()
        spans.append((start, len(text[:end].rstrip())))
        start = end
    if start < len(text):
        spans.append((start, len(text.rstrip())))
    return [(a, b) for a, b in spans if b > a]


def layout(blocks: list[Block]) -> tuple[str, list[tuple[Block, int]]]:
    """The document text and each block's offset in it."""
    parts, offsets, pos, prev = [], [], 0, None
    for block in blocks:
        if prev is not None:
            sep = "\n" if prev.kind == TABLE and block.kind == TABLE else "\n\n"
            parts.append(sep)
            pos += len(sep)
        offsets.append((block, pos))
        parts.append(block.text)
        pos += len(block.text)
        prev = block
    return "".join(parts), offsets


def _units(blocks_at: list[tuple[Block, int]], counter: TokenCounter, max_tokens: int, paths: list[list[str]]) -> list[Unit]:
    units: list[Unit] = []
    stack: list[tuple[int, str]] = []
    for block, offset in blocks_at:
        if block.kind == HEADING:
            level = max(1, block.level)
            stack = [h for h in stack if h[0] < level] + [(level, block.text)]
            paths.append([h[1] for h in stack])
            units.append(Unit(offset, offset + len(block.text), counter.count(block.text), block.page, heading=len(paths)))
            continue
        spans = [(0, len(block.text))] if block.kind == TABLE else split_sentences(block.text)
        for a, b in spans:
            piece = block.text[a:b]
            n = counter.count(piece)
            if n <= max_tokens:
                units.append(Unit(offset + a, offset + b, n, block.page))
            else:
                units.extend(_split_long(piece, offset + a, counter, max_tokens, block.page))
    return units


def _split_long(text: str, offset: int, counter: TokenCounter, max_tokens: int, page: int | None) -> list[Unit]:
    """A sentence longer than a chunk, cut at word boundaries."""
    out, start, pos = [], 0, 0
    words = [m.span() for m in re.finditer(r"\S+", text)]
    budget = 0
    for a, b in words:
        n = counter.count(text[a:b])
        if budget + n > max_tokens and pos > start:
            out.append(Unit(offset + start, offset + pos, budget, page))
            start, budget = a, 0
        budget += n
        pos = b
    if pos > start:
        out.append(Unit(offset + start, offset + pos, budget, page))
    return out


@dataclass
class Chunked:
    text: str  # the whole document as laid out
    chunks: list[dict]  # text, heading_path, tokens, start_char, end_char, page
    tokens: int  # tokens of the whole document
    headings: int


def chunk_blocks(blocks: list[Block], counter: TokenCounter, chunk_tokens: int, overlap_tokens: int) -> Chunked:
    """Cut a document's blocks into chunks (see the module docstring)."""
    text, blocks_at = layout(blocks)
    paths: list[list[str]] = []
    units = _units(blocks_at, counter, chunk_tokens, paths)
    chunks: list[dict] = []
    cur: list[Unit] = []
    cur_tokens = 0
    cur_path: list[str] = []
    path: list[str] = []

    def emit() -> None:
        first, last = cur[0], cur[-1]
        body = next((u for u in cur if not u.heading), first)
        piece = text[first.start : last.end]
        chunks.append(
            {
                "text": piece,
                "heading_path": PATH_SEP.join(cur_path),
                "tokens": counter.count(piece) if counter.exact else cur_tokens,
                "start_char": first.start,
                "end_char": last.end,
                "page": body.page,
            }
        )

    for unit in units:
        if unit.heading:
            path = paths[unit.heading - 1]
            if any(not u.heading for u in cur):
                emit()
                cur, cur_tokens = [], 0
            cur_path = path  # a heading with no text yet: the deeper path wins
            cur.append(unit)
            cur_tokens += unit.tokens
            continue
        if cur and cur_tokens + unit.tokens > chunk_tokens and any(not u.heading for u in cur):
            emit()
            keep: list[Unit] = []
            budget = 0
            for prev in reversed(cur):
                if prev.heading or budget + prev.tokens > overlap_tokens or len(keep) + 1 >= len(cur):
                    break
                keep.insert(0, prev)
                budget += prev.tokens
            if budget + unit.tokens > chunk_tokens:
                keep, budget = [], 0
            cur, cur_tokens = keep, budget
            cur_path = path
        if not cur:
            cur_path = path
        cur.append(unit)
        cur_tokens += unit.tokens
    if cur:
        emit()
    return Chunked(text, chunks, sum(u.tokens for u in units), len(paths))
