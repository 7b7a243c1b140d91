"""Text cleanup shared by every loader: unicode normalisation, whitespace, de-hyphenation."""

from __future__ import annotations

import re
import unicodedata

_LIGATURES = str.maketrans(
    {
        "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st",
        "\u00ad": None,  # soft hyphen
        "\u200b": None, "\ufeff": None, "\u2060": None,  # zero-width space, BOM, word joiner
        "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ", "\u3000": " ",
        "\u2028": "\n", "\u2029": "\n\n", "\r": "\n", "\x0b": "\n", "\x0c": "\n",
        "\ufffe": None,
        **{chr(c): None for c in [*range(0, 9), *range(14, 32), *range(0x7F, 0xA0)]},  # stray controls
    }
)
_SPACES = re.compile(r"[ \t]+")
_BLANKS = re.compile(r"\n{3,}")
_HYPHEN_BREAK = re.compile(r"(\w)[-\u2010\u00ad]\n(?=[a-zà-ÿ])")


def normalize(text: str) -> str:
    """NFC, ligatures expanded, invisible characters and stray controls removed."""
    text = text.replace("\r\n", "\n").translate(_LIGATURES)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text


def tidy_whitespace(text: str) -> str:
    """Spaces collapsed, lines stripped, at most one blank line in a row."""
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", text).strip()


def one_line(text: str) -> str:
    """A paragraph's lines joined with single spaces."""
    text = text.replace("\n", " ")
    if "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


def dehyphenate(text: str) -> str:
    """Join words split across a line break ("trans-\\nformer" -> "transformer")."""
    if "-\n" not in text and "\u2010\n" not in text and "\u00ad\n" not in text:
        return text
    return _HYPHEN_BREAK.sub(r"\1", text)


def clean_paragraph(text: str) -> str:
    return one_line(dehyphenate(normalize(text)))
