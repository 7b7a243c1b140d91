"""Plain text (encoding detected) and Markdown (headings, lists, tables, code kept as text)."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..clean import clean_paragraph, normalize
from ..config import IngestConfig
from ..model import CODE, HEADING, TABLE, TEXT, Extracted, IngestError

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
]
# bytes 0x80-0x9f that CP1252 maps to letters/punctuation; Latin-1 maps them to invisible controls
_CP1252_ONLY = re.compile(rb"[\x80\x82-\x8c\x8e\x91-\x9c\x9e\x9f]")


def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> (text, encoding): BOM, strict UTF-8, UTF-16 without BOM, CP1252/Latin-1 for Western
    text, else charset-normalizer (which mistakes short Italian Latin-1 for cp1250/cp1006, so it comes last)."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc.replace("-sig", "")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        from ..sniff import _utf16_without_bom

        if _utf16_without_bom(data[:8192]):
            enc = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
            return data.decode(enc, errors="replace"), enc
    sample = data[:200_000]
    high = sum(1 for b in sample if b >= 0x80) / max(1, len(sample))
    if high < 0.3:
        # Western European text (accents are a small share of its letters): CP1252 when it uses the
        # characters only CP1252 has (curly quotes, euro, dashes), else Latin-1; the two agree elsewhere
        enc = "cp1252" if _CP1252_ONLY.search(data) else "latin-1"
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            return data.decode("latin-1"), "latin-1"
    from charset_normalizer import from_bytes  # mostly non-Latin letters: Cyrillic, Greek...

    best = from_bytes(sample).best()
    guess = (best.encoding if best else None) or "latin-1"
    return data.decode(guess, errors="replace"), guess


def read_text_file(path: Path) -> tuple[str, str]:
    data = Path(path).read_bytes()
    text, enc = decode(data)
    if text.count("\ufffd") > max(10, len(text) // 50):
        raise IngestError(f"the text could not be decoded ({enc} with many invalid bytes): is it really text?")
    return normalize(text), enc


def load_text(path: Path, config: IngestConfig, markdown: bool = False) -> Extracted:
    text, enc = read_text_file(path)
    out = Extracted(kind="markdown" if markdown else "text", mime="text/markdown" if markdown else "text/plain")
    out.meta["encoding"] = enc
    if markdown:
        parse_markdown(text, out)
    else:
        for para in re.split(r"\n\s*\n", text):
            out.add(TEXT, clean_paragraph(para))
    if not out.blocks:
        raise IngestError("the file holds no text (only blank space)")
    return out


_ATX = re.compile(r"^(#{1,6})\s+(.*)$")
_BREAK = re.compile(r"^(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_FENCE = re.compile(r"^(```|~~~)")
_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
# every pattern below scans at most to the next delimiter and never backtracks into it, so a hostile
# one-paragraph file ("[[[[...", "<a <a <a...", "**a **a ...") is read in linear time
_IMAGE = re.compile(r"!\[[^\[\]\n]{0,500}\]\([^()\n]{0,2000}\)|!\[[^\[\]\n]{0,500}\]\[[^\[\]\n]{0,200}\]")  # images
_LINK = re.compile(r"\[([^\[\]\n]{0,500})\]\([^()\n]{0,2000}\)|\[([^\[\]\n]{1,500})\]\[[^\[\]\n]{0,200}\]")  # links
_HTML_LINK = re.compile(r"<a\b(?>\"[^\"<>]*\"|'[^'<>]*'|[^'\"<>])*+>((?>[^<]+|<(?!/?a\b))*+)</a\s*>", re.IGNORECASE)
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")  # "[name]: https://..." link definitions
# **strong**, *em* and __strong__, _em_ (never inside words: __init__ stays); `code` is kept as written
_EMPH = (re.compile(r"(?<![\w*])(\*\*|\*)(?=[^\s*])([^*\n]{1,300}?)(?<=\S)\1(?![\w*])"),
         re.compile(r"(?<![\w_])(__|_)(?=[^\s_])([^_\n]{1,300}?)(?<=\S)\1(?![\w_])"))
_CODE_SPAN = re.compile(r"`([^`\n]{1,2000})`")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]{0,40}(?>\"[^\"<>]*\"|'[^'<>]*'|[^'\"<>])*+>")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)


def _inline(text: str) -> str:
    return _inline_links(text)[0]


def _inline_links(text: str) -> tuple[str, int]:
    """Markdown inline markup and raw HTML tags removed, link text kept; also the length of the link text."""
    if "<!--" in text:
        text = _COMMENT.sub("", text)
    text = _IMAGE.sub("", text)
    linked = 0

    def link(m: re.Match) -> str:
        nonlocal linked
        label = m.group(1) if m.group(1) is not None else (m.group(2) or "")
        label = _HTML_TAG.sub("", label)
        linked += len(label.replace(" ", ""))
        return label

    text = _LINK.sub(link, text)
    if "<" in text:
        text = _HTML_LINK.sub(link, text)
        text = _HTML_TAG.sub("", text)
    spans: list[str] = []
    if "`" in text:  # code spans set aside: no emphasis inside them

        def keep(m: re.Match) -> str:
            spans.append(m.group(1))
            return f"\x00{len(spans) - 1}\x00"

        text = _CODE_SPAN.sub(keep, text)
    for _ in range(3):  # nested emphasis: "_using **FastAPI**_", "**bold *and* bold**"
        n = 0
        for pattern in _EMPH:
            text, k = pattern.subn(r"\2", text)
            n += k
        if not n:
            break
    if spans:
        text = re.sub("\x00(\\d+)\x00", lambda m: spans[int(m.group(1))], text)
    if "&" in text:
        import html

        text = html.unescape(text)
    return text, linked


def _add(out: Extracted, text: str, prefix: str = "") -> None:
    clean, linked = _inline_links(text)
    clean = clean_paragraph(clean)
    if clean:
        out.add(TEXT, prefix + clean)
        out.blocks[-1].links = min(1.0, linked / max(1, len(clean.replace(" ", ""))))


def _closing_hashes(title: str) -> str:
    """An ATX heading's optional closing "###" removed; it needs a space before it ("C#" stays)."""
    title = title.rstrip()
    bare = title.rstrip("#")
    return bare.rstrip() if bare != title and (not bare or bare[-1].isspace()) else title


def _continues(line: str) -> bool:
    """A wrapped line of a list item: not blank and not the start of another block."""
    s = line.strip()
    return bool(s) and not (_LIST.match(line) or _ATX.match(s) or _FENCE.match(s) or s[0] in "|>" or _BREAK.match(s)
                            or _REF_DEF.match(line))


def parse_markdown(text: str, out: Extracted) -> None:
    lines = text.split("\n")
    para: list[str] = []

    def flush() -> None:
        if para:
            _add(out, "\n".join(para))
            para.clear()

    i, n = 0, len(lines)
    if lines and lines[0].strip() == "---":  # YAML front matter
        for j in range(1, min(n, 200)):
            if lines[j].strip() in ("---", "..."):
                i = j + 1
                break
    while i < n:
        line = lines[i]
        stripped = line.strip()
        m = _ATX.match(stripped)
        if m:
            flush()
            out.add(HEADING, clean_paragraph(_inline(_closing_hashes(m.group(2)))), level=len(m.group(1)))
        elif stripped and i + 1 < n and _SETEXT.match(lines[i + 1].strip()) and not para and not _LIST.match(line):
            out.add(HEADING, clean_paragraph(_inline(stripped)), level=1 if lines[i + 1].strip()[0] == "=" else 2)
            i += 1
        elif _FENCE.match(stripped):
            flush()
            fence, code = stripped[:3], []
            i += 1
            while i < n and not lines[i].strip().startswith(fence):
                code.append(lines[i].rstrip())
                i += 1
            out.add(CODE, "\n".join(code).strip("\n"))
        elif stripped.startswith("|") and i + 1 < n and _TABLE_SEP.match(lines[i + 1]):
            flush()
            rows = [stripped]
            i += 2
            while i < n and lines[i].strip().startswith("|"):
                rows.append(lines[i].strip())
                i += 1
            for row in rows:
                cells = [clean_paragraph(_inline(c)) for c in row.strip("|").split("|")]
                out.add(TABLE, " | ".join(cells))
            continue
        elif _LIST.match(line):
            flush()
            item = [_LIST.sub("", line, count=1)]
            while i + 1 < n and _continues(lines[i + 1]):  # the item's wrapped lines belong to it
                i += 1
                item.append(lines[i].strip())
            _add(out, "\n".join(item), prefix="- ")
        elif not stripped:
            flush()
        elif _BREAK.match(stripped):  # a thematic break (---, ***, ___) is no text
            flush()
        elif _REF_DEF.match(line):
            pass
        elif stripped.startswith(">"):
            para.append(stripped.lstrip("> "))
        else:
            para.append(stripped)
        i += 1
    flush()
