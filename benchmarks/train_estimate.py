"""How close the training time estimate comes to the real run on this machine, before and after calibration.

On a fresh data folder (no stored pace) it plans a short run of the bundled model on the invented facts and
keeps the plan's rough guess, calibrates (``train --plan --calibrate``: 3 timed steps), plans again (now
measured), then runs the real ``train`` job for the planned steps and compares its train time with both
estimates. Writes ``benchmarks/results/train_estimate.json``.

    python benchmarks/train_estimate.py [--steps 8] [--model bundled:smollm2-135m-instruct]
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
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--model", default="bundled:smollm2-135m-instruct")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="studio-train-estimate-"))
    os.environ["STUDIO_HOME"] = str(work / "home")
    os.environ["STUDIO_CACHE"] = str(work / "cache")  # no pace stored by earlier runs
    from benchmarks._results import write_result
    from studio.jobs import JobRunner
    from studio.train.calibrate import calibrate
    from studio.train.config import TrainConfig
    from studio.train.preview import preview_plan
    from tests.fixtures.train_data import make_facts_workspace

    ws = make_facts_workspace(work / "home" / "workspaces" / "bench")
    cfg = TrainConfig(base_model=args.model, max_steps=args.steps, save_steps=10 * args.steps)
    guess = preview_plan(cfg, ws)["plan"]
    t0 = time.perf_counter()
    cal = calibrate(cfg, ws)
    calibrate_s = time.perf_counter() - t0
    measured = preview_plan(cfg, ws)["plan"]
    runner = JobRunner(ws, root=work / "home")
    status = runner.run_foreground("train", {**cfg.to_dict(), "resume": False}, run_dir=work / "run")
    result = status.get("result") or status
    done = result.get("step") or 0
    if not done or done < args.steps:
        print(f"the run stopped at step {done} of {args.steps}: no comparison written", file=sys.stderr)
        return 1
    actual = result.get("train_runtime_s")
    figures = {
        "model": args.model, "steps": args.steps, "cpu_count": os.cpu_count(),
        "guess_s": guess["time_s"], "calibration_s": round(calibrate_s, 1),
        "calibrated_s_per_step": cal["seconds_per_step"], "measured_estimate_s": measured["time_s"],
        "actual_train_s": actual, "load_average_1min": round(os.getloadavg()[0], 1),
        "guess_ratio": round(actual / guess["time_s"], 2) if actual else None,
        "measured_ratio": round(actual / measured["time_s"], 2) if actual else None,
    }
    print(json.dumps(figures, indent=1))
    write_result("train_estimate", figures, "python benchmarks/train_estimate.py " + " ".join(sys.argv[1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
