"""What a file really is: magic bytes first, the extension second; zip archives checked for bombs.

``detect`` returns one of ``pdf docx epub html markdown text qa`` and, when the content
disagrees with the extension, a warning saying how the file was read.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from .model import IngestError

EXTENSIONS = {
    ".pdf": "pdf", ".docx": "docx", ".epub": "epub",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".md": "markdown", ".markdown": "markdown", ".mdown": "markdown",
    ".txt": "text", ".text": "text", ".rst": "text", ".log": "text",
    ".csv": "qa", ".tsv": "qa", ".jsonl": "qa", ".ndjson": "qa", ".json": "qa", ".parquet": "qa",
}
TYPE_NAMES = {
    "pdf": "PDF", "docx": "DOCX", "epub": "EPUB", "html": "HTML", "markdown": "Markdown", "text": "text", "qa": "QA data",
}
MIMES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "epub": "application/epub+zip", "html": "text/html", "markdown": "text/markdown", "text": "text/plain",
}
# magic bytes of formats we refuse, with the reason shown to the user
_REFUSED = [
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"\x7fELF", "a program (ELF executable)"), (b"MZ", "a Windows program"), (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7z archive"), (b"Rar!", "a RAR archive"), (b"BZh", "a bzip2 archive"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office file (.doc/.xls): save it as .docx"), (b"ID3", "an audio file"),
    (b"OggS", "an audio file"), (b"fLaC", "an audio file"), (b"\x00\x00\x00\x18ftyp", "a video file"),
    (b"\x00\x00\x00\x20ftyp", "a video file"), (b"RIFF", "an audio/video file"), (b"SQLite format 3", "a database"),
]
SAMPLE = 65536


def detect(path: Path, name: str) -> tuple[str, str | None]:
    """The format to read ``path`` as (named ``name`` by the user), and a warning if the extension lied."""
    ext = Path(name).suffix.lower()
    by_ext = EXTENSIONS.get(ext)
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE)
    if not head:
        raise IngestError("the file is empty (0 bytes)")
    by_magic = _magic(path, head)
    if by_magic:
        if by_ext and by_ext != by_magic and not (by_ext == "qa" and by_magic == "qa"):
            return by_magic, f"the file is really {TYPE_NAMES[by_magic]}, not {ext}: read as {TYPE_NAMES[by_magic]}"
        if not by_ext and ext:
            return by_magic, f"unknown extension {ext}: read as {TYPE_NAMES[by_magic]}"
        return by_magic, None
    if by_ext in ("pdf", "docx", "epub") or ext == ".parquet":
        what = TYPE_NAMES.get(by_ext, "Parquet")
        raise IngestError(f"not a valid {what} file: the content does not start like one (corrupt or renamed)")
    if looks_binary(head):
        raise IngestError("binary content, not text: this file type is not supported")
    if by_ext:
        return by_ext, None
    low = head[:4096].lower()
    if b"<html" in low or b"<!doctype html" in low or b"<body" in low:
        return "html", f"unknown extension {ext or '(none)'}: read as HTML"
    return "text", (f"unknown extension {ext}: read as text" if ext else None)


def _magic(path: Path, head: bytes) -> str | None:
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PAR1"):
        return "qa"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(path)
    for magic, what in _REFUSED:
        if head.startswith(magic):
            raise IngestError(f"this is {what}, not a document the studio can read")
    return None


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestError(f"corrupt or truncated zip container (DOCX/EPUB): {exc}") from None
    if "word/document.xml" in names:
        return "docx"
    if "META-INF/container.xml" in names:
        return "epub"
    if "xl/workbook.xml" in names:
        raise IngestError("this is an Excel workbook: export the sheet as CSV to import QA pairs")
    if "ppt/presentation.xml" in names:
        raise IngestError("PowerPoint files are not supported: export the slides as PDF")
    raise IngestError("a zip archive that is neither DOCX nor EPUB: unpack it and upload the files inside")


def looks_binary(head: bytes) -> bool:
    """True for bytes that are not text in any encoding we read (UTF-8/16, Latin-1, CP1252)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return False
    if b"\x00" in head:
        return not _utf16_without_bom(head)
    sample = head[:8192]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32 and b != 27)
    return controls > max(2, len(sample) // 100)


def _utf16_without_bom(head: bytes) -> bool:
    sample = head[: len(head) // 2 * 2][:8192]
    if len(sample) < 4:
        return False
    even = sample[0::2].count(0) / (len(sample) / 2)
    odd = sample[1::2].count(0) / (len(sample) / 2)
    return (odd > 0.3 and even < 0.05) or (even > 0.3 and odd < 0.05)


def check_zip(path: Path, max_unzipped: int, max_members: int = 10_000, max_ratio: int = 200) -> None:
    """Refuse zip bombs before any XML parser sees the content."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestError(f"corrupt or truncated zip container: {exc}") from None
    if len(infos) > max_members:
        raise IngestError(f"refused: the archive holds {len(infos)} files (limit {max_members}), a likely zip bomb")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > 10 * 1024 * 1024 and ratio > max_ratio:
            raise IngestError(
                f"refused: {info.filename!r} expands {ratio:.0f}x to {info.file_size // 2**20} MB, a likely zip bomb"
            )
    if total > max_unzipped:
        raise IngestError(
            f"refused: the archive expands to {total // 2**20} MB (limit {max_unzipped // 2**20} MB), a likely zip bomb"
        )
