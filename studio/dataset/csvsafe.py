"""CSV cells a spreadsheet would run as a formula, written as text.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a leading ``'`` (the
OWASP advice), so opening an export in a spreadsheet shows it instead of running it. A cell that already starts with
quotes before such a character gets one more, so :func:`unescape_cell` (used when the CSV is imported back) restores
every value exactly: the round trip is lossless.
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _risky(text: str) -> bool:
    head = text.lstrip("'")[:1]
    return bool(head) and head in FORMULA_START


def escape_cell(value: Any) -> Any:
    if isinstance(value, str) and _risky(value):
        return "'" + value
    return value


def unescape_cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] == "'" and _risky(value[1:]):
        return value[1:]
    return value


def escape_row(row: dict) -> dict:
    return {k: escape_cell(v) for k, v in row.items()}
