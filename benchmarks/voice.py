""""Talk like me" on a synthetic author, through the studio's own path: does the tuned model sound more like the
author than the base model on held-out prompts?

The run (``tests/fixtures/voice_run.py``): one synthetic author's essays, the ``generate`` job in voice mode (replay
generator, the author's passages kept verbatim as answers, whole essays held out), the ``train`` job on the bundled
SmolLM2-135M (plain LoRA on the CPU), and the voice evaluation of the run's frozen data (what the evaluation job
adds to its report). Prints W (the share of held-out prompts on which tuned beats base on style, with its 95% CI),
the gap closure G towards the author's own held-out passages, the validity gate and the memorisation guard, and
writes ``benchmarks/results/voice.json``. A few minutes on 2 CPU cores.

    python benchmarks/voice.py [--essays 20] [--epochs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--essays", type=int, default=20)
    parser.add_argument("--epochs", type=float, default=2)
    args = parser.parse_args()
    from studio.models import ensure_bundled_chat
    from tests.fixtures.voice_run import voice_run

    work = Path(tempfile.mkdtemp(prefix="bench_voice_"))
    os.environ["STUDIO_HOME"] = str(work)
    t0 = time.perf_counter()
    run = voice_run(work, ensure_bundled_chat(), essays=args.essays, train={"epochs": args.epochs})
    r = run.report
    figures = {
        "author": "synthetic (tests/unit/voice_helpers.py, style a)", "essays": args.essays,
        "train_rows": run.train_rows, "heldout_prompts": run.heldout_prompts, "epochs": args.epochs,
        "win_rate": r["win_rate"], "win_rate_ci": r["win_rate_ci"], "gap_closure": r["gap_closure"],
        "gap_closure_ci": r["gap_closure_ci"], "valid": r["valid"], "mean_scores": r["mean_scores"],
        "memorisation_flagged": r["memorisation"]["flagged"], "wall_s": round(time.perf_counter() - t0, 1),
    }
    print(json.dumps(figures, indent=2))
    from benchmarks._results import write_result

    write_result("voice", figures, " ".join(["python benchmarks/voice.py", *sys.argv[1:]]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
