"""Style score on real writers of one genre: author-vs-others pair accuracy, before and after, same run.

    .venv/bin/python benchmarks/style_real.py

Texts: the Python documentation's HOWTOs and "What's New" documents (Debian package python3.11-doc, PSF
licence), long-form technical prose whose pages name their single author. Read from the machine, never
committed; without the package the script prints how to install it and exits 0.

Protocol: each author's documents are cut into passages (120-350 words); the first 70% of each document
trains the profile, the last 30% is held out (contiguous, so held-out passages are not neighbours of training
ones). For author A, pair accuracy = P(score of a held-out passage of A > score of a held-out passage of
another author), ties half (the AUC). Reported per author and averaged, under three references:
``genre``: other writers of the same genre (unattributed pages of the same documentation plus the other
authors' training passages; never a held-out passage), ``genre_unattributed``: only the unattributed pages,
``bundled``: the studio's bundled reference (novels, speeches). "before" is the profile as it was (all word
tokens, centroid only); "after" is the current :mod:`studio.voice.style`. Also timed: 10,000 passages scored
in one vectorised call against one at a time (the same measure as benchmarks/style.py).
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

# single-author documents; "What's New in 3.4" names an editor, not an author, and is left out
AUTHORS = {
    "A.M. Kuchling": ["howto/regex", "howto/functional"] + [f"whatsnew/2.{i}" for i in range(1, 8)],
    "Raymond Hettinger": ["howto/descriptor", "whatsnew/3.1", "whatsnew/3.2"],
    "Vinay Sajip": ["howto/logging", "howto/logging-cookbook"],
    "Larry Hastings": ["howto/clinic", "howto/annotations"],
    "Guido van Rossum": ["whatsnew/3.0"],
    "Brett Cannon": ["howto/pyporting"],
    "Gordon McMillan": ["howto/sockets"],
    "Michael Foord": ["howto/urllib2"],
}
UNATTRIBUTED = ["howto/enum", "howto/unicode", "howto/isolating-extensions"] + [
    f"whatsnew/3.{i}" for i in (3, 5, 6, 7, 8, 9, 10, 11)]
TRAIN_SHARE = 0.7


def _text(root: Path, doc: str) -> str:
    from _pydocs import paragraphs

    return "\n\n".join(p for p in paragraphs(root / f"{doc}.html") if len(p.split()) >= 8)


@contextmanager
def _before():
    """The profile as it was: every word token (numbers too), author centroid only."""
    from studio.voice import style

    saved = style.TOKEN_PATTERN, style.DIRECTION_WEIGHT
    style.TOKEN_PATTERN, style.DIRECTION_WEIGHT = r"(?u)\b\w+\b", 0.0
    try:
        yield
    finally:
        style.TOKEN_PATTERN, style.DIRECTION_WEIGHT = saved


def _pair_accuracy(pos: np.ndarray, neg: np.ndarray) -> float:
    return float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())


def evaluate(train: dict, test: dict, reference_for) -> dict:
    from studio.voice.style import build_profile

    per = {}
    for a in train:
        profile = build_profile(["\n\n".join(train[a])], reference_for(a), lang="en")
        pos = profile.score(test[a])
        neg = np.concatenate([profile.score(test[b]) for b in test if b != a])
        per[a] = round(_pair_accuracy(pos, neg), 4)
    return {"pair_accuracy": round(float(np.mean(list(per.values()))), 4), "per_author": per}


def speed(train: dict, test: dict, n: int = 10_000, single: int = 500) -> dict:
    """Throughput of the current score: ``n`` passages in one vectorised call vs one at a time (extrapolated)."""
    from studio.voice.style import build_profile

    first = next(iter(train))
    profile = build_profile(["\n\n".join(train[first])], [p for b in train if b != first for p in train[b]], lang="en")
    pool = [p for a in test for p in test[a]]
    passages = [pool[i % len(pool)] for i in range(n)]
    profile.score(passages[:10])  # warm up
    t0 = time.perf_counter()
    profile.score(passages)
    vec = time.perf_counter() - t0
    t0 = time.perf_counter()
    for p in passages[:single]:
        profile.score(p)
    one = (time.perf_counter() - t0) * n / single
    return {"passages": n, "vectorised_per_s": round(n / vec, 1), "single_per_s": round(n / one, 1),
            "ratio": round(one / vec, 2)}


def main() -> None:
    from _pydocs import INSTALL_HINT, author_of, doc_root
    from _results import write_result
    from studio.voice.style import bundled_reference, segment_text

    root = doc_root()
    if root is None:
        print(f"skipped: the Python documentation is not installed here ({INSTALL_HINT})")
        return
    t0 = time.perf_counter()
    train, test, checked = {}, {}, {}
    for author, docs in AUTHORS.items():
        tr, te = [], []
        for d in docs:
            named = author_of(root / f"{d}.html") or ""
            checked[d] = named
            assert author.split()[-1] in named, f"{d}: the page names {named!r}, not {author}"
            seg = segment_text(_text(root, d), 120, 350)
            k = int(round(len(seg) * TRAIN_SHARE))
            tr += seg[:k]
            te += seg[k:]
        train[author], test[author] = tr, te
    unattributed = [_text(root, d) for d in UNATTRIBUTED]
    bundled = bundled_reference("en")
    refs = {
        "genre": lambda a: unattributed + [p for b in train if b != a for p in train[b]],
        "genre_unattributed": lambda a: unattributed,
        "bundled": lambda a: bundled,
    }
    figures: dict = {"authors": {a: {"train_passages": len(train[a]), "heldout_passages": len(test[a]),
                                     "documents": AUTHORS[a]} for a in AUTHORS},
                     "reference_unattributed_documents": UNATTRIBUTED}
    for name, ref in refs.items():
        with _before():
            before = evaluate(train, test, ref)
        after = evaluate(train, test, ref)
        figures[name] = {"before": before, "after": after}
        print(f"reference {name:19s} pair accuracy  before {before['pair_accuracy']:.3f}   after {after['pair_accuracy']:.3f}")
        for a in AUTHORS:
            print(f"    {a:18s} {before['per_author'][a]:.2f} -> {after['per_author'][a]:.2f}")
    with _before():
        figures["speed"] = {"before": speed(train, test)}
    figures["speed"]["after"] = speed(train, test)
    for label, sp in figures["speed"].items():
        print(f"speed {label:6s}: vectorised {sp['vectorised_per_s']:.0f} passages/s, one at a time "
              f"{sp['single_per_s']:.0f}/s, ratio {sp['ratio']:.1f}x")
    figures["seconds"] = round(time.perf_counter() - t0, 1)
    path = write_result("style_real", figures, "python benchmarks/style_real.py")
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
