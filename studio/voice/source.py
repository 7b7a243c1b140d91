"""The author's text as it is in the workspace: each document rebuilt from its chunks, as paragraph blocks.

Chunks are exact slices of the document's laid-out text (blocks separated by blank lines) and may overlap;
laying them back at their character offsets gives the document text again, so passages cut from it are the
author's words verbatim. A chunk's heading path names the section each paragraph belongs to.
"""

from __future__ import annotations

import re

from .passages import Block, block_kind

PATH_SEP = " > "


def document_text(chunks: list[dict]) -> tuple[str, list[tuple[int, str]]]:
    """(text, [(offset, heading_path)]) of one document's chunks, in order."""
    text = ""
    marks: list[tuple[int, str]] = []
    for ch in sorted(chunks, key=lambda c: c.get("ordinal", 0)):
        body = ch.get("text") or ""
        start = ch.get("start_char")
        if start is None or start > len(text) or not text:
            if text:
                gap = (start - len(text)) if start is not None else 2
                text += "\n\n" if gap >= 2 or start is None else " "
            marks.append((len(text), ch.get("heading_path") or ""))
            text += body
            continue
        marks.append((start, ch.get("heading_path") or ""))
        overlap = len(text) - start
        if overlap < len(body):
            text += body[overlap:]
    return text, marks


def text_blocks(text: str, marks: list[tuple[int, str]]) -> list[Block]:
    """Paragraph blocks of a rebuilt document, each with its section; a paragraph naming its section is a heading."""
    out: list[Block] = []
    for m in re.finditer(r"(?:(?!\n[ \t]*\n)[\s\S])+", text):
        para = m.group(0).strip()
        if not para:
            continue
        section = ""
        for offset, path in marks:
            if offset <= m.start() + (len(m.group(0)) - len(m.group(0).lstrip())):
                section = path
            else:
                break
        last = section.split(PATH_SEP)[-1].strip() if section else ""
        if last and para == last:
            out.append(Block(para, "heading", section))
        else:
            out.append(Block(para, block_kind(para), section))
    return out


def document_blocks(workspace, document_id: int) -> list[Block]:
    chunks = workspace.list_chunks(document_id)
    text, marks = document_text(chunks)
    return text_blocks(text, marks)


def text_documents(workspace) -> list[dict]:
    """The workspace's documents that have text (QA files and failed documents have no chunks)."""
    return [d for d in workspace.list_documents() if d.get("kind") != "qa" and (d.get("chunk_count") or 0) > 0]


def section_key(path: str, depth: int) -> str:
    parts = [p.strip() for p in (path or "").split(PATH_SEP) if p.strip()]
    return PATH_SEP.join(parts[:depth])
