"""Small text helpers shared by dedup, split, refusal checks and quality flags."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WORD = re.compile(r"[^\W_]+", re.U)
STOPWORDS = set(
    """a an the of in on at to for from by with and or but is are was were be been being do does did what which who
    whom whose when where why how that this these those it its as into about than then there their they he she his
    her you your i me my we our can could would should will shall may might must not no yes so if any some all
    according document documents text texts tell know please exactly say says said
    il lo la i gli le un una uno di da in con su per tra fra e o ma che chi cosa quale quali quando dove perché
    come è sono era erano essere del della dei delle degli al alla ai alle nel nella nei nelle sul sulla non si
    mi ti ci vi secondo documento documenti sai dirmi""".split()
)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    return " ".join(_WORD.findall(text))


def token_key(text: str) -> str:
    """Same normalised tokens in any order -> same key (the exact-duplicate test)."""
    return " ".join(sorted(normalise(text).split()))


def content_tokens(text: str) -> list[str]:
    return [t for t in normalise(text).split() if t not in STOPWORDS and (len(t) > 2 or t.isdigit())]


def numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".") for n in re.findall(r"\d[\d,.]*", text or "")}


def stable_unit(*parts: object) -> float:
    """A number in [0, 1) fixed by its inputs (stable across runs and machines)."""
    digest = hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()
    return int(digest[:15], 16) / float(16**15)


def short_hash(*parts: object, n: int = 12) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:n]
