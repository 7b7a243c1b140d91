"""Style score on real writers: a profile built from Austen's *Emma* ranks passages of her *Persuasion* (another
story) above passages by Chesterton, Truman and Reagan.

For each other writer, the figure is the AUC: the share of (Persuasion passage, other passage) pairs in which the
Persuasion passage scores higher. The texts are public domain and in the repository (``tests/data/voice/``, sources
in its ``SOURCES.md``); the profile is z-scored against the bundled reference writers. Prints the AUCs and writes
``benchmarks/results/style_ranking.json``. Takes seconds.

    python benchmarks/style_ranking.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "tests" / "data" / "voice"
AUTHOR, HELD_OUT = "austen_emma", "austen_persuasion"
OTHERS = {"chesterton": "chesterton_thursday", "truman": "truman_union_1946", "reagan": "reagan_union_1984_1985"}


def text(name: str) -> str:
    return (DATA / f"{name}.txt").read_text(encoding="utf-8")


def auc(pos, neg) -> float:
    import numpy as np

    pos, neg = np.asarray(pos), np.asarray(neg)
    return float((pos[:, None] > neg[None, :]).mean())


def ranking() -> dict:
    """AUC of the held-out Austen book against each other writer (the figures README states)."""
    from studio.voice.passages import segment_text
    from studio.voice.style import build_profile

    profile = build_profile([text(AUTHOR)])
    held = profile.score(segment_text(text(HELD_OUT)))
    out = {"profile_from": AUTHOR, "held_out": HELD_OUT, "reference": profile.reference,
           "held_out_passages": len(held), "auc": {}}
    for who, name in OTHERS.items():
        out["auc"][who] = round(auc(held, profile.score(segment_text(text(name)))), 2)
    return out


def main() -> int:
    figures = ranking()
    print(json.dumps(figures, indent=2))
    from benchmarks._results import write_result

    write_result("style_ranking", figures, "python benchmarks/style_ranking.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
