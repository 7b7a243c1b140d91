"""The author's style profile and the style score.

Profile (a Burrows-style "most frequent words" profile, scored by cosine, as in Cosine Delta): the relative
frequencies of the author's ``top_k`` most frequent words (letters only: numbers and code identifiers with
digits or underscores are not style) in each text, z-scored with the mean and spread of the same frequencies
over a reference of other writers' texts (by default a bundled public-domain sample in the author's
language, ``data/reference``). The author direction is half the mean z-profile of the author's passages
(Cosine Delta's centroid) and half the direction a regularised logistic regression finds between the
author's passages and the reference's (the words that tell *this* author from *these* writers), both unit
length; a text's style score is the cosine of its z-profile to that direction (-1..1, higher = closer).
Word tokens come from scikit-learn's ``CountVectorizer``; scoring stays one sparse product per batch.

The reference decides what "other writers" means: with writers of the author's own genre it separates
same-genre authors (benchmarks/style_real.py: long-form technical prose by several authors of the Python
documentation); the bundled reference (novels, speeches) is the fallback. Measured on texts of known
authorship (tests/data/voice): Austen trained on *Emma*, her *Persuasion* passages rank above Chesterton,
Truman and Reagan passages with the bundled reference (tests/unit/test_voice_style.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .passages import segment_text

DATA_DIR = Path(__file__).resolve().parent / "data" / "reference"
TOKEN_PATTERN = r"(?u)\b[^\W\d_]+\b"  # words of letters only
DIRECTION_WEIGHT = 0.5  # share of the discriminative direction in the author direction (the rest: centroid)
DIRECTION_C = 0.1  # inverse regularisation of the logistic regression
_TOKEN = re.compile(r"(?u)\b\w+\b")  # every word, numbers too (the memorisation guard)


class StyleError(ValueError):
    """Too little text to build a profile, or an unreadable profile, with a readable message."""


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall((text or "").lower())


def bundled_reference(lang: str | None = None) -> list[str]:
    """The bundled reference texts (one string per writer) in ``lang`` (``en``, ``it``); all when none match."""
    files = sorted(DATA_DIR.glob("*.txt"))
    chosen = [f for f in files if lang and f.name.startswith(f"{lang}_")] or files
    return [f.read_text(encoding="utf-8") for f in chosen]


def detect_lang(texts: Sequence[str]) -> str | None:
    try:
        from ..ingest.lang import detect_language
    except ImportError:  # pragma: no cover
        return None
    sample = " ".join(texts)[:20000]
    return detect_language(sample)


def segments(texts: Iterable[str], min_words: int = 120, max_words: int = 350) -> list[str]:
    """Long texts cut into passage-sized segments; short ones kept as they are."""
    out: list[str] = []
    for t in texts:
        if not t or not t.strip():
            continue
        out.extend(segment_text(t, min_words, max_words) if len(t.split()) > max_words else [t])
    return out


@dataclass
class StyleProfile:
    vocabulary: list[str]
    mean: np.ndarray
    scale: np.ndarray
    centroid: np.ndarray
    lang: str | None = None
    author_segments: int = 0
    reference_segments: int = 0
    reference: str = "bundled"

    def _vectorizer(self):
        from sklearn.feature_extraction.text import CountVectorizer

        if getattr(self, "_cv", None) is None:
            self._cv = CountVectorizer(lowercase=True, token_pattern=TOKEN_PATTERN, vocabulary=self.vocabulary)
        return self._cv

    def frequencies(self, texts: Sequence[str]) -> np.ndarray:
        """Relative frequencies (per running word of the text) of the profile's words, one row per text."""
        counts = self._vectorizer().transform(list(texts))
        totals = np.fromiter((len(t.split()) if t else 0 for t in texts), dtype=float, count=len(texts))
        totals[totals == 0] = 1.0
        return counts.multiply(1.0 / totals[:, None]).toarray()

    def zscores(self, texts: Sequence[str]) -> np.ndarray:
        return (self.frequencies(texts) - self.mean) / self.scale

    def score(self, texts: Sequence[str] | str) -> np.ndarray:
        """Style score of each text: cosine of its z-profile to the author centroid (vectorised)."""
        if isinstance(texts, str):
            texts = [texts]
        if not len(texts):
            return np.zeros(0)
        z = self.zscores(texts)
        norms = np.linalg.norm(z, axis=1) * (np.linalg.norm(self.centroid) or 1.0)
        norms[norms == 0] = 1.0
        return (z @ self.centroid) / norms

    def to_dict(self) -> dict:
        return {
            "vocabulary": self.vocabulary, "mean": self.mean.tolist(), "scale": self.scale.tolist(),
            "centroid": self.centroid.tolist(), "lang": self.lang, "author_segments": self.author_segments,
            "reference_segments": self.reference_segments, "reference": self.reference,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "StyleProfile":
        try:
            return cls(list(d["vocabulary"]), np.asarray(d["mean"], float), np.asarray(d["scale"], float),
                       np.asarray(d["centroid"], float), d.get("lang"), int(d.get("author_segments", 0)),
                       int(d.get("reference_segments", 0)), d.get("reference", "bundled"))
        except (KeyError, TypeError, ValueError) as exc:
            raise StyleError(f"not a style profile ({exc})") from None

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict()), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "StyleProfile":
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def build_profile(
    author_texts: Sequence[str],
    reference_texts: Sequence[str] | None = None,
    top_k: int = 300,
    lang: str | None = None,
    min_words: int = 120,
    max_words: int = 350,
) -> StyleProfile:
    """The author's profile from their texts, scaled by ``reference_texts`` (default: bundled, same language)."""
    from sklearn.feature_extraction.text import CountVectorizer

    author = segments(author_texts, min_words, max_words)
    if not author or sum(len(tokenize(t)) for t in author) < 50:
        raise StyleError("the author's texts are too short for a style profile (need at least a few hundred words)")
    lang = lang or detect_lang(author)
    label = "given"
    if not reference_texts:
        reference_texts, label = bundled_reference(lang), f"bundled ({lang or 'all'})"
    reference = segments(reference_texts, min_words, max_words)
    if len(reference) < 2:
        raise StyleError("the reference needs at least two passages of other writers' text")
    cv = CountVectorizer(lowercase=True, token_pattern=TOKEN_PATTERN)
    counts = np.asarray(cv.fit_transform(author).sum(axis=0)).ravel()
    names = cv.get_feature_names_out()
    order = np.lexsort((names, -counts))[:top_k]  # by count, ties by word: deterministic
    profile = StyleProfile([str(names[i]) for i in order], np.zeros(len(order)), np.ones(len(order)),
                           np.zeros(len(order)), lang, len(author), len(reference), label)
    ref = profile.frequencies(reference)
    mean, std = ref.mean(axis=0), ref.std(axis=0)
    floor = max(float(np.median(std[std > 0])) * 0.1 if (std > 0).any() else 1e-4, 1e-6)
    profile.mean, profile.scale = mean, np.maximum(std, floor)
    z_author = profile.zscores(author)
    profile.centroid = author_direction(z_author, profile.zscores(reference))
    return profile


def author_direction(z_author: np.ndarray, z_reference: np.ndarray) -> np.ndarray:
    """Unit mean z-profile of the author blended with the unit logistic-regression direction author vs reference."""
    centroid = z_author.mean(axis=0)
    c_norm = float(np.linalg.norm(centroid))
    if c_norm == 0 or DIRECTION_WEIGHT <= 0:
        return centroid
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([z_author, z_reference])
    y = np.r_[np.ones(len(z_author)), np.zeros(len(z_reference))]
    clf = LogisticRegression(C=DIRECTION_C, max_iter=3000, class_weight="balanced")
    w = clf.fit(x, y).coef_[0]
    w_norm = float(np.linalg.norm(w))
    if w_norm == 0:
        return centroid / c_norm
    return (1 - DIRECTION_WEIGHT) * centroid / c_norm + DIRECTION_WEIGHT * w / w_norm


def read_texts(paths: Iterable[str | Path]) -> list[str]:
    """Texts of files and folders in any format ingestion reads (plain text when it cannot)."""
    out: list[str] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise StyleError(f"no such file or folder: {raw}")
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")) if path.is_dir() else [path]
        for f in files:
            text = _read_one(f)
            if text.strip():
                out.append(text)
    if not out:
        raise StyleError("no readable text in " + ", ".join(str(p) for p in paths))
    return out


def _read_one(path: Path) -> str:
    try:
        from ..ingest.config import IngestConfig
        from ..ingest.loaders import load
        from ..ingest.sniff import detect

        kind, _ = detect(path, path.name)
        if kind not in ("qa", "unknown", None):
            extracted = load(kind, path, IngestConfig())
            return "\n\n".join(("# " + b.text) if b.kind == "heading" else b.text for b in extracted.blocks)
    except Exception:  # noqa: BLE001 - an unreadable file falls back to plain text
        pass
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise StyleError(f"cannot read {path}: {exc.strerror or exc}") from None
