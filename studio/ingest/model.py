"""What a loader returns: the document as ordered blocks (headings, paragraphs, table rows) with pages."""

from __future__ import annotations

from dataclasses import dataclass, field

HEADING, TEXT, TABLE, CODE = "heading", "text", "table", "code"


class IngestError(ValueError):
    """A file that cannot be ingested; the message is one readable line for the status list."""


@dataclass
class Block:
    """One unit of document structure. ``level`` is the heading depth (1 = top) for headings."""

    kind: str
    text: str
    level: int = 0
    page: int | None = None
    links: float = 0.0  # share of the text that is link text (navigation lists are nearly all links)
    hint: str = ""  # what the loader knows about it: "toc" for a table-of-contents entry


@dataclass
class Dropped:
    """A block left out of the chunks as page furniture, and why."""

    block: Block
    reason: str  # toc | navigation | boilerplate | repeated


@dataclass
class Extracted:
    """A loaded document before chunking."""

    kind: str
    mime: str
    blocks: list[Block] = field(default_factory=list)
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    dropped: list[Dropped] = field(default_factory=list)

    def add(self, kind: str, text: str, level: int = 0, page: int | None = None) -> None:
        if text and text.strip():
            self.blocks.append(Block(kind, text, level, page))

    @property
    def chars(self) -> int:
        return sum(len(b.text) for b in self.blocks)
