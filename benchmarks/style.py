"""Style-score throughput: 10,000 passages scored in one vectorised call vs one text at a time, same run.

    .venv/bin/python benchmarks/style.py [--n 10000] [--single 500]

The profile is built once (Austen's *Emma* from tests/data/voice against the bundled reference); the
one-at-a-time rate is measured on the first ``--single`` passages and extrapolated. Prints both rates and
the ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--single", type=int, default=500, help="passages scored one at a time (then extrapolated)")
    args = ap.parse_args()

    from studio.voice.passages import segment_text
    from studio.voice.style import build_profile

    data = ROOT / "tests" / "data" / "voice"
    profile = build_profile([(data / "austen_emma.txt").read_text()])
    pool = [p for f in sorted(data.glob("*.txt")) for p in segment_text(f.read_text())]
    passages = [pool[i % len(pool)] for i in range(args.n)]
    profile.score(passages[:10])  # warm up

    t0 = time.perf_counter()
    batch = profile.score(passages)
    vec_s = time.perf_counter() - t0
    k = min(args.single, args.n)
    t0 = time.perf_counter()
    one = [float(profile.score(p)[0]) for p in passages[:k]]
    single_s = (time.perf_counter() - t0) * args.n / k
    assert all(abs(a - b) < 1e-9 for a, b in zip(one, batch[:k])), "vectorised and single scores differ"
    words = sum(len(p.split()) for p in passages) / len(passages)
    print(f"passages: {args.n} (mean {words:.0f} words), profile: {len(profile.vocabulary)} words")
    print(f"vectorised:      {vec_s:8.2f} s  ({args.n / vec_s:9.0f} passages/s)")
    print(f"one at a time:   {single_s:8.2f} s  ({args.n / single_s:9.0f} passages/s, from {k} passages)")
    print(f"ratio: vectorised is {single_s / vec_s:.1f}x faster")


if __name__ == "__main__":
    main()
