"""The newcomer's walk, timed: runs the browser test of the whole flow (bundled SmolLM2 on this CPU, the Python
documentation's Socket Programming HOWTO) and records what the page estimated next to what each step took.

    python benchmarks/walk.py            # about 5-10 minutes on 2 quiet cores; needs /usr/bin/chromium

Writes ``benchmarks/results/walk.json`` (figures: per step the estimate, the actual seconds and their ratio) and
replaces the README's screenshots in ``assets/screenshots/`` with the ones this run took.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._results import write_result  # noqa: E402

TEST = "tests/e2e/test_full_flow_browser.py"


def ratio(estimate: float | None, actual: float | None) -> float | None:
    """Actual over estimate (1.0 = exact; 2.0 = took twice as long as announced)."""
    if not estimate or not actual:
        return None
    return round(actual / estimate, 2)


def main() -> int:
    shots = ROOT / "assets" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="walk-") as tmp:
        env = dict(os.environ, STUDIO_TEST_ARTIFACTS=tmp, STUDIO_WALK_SCREENSHOTS=str(shots), HF_HUB_OFFLINE="1",
                   TRANSFORMERS_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False",
                   STUDIO_WALK_TRAIN_STEPS="12", STUDIO_WALK_CHAT_TOKENS="48")
        code = subprocess.call([sys.executable, "-m", "pytest", TEST, "-q", "-s", "-p", "no:cacheprovider"],
                               cwd=ROOT, env=env)
        walk = Path(tmp) / "walk.json"
        if code != 0 or not walk.is_file():
            print(f"walk: the browser walk failed (exit {code})")
            return 1
        t = json.loads(walk.read_text())
    gen, train = t["generate"], t["train"]
    figures = {
        "generate": {**gen, "live_eta_ratio": ratio(gen.get("live_eta_s"), gen.get("actual_after_eta_s")),
                     "estimate_before_ratio": ratio(gen.get("estimate_before_s"), gen.get("actual_s"))},
        "train": {**train, "plan_ratio": ratio(train.get("estimate_s"), train.get("actual_s"))},
        "evaluate": t["evaluate"], "chat_first": t.get("chat_1"), "chat_second": t.get("chat_2"),
        "total_s": t["total_s"],
    }
    path = write_result("walk", figures, "python benchmarks/walk.py")
    print(json.dumps(figures, indent=1))
    print(f"wrote {path.relative_to(ROOT)} and the screenshots in {shots.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
